"""Ids in an export are study pseudonyms (the same within a study, unrelated across studies),
no direct identifier is in any column, and a client's dates move together."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from django.utils import timezone

from bridgework.accounts.models import User
from bridgework.care.models import Client, TherapySession
from bridgework.practice import actions as practice
from bridgework.prompts.models import Prompt
from bridgework.research.export.dates import MAX_SHIFT_DAYS, shift_days
from bridgework.research.export.pseudonyms import Pseudonyms
from bridgework.research.export.tables import TABLES
from bridgework.research.tests.helpers import ExportTestCase, export, load, study_pseudonym
from bridgework.test import user_of

PSEUDONYM = re.compile(r"^[A-Z]{1,2}-[A-Z2-7]{8,12}$")


def id_columns(name: str) -> list[str]:
    return [c.name for c in TABLES[name].columns if c.name.endswith("_id")]


class PseudonymTests(ExportTestCase):
    def test_every_id_is_a_pseudonym_and_never_a_database_id(self) -> None:
        out, _result = export(self.study)
        for name in TABLES:
            frame = load(out, name)
            for column in id_columns(name):
                with self.subTest(table=name, column=column):
                    values = frame[column].dropna()
                    self.assertTrue(all(PSEUDONYM.match(v) for v in values), list(values)[:3])

    def test_the_same_rows_get_the_same_pseudonyms_in_every_export_of_a_study(self) -> None:
        first, _ = export(self.study, "parquet")
        again, _ = export(self.study, "csv")
        for name in TABLES:
            with self.subTest(table=name):
                for column in id_columns(name):
                    self.assertEqual(
                        list(load(first, name)[column]), list(load(again, name)[column])
                    )

    def test_another_study_gives_the_same_rows_unrelated_pseudonyms(self) -> None:
        other = self.make_study(name="Another study")
        mine, _ = export(self.study)
        theirs, _ = export(other)
        for name in TABLES:
            for column in id_columns(name):
                with self.subTest(table=name, column=column):
                    ours = set(load(mine, name)[column].dropna())
                    self.assertTrue(ours)
                    self.assertFalse(ours & set(load(theirs, name)[column].dropna()))

    def test_a_pseudonym_names_its_kind_and_comes_from_the_study_key_alone(self) -> None:
        pseudonyms = Pseudonyms("key-one")
        self.assertRegex(pseudonyms.of("client", 7), r"^C-[A-Z2-7]{8}$")
        self.assertRegex(pseudonyms.of("plan", 7), r"^P-[A-Z2-7]{12}$")
        self.assertEqual(pseudonyms.of("client", 7), Pseudonyms("key-one").of("client", 7))
        self.assertNotEqual(pseudonyms.of("client", 7), Pseudonyms("key-two").of("client", 7))
        self.assertNotEqual(pseudonyms.of("client", 7)[2:], pseudonyms.of("staff", 7)[2:])


class IdentifierTests(ExportTestCase):
    def identifiers(self) -> list[str]:
        """What would name a person: every client's and user's name and e-mail address, and
        the pseudonym Bridgework shows researchers elsewhere (not this study's)."""
        people = [(c.full_name, c.pseudonym) for c in Client.objects.all()]
        users = [(u.full_name, u.email) for u in User.objects.all()]
        return [word.lower() for pair in people + users for word in pair if word]

    def test_no_value_of_any_column_in_either_format_holds_a_direct_identifier(self) -> None:
        # A name typed where a label is expected: a check-in scale named after the client.
        named = practice.add_scale(
            self.client_a,
            by=self.therapist_a,
            name=f"Rows with {self.client_a.full_name}",
            low_anchor="none",
            high_anchor="all the time",
        )
        practice.check_in(
            self.client_a,
            by=user_of(self.client_a),
            uid=uuid.uuid4(),
            ratings={named.pk: 40},
            answered_at=timezone.now() - timedelta(days=3),
        )
        identifiers = self.identifiers()
        self.assertIn("client a", identifiers)
        for fmt in ("csv", "parquet"):
            out, _ = export(self.study, fmt)
            for name in TABLES:
                frame = load(out, name)
                for column in frame.columns:
                    for value in frame[column].dropna().astype(str):
                        found = [word for word in identifiers if word in value.lower()]
                        self.assertEqual(found, [], f"{fmt} {name}.{column}")

    def test_no_id_column_holds_a_raw_primary_key(self) -> None:
        raw = {
            str(pk)
            for model in (Client, TherapySession, Prompt, User)
            for pk in model.objects.values_list("pk", flat=True)
        }
        out, _ = export(self.study, "csv")
        for name in TABLES:
            frame = load(out, name)
            for column in id_columns(name):
                with self.subTest(table=name, column=column):
                    self.assertFalse(set(frame[column].dropna()) & raw)


class DateShiftTests(ExportTestCase):
    def sessions_of(self, client: Client, shift: bool) -> tuple[list, list]:
        self.study.shift_dates = shift
        out, _ = export(self.study, "parquet")
        frame = load(out, "sessions")
        mine = frame[frame["client_id"] == study_pseudonym(self.study, "client", client.pk)]
        exported = sorted(mine["starts_at"].dt.to_pydatetime())
        stored = sorted(s.starts_at.replace(microsecond=0) for s in client.sessions.all())
        return exported, stored

    def test_a_client_dates_move_by_one_whole_number_of_days_keeping_intervals(self) -> None:
        exported, stored = self.sessions_of(self.client_a, shift=True)
        shifts = {e - s for e, s in zip(exported, stored, strict=True)}
        self.assertEqual(len(shifts), 1)
        shift = shifts.pop()
        self.assertEqual(
            shift,
            timedelta(days=shift_days(Pseudonyms(self.study.pseudonym_key), self.client_a.pk)),
        )
        self.assertNotEqual(shift, timedelta(0))
        self.assertEqual(shift.seconds, 0)

    def test_the_interval_from_prompt_to_answer_is_kept(self) -> None:
        out, _ = export(self.study)
        prompts = load(out, "prompts").dropna(subset=["answered_at"])
        self.assertEqual(len(prompts), 4)  # a practice reminder and a check-in each
        answered = Prompt.objects.filter(client__in=[self.client_a, self.client_b]).exclude(
            answered_at=None
        )
        stored = sorted(
            answered_at.replace(microsecond=0) - due_at.replace(microsecond=0)
            for answered_at, due_at in answered.values_list("answered_at", "due_at")
            if answered_at is not None
        )
        self.assertEqual(sorted(prompts["answered_at"] - prompts["due_at"]), stored)

    def test_dates_stay_as_they_are_when_the_study_does_not_shift_them(self) -> None:
        exported, stored = self.sessions_of(self.client_b, shift=False)
        self.assertEqual(exported, stored)

    def test_a_shift_is_never_zero_and_at_most_half_a_year_either_way(self) -> None:
        pseudonyms = Pseudonyms("a study key")
        shifts = [shift_days(pseudonyms, pk) for pk in range(3000)]
        self.assertNotIn(0, shifts)
        self.assertEqual((min(shifts), max(shifts)), (-MAX_SHIFT_DAYS, MAX_SHIFT_DAYS))
