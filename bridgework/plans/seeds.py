"""Seeds: what a plan agreed in the session pre-fills on the client's worksheet.

A template says which plan fields or details (plans.details) seed which fields of its
worksheet (docs/plan-templates.md):

    "seeds": {"belief_strength": "belief_before", "what": "situation",
              "rating_scale": {"label": "rating"}}

A worksheet field's name pre-fills that field's value; `{"label": <field>}` shows the plan's
words as the field's label instead (a noticing log's rating becomes "how competent I was").
Seeds apply while the plan keeps its template's worksheet: a therapist who picks another
worksheet for the plan leaves them behind.

The rule is checked where the data enters. On load (plans.library): every source is a plan
field or a detail the template declares, every target a field of the worksheet's current
version, and the types agree (no text into a number). On every plan save (plans.actions):
each seeded value fits the worksheet as it is now, since a new version may be stricter than
the one the template was written for. The worksheets belong to practice, above plans, so
both checks ask through `plans.hooks.worksheet_fields`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from bridgework.plans import details
from bridgework.plans.hooks import WorksheetFields, worksheet_fields
from bridgework.plans.models import ActionPlan, PlanTemplate, Worksheet

# The plan's own fields that may seed a worksheet: short texts agreed in the session.
SEEDABLE_FIELDS = (
    "title",
    "what",
    "when",
    "where",
    "how_long",
    "how_often",
    "with_whom",
    "rating_scale",
)


@dataclass(frozen=True)
class Source:
    name: str
    label: str
    json_type: str  # "string" or "integer"
    max_length: int | None = None


@dataclass(frozen=True)
class Seed:
    source: str  # a plan field or detail
    target: str  # a field of the worksheet
    as_label: bool  # the plan's words become the target's label, not its value


def source_of(name: str, declared: list[str]) -> Source | None:
    if name in details.REGISTRY and name in declared:
        detail = details.REGISTRY[name]
        return Source(name, str(detail.label), detail.json_type, detail.max_length or None)
    if name in SEEDABLE_FIELDS:
        field = ActionPlan._meta.get_field(name)
        assert isinstance(field, models.CharField)
        return Source(name, str(field.verbose_name), "string", field.max_length)
    return None


def parse(seeds: Mapping[str, Any]) -> list[Seed]:
    return [
        Seed(source, target["label"], True)
        if isinstance(target, Mapping)
        else Seed(source, str(target), False)
        for source, target in seeds.items()
    ]


def template_problems(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What is wrong with a template's seeds, as (field, message): checked on load."""
    seeds = parse(data.get("seeds") or {})
    if not seeds:
        return []
    slug = str(data.get("worksheet") or "")
    if not slug:
        return [("seeds", "seeds need a worksheet to fill: the template has none")]
    sheet = worksheet_fields(slug)
    declared = list(data.get("details") or [])
    problems = []
    for seed in seeds:
        problem = seed_problem(seed, source_of(seed.source, declared), sheet, slug)
        if problem:
            problems.append((f"seeds/{seed.source}", problem))
    return problems


def seed_problem(seed: Seed, source: Source | None, sheet: WorksheetFields, slug: str) -> str:
    if source is None:
        known = sorted({*SEEDABLE_FIELDS, *details.REGISTRY})
        return (
            f"'{seed.source}' is not a plan field or a detail the template declares "
            f"(plan fields and details: {', '.join(known)}; a detail must be listed in 'details')"
        )
    target = sheet.fields.get(seed.target)
    if target is None:
        return (
            f"the worksheet '{slug}' (version {sheet.version}) has no field '{seed.target}' "
            f"(it has: {', '.join(sheet.fields)})"
        )
    wanted = "string" if seed.as_label else target.get("type")
    if source.json_type != wanted or (seed.as_label and target.get("type") == "array"):
        what = f"the label of '{seed.target}'" if seed.as_label else f"'{seed.target}'"
        return (
            f"'{seed.source}' is {'text' if source.json_type == 'string' else 'a number'}, "
            f"which cannot fill {what} ({target.get('type')}) of the worksheet '{slug}'"
        )
    return ""


def applying(plan: ActionPlan, template: PlanTemplate | None = None) -> list[Seed]:
    """The seeds that hold for this plan now: its template's, while it keeps their worksheet."""
    template = template if template is not None else plan.template
    if template is None or not plan.worksheet or plan.worksheet != template.worksheet:
        return []
    return parse(template.seeds or {})


def field_named_by_scale(plan: ActionPlan) -> str | None:
    """The worksheet field the plan's own 0–100 scale names (its template's
    `"rating_scale": {"label": <field>}` seed, e.g. a noticing log's rating), or None when
    the scale names none of its worksheet's fields: then the scale is words only, and no
    value of the worksheet is a rating on it."""
    if not plan.rating_scale:
        return None
    named = (s.target for s in applying(plan) if s.as_label and s.source == "rating_scale")
    return next(named, None)


def value_of(plan: ActionPlan, name: str) -> Any:
    if name in details.REGISTRY:
        return (plan.details or {}).get(name)
    return getattr(plan, name)


def misfits(plan: ActionPlan, template: PlanTemplate | None = None) -> dict[str, str]:
    """Seeded values that do not fit the worksheet's current version, by the editor's field
    name, each message naming the field: a plan that says them is not saved."""
    template = template if template is not None else plan.template
    seeds = [seed for seed in applying(plan, template) if not seed.as_label]
    if template is None or not seeds:
        return {}
    sheet = worksheet_fields(plan.worksheet)
    declared = list(template.details or [])
    problems = {}
    for seed in seeds:
        value, source = value_of(plan, seed.source), source_of(seed.source, declared)
        if value in (None, "") or source is None:
            continue
        why = misfit(value, sheet.fields.get(seed.target))
        if why:
            field = (
                details.form_name(seed.source) if seed.source in details.REGISTRY else seed.source
            )
            problems[field] = _(
                "“%(label)s” no longer fits the worksheet “%(sheet)s” (version %(version)d): "
                "%(why)s. Nothing was saved."
            ) % {
                "label": source.label,
                "sheet": Worksheet(plan.worksheet).label,
                "version": sheet.version,
                "why": why,
            }
    return problems


def misfit(value: Any, spec: Mapping[str, Any] | None) -> str:
    if spec is None:
        return _("the worksheet no longer has this field")
    if spec.get("type") == "integer":
        low, high = spec.get("minimum", 0), spec.get("maximum", 100)
        if not isinstance(value, int) or not low <= value <= high:
            return _("it takes a whole number from %(low)d to %(high)d") % {
                "low": low,
                "high": high,
            }
        return ""
    limit = spec.get("maxLength")
    if not isinstance(value, str):
        return _("it takes text")
    if limit is not None and len(value) > limit:
        return _("it takes at most %(n)d characters, this has %(has)d") % {
            "n": limit,
            "has": len(value),
        }
    return ""
