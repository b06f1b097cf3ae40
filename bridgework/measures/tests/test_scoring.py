"""PHQ-9, PHQ-8 and GAD-7 scoring on hand-worked cases from shared/reference/measures.md."""

from __future__ import annotations

import math

import pytest

from bridgework.measures import scoring
from bridgework.measures.definitions import Score, jacobson_truax
from bridgework.measures.library import FOLDER, read

PHQ9, PHQ8, GAD7 = (read(FOLDER / f"{slug}.json") for slug in ("phq-9", "phq-8", "gad-7"))


def answers(*values: int | None) -> dict[str, int]:
    return {str(n): v for n, v in enumerate(values, 1) if v is not None}


def total(definition: dict, given: dict[str, int]) -> Score:
    return scoring.score(definition, given)[0]


@pytest.mark.parametrize(
    ("values", "expected", "band"),
    [
        ((0, 0, 0, 0, 0, 0, 0, 0, 0), 0, "minimal"),
        ((1, 1, 1, 1, 0, 0, 0, 0, 0), 4, "minimal"),
        ((1, 1, 1, 1, 1, 0, 0, 0, 0), 5, "mild"),
        ((2, 2, 2, 1, 1, 1, 0, 0, 0), 9, "mild"),
        ((2, 2, 2, 2, 2, 0, 0, 0, 0), 10, "moderate"),
        ((3, 3, 2, 2, 2, 2, 1, 0, 0), 15, "moderately severe"),
        ((3, 3, 3, 3, 2, 2, 2, 1, 1), 20, "severe"),
        ((3, 3, 3, 3, 3, 3, 3, 3, 3), 27, "severe"),
    ],
)
def test_phq9_totals_and_bands(values: tuple[int, ...], expected: int, band: str) -> None:
    result = total(PHQ9, answers(*values))
    assert (result.value, result.band, result.prorated) == (expected, band, False)
    assert result.above_cutoff is (expected >= 10)


def test_phq9_item_10_is_asked_but_not_scored() -> None:
    given = {**answers(1, 1, 1, 1, 1, 1, 1, 1, 1), "10": 3}
    assert total(PHQ9, given).value == 9


def test_one_or_two_missing_items_are_prorated_more_are_not_scored() -> None:
    one_missing = answers(2, 2, 2, 2, 2, 2, 2, 2, None)  # mean 2 × 9
    assert (total(PHQ9, one_missing).value, total(PHQ9, one_missing).prorated) == (18, True)
    two_missing = answers(1, 2, 1, 2, 1, 2, 1, None, None)  # 10 / 7 × 9 = 12.86
    assert total(PHQ9, two_missing).value == 13
    three_missing = answers(3, 3, 3, 3, 3, 3, None, None, None)
    result = total(PHQ9, three_missing)
    assert (result.value, result.band, result.above_cutoff) == (None, "", None)


def test_the_stored_scores_keep_each_scores_value_band_cutoff_and_prorating_by_its_id() -> None:
    stored = scoring.stored_scores(PHQ9, answers(2, 2, 2, 2, 2, 2, 2, 2, None))
    assert stored == {
        "total": {"value": 18, "band": "moderately severe", "above_cutoff": True, "prorated": True}
    }


def test_prorating_rounds_halves_up() -> None:
    # 7 answered summing 7.0 → 1 × 9 = 9; 8 answered summing 9 → 9/8 × 9 = 10.125 → 10;
    # a half: GAD-7 with 6 answered summing 3 → 0.5 × 7 = 3.5 → 4
    assert total(GAD7, answers(1, 1, 0, 0, 1, 0, None)).value == 4


@pytest.mark.parametrize(
    ("values", "expected", "band"),
    [
        ((0, 0, 0, 0, 0, 0, 0), 0, "minimal"),
        ((1, 1, 1, 1, 1, 0, 0), 5, "mild"),
        ((2, 2, 2, 2, 2, 0, 0), 10, "moderate"),
        ((3, 3, 2, 2, 2, 2, 1), 15, "severe"),
        ((3, 3, 3, 3, 3, 3, 3), 21, "severe"),
    ],
)
def test_gad7_totals_and_bands(values: tuple[int, ...], expected: int, band: str) -> None:
    result = total(GAD7, answers(*values))
    assert (result.value, result.band) == (expected, band)


def test_phq8_is_the_first_eight_items() -> None:
    result = total(PHQ8, answers(3, 3, 3, 3, 3, 3, 3, 3))
    assert (result.value, result.band) == (24, "severe")
    assert [item["linkId"] for item in PHQ8["item"]] == [str(n) for n in range(1, 9)]


def test_reliable_change_matches_the_reference() -> None:
    assert round(jacobson_truax(5, 0.84), 2) == 5.54  # PHQ-9: reference 5.54, threshold 6
    assert math.ceil(jacobson_truax(5, 0.84)) == 6
    assert scoring.reliable_change_threshold(PHQ9["scoring"]["scores"][0]) == 6
    assert scoring.reliable_change_threshold(GAD7["scoring"]["scores"][0]) == 4


def test_item_9_above_zero_raises_the_risk_flag_whatever_the_total() -> None:
    assert scoring.raised_flags(PHQ9, answers(0, 0, 0, 0, 0, 0, 0, 0, 1))
    assert not scoring.raised_flags(PHQ9, answers(3, 3, 3, 3, 3, 3, 3, 3, 0))


def test_an_answer_outside_the_options_is_refused_naming_the_item() -> None:
    with pytest.raises(scoring.AnswerError) as refused:
        scoring.check_answers(PHQ9, answers(0, 4))
    assert refused.value.problems == {"2": "item 2: 4 is not an answer option (0, 1, 2, 3)"}


def test_shipped_instruments_carry_their_attribution_and_loinc_codes() -> None:
    for definition, panel, total_code in (
        (PHQ9, "44249-1", "44261-6"),
        (GAD7, "69737-5", "70274-6"),
    ):
        assert "Spitzer" in definition["copyright"] and "Pfizer" in definition["copyright"]
        assert definition["code"][0]["code"] == panel
        assert definition["scoring"]["scores"][0]["loinc"] == total_code
