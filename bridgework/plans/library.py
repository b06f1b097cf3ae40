"""The shipped plan templates: JSON files in plans/library/, validated on load.

Each file holds one template (format: docs/plan-templates.md). A file with an error is reported
with the file's name, the template's slug and the field, and nothing from that file is loaded.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
from django.db import transaction
from django.db.models import Q, QuerySet

from bridgework.accounts.models import Approach, User
from bridgework.lib import text
from bridgework.plans import details, seeds
from bridgework.plans.hooks import reminder_problems
from bridgework.plans.models import Kind, Obstacle, PlanTemplate, Worksheet

LIBRARY = Path(__file__).parent / "library"
APPROACHES = [approach.value for approach in Approach]
TEXT = {"type": "string", "minLength": 1}
CLOCK = {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"}
WHOLE = {"type": "integer"}

# A suggested reminder: the rule of a plan's schedule (prompts.rules.Rule), without channels
# (those are the client's to choose). The shape is checked here; whether the parts fit
# together (a window that ends after it starts, moments that fit in it) prompts says.
REMINDERS: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["kind"],
    "properties": {
        "kind": {"enum": ["fixed", "relative", "random"]},
        "weekdays": {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {**WHOLE, "minimum": 0, "maximum": 6},
        },
        "times": {"type": "array", "minItems": 1, "uniqueItems": True, "items": CLOCK},
        "offset_days": {**WHOLE, "minimum": 0, "maximum": 14},
        "at": CLOCK,
        "window_start": CLOCK,
        "window_end": CLOCK,
        "samples": {**WHOLE, "minimum": 1, "maximum": 12},
        "min_spacing": {**WHOLE, "minimum": 0, "maximum": 720},
        "expire_after": {**WHOLE, "minimum": 5, "maximum": 1440},
    },
}

SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["slug", "kind", "title", "summary", "wording", "obstacles", "worksheet", "cue"],
    "properties": {
        "slug": {"type": "string", "pattern": "^[a-z0-9-]+$", "maxLength": 80},
        "kind": {"enum": [kind.value for kind in Kind]},
        "title": {**TEXT, "maxLength": 120},
        "summary": {**TEXT, "maxLength": 300},
        "wording": {
            "type": "object",
            "additionalProperties": False,
            "required": APPROACHES,
            "properties": {
                approach: {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["rationale", "instructions"],
                    "properties": {"rationale": TEXT, "instructions": TEXT},
                }
                for approach in APPROACHES
            },
        },
        "obstacles": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["kind", "description", "coping_plan"],
                "properties": {
                    "kind": {"enum": [kind.value for kind in Obstacle.Kind]},
                    "description": {**TEXT, "maxLength": 300},
                    "coping_plan": {**TEXT, "maxLength": 500},
                },
            },
        },
        "worksheet": {"enum": [sheet.value for sheet in Worksheet]},
        "cue": {"type": "string", "maxLength": 300},
        "how_long": {"type": "string", "maxLength": 120},
        "how_often": {"type": "string", "maxLength": 120},
        "details": {
            "type": "array",
            "uniqueItems": True,
            "items": {"enum": list(details.REGISTRY)},
        },
        "seeds": {
            "type": "object",
            "additionalProperties": {
                "oneOf": [
                    {"type": "string", "minLength": 1},
                    {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["label"],
                        "properties": {"label": {"type": "string", "minLength": 1}},
                    },
                ]
            },
        },
        "reminders": REMINDERS,
    },
}
# Fields copied from the file to the template's row; a missing optional one gets its default.
STORED = {
    "kind": "",
    "title": "",
    "summary": "",
    "wording": {},
    "obstacles": [],
    "worksheet": "",
    "cue": "",
    "how_long": "",
    "how_often": "",
    "details": [],
    "seeds": {},
    "reminders": {},
}


class TemplateFileError(ValueError):
    """A template file that cannot be loaded; the message names file, template and field."""


def read_template(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise TemplateFileError(
            f"{path.name}: not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None
    refused = text.first_refused(data)
    if refused is not None:
        raise TemplateFileError(f"{path.name}: field '{refused[0]}': {refused[1].explanation()}")
    slug = data.get("slug", "?") if isinstance(data, dict) else "?"
    problem = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(SCHEMA).iter_errors(data)
    )
    if problem is not None:
        where = "/".join(str(part) for part in problem.absolute_path) or "(the whole template)"
        raise TemplateFileError(
            f"{path.name}: template '{slug}': field '{where}': {problem.message}"
        )
    # The seeds' targets are checked against the worksheets as they are now (practice
    # answers), so a worksheet version that drops or retypes a seeded field stops the load.
    refused_seeds = [
        f"{path.name}: template '{slug}': field '{where}': {message}"
        for where, message in seeds.template_problems(data)
    ]
    if refused_seeds:
        raise TemplateFileError("\n".join(refused_seeds))
    if path.stem != slug:
        raise TemplateFileError(
            f"{path.name}: template '{slug}': field 'slug': must match the file name "
            f"('{path.stem}')"
        )
    check_suggested_reminders(path, slug, data.get("reminders"))
    return dict(data)


def check_suggested_reminders(path: Path, slug: str, rule: dict[str, Any] | None) -> None:
    if not rule:
        return
    problems = reminder_problems(None, {"rule": rule, "channels": []})
    if problems:
        field, problem = min(problems.items())
        raise TemplateFileError(
            f"{path.name}: template '{slug}': field 'reminders/{field}': {problem}"
        )


def read_library(folder: Path = LIBRARY) -> list[dict[str, Any]]:
    """Every template in the folder, or TemplateFileError listing every broken file."""
    templates, problems = [], []
    for path in sorted(folder.glob("*.json")):
        try:
            templates.append(read_template(path))
        except TemplateFileError as error:
            problems.append(str(error))
    if problems:
        raise TemplateFileError("\n".join(problems))
    return templates


@transaction.atomic
def sync_shipped(folder: Path = LIBRARY) -> int:
    """Bring the shipped templates in the database in line with the files. Returns the count."""
    templates = read_library(folder)
    for data in templates:
        PlanTemplate.objects.update_or_create(
            clinic=None,
            slug=data["slug"],
            defaults={
                **{key: data.get(key, default) for key, default in STORED.items()},
                "is_active": True,
            },
        )
    shipped = [data["slug"] for data in templates]
    PlanTemplate.objects.filter(clinic=None).exclude(slug__in=shipped).update(is_active=False)
    return len(templates)


def sync_after_migrate(**kwargs: Any) -> None:
    sync_shipped()


def templates_for(user: User, filters: dict[str, Any]) -> QuerySet[PlanTemplate]:
    """The active templates `user` may start a plan from (shipped ones and their clinic's),
    by kind and words of the title or summary: the picker's list and the API's choice."""
    found = PlanTemplate.objects.filter(Q(clinic=None) | Q(clinic=user.clinic), is_active=True)
    if filters.get("kind"):
        found = found.filter(kind=filters["kind"])
    for word in (filters.get("q") or "").split():
        found = found.filter(Q(title__icontains=word) | Q(summary__icontains=word))
    return found.order_by("title")
