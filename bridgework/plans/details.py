"""Plan details: the facts a kind of plan records beyond the fields every plan has.

A behavioural experiment is agreed around a belief, how strongly the client holds it, a
prediction, how they would know, and another way of seeing it; other kinds need none of
these. Rather than a column per fact on every plan, `ActionPlan.details` holds them as JSON
and this registry says which names it may hold and what each one is (a text with its length,
or a 0–100 rating). A template declares the details its plans ask for (`"details": [...]`,
docs/plan-templates.md); the editor shows those in a card of their own, and the template's
seeds may carry them onto the client's worksheet (plans.seeds). New kinds of detail are one
line here, no migration.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bridgework.lib.numbers import whole_number

TEXT, RATING = "text", "rating"


@dataclass(frozen=True)
class Detail:
    name: str
    label: Promise  # the editor's label (a staff page: the therapist's voice)
    kind: str  # TEXT or RATING (a whole number from 0 to 100)
    max_length: int = 0
    # The client's written summary (their plan page, the printable page, the PDF) in their
    # own voice; translated, as every page a client reads is.
    client_label: Promise | str = ""

    @property
    def json_type(self) -> str:
        return "integer" if self.kind == RATING else "string"


REGISTRY: dict[str, Detail] = {
    detail.name: detail
    for detail in (
        Detail(
            "belief",
            gettext_lazy("The belief to test, in the client's words"),
            TEXT,
            1000,
            client_label=gettext_lazy("The belief I am testing"),
        ),
        Detail(
            "belief_strength",
            gettext_lazy("How strongly the client believed it when the plan was made (0–100)"),
            RATING,
            client_label=gettext_lazy("How strongly I believed it in the session (0–100)"),
        ),
        Detail(
            "prediction",
            gettext_lazy("What the client predicts will happen"),
            TEXT,
            1000,
            client_label=gettext_lazy("What I predict will happen"),
        ),
        Detail(
            "how_they_would_know",
            gettext_lazy("How they would know (what they would see or hear)"),
            TEXT,
            1000,
            client_label=gettext_lazy("How I would know"),
        ),
        Detail(
            "alternative_view",
            gettext_lazy("An alternative view"),
            TEXT,
            1000,
            client_label=gettext_lazy("Another way of seeing it"),
        ),
    )
}


def form_name(name: str) -> str:
    """The editor's field for a detail (a plan field keeps its own name)."""
    return f"detail_{name}"


def cleaned(
    declared: list[str], values: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The declared details among `values`, typed, empty ones left out; and the problems by
    detail name. A name the template does not declare is a programming slip, not input."""
    kept: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for name, value in values.items():
        if name not in declared or name not in REGISTRY:
            raise ValueError(f"{name} is not a detail this plan's template declares")
        if value is None or value == "":
            continue
        detail = REGISTRY[name]
        problem = problem_with(detail, value)
        if problem:
            problems[name] = problem
        else:
            kept[name] = (
                whole_number(value) if isinstance(value, str) and detail.kind == RATING else value
            )
    return kept, problems


def problem_with(detail: Detail, value: Any) -> str:
    if detail.kind == RATING:
        number = whole_number(value) if isinstance(value, str) else value
        if isinstance(number, bool) or not isinstance(number, int) or not 0 <= number <= 100:
            return _("“%(label)s”: enter a whole number from 0 to 100.") % {"label": detail.label}
        return ""
    if not isinstance(value, str):
        return _("“%(label)s” should be text.") % {"label": detail.label}
    if len(value) > detail.max_length:
        return _("“%(label)s” is too long: keep it under %(n)d characters.") % {
            "label": detail.label,
            "n": detail.max_length,
        }
    return ""


def as_agreed(values: Mapping[str, Any], *, voice: str) -> list[tuple[str, Any]]:
    """The plan's details in the registry's order, labelled for staff ("staff") or for the
    client ("client"); empty ones left out."""
    return [
        (str(detail.client_label if voice == "client" else detail.label), values[name])
        for name, detail in REGISTRY.items()
        if values.get(name) not in (None, "")
    ]
