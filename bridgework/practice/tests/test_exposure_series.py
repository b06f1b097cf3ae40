"""An exposure's distress series gives before, peak and after by itself; the client may still
correct them; bad readings are refused naming their row. The therapist sees each series as a
small picture and, across exposures, whether peak and end are coming down."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.utils import timezone

from bridgework.accounts import actions as accounts
from bridgework.practice import actions, series, worksheets
from bridgework.practice.models import PracticeLog
from bridgework.practice.tests.test_logging import PracticeTestCase
from bridgework.test import user_of

SERIES = {
    "entries.series.0.minute": "0",
    "entries.series.0.distress": "60",
    "entries.series.1.minute": "5",
    "entries.series.1.distress": "85",
    "entries.series.2.minute": "15",
    "entries.series.2.distress": "40",
}


def exposure(**fields: Any) -> dict[str, Any]:
    return {"sheet": "exposure-log", "entries.situation": "Bus, four stops", **SERIES, **fields}


class DerivedFromTheSeriesTests(PracticeTestCase):
    def saved(self) -> dict[str, Any]:
        return dict(PracticeLog.objects.get().entries)

    def test_a_series_gives_before_peak_and_after_when_they_are_left_empty(self) -> None:
        response = self.post(**exposure())
        self.assertEqual(response.status_code, 302)
        entries = self.saved()
        self.assertEqual(
            (entries["distress_before"], entries["distress_peak"], entries["distress_after"]),
            (60, 85, 40),
        )

    def test_a_peak_the_client_typed_is_kept_over_the_series(self) -> None:
        self.post(**exposure(**{"entries.distress_peak": "95"}))
        entries = self.saved()
        self.assertEqual(
            (entries["distress_before"], entries["distress_peak"], entries["distress_after"]),
            (60, 95, 40),
        )

    def test_the_offline_sync_derives_and_keeps_overrides_the_same_way(self) -> None:
        form = {"uid": str(uuid.uuid4()), "plan": self.plan.pk, "outcome": "done"}
        response = self.sync({**form, **exposure(**{"entries.distress_after": "20"})})
        self.assertEqual(response.status_code, 201)
        entries = self.saved()
        self.assertEqual(
            (entries["distress_before"], entries["distress_peak"], entries["distress_after"]),
            (60, 85, 20),
        )

    def test_a_single_reading_gives_nothing_and_before_is_still_asked_for(self) -> None:
        response = self.post(
            sheet="exposure-log",
            **{
                "entries.situation": "Bus",
                "entries.series.0.minute": "0",
                "entries.series.0.distress": "60",
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Please fill in “Distress before (0–100)”", status_code=400)
        self.assertFalse(PracticeLog.objects.exists())

    def test_a_reading_over_100_is_refused_naming_its_row_and_nothing_is_saved(self) -> None:
        response = self.post(**exposure(**{"entries.series.2.distress": "140"}))
        self.assertContains(
            response,
            "Distress every few minutes, as you go (optional; it fills in the three below), "
            "row 3: enter “Distress (0–100)” as a whole number from 0 to 100.",
            status_code=400,
        )
        self.assertFalse(PracticeLog.objects.exists())

    def test_the_sync_refuses_a_bad_reading_by_its_field(self) -> None:
        form = {"uid": str(uuid.uuid4()), "plan": self.plan.pk, "outcome": "done"}
        response = self.sync({**form, **exposure(**{"entries.series.1.distress": "-5"})})
        self.assertEqual(response.status_code, 400)
        problem = response.json()["errors"]["entries.series.1.distress"]
        self.assertIn("row 2", problem)
        self.assertFalse(PracticeLog.objects.exists())

    def test_minutes_that_do_not_rise_are_refused_naming_the_row(self) -> None:
        response = self.post(**exposure(**{"entries.series.2.minute": "5"}))
        self.assertContains(
            response, "row 3: the minute must come after the row before (5).", status_code=400
        )
        self.assertFalse(PracticeLog.objects.exists())

    def test_a_row_with_a_minute_but_no_reading_is_refused_by_its_row(self) -> None:
        response = self.post(**exposure(**{"entries.series.3.minute": "20"}))
        self.assertContains(response, "row 4: enter “Distress (0–100)”", status_code=400)

    def test_the_phone_page_loads_the_series_script_and_its_rule(self) -> None:
        page = self.client.get(f"/me/plans/{self.plan.pk}/log/")
        self.assertContains(page, "js/from-series.js")
        self.assertContains(page, 'data-highest="entries.distress_peak"')
        self.assertContains(page, "From your series")


class ExposureTrendTests(PracticeTestCase):
    def test_a_hand_worked_case_is_coming_down(self) -> None:
        # Three exposures: the first third is the first one, the last third the last one;
        # 85 → 45 is 40 points lower, 60 → 20 is 40 lower: both come down.
        peak, end = series.trend([85, 60, 45]), series.trend([60, 30, 20])
        self.assertEqual((peak.verdict, peak.shown), ("down", "85 → 60 → 45"))
        self.assertEqual((end.verdict, end.shown), ("down", "60 → 30 → 20"))

    def test_six_exposures_compare_the_first_two_with_the_last_two(self) -> None:
        # (80 + 70) / 2 = 75 against (70 + 72) / 2 = 71: four points, about the same.
        self.assertEqual(series.trend([80, 70, 50, 90, 70, 72]).verdict, "flat")
        self.assertEqual(series.trend([40, 45, 50, 55, 60, 70]).verdict, "up")

    def test_two_exposures_are_not_enough_yet(self) -> None:
        self.assertEqual(series.trend([85, 40]).verdict, "too-few")

    def test_many_exposures_show_the_first_and_last_three(self) -> None:
        self.assertEqual(series.trend([9, 8, 7, 6, 5, 4, 3]).shown, "9 → 8 → 7 → … → 5 → 4 → 3")

    def log_exposure(self, days_ago: int, peak: int, end: int) -> PracticeLog:
        return actions.log_practice(
            self.client_a,
            by=user_of(self.client_a),
            uid=uuid.uuid4(),
            plan=self.plan,
            outcome="done",
            sheet=worksheets.current("exposure-log"),
            entries={
                "situation": "Bus",
                "distress_before": 50,
                "distress_peak": peak,
                "distress_after": end,
                "series": [{"minute": 0, "distress": 50}, {"minute": 10, "distress": peak}],
            },
            practiced_at=timezone.now() - timedelta(days=days_ago),
        ).entry

    def test_the_therapist_reads_the_trend_and_each_series_on_the_client_page(self) -> None:
        for days_ago, peak, end in ((9, 85, 60), (6, 60, 30), (3, 45, 20)):
            self.log_exposure(days_ago, peak, end)
        self.sign_in(self.therapist_a)
        page = self.client.get(f"/clients/{self.client_a.pk}/").content.decode()
        self.assertIn("Peak: 85 → 60 → 45, <strong>coming down</strong>", page)
        self.assertIn("end: 60 → 30 → 20, <strong>coming down</strong>", page)
        self.assertEqual(page.count("/series.svg"), 3)
        self.assertIn("10 min: 85", page)  # the picture's numbers, as text

    def test_the_review_page_shows_the_plans_trend(self) -> None:
        self.log_exposure(3, 85, 60)
        self.sign_in(self.therapist_a)
        page = self.client.get(f"/plans/{self.plan.pk}/review/")
        self.assertContains(page, "Peak: 85, not enough exposures yet")

    def test_the_series_picture_is_an_svg_without_scripts(self) -> None:
        log = self.log_exposure(1, 85, 60)
        self.sign_in(self.therapist_a)
        response = self.client.get(f"/practice/{log.pk}/series.svg")
        self.assertEqual(response["Content-Type"], "image/svg+xml")
        self.assertNotIn(b"<script", response.content)
        self.assertIn(b"<svg", response.content)
        self.assertIn("Distress during the exposure", response.content.decode())
        self.assertNotIn(b"Pygal", response.content)

    def test_an_entry_without_a_series_has_no_picture(self) -> None:
        self.post(**{"entries.how_it_went": "70"})
        log = PracticeLog.objects.get()
        self.sign_in(self.therapist_a)
        self.assertEqual(self.client.get(f"/practice/{log.pk}/series.svg").status_code, 404)


class GermanSeriesTests(PracticeTestCase):
    def test_a_refused_reading_is_named_in_german(self) -> None:
        accounts.set_language(user_of(self.client_a), "de", by=user_of(self.client_a))
        page = self.client.get(f"/me/plans/{self.plan.pk}/log/")
        self.assertContains(page, "Aus Ihrer Messreihe – ändern Sie es, wenn es nicht stimmt.")
        response = self.post(**exposure(**{"entries.series.1.distress": "140"}))
        self.assertContains(
            response,
            "Zeile 2: Bitte „Anspannung (0–100)“ als ganze Zahl von 0 bis 100 eingeben.",
            status_code=400,
        )
