"""Bridgework's own Action Plan Review: the questions asked when a plan is reviewed.

Written for Bridgework (steps 9–10 of the clinical process). Not doing the plan is information,
never failure, and the wording says so. Each question has a FHIR-style linkId so a stored review
is an instrument response as it stands; the measures capability moves this definition into the
instrument engine without changing any linkId.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bridgework.lib.forms import Form
from bridgework.plans.models import Decision

VERSION = "1.0"

# How much of the plan was done, against what was planned. 0–1 count as low engagement.
DONE_CHOICES = [
    (0, _("Not at all")),
    (1, _("A little")),
    (2, _("About half")),
    (3, _("Most of it")),
    (4, _("All of it, or more")),
]
LOW_ENGAGEMENT = 1  # done at or below this


@dataclass(frozen=True)
class Question:
    link_id: str
    text: Any
    kind: str  # "choice", "scale" or "text"
    low: int = 0
    high: int = 10
    required: bool = False
    help: Any = ""
    options: list[tuple[Any, Any]] = field(default_factory=list)


QUESTIONS = [
    Question(
        "done",
        _("How much of the plan did you do, compared with what we planned?"),
        "choice",
        options=DONE_CHOICES,
        required=True,
    ),
    Question("how-it-went", _("How did it go? What happened?"), "text"),
    Question("difficulty", _("How hard was it? (0 = very easy, 10 = extremely hard)"), "scale"),
    Question(
        "practical-obstacles",
        _("What got in the way, practically — time, place, other people? What does that tell us?"),
        "text",
    ),
    Question(
        "emotional-obstacles",
        _("What feelings came up, or got in the way? What does that tell us?"),
        "text",
    ),
    Question(
        "beliefs",
        _(
            "What thoughts or beliefs did the task stir up — for example “I'll fail anyway” "
            "or “this is a test”?"
        ),
        "text",
    ),
    Question(
        "rationale-sense",
        _(
            "How much sense does the reason for this plan make to you now? "
            "(0 = none, 10 = complete sense)"
        ),
        "scale",
    ),
    Question(
        "goal-fit",
        _(
            "How well does this plan fit what you want from therapy? "
            "(0 = not at all, 10 = completely)"
        ),
        "scale",
    ),
    Question(
        "distress", _("How distressing was doing it, at its worst? (0–100)"), "scale", high=100
    ),
    Question(
        "learned", _("What did you learn? If it didn't happen, what does that teach us?"), "text"
    ),
    Question(
        "progress",
        _("How much did it help you move towards your goals? (0 = not at all, 10 = a lot)"),
        "scale",
    ),
    Question(
        "decision",
        _("What shall we do with this plan?"),
        "choice",
        options=list(Decision.choices),
        required=True,
    ),
]
BY_LINK_ID = {question.link_id: question for question in QUESTIONS}


def coerce_like(example: Any) -> Any:
    """Posted choices arrive as text; give them back the type of the option values."""
    return int if isinstance(example, int) else str


def field_for(question: Question) -> forms.Field:
    if question.kind == "choice":
        return forms.TypedChoiceField(
            label=question.text,
            choices=question.options,
            widget=forms.RadioSelect,
            coerce=coerce_like(question.options[0][0]),
            required=question.required,
            error_messages={"required": _("Choose one answer.")},
        )
    if question.kind == "scale":
        return forms.IntegerField(
            label=question.text,
            min_value=question.low,
            max_value=question.high,
            required=False,
            error_messages={
                "min_value": _("Enter a number from %(low)d to %(high)d.")
                % {"low": question.low, "high": question.high},
                "max_value": _("Enter a number from %(low)d to %(high)d.")
                % {"low": question.low, "high": question.high},
            },
            widget=forms.NumberInput(
                attrs={
                    "min": question.low,
                    "max": question.high,
                    "data-slider": "",
                    "inputmode": "numeric",
                }
            ),
        )
    return forms.CharField(
        label=question.text,
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReviewForm(Form):
    """One field per question, named by its linkId."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for question in QUESTIONS:
            self.fields[question.link_id] = field_for(question)

    def answers(self) -> dict[str, Any]:
        """The answers given, by linkId; unanswered optional questions are left out."""
        return {
            link_id: value
            for link_id, value in self.cleaned_data.items()
            if value not in (None, "")
        }
