from __future__ import annotations

from bridgework.lib.numbers import identifier, whole_number


def test_whole_numbers_are_ascii_digits_with_an_optional_minus() -> None:
    assert [whole_number(raw) for raw in ("42", " 7 ", "-3", "0")] == [42, 7, -3, 0]
    for slip in ("²", "1²", "٣", "4.5", "", "-", "1e3", "+5", "⁴2", "9" * 5000):
        assert whole_number(slip) is None, slip


def test_identifiers_are_positive() -> None:
    assert [identifier(raw) for raw in ("12", "0", "-4", "x", "３")] == [12, None, None, None, None]
