from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from bridgework.measures import actions
from bridgework.measures.definitions import DefinitionError, check
from bridgework.measures.library import install
from bridgework.measures.models import Flag, Instrument, Response
from bridgework.test import BaseTestCase, user_of


def made_up(**changes: Any) -> dict[str, Any]:
    """A made-up two-item instrument (licensed scales are never shipped)."""
    definition: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "url": "https://example.org/Questionnaire/wellbeing-2",
        "version": "1",
        "title": "Wellbeing-2 (made up)",
        "status": "active",
        "item": [
            {
                "linkId": "a",
                "text": "I felt calm",
                "type": "choice",
                "answerOption": [
                    {"valueCoding": {"code": "0", "display": "Never"}},
                    {"valueCoding": {"code": "4", "display": "Always"}},
                ],
            },
            {
                "linkId": "b",
                "text": "I felt tense",
                "type": "choice",
                "answerOption": [
                    {"valueCoding": {"code": "0", "display": "Never"}},
                    {"valueCoding": {"code": "4", "display": "Always"}},
                ],
            },
        ],
        "scoring": {
            "scores": [{"id": "total", "method": "sum", "items": ["a", "b"], "reverse": ["b"]}]
        },
    }
    definition.update(changes)
    return definition


def test_definitions_name_the_item_and_the_problem() -> None:
    duplicate = made_up()
    duplicate["item"][1]["linkId"] = "a"
    with pytest.raises(DefinitionError, match="item a: the linkId appears more than once"):
        check(duplicate)
    missing = made_up(scoring={"scores": [{"id": "total", "method": "sum", "items": ["a", "z"]}]})
    with pytest.raises(DefinitionError, match="score total: names item z, which the"):
        check(missing)
    with pytest.raises(DefinitionError, match="item/0: 'text' is a required property"):
        bad = made_up()
        del bad["item"][0]["text"]
        check(bad)


class InstrumentTests(BaseTestCase):
    def test_the_import_command_adds_a_clinics_own_instrument(self) -> None:
        path = Path(self.id().replace(".", "_") + ".json")
        try:
            path.write_text(json.dumps(made_up()))
            call_command(
                "import_instrument",
                str(path),
                "--clinic",
                str(self.clinic.pk),
                stdout=__import__("io").StringIO(),
            )
        finally:
            path.unlink()
        instrument = Instrument.objects.get(slug="wellbeing-2")
        self.assertEqual(instrument.clinic, self.clinic)
        self.assertEqual(actions.current("wellbeing-2", self.clinic.pk), instrument)
        self.assertIsNone(actions.current("wellbeing-2", self.other_clinic.pk))
        response, _flags = actions.respond(
            self.client_a, instrument, {"a": 4, "b": 0}, by=user_of(self.client_a)
        )
        self.assertEqual(response.scores["total"]["value"], 8)  # b reversed

    def test_a_broken_file_is_refused_by_the_command(self) -> None:
        path = Path(self.id().replace(".", "_") + ".json")
        try:
            path.write_text(json.dumps(made_up(status="sometimes")))
            with self.assertRaisesMessage(CommandError, "status: 'sometimes' is not one of"):
                call_command("import_instrument", str(path), "--clinic", str(self.clinic.pk))
        finally:
            path.unlink()

    def test_a_new_version_retires_the_old_and_responses_keep_theirs(self) -> None:
        first = install(made_up(), clinic=self.clinic)
        response, _flags = actions.respond(
            self.client_a, first, {"a": 0, "b": 0}, by=user_of(self.client_a)
        )
        second = install(made_up(version="2"), clinic=self.clinic)
        first.refresh_from_db()
        self.assertIsNotNone(first.retired_at)
        self.assertEqual(Response.objects.get(pk=response.pk).instrument, first)
        with self.assertRaises(actions.RetiredInstrument):
            actions.respond(self.client_a, first, {"a": 0, "b": 0}, by=user_of(self.client_a))
        self.assertEqual(actions.current("wellbeing-2", self.clinic.pk), second)


class FlagTests(BaseTestCase):
    def phq9(self, *values: int) -> tuple[Response, list[Flag]]:
        instrument = actions.current("phq-9", None)
        assert instrument is not None
        return actions.respond(
            self.client_a,
            instrument,
            {str(n): v for n, v in enumerate(values, 1)},
            by=user_of(self.client_a),
        )

    def test_item_9_shows_crisis_resources_at_once_and_flags_the_care_team(self) -> None:
        self.sign_in(self.client_a)
        answers = {f"item-{n}": "0" for n in range(1, 9)} | {"item-9": "1"}
        response = self.client.post("/me/measures/phq-9/", answers)
        self.assertContains(response, "Help is available now")
        self.assertContains(response, "Samaritans")
        flag = Flag.objects.get(client=self.client_a)
        self.assertEqual(flag.kind, "risk")
        self.assertNotContains(self.client.get("/me/"), "Needs your attention")
        self.sign_in(self.therapist_a)
        self.assertContains(self.client.get("/clients/"), '#flags-heading">1</a>')
        self.assertContains(
            self.client.get(f"/clients/{self.client_a.pk}/"), "Needs your attention"
        )
        refused = self.client.post(
            f"/flags/{flag.pk}/acknowledge/", {"note": "Called\x00"}, follow=True
        )
        self.assertContains(refused, "“Note” contains an invisible control character")
        flag.refresh_from_db()
        self.assertIsNone(flag.acknowledged_at)
        self.client.post(f"/flags/{flag.pk}/acknowledge/", {"note": "Called; safety plan made."})
        flag.refresh_from_db()
        self.assertEqual(
            (flag.acknowledged_by, flag.note), (self.therapist_a, "Called; safety plan made.")
        )
        self.assertNotContains(
            self.client.get(f"/clients/{self.client_a.pk}/"), "Needs your attention"
        )

    def test_no_risk_flag_for_item_9_at_zero(self) -> None:
        _response, flags = self.phq9(3, 3, 3, 3, 3, 3, 3, 3, 0)
        self.assertEqual(flags, [])

    def test_reliable_deterioration_is_flagged_from_six_points_not_five(self) -> None:
        self.phq9(1, 1, 1, 1, 1, 0, 0, 0, 0)  # 5
        _r, five = self.phq9(2, 2, 2, 1, 1, 1, 1, 0, 0)  # 10: +5
        self.assertEqual(five, [])
        _r, six = self.phq9(2, 2, 2, 2, 2, 2, 2, 2, 0)  # 16: +6
        self.assertEqual([flag.kind for flag in six], ["deterioration"])
        self.assertIn("rose from 10 to 16", six[0].text)

    def test_a_missing_answer_is_asked_for_and_nothing_is_saved(self) -> None:
        self.sign_in(self.client_a)
        response = self.client.post("/me/measures/gad-7/", {"item-1": "2"})
        self.assertContains(response, "Please answer this question.", status_code=400)
        self.assertContains(response, 'value="2" id="item-1-2" checked', status_code=400)
        self.assertFalse(Response.objects.exists())

    def test_an_answer_outside_the_options_is_refused(self) -> None:
        self.sign_in(self.client_a)
        answers = {f"item-{n}": "0" for n in range(1, 8)} | {"item-3": "7"}
        response = self.client.post("/me/measures/gad-7/", answers)
        self.assertContains(response, "item 3: 7 is not an answer option", status_code=400)
        self.assertFalse(Response.objects.exists())


class ImportPageTests(BaseTestCase):
    def test_an_admin_imports_a_definition_and_errors_name_the_item(self) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        self.sign_in(self.admin)
        broken = made_up()
        broken["item"][1]["linkId"] = "a"
        response = self.client.post(
            "/clinic/instruments/",
            {
                "definition": SimpleUploadedFile(
                    "w.json", json.dumps(broken).encode(), content_type="application/json"
                )
            },
        )
        self.assertContains(response, "item a: the linkId appears more than once", status_code=400)
        self.client.post(
            "/clinic/instruments/",
            {
                "definition": SimpleUploadedFile(
                    "w.json", json.dumps(made_up()).encode(), content_type="application/json"
                )
            },
        )
        self.assertTrue(Instrument.objects.filter(slug="wellbeing-2", clinic=self.clinic).exists())
        self.assertContains(self.client.get("/clinic/instruments/"), "Wellbeing-2 (made up)")


class InSessionTests(BaseTestCase):
    def test_the_therapist_enters_a_measure_in_the_session(self) -> None:
        from datetime import timedelta

        from django.utils import timezone

        from bridgework.care import actions as care

        session = care.add_session(
            self.client_a,
            therapist=self.therapist_a,
            by=self.therapist_a,
            starts_at=timezone.now() - timedelta(minutes=20),
        )
        self.sign_in(self.therapist_a)
        install(made_up(), clinic=self.clinic)  # the clinic's own is offered too
        page = self.client.get(f"/clients/{self.client_a.pk}/")
        for slug in ("phq-9", "phq-8", "gad-7", "wellbeing-2"):
            self.assertContains(page, f'href="/clients/{self.client_a.pk}/measures/{slug}/"')
        answers = {f"item-{n}": "2" for n in range(1, 8)}
        response = self.client.post(f"/clients/{self.client_a.pk}/measures/gad-7/", answers)
        self.assertRedirects(
            response, f"/clients/{self.client_a.pk}/", fetch_redirect_response=False
        )
        saved = Response.objects.get()
        self.assertEqual(
            (saved.session, saved.entered_by, saved.total()), (session, self.therapist_a, 14.0)
        )


def test_definitions_that_could_not_be_scored_are_refused_at_import() -> None:
    text_band = made_up()
    text_band["scoring"]["scores"][0]["bands"] = [{"min": "0", "max": 4, "label": "low"}]
    with pytest.raises(DefinitionError, match="bands/0/min: '0' is not of type 'number'"):
        check(text_band)
    all_missing = made_up()
    all_missing["scoring"]["scores"][0]["missing"] = {"prorate_max_missing": 2}
    with pytest.raises(DefinitionError, match="prorate_max_missing must be smaller than its 2"):
        check(all_missing)
    text_item = made_up()
    text_item["item"][1] = {"linkId": "b", "text": "Anything else?", "type": "text"}
    with pytest.raises(DefinitionError, match="item b is text, which cannot be added up"):
        check(text_item)
    integer_item = made_up()
    integer_item["item"][1] = {
        "linkId": "b",
        "text": "How tense (0–10)",
        "type": "integer",
        "minValue": 0,
        "maxValue": 10,
    }
    with pytest.raises(DefinitionError, match="item b is reversed but has no answer options"):
        check(integer_item)


class ClinicImportTests(BaseTestCase):
    def test_a_clinic_cannot_replace_a_shipped_questionnaire(self) -> None:
        # Its version would serve the clinic's clients and could drop PHQ-9's risk flag.
        phq9 = actions.current("phq-9", None)
        assert phq9 is not None
        weakened = json.loads(json.dumps(phq9.definition))
        weakened["version"] = "1-clinic"
        weakened["scoring"]["flags"] = []
        with pytest.raises(DefinitionError, match="phq-9 is shipped with Bridgework"):
            install(weakened, clinic=self.clinic, by=self.admin)
        self.assertEqual(actions.current("phq-9", self.clinic.pk), phq9)

    def test_an_import_is_recorded_with_who_made_it(self) -> None:
        from bridgework.audit.models import AccessEvent

        instrument = install(made_up(), clinic=self.clinic, by=self.admin)
        event = AccessEvent.objects.filter(object_type="instrument", clinic_id=self.clinic.pk).get()
        self.assertEqual(
            (event.actor_id, event.action, event.object_id, event.clinic_id),
            (self.admin.pk, "create", str(instrument.pk), self.clinic.pk),
        )

    def test_a_deeply_nested_upload_is_refused_with_a_message(self) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        self.sign_in(self.admin)
        nested = SimpleUploadedFile("deep.json", b"[" * 100_000 + b"]" * 100_000)
        response = self.client.post("/clinic/instruments/", {"definition": nested})
        self.assertContains(response, "nested too deeply", status_code=400)

    def test_clinic_copies_of_shipped_questionnaires_made_before_are_retired(self) -> None:
        import importlib

        from django.apps import apps

        phq9 = actions.current("phq-9", None)
        assert phq9 is not None
        copy = Instrument.objects.create(  # as an import could make before the refusal
            clinic=self.clinic,
            slug="phq-9",
            version="1-clinic",
            title="PHQ-9 (ours)",
            definition={**phq9.definition, "scoring": {"scores": [], "flags": []}},
        )
        own = install(made_up(), clinic=self.clinic, by=self.admin)
        self.assertEqual(actions.current("phq-9", self.clinic.pk), copy)
        migration = importlib.import_module(
            "bridgework.measures.migrations.0002_retire_clinic_copies_of_shipped"
        )
        migration.retire_copies(apps, None)
        self.assertEqual(actions.current("phq-9", self.clinic.pk), phq9)
        self.assertEqual(actions.current("wellbeing-2", self.clinic.pk), own)  # its own stays

    def test_an_imported_questionnaire_with_ratings_and_words_is_filled_in_on_the_phone(
        self,
    ) -> None:
        definition = made_up()
        definition["item"] = [
            {
                "linkId": "calm",
                "text": "How calm (0–10)",
                "type": "integer",
                "minValue": 0,
                "maxValue": 10,
                "required": True,
            },
            {"linkId": "else", "text": "Anything else?", "type": "text"},
        ]
        definition["scoring"] = {"scores": [{"id": "total", "method": "sum", "items": ["calm"]}]}
        install(definition, clinic=self.clinic, by=self.admin)
        self.sign_in(self.client_a)
        page = self.client.get("/me/measures/wellbeing-2/")
        self.assertContains(
            page, 'type="number" id="item-calm-0" name="item-calm" min="0" max="10"'
        )
        self.assertContains(page, 'textarea id="item-else-0" name="item-else"')
        refused = self.client.post("/me/measures/wellbeing-2/", {"item-calm": "11"})
        self.assertContains(refused, "11 is not a whole number from 0 to 10", status_code=400)
        self.client.post(
            "/me/measures/wellbeing-2/", {"item-calm": "7", "item-else": "Slept better."}
        )
        response = Response.objects.get(client=self.client_a)
        self.assertEqual(response.answers, {"calm": 7, "else": "Slept better."})
        self.assertEqual(response.scores["total"]["value"], 7)


class TextRuleTests(BaseTestCase):
    """Imported definitions and the words written in answers follow the one text rule."""

    def test_a_definition_holding_a_control_character_is_refused_naming_where(self) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        broken = made_up()
        broken["item"][1]["text"] = "Calm\x00"
        with pytest.raises(DefinitionError, match="item/1/text: contains an invisible control"):
            check(broken)
        self.sign_in(self.admin)
        upload = json.dumps(made_up()).replace('"Wellbeing-2 (made up)"', '"Well\\ud800"')
        response = self.client.post(
            "/clinic/instruments/",
            {"definition": SimpleUploadedFile("w.json", upload.encode(), "application/json")},
        )
        self.assertContains(response, "title: contains a broken character", status_code=400)
        self.assertFalse(Instrument.objects.filter(clinic=self.clinic).exists())

    def test_words_in_an_answer_follow_the_text_rule(self) -> None:
        definition = made_up()
        definition["item"].append({"linkId": "else", "text": "Anything else?", "type": "text"})
        install(definition, clinic=self.clinic, by=self.admin)
        self.sign_in(self.client_a)
        answers = {"item-a": "0", "item-b": "4"}
        refused = self.client.post("/me/measures/wellbeing-2/", {**answers, "item-else": "a\x1b"})
        self.assertContains(refused, "contains an invisible control character", status_code=400)
        self.assertFalse(Response.objects.exists())
        self.client.post("/me/measures/wellbeing-2/", {**answers, "item-else": "one\r\ntwo"})
        self.assertEqual(Response.objects.get().answers["else"], "one\ntwo")
