"""Questionnaires in the client's language: the validated German PHQ-9 / GAD-7 wording rides
on FHIR's translation extension, and a version's items and scoring never change under it."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from bridgework.accounts import actions as accounts
from bridgework.measures import actions
from bridgework.measures.definitions import TRANSLATION, DefinitionError, check, localized
from bridgework.measures.library import install
from bridgework.measures.models import Instrument, Response
from bridgework.measures.tests.test_instruments import made_up
from bridgework.test import BaseTestCase, user_of


def german(text: str) -> dict[str, Any]:
    parts = [{"url": "lang", "valueCode": "de"}, {"url": "content", "valueString": text}]
    return {"extension": [{"url": TRANSLATION, "extension": parts}]}


def made_up_in_german() -> dict[str, Any]:
    definition = made_up(_title=german("Wohlbefinden-2 (erfunden)"))
    for item, text in zip(definition["item"], ("Ich war ruhig", "Ich war angespannt"), strict=True):
        item["_text"] = german(text)
        for option in item["answerOption"]:
            option["valueCoding"]["_display"] = german(
                {"0": "Nie", "4": "Immer"}[option["valueCoding"]["code"]]
            )
    return definition


def test_the_definition_is_worded_in_the_language_asked_for_and_falls_back_otherwise() -> None:
    definition = made_up_in_german()
    check(definition)
    worded = localized(definition, "de-AT")
    assert worded["title"] == "Wohlbefinden-2 (erfunden)"
    assert [item["text"] for item in worded["item"]] == ["Ich war ruhig", "Ich war angespannt"]
    assert worded["item"][1]["answerOption"][1]["valueCoding"] == {
        "code": "4",
        "display": "Immer",
        "_display": definition["item"][1]["answerOption"][1]["valueCoding"]["_display"],
    }
    assert worded["scoring"] == definition["scoring"]
    assert localized(definition, "fr")["item"][0]["text"] == "I felt calm"


def test_a_translation_that_leaves_out_an_item_or_an_answer_is_refused() -> None:
    missing_item = made_up_in_german()
    del missing_item["item"][1]["_text"]
    with pytest.raises(DefinitionError, match="item b: has no “de” wording"):
        check(missing_item)
    missing_answer = made_up_in_german()
    del missing_answer["item"][0]["answerOption"][1]["valueCoding"]["_display"]
    with pytest.raises(DefinitionError, match="item a, answer 4: has no “de” wording"):
        check(missing_answer)
    bad_code = made_up_in_german()
    bad_code["item"][0]["_text"]["extension"][0]["extension"][0]["valueCode"] = "German"
    with pytest.raises(DefinitionError, match="item/0/_text"):
        check(bad_code)


@pytest.mark.django_db
def test_a_version_in_use_may_gain_translations_but_not_new_items_or_scoring() -> None:
    instrument = install(made_up())
    install(made_up_in_german())
    instrument.refresh_from_db()
    assert instrument.definition == made_up_in_german()
    changed = copy.deepcopy(made_up_in_german())
    changed["scoring"]["scores"][0]["reverse"] = []
    with pytest.raises(DefinitionError, match="version 1 of wellbeing-2 is already in use"):
        install(changed)
    instrument.refresh_from_db()
    assert instrument.definition["scoring"]["scores"][0]["reverse"] == ["b"]
    assert Instrument.objects.filter(slug="wellbeing-2").count() == 1


class ShippedGermanTests(BaseTestCase):
    def test_a_german_speaking_client_reads_the_validated_german_phq_9(self) -> None:
        accounts.set_language(user_of(self.client_a), "de", by=user_of(self.client_a))
        self.sign_in(self.client_a)
        page = self.client.get("/me/measures/phq-9/")
        self.assertContains(page, "Gesundheitsfragebogen für Patienten")
        self.assertContains(page, "Gedanken, dass Sie lieber tot wären")
        self.assertContains(page, "Beinahe jeden Tag")
        self.assertContains(page, "Deutsche Fassung (PHQ-D)")
        self.assertNotContains(page, "Little interest or pleasure")
        answers = {f"item-{n}": "1" for n in range(1, 10)}
        self.client.post("/me/measures/phq-9/", answers)
        response = Response.objects.get(client=self.client_a)
        self.assertEqual(response.scores["total"]["value"], 9)  # the same scoring as in English

    def test_an_english_speaking_client_reads_english(self) -> None:
        self.sign_in(self.client_b)
        page = self.client.get("/me/measures/gad-7/")
        self.assertContains(page, "Feeling nervous, anxious or on edge")
        self.assertNotContains(page, "Nervosität")

    def test_every_shipped_questionnaire_a_client_fills_in_has_german_wording(self) -> None:
        for slug in ("phq-9", "phq-8", "gad-7"):
            instrument = actions.current(slug, None)
            assert instrument is not None
            worded = localized(instrument.definition, "de")
            self.assertFalse(wording(instrument.definition) & wording(worded), slug)
            self.assertNotEqual(worded["description"], instrument.definition["description"])


def wording(definition: dict[str, Any]) -> set[str]:
    """Every item text and answer a client reads."""
    texts = {item["text"] for item in definition["item"]}
    for item in definition["item"]:
        texts |= {option["valueCoding"]["display"] for option in item.get("answerOption", [])}
    return texts
