"""The toolkit's input checks: a number that must be finite, or finite and above zero, refused
with a message naming the argument (plain Python, no Django)."""

from __future__ import annotations

import math


def finite(name: str, value: float) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {value!r}.")
    return number


def positive(name: str, value: float) -> float:
    number = finite(name, value)
    if number <= 0:
        raise ValueError(f"{name} must be greater than 0, got {value!r}.")
    return number
