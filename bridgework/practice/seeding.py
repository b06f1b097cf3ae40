"""A plan's seeds on the client's worksheet (plans.seeds): the values agreed in the session
open pre-filled, and a plan's own words may name a field.

Pre-filled, not locked: the fields are the worksheet's own, and the client can still change
them on the day (a belief is often held more or less strongly by the time the experiment
comes than in the session). The plan keeps what was agreed; the entry keeps what the client
logged. Because they are ordinary form fields, a page post and the phone's queue carry them
alike; and an entry that arrives without a seeded field at all (a page from before the seed,
another client of /me/sync/) gets the seeded value on the server, while a field sent empty
was cleared by the client and stays empty.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bridgework.plans.hooks import WorksheetFields
from bridgework.plans.models import ActionPlan
from bridgework.plans.seeds import Seed, applying, value_of
from bridgework.practice import worksheets

PREFIX = "entries."


def fields_of(slug: str) -> WorksheetFields:
    """The answer to plans.hooks.worksheet_fields."""
    try:
        sheet = worksheets.current(slug)
    except KeyError:
        return WorksheetFields(0, {})
    return WorksheetFields(sheet.version, sheet.properties)


def seeds_on(plan: ActionPlan | None, sheet: worksheets.Worksheet) -> list[tuple[Seed, Any]]:
    """The plan's seeds that fill this worksheet, with the plan's values (empty ones left out)."""
    if plan is None or sheet.slug != plan.worksheet:
        return []
    found = []
    for seed in applying(plan):
        value = value_of(plan, seed.source)
        if value not in (None, "") and seed.target in sheet.properties:
            found.append((seed, value))
    return found


def prefilled(plan: ActionPlan | None, sheet: worksheets.Worksheet) -> dict[str, Any]:
    """The form's starting values: {"entries.<field>": value}."""
    return {
        PREFIX + seed.target: value for seed, value in seeds_on(plan, sheet) if not seed.as_label
    }


def labels(plan: ActionPlan | None, sheet: worksheets.Worksheet) -> dict[str, str]:
    """Fields the plan names in its own words, e.g. the noticing log's rating."""
    named = {}
    for seed, value in seeds_on(plan, sheet):
        if seed.as_label:
            spec = sheet.properties[seed.target]
            scale = " (0–100)" if spec.get("maximum") == 100 else ""
            named[seed.target] = f"{value}{scale}"
    return named


def with_seeds(
    plan: ActionPlan | None, sheet: worksheets.Worksheet, form: Mapping[str, Any]
) -> dict[str, Any]:
    """The entry's fields, with the seeded values for any field it does not carry at all."""
    seeded = prefilled(plan, sheet)
    if not seeded:
        return dict(form.items())
    # Item by item: a posted QueryDict keeps lists underneath, and ** would copy those.
    return {**seeded, **dict(form.items())}
