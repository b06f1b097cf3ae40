"""Competence scales: instrument definitions whose `subjectType` is Practitioner (they rate a
therapist's work, not a client). Bridgework's own scale ships in supervision/scales/; a clinic
holding a licence imports another (e.g. HAACS) on the questionnaires page or with
`manage.py import_instrument`, and it is offered here the same way.

What every part of supervision reads of a scale's definition is here, once: the ratings an
item takes, the range of the total, and the plan-quality indicators an item names."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from django.db.models import Q

from bridgework.accounts.models import Clinic
from bridgework.measures import library
from bridgework.measures.definitions import options
from bridgework.measures.models import Instrument
from bridgework.measures.scoring import total_rule
from bridgework.plans import indicators

FOLDER = Path(__file__).parent / "scales"
SHIPPED = "bridgework-competence"
SHIPPED_PATH = FOLDER / f"{SHIPPED}.json"

# The plan-quality indicators (plans/indicators.py) a scale's item corresponds to, named in
# its `code`s in this system.
INDICATOR_SYSTEM = "https://bridgework.invalid/fhir/CodeSystem/plan-quality-indicator"
# The indicator of the review: in a rated session it is read from the earlier plans reviewed
# there (the work the rater saw), every other one from the plans set there.
REVIEW = "g"

SetIn = TypeVar("SetIn")
Reviewed = TypeVar("Reviewed")


def scales_for(clinic: Clinic) -> list[Instrument]:
    """The current (not retired) competence scales a clinic may rate with: the shipped one
    first, then the clinic's own imports."""
    current = Instrument.objects.filter(
        Q(clinic=None) | Q(clinic=clinic), retired_at=None, rates=Instrument.Rates.THERAPIST
    )
    return sorted(current, key=lambda i: (i.clinic_id is not None, i.title))


def sync_after_migrate() -> None:
    for path in sorted(FOLDER.glob("*.json")):
        library.install(library.read(path))


def allowed_values(item: Mapping[str, Any]) -> list[int]:
    """The ratings an item takes: a choice's options, an integer item's range; none for a
    text item (what a rater has to say about it goes in its comment)."""
    if item["type"] == "choice":
        return sorted(options(dict(item)))
    if item["type"] == "integer":
        return list(range(item["minValue"], item["maxValue"] + 1))
    return []


def rated_items(definition: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The items that take a rating, in the scale's order."""
    return [item for item in definition.get("item", []) if allowed_values(item)]


def total_range(definition: Mapping[str, Any]) -> tuple[float, float]:
    """The lowest and highest total: the total rule's `range` where the definition gives
    one, else the sum of the items' lowest and highest ratings."""
    rule = total_rule(dict(definition)) or {}
    if len(rule.get("range") or []) == 2:
        low, high = rule["range"]
        return float(low), float(high)
    values = [allowed_values(item) for item in rated_items(definition)]
    return float(sum(v[0] for v in values)), float(sum(v[-1] for v in values))


def indicator_codes(item: Mapping[str, Any]) -> tuple[str, ...]:
    """The plan-quality indicators (a–g) a scale's item names, in its order."""
    return tuple(
        str(code["code"])
        for code in item.get("code") or []
        if isinstance(code, dict)
        and code.get("system") == INDICATOR_SYSTEM
        and code.get("code") in indicators.LABELS
    )


def read_from(
    code: str, set_in: Iterable[SetIn], reviewed: Iterable[Reviewed]
) -> Sequence[SetIn | Reviewed]:
    """Where a session's records show indicator `code`: the plans reviewed in it for the
    review (g), the plans set in it for the others (a–f)."""
    return list(reviewed if code == REVIEW else set_in)
