"""Only data dated within the study period is exported, by each row's own date as a day in
its clinic's time zone; a row that refers to one outside the period keeps an empty id."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import frictionless

from bridgework.accounts.models import Clinic
from bridgework.care import actions as care
from bridgework.research.export import context
from bridgework.research.export.tables import TABLES
from bridgework.research.tests.helpers import (
    ExportTestCase,
    export,
    load,
    start_of,
    study_pseudonym,
)


class PeriodTests(ExportTestCase):
    def test_rows_dated_before_the_period_are_left_out(self) -> None:
        self.study.starts_on = start_of(-8)
        out, result = export(self.study, "csv")
        self.assertEqual(result.rows["sessions"], 4)  # the sessions 7 days ago and to come
        self.assertEqual(result.rows["practice_logs"], 0)  # practised 10 days ago
        self.assertEqual(result.rows["checkins"], 0)  # 9 days ago
        ratings = load(out, "ratings")
        self.assertEqual(len(ratings), 0)
        self.assertEqual(result.rows["reviews"], 2)

    def test_a_reference_to_a_row_outside_the_period_is_left_empty_and_the_joins_hold(self) -> None:
        self.study.starts_on = start_of(-8)
        out, _ = export(self.study, "csv")
        plans = load(out, "plans")
        reviewed = plans[plans["status"] == "reviewed"]
        self.assertEqual(reviewed["set_in_session_id"].isna().tolist(), [True, True])
        self.assertEqual(reviewed["review_session_id"].notna().tolist(), [True, True])
        report = frictionless.validate(out / "datapackage.json")
        self.assertTrue(report.valid, report.flatten(["title", "message"])[:5])

    def test_rows_dated_after_the_period_are_left_out(self) -> None:
        self.study.ends_on = start_of(1)
        _out, result = export(self.study)
        self.assertEqual(result.rows["sessions"], 4)  # not the ones in a week

    def test_the_period_is_a_range_of_days_in_the_clinic_time_zone(self) -> None:
        Clinic.objects.filter(pk=self.clinic.pk).update(time_zone="Europe/Berlin")
        berlin, first = ZoneInfo("Europe/Berlin"), start_of(-30)
        self.study.starts_on = first
        just_in, just_before = (
            care.add_session(
                self.client_a, therapist=self.therapist_a, starts_at=when, by=self.therapist_a
            )
            for when in (
                datetime.combine(first, time(0, 30), berlin),  # still the day before in UTC
                datetime.combine(first - timedelta(days=1), time(23, 30), berlin),
            )
        )
        out, _ = export(self.study)
        sessions = set(load(out, "sessions")["session_id"])
        self.assertIn(study_pseudonym(self.study, "session", just_in.pk), sessions)
        self.assertNotIn(study_pseudonym(self.study, "session", just_before.pk), sessions)

    def test_clinics_in_different_time_zones_each_keep_their_own_days(self) -> None:
        Clinic.objects.filter(pk=self.clinic.pk).update(time_zone="Europe/Berlin")
        self.study.clinics.add(self.other_clinic)  # in Europe/London
        first = start_of(-30)
        self.study.starts_on = first
        sessions = {}
        for client, therapist, zone in (
            (self.client_a, self.therapist_a, "Europe/Berlin"),
            (self.other_client, self.other_therapist, "Europe/London"),
        ):
            for label, when in (
                ("in", datetime.combine(first, time(0, 30), ZoneInfo(zone))),
                (
                    "before",
                    datetime.combine(first - timedelta(days=1), time(23, 30), ZoneInfo(zone)),
                ),
            ):
                session = care.add_session(
                    client, therapist=therapist, starts_at=when, by=therapist
                )
                sessions[(zone, label)] = study_pseudonym(self.study, "session", session.pk)
        out, _ = export(self.study)
        exported = set(load(out, "sessions")["session_id"])
        self.assertEqual(
            {key for key, pseudonym in sessions.items() if pseudonym in exported},
            {("Europe/Berlin", "in"), ("Europe/London", "in")},
        )


class ManyClientsTests(ExportTestCase):
    def test_a_study_of_very_many_clients_selects_them_in_a_subquery_to_the_same_effect(
        self,
    ) -> None:
        Clinic.objects.filter(pk=self.clinic.pk).update(time_zone="Europe/Berlin")
        self.study.clinics.add(self.other_clinic)
        listed, _ = export(self.study, "csv")
        with mock.patch.object(context, "MAX_LISTED", 0):
            selected, _ = export(self.study, "csv")
        for name in TABLES:
            with self.subTest(table=name):
                self.assertEqual(
                    (listed / f"{name}.csv").read_text(), (selected / f"{name}.csv").read_text()
                )
