from __future__ import annotations

from datetime import time

from django.test import SimpleTestCase
from django.utils import translation

from bridgework.lib.week import WEEKDAY_CHOICES, clock, typed_times, weekday_names


class WeekTests(SimpleTestCase):
    def test_the_week_starts_on_monday_as_date_weekday_counts(self) -> None:
        self.assertEqual(WEEKDAY_CHOICES[0][0], 0)
        self.assertEqual(weekday_names()[0], "Mon")
        self.assertEqual(len(weekday_names()), 7)

    def test_weekday_names_are_said_in_the_active_language(self) -> None:
        with translation.override("de"):
            self.assertEqual(weekday_names()[:2], ["Mo", "Di"])
            self.assertEqual(str(WEEKDAY_CHOICES[6][1]), "So")

    def test_typed_times_are_split_on_commas_or_semicolons_and_trimmed(self) -> None:
        self.assertEqual(typed_times(" 07:30, 19:00;21:15 ,, "), ["07:30", "19:00", "21:15"])

    def test_nothing_typed_is_no_times(self) -> None:
        self.assertEqual((typed_times(""), typed_times(None)), ([], []))

    def test_a_time_that_is_not_a_clock_time_is_kept_for_the_rule_to_refuse(self) -> None:
        self.assertEqual(typed_times("7.30"), ["7.30"])

    def test_a_clock_time_is_written_as_rules_store_it(self) -> None:
        self.assertEqual(clock(time(7, 5)), "07:05")
