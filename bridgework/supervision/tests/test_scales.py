"""What supervision reads of a scale's definition, once (supervision.scales), and the one
total of a rating (CompetenceRating.total)."""

from __future__ import annotations

from typing import Any

from bridgework.measures import library
from bridgework.supervision import competence
from bridgework.supervision.scales import (
    INDICATOR_SYSTEM,
    allowed_values,
    indicator_codes,
    rated_items,
    read_from,
    total_range,
)
from bridgework.supervision.tests.helpers import RatingTestCase, every_item, rate


def choice(link_id: str, values: range) -> dict[str, Any]:
    return {
        "linkId": link_id,
        "text": link_id,
        "type": "choice",
        "answerOption": [{"valueCoding": {"code": str(v), "display": str(v)}} for v in values],
    }


NUMBER = {"linkId": "n", "text": "n", "type": "integer", "minValue": 1, "maxValue": 5}
TEXT = {"linkId": "t", "text": "t", "type": "text"}


def test_an_item_takes_its_options_or_its_range_and_a_text_item_none() -> None:
    assert allowed_values(choice("c", range(4))) == [0, 1, 2, 3]
    assert allowed_values(NUMBER) == [1, 2, 3, 4, 5]
    assert allowed_values(TEXT) == []
    definition = {"item": [choice("c", range(4)), NUMBER, TEXT]}
    assert [item["linkId"] for item in rated_items(definition)] == ["c", "n"]


def test_the_totals_range_is_the_rules_or_else_the_items() -> None:
    ranged = {"item": [NUMBER], "scoring": {"scores": [{"id": "total", "range": [0, 72]}]}}
    assert total_range(ranged) == (0, 72)
    unranged = {"item": [choice("c", range(4)), NUMBER, TEXT], "scoring": {"scores": []}}
    assert total_range(unranged) == (1, 8)


def test_an_item_names_only_known_indicators_of_the_indicator_system() -> None:
    item = {
        "code": [
            {"system": INDICATOR_SYSTEM, "code": "c"},
            {"system": "https://elsewhere.invalid", "code": "d"},
            {"system": INDICATOR_SYSTEM, "code": "z"},
            {"system": INDICATOR_SYSTEM, "code": "g"},
        ]
    }
    assert indicator_codes(item) == ("c", "g")
    assert indicator_codes({}) == ()


def test_the_review_is_read_from_the_reviewed_plans_the_rest_from_the_plans_set() -> None:
    assert read_from("g", ["set"], ["reviewed"]) == ["reviewed"]
    assert read_from("c", ["set"], ["reviewed"]) == ["set"]


class TotalTests(RatingTestCase):
    def test_a_draft_has_no_total_and_a_submitted_rating_its_score(self) -> None:
        draft = rate(self.first, self.supervisor, every_item(self.scale, 2), submitted=False)
        self.assertIsNone(draft.total)
        self.assertFalse(draft.total_prorated)
        answers = every_item(self.scale, 3)
        del answers["review"]
        own = rate(self.first, self.therapist_a, answers)
        self.assertEqual((own.total, own.total_prorated), (36, True))
        self.assertEqual(own.rater_name, "Self-rating")
        self.assertEqual(draft.rater_name, "Supervisor")

    def test_two_versions_of_one_scale_draw_two_pictures(self) -> None:
        first = rate(self.first, self.supervisor, every_item(self.scale))
        newer = library.install(self.scale.definition | {"version": "3"})
        second = rate(self.second, self.supervisor, every_item(newer), scale=newer)
        names = [course.chart_name for course in competence.courses([first, second])]
        self.assertEqual(names, [f"ratings-{self.scale.pk}", f"ratings-{newer.pk}"])
        self.sign_in(self.supervisor)
        page = self.client.get(f"/supervision/therapists/{self.therapist_a.pk}/")
        for name in names:
            with self.subTest(name=name):
                self.assertContains(page, f'data-chart="{name}"')
