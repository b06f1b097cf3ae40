"""The pictures' session marks (practice.progress.mark_sessions): a picture reads only the
sessions of its own period and the last one before it, however long the therapy, and its
table still names, for every row, the session it falls on or after."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from bridgework.care import actions as care
from bridgework.practice.progress import Chart, mark_sessions
from bridgework.test import BaseTestCase


class SessionMarkTests(BaseTestCase):
    def setUp(self) -> None:
        self.now = timezone.now()
        for days in (90, 60, 30, 20, 10, -7):  # sessions 1–5 past, 6 booked for next week
            care.add_session(
                self.client_a,
                therapist=self.therapist_a,
                starts_at=self.ago(days),
                by=self.therapist_a,
            )

    def ago(self, days: int) -> datetime:
        return self.now - timedelta(days=days)

    def chart(self, *days: int) -> Chart:
        chart = Chart("test", "Test", "A test.", ["Date", "Value"])
        for n in days:
            chart.add_row(self.ago(n), [n])
            chart.series.setdefault("Value", []).append((self.ago(n), n))
        return chart

    def test_a_picture_reads_its_sessions_from_the_last_one_before_its_first_row(self) -> None:
        chart = self.chart(25, 15, 5)
        with self.assertNumQueries(1):
            mark_sessions(self.client_a, [chart])
        self.assertEqual([s.number for s in chart.sessions], [3, 4, 5])  # never the booked 6
        self.assertEqual([s.number for s in chart.marked], [4, 5])

    def test_each_row_names_the_session_it_falls_on_or_after(self) -> None:
        chart = self.chart(25, 15, 12, 5)
        mark_sessions(self.client_a, [chart])
        named = [row[-1].split(",")[0] for row in chart.table_rows]
        self.assertEqual(named, ["Session 3", "Session 4", "Session 4", "Session 5"])

    def test_rows_before_the_first_session_name_none(self) -> None:
        chart = self.chart(100, 70)
        mark_sessions(self.client_a, [chart])
        self.assertEqual([row[-1][:9] for row in chart.table_rows], ["—", "Session 1"])
        self.assertEqual([s.number for s in chart.sessions], [1, 2, 3, 4, 5])

    def test_pictures_of_different_periods_share_the_sessions_of_the_earliest(self) -> None:
        recent, older = self.chart(5), self.chart(45, 35)
        mark_sessions(self.client_a, [recent, older])
        self.assertEqual([s.number for s in recent.sessions], [2, 3, 4, 5])
        self.assertEqual([s.number for s in recent.marked], [])
        self.assertEqual(recent.table_rows[0][-1].split(",")[0], "Session 5")

    def test_without_rows_no_session_is_read(self) -> None:
        with self.assertNumQueries(0):
            mark_sessions(self.client_a, [])
