from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from bridgework.lib.hooks import Hook


def double(n: int) -> int:
    return 2 * n


def test_the_answer_registered_is_the_one_given() -> None:
    hook: Hook[[int], int] = Hook("twice a number")
    hook.answer_with(double)
    hook.answer_with(double)  # ready() may run again: the same answer is no conflict
    assert hook(21) == 42


def test_a_question_nobody_answers_says_so() -> None:
    hook: Hook[[int], int] = Hook("twice a number")
    with pytest.raises(ImproperlyConfigured, match="Nothing answers 'twice a number'"):
        hook(21)


def test_a_second_answer_is_refused() -> None:
    hook: Hook[[int], int] = Hook("twice a number")
    hook.answer_with(double)
    with pytest.raises(ImproperlyConfigured, match="answered already"):
        hook.answer_with(lambda n: n + n)
    assert hook(1) == 2
