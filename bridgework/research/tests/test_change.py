"""Reliable change and clinical significance (Jacobson & Truax 1991) against the PHQ-9 facts of
shared/reference/measures.md, in both directions of scale."""

from __future__ import annotations

import math
from typing import Any

import pytest

from bridgework.research.change import (
    ChangeCategory,
    classify_change,
    clinical_cutoffs,
    reliable_change_index,
    reliable_change_threshold,
    standard_error_of_difference,
)

PHQ9: dict[str, Any] = {"sd": 5.0, "reliability": 0.84, "cutoff": 10.0}


def test_the_phq9_reliable_change_is_5_54_points_and_6_on_its_whole_point_scale() -> None:
    assert standard_error_of_difference(5, 0.84) == pytest.approx(math.sqrt(2) * 2)
    assert reliable_change_threshold(5, 0.84) == pytest.approx(5.54, abs=0.005)
    assert reliable_change_threshold(5, 0.84, whole_points=True) == 6


def test_the_rci_is_the_change_over_the_se_of_the_difference() -> None:
    assert reliable_change_index(18, 10, 5, 0.84) == pytest.approx(-8 / (2 * math.sqrt(2)))


@pytest.mark.parametrize(
    ("pre", "post", "category"),
    [
        (18, 8, ChangeCategory.RECOVERED),  # reliable fall, from caseness to below 10
        (22, 14, ChangeCategory.IMPROVED),  # reliable fall, still a case
        (9, 2, ChangeCategory.IMPROVED),  # reliable fall, but was not a case to begin with
        (15, 11, ChangeCategory.UNCHANGED),  # 4 points: within measurement error
        (15, 20, ChangeCategory.UNCHANGED),  # 5 points, RCI 1.77: still not reliable
        (8, 16, ChangeCategory.DETERIORATED),
    ],
)
def test_phq9_changes_fall_into_the_jacobson_truax_categories(pre, post, category) -> None:
    assert classify_change(pre, post, **PHQ9).category == category


def test_on_a_scale_where_higher_is_better_a_rise_is_the_improvement() -> None:
    scale: dict[str, Any] = {
        "sd": 10.0,
        "reliability": 0.9,
        "cutoff": 50.0,
        "lower_is_better": False,
    }
    assert classify_change(40, 60, **scale).category == ChangeCategory.RECOVERED
    assert classify_change(60, 40, **scale).category == ChangeCategory.DETERIORATED


def test_the_cutoffs_follow_jacobson_and_truax() -> None:
    # Dysfunctional mean 16 (SD 4), functional mean 4 (SD 3), lower better.
    cutoffs = clinical_cutoffs(16, 4, 4, 3)
    assert cutoffs.a == pytest.approx(8) and cutoffs.b == pytest.approx(10)
    assert cutoffs.c == pytest.approx((3 * 16 + 4 * 4) / 7)
    flipped = clinical_cutoffs(30, 10, 70, 10, lower_is_better=False)
    assert (flipped.a, flipped.b, flipped.c) == pytest.approx((50, 50, 50))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: standard_error_of_difference(0, 0.8), "sd must be greater than 0"),
        (
            lambda: standard_error_of_difference(5, 1.0),
            "reliability must be at least 0 and below 1",
        ),
        (lambda: reliable_change_index(math.nan, 3, 5, 0.8), "pre must be a finite number"),
        (lambda: clinical_cutoffs(4, 3, 16, 4), "functional mean must lie below"),
        (lambda: clinical_cutoffs(16, 0, 4, 3), "dysfunctional_sd must be greater than 0"),
    ],
)
def test_it_refuses_impossible_input_with_a_clear_message(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()
