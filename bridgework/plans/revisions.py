"""What changed between two revisions of a plan, field by field, with word-level marks."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from bridgework.plans import details
from bridgework.plans.hooks import reminders_in_words
from bridgework.plans.models import ActionPlan, ImageryStep

DETAIL = "details."  # a plan detail, one row each (plans.details)
EXTRA_LABELS = {
    "goals": _("goals it serves"),
    "obstacles": _("obstacles and coping plans"),
    "imagery": _("rehearsal in imagery"),
}


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: str
    after: str
    # Word-level pieces: ("same" | "removed" | "added", text), for showing in one line.
    pieces: list[tuple[str, str]]


def plan_field(name: str) -> models.Field[Any, Any]:
    field = ActionPlan._meta.get_field(name)
    if not isinstance(field, models.Field):  # a relation's other end, not one of the plan's
        raise TypeError(f"ActionPlan.{name} is not a field of the plan")
    return field


def label_of(name: str) -> str:
    if name.startswith(DETAIL):
        return str(details.REGISTRY[name.removeprefix(DETAIL)].label)
    if name in EXTRA_LABELS:
        return str(EXTRA_LABELS[name])
    return str(plan_field(name).verbose_name)


def as_text(name: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if name == "goals":
        return "; ".join(value)
    if name == "obstacles":
        return "; ".join(f"{o['description']} → {o['coping_plan'] or '—'}" for o in value)
    if name == "imagery":
        return imagery_as_text(value)
    if name == "reminders":
        return reminders_in_words(value)
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if name.startswith(DETAIL):
        return str(value)
    field = plan_field(name) if name not in EXTRA_LABELS else None
    choices = dict(field.choices or []) if field is not None and field.choices else {}
    return str(choices.get(value, value))


def imagery_as_text(value: dict[str, Any]) -> str:
    steps = ", ".join(str(ImageryStep(code).label) for code in value["steps"])
    before, after = (
        "—" if value[key] is None else str(value[key])
        for key in ("confidence_before", "confidence_after")
    )
    return f"{steps}; {_('confidence')} {before} → {after}"


def word_pieces(before: str, after: str) -> list[tuple[str, str]]:
    old, new = before.split(), after.split()
    pieces: list[tuple[str, str]] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(("same", " ".join(old[a1:a2])))
            continue
        if a2 > a1:
            pieces.append(("removed", " ".join(old[a1:a2])))
        if b2 > b1:
            pieces.append(("added", " ".join(new[b1:b2])))
    return pieces


def flat(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A snapshot with each detail as a field of its own, so a change names the detail."""
    data = {name: value for name, value in snapshot.items() if name != "details"}
    data.update({DETAIL + name: value for name, value in (snapshot.get("details") or {}).items()})
    return data


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    before, after = flat(before), flat(after)
    gone = {name: None for name in before if name.startswith(DETAIL) and name not in after}
    after = {**after, **gone}
    result = []
    for name in after:
        if before.get(name) == after[name]:
            continue
        old, new = as_text(name, before.get(name)), as_text(name, after[name])
        result.append(Change(name, label_of(name), old, new, word_pieces(old, new)))
    return result
