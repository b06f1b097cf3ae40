"""How the research pages write p values."""

from __future__ import annotations

import math

import pytest
from django.utils import translation

from bridgework.research.templatetags.research_numbers import p_stated, p_value


@pytest.mark.parametrize(
    ("p", "shown"),
    [
        (0.0019, "0.0019"),
        (0.5, "0.5000"),
        (0.0001, "0.0001"),
        (0.000099, "< 0.0001"),
        (3.2e-26, "< 0.0001"),
        (0.0, "< 0.0001"),
        (None, "—"),
        (math.nan, "—"),
    ],
)
def test_a_p_below_a_ten_thousandth_is_written_as_less_than_never_as_zero(
    p: float | None, shown: str
) -> None:
    assert p_value(p) == shown


def test_a_p_in_a_sentence_says_equals_or_less_than() -> None:
    assert (p_stated(0.0019), p_stated(1e-9)) == ("p = 0.0019", "p < 0.0001")


def test_p_values_take_the_languages_decimal_mark() -> None:
    with translation.override("de"):
        assert (p_value(0.0019), p_value(1e-9)) == ("0,0019", "< 0,0001")
