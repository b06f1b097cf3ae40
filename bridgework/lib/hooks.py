"""A question a lower layer asks and a higher one answers (STYLE.md, "Layers").

What a lower app tells the apps above it goes out as a Django signal (`<app>/signals.py`). A
few lower pages also need an answer only a higher app has: the client's Today shows the
questionnaires due (measures, above practice), a plan's review page shows the plan's practice
(practice, above plans). The lower app declares the question as a `Hook` in its `hooks.py`; the
higher app answers it in its `AppConfig.ready()`. One answer per hook, so a page never has to
merge two; and a question nobody answers fails loudly instead of leaving a page without its
part."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, ParamSpec, TypeVar

from django.core.exceptions import ImproperlyConfigured

P = ParamSpec("P")
R = TypeVar("R")


class Hook(Generic[P, R]):
    def __init__(self, question: str) -> None:
        self.question = question
        self.answer: Callable[P, R] | None = None

    def answer_with(self, answer: Callable[P, R]) -> None:
        if self.answer is not None and self.answer is not answer:
            raise ImproperlyConfigured(
                f"{self.question!r} is answered already, by {self.answer.__module__}. "
                "Expected one answer: the app above that owns it, in its AppConfig.ready()."
            )
        self.answer = answer

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        if self.answer is None:
            raise ImproperlyConfigured(
                f"Nothing answers {self.question!r}. Expected the app above that owns it to "
                "answer in its AppConfig.ready(); is it in INSTALLED_APPS?"
            )
        return self.answer(*args, **kwargs)
