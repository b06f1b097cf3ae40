"""Questionnaire answers leave on an allow-list: numbers, the choice codes the definition
declares, and a text item's words only when the study includes free text. A word that
names the client, in a text item or stored in a choice item, never leaves otherwise."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from bridgework.measures import actions as measures
from bridgework.measures import library
from bridgework.measures.models import Response
from bridgework.research.tests.helpers import ExportTestCase, export, load, study_pseudonym

INSTRUMENTS = Path(__file__).parents[2] / "measures" / "instruments"


def with_a_text_item() -> dict[str, Any]:
    """GAD-7's items under a clinic's own url, with a free-text item after them."""
    definition = json.loads((INSTRUMENTS / "gad-7.json").read_text(encoding="utf-8"))
    definition["url"] = "https://clinic.invalid/fhir/Questionnaire/worry-and-words"
    german = {
        "extension": [
            {
                "url": "http://hl7.org/fhir/StructureDefinition/translation",
                "extension": [
                    {"url": "lang", "valueCode": "de"},
                    {"url": "content", "valueString": "Sonst noch etwas?"},
                ],
            }
        ]
    }
    definition["item"].append(
        {"linkId": "in-your-words", "text": "Anything else?", "_text": german, "type": "text"}
    )
    return definition


class AnswerAllowListTests(ExportTestCase):
    def setUp(self) -> None:
        super().setUp()
        instrument = library.install(with_a_text_item(), self.clinic, by=self.admin)
        self.name = self.client_a.full_name
        answers: dict[str, Any] = {str(n): 1 for n in range(1, 8)}
        response, _flags = measures.respond(
            self.client_a,
            instrument,
            answers | {"in-your-words": f"{self.name} worries about the bus"},
            by=self.therapist_a,
        )
        # A word stored in a choice item (an old import, a future form): not one of its codes.
        stored = dict(response.answers) | {"2": self.name, "3": "2"}
        Response.objects.filter(pk=response.pk).update(answers=stored)
        self.response_id = study_pseudonym(self.study, "response", response.pk)

    def items(self) -> Any:
        out, _ = export(self.study, "csv")
        items = load(out, "measure_items")
        return items[items["response_id"] == self.response_id].set_index("item")

    def test_a_word_in_a_choice_item_that_is_not_a_declared_code_is_left_out(self) -> None:
        items = self.items()
        self.assertIsNone(items.loc["2"]["code"])
        self.assertTrue(pd.isna(items.loc["2"]["value"]))
        self.assertEqual(items.loc["3"]["code"], "2")  # a declared code stored as a word
        self.assertEqual(items.loc["1"]["value"], 1.0)

    def test_no_answer_names_the_client_unless_the_study_includes_free_text(self) -> None:
        items = self.items()
        words = [str(v) for column in items.columns for v in items[column].dropna()]
        self.assertFalse([v for v in words if self.name in v])

    def test_a_text_items_words_leave_only_with_free_text_and_only_there(self) -> None:
        self.study.include_free_text = True
        items = self.items()
        self.assertEqual(items.loc["in-your-words"]["text"], f"{self.name} worries about the bus")
        self.assertIsNone(items.loc["2"]["code"])
        self.assertIsNone(items.loc["2"]["text"])
