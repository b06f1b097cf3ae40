"""Intraclass correlations against Shrout & Fleiss's worked example (shared/reference), the
cases whose answer is known without arithmetic, the refusals, and the two raters' helpers."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bridgework.lib.agreement import (
    FORMS,
    Disagreement,
    IccForm,
    icc,
    largest_disagreements,
    pairs,
)

# The reference values live beside the repository, in ../shared/reference (as CI lays it out).
REFERENCE = Path(__file__).resolve().parents[3].parent / "shared" / "reference"
EXPECTED = json.loads((REFERENCE / "icc_expected.json").read_text(encoding="utf-8"))
RESULT = icc(EXPECTED["ratings_targets_by_judges"])


def value_of(name: str) -> float:
    value = RESULT[name].value
    assert value is not None
    return value


@pytest.mark.parametrize("name", FORMS)
def test_each_form_matches_the_exact_reference_value_to_four_places(name: str) -> None:
    assert abs(value_of(name) - EXPECTED["exact"][name]) < 0.00005


@pytest.mark.parametrize("name", FORMS)
def test_each_form_rounds_to_the_published_value(name: str) -> None:
    assert round(value_of(name), 2) == EXPECTED["published"][name]


@pytest.mark.parametrize("name", FORMS)
def test_each_interval_rounds_to_the_reference_bounds(name: str) -> None:
    form = RESULT[name]
    assert form.lower is not None and form.upper is not None
    assert [round(form.lower, 2), round(form.upper, 2)] == EXPECTED["ci95_two_decimals"][name]


def test_the_one_way_and_two_way_f_match_the_reference_to_four_places() -> None:
    one_way, two_way = RESULT["ICC(1,1)"], RESULT["ICC(3,1)"]
    assert one_way.F is not None and two_way.F is not None
    assert abs(one_way.F - EXPECTED["F"]["one_way"]) < 0.00005
    assert abs(two_way.F - EXPECTED["F"]["two_way"]) < 0.00005


def test_each_form_carries_the_f_test_of_its_model() -> None:
    # 6 targets, 4 judges: one-way df (5, 18); two-way df (5, 15), ICC(2,*) included.
    for name in FORMS:
        form = RESULT[name]
        one_way = name.startswith("ICC(1")
        assert (form.df1, form.df2) == ((5, 18) if one_way else (5, 15))
        assert form.F == RESULT["ICC(1,1)" if one_way else "ICC(3,1)"].F
    assert RESULT["ICC(1,1)"].p == pytest.approx(0.1648, abs=0.0001)
    assert RESULT["ICC(3,1)"].p == pytest.approx(0.000135, abs=0.000001)


def test_the_absolute_agreement_interval_uses_mcgraw_and_wongs_approximate_df() -> None:
    assert RESULT["ICC(2,1)"].ci_df == pytest.approx(4.785, abs=0.001)
    assert RESULT["ICC(2,k)"].ci_df == RESULT["ICC(2,1)"].ci_df
    assert RESULT["ICC(3,1)"].ci_df == 15


def test_it_shows_the_anova_mean_squares() -> None:
    ms = RESULT.mean_squares
    assert (RESULT.targets, RESULT.judges) == (6, 4)
    assert ms.msr == pytest.approx(11.241667)
    assert ms.msw == pytest.approx(6.263889)
    assert ms.msc == pytest.approx(32.486111)
    assert ms.mse == pytest.approx(1.019444)


def test_a_form_that_is_not_one_of_the_six_is_a_key_error_naming_them() -> None:
    with pytest.raises(KeyError, match="ICC\\(3,k\\)"):
        RESULT["ICC(4,1)"]


def test_perfect_agreement_gives_one_with_an_interval_of_one() -> None:
    result = icc([[1, 1, 1], [4, 4, 4], [2, 2, 2], [6, 6, 6]])
    for form in result.forms:
        assert (form.value, form.lower, form.upper, form.p) == (1.0, 1.0, 1.0, 0.0), form.name
        assert form.F is not None and math.isinf(form.F)


def test_judges_offset_by_a_constant_are_consistent_but_do_not_agree_absolutely() -> None:
    result = icc([[2, 4], [5, 7], [3, 5], [6, 8], [1, 3]])
    assert result["ICC(3,1)"].value == 1.0
    assert result["ICC(3,k)"].value == 1.0
    absolute = result["ICC(2,1)"]
    assert absolute.value is not None and absolute.lower is not None and absolute.upper is not None
    assert 0 < absolute.lower < absolute.value < absolute.upper < 1


def test_identical_ratings_cannot_be_computed_and_say_so() -> None:
    # 0.1 repeated leaves a mean of 0.10000000000000002: rounding, not variance.
    result = icc([[0.1, 0.1, 0.1]] * 4)
    assert (result.mean_squares.msr, result.mean_squares.mse) == (0.0, 0.0)
    for form in result.forms:
        assert (form.value, form.lower, form.upper, form.F, form.p) == (None,) * 5
        assert form.note.startswith("cannot be computed: every rating is the same")


def test_no_variance_between_targets_leaves_the_average_forms_undefined() -> None:
    result = icc([[3, 4], [4, 3]])
    assert result["ICC(1,1)"].value == pytest.approx(-1.0)
    for name in ("ICC(1,k)", "ICC(2,k)", "ICC(3,k)", "ICC(2,1)"):
        form = result[name]
        assert (form.value, form.lower, form.upper) == (None, None, None), name
        assert "cannot be computed: its denominator" in form.note


@pytest.mark.parametrize(
    ("ratings", "message"),
    [
        ([[1, 2, 3]], "at least 2 targets"),
        ([], "at least 2 targets"),
        ([[1], [2], [3]], "at least 2 judges"),
        ([[1, 2], [3, 4, 5]], "target 2 \\(row 2\\) has 3 ratings but target 1 has 2"),
        ([[1, 2], [3, math.nan]], "target 2 by judge 2 is nan"),
        ([[1, math.inf], [3, 4]], "target 1 by judge 2 is inf"),
        ([[1, "2"], [3, 4]], "finite number"),
        ([[1, True], [3, 4]], "finite number"),
        ([[1, None], [3, 4]], "finite number"),
        ([1, 2], "must be a sequence of ratings"),
        (["12", "34"], "must be a sequence of ratings"),
        ("1234", "not text"),
    ],
)
def test_it_refuses_what_is_no_complete_matrix_of_numbers(ratings, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        icc(ratings)


def same(left: IccForm, right: IccForm) -> bool:
    numbers = ("value", "lower", "upper", "F", "p", "ci_df")
    for field in numbers:
        a, b = getattr(left, field), getattr(right, field)
        if (a is None) != (b is None):
            return False
        if a is not None and not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9):
            return False
    return (left.df1, left.df2, left.note) == (right.df1, right.df2, right.note)


@st.composite
def shuffled_matrices(draw: st.DrawFn) -> tuple[list[list[int]], list[list[int]]]:
    """A small matrix of scale ratings and the same one with targets and judges reordered."""
    n, k = draw(st.integers(2, 7)), draw(st.integers(2, 5))
    top = draw(st.sampled_from([1, 3, 6, 100]))  # narrow scales make ties and zero variance
    row = st.lists(st.integers(0, top), min_size=k, max_size=k)
    matrix = draw(st.lists(row, min_size=n, max_size=n))
    targets = draw(st.permutations(range(n)))
    judges = draw(st.permutations(range(k)))
    return matrix, [[matrix[t][j] for j in judges] for t in targets]


@given(shuffled_matrices())
@example(([[0, 0, 1], [0, 1, 0]], [[0, 1, 0], [0, 0, 1]]))  # the terms of McGraw & Wong's df cancel
def test_reordering_targets_or_judges_changes_nothing(matrices) -> None:
    original, reordered = (icc(matrix) for matrix in matrices)
    for name in FORMS:
        assert same(original[name], reordered[name]), name


@given(shuffled_matrices())
def test_every_number_is_a_number_or_none_and_intervals_hold_the_estimate(matrices) -> None:
    for form in icc(matrices[0]).forms:
        for number in (form.value, form.lower, form.upper, form.F, form.p, form.ci_df):
            assert number is None or not math.isnan(number), form
        if form.value is not None and form.lower is not None and form.upper is not None:
            assert form.lower - 1e-9 <= form.value <= form.upper + 1e-9, form
        assert (form.value is None or form.lower is None) == bool(form.note), form


def test_pairs_keeps_the_targets_both_rated_in_target_order() -> None:
    first = {12: 4.0, 3: 2.0, 7: 5.0, 9: None}
    second = {7: 3.0, 12: 4.0, 9: 1.0, 5: 2.0, 3: 6.0}
    paired = pairs(first, second)
    assert paired.targets == (3, 7, 12)
    assert paired.ratings == ((2.0, 6.0), (5.0, 3.0), (4.0, 4.0))
    swapped = pairs(second, first)
    assert swapped.targets == paired.targets
    assert swapped.ratings == tuple((b, a) for a, b in paired.ratings)
    assert icc(paired.ratings).judges == 2


def test_pairs_refuses_a_score_that_is_not_a_finite_number() -> None:
    with pytest.raises(ValueError, match="the score of target 3 is nan"):
        pairs({3: math.nan, 4: 1.0}, {3: 2.0, 4: 1.0})


def test_largest_disagreements_come_first_with_ties_in_target_order() -> None:
    paired = pairs({1: 3, 2: 5, 3: 4, 4: 0}, {1: 4, 2: 1, 3: 4, 4: 1})
    assert largest_disagreements(paired) == [
        Disagreement(2, 5.0, 1.0, -4.0),
        Disagreement(1, 3.0, 4.0, 1.0),
        Disagreement(4, 0.0, 1.0, 1.0),
        Disagreement(3, 4.0, 4.0, 0.0),
    ]
    assert [row.target for row in largest_disagreements(paired, limit=2)] == [2, 1]


def test_largest_disagreements_of_no_common_targets_is_empty() -> None:
    assert largest_disagreements(pairs({1: 2.0}, {2: 2.0})) == []
