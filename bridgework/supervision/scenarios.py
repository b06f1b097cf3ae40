"""The training scenarios: hard moments of plan work, written for Bridgework, one JSON file
each in supervision/scenarios/<slug>.json (format: docs/supervision.md, "Training scenarios").

A scenario is read and checked whole before anything uses it: a file with an error is
reported with the file's name, the scenario's slug and the field, and the library does not
load (as the plan templates' library does), so a broken file is found by the test suite and
Django's system checks (apps.check_scenarios), never half-way through a role-play. The
competence items a scenario exercises are checked against Bridgework's own scale
(supervision/scales/), the one every attempt is rated with. The library is read once per
process: the files ship with the code.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
from django.utils.translation import gettext_lazy as _

from bridgework.accounts.models import Approach
from bridgework.lib import text
from bridgework.plans.models import Kind, Obstacle, ProposedBy
from bridgework.practice.models import Outcome
from bridgework.supervision.scales import SHIPPED_PATH

FOLDER = Path(__file__).parent / "scenarios"
VIGNETTE_WORDS = (80, 200)
TITLE_LENGTH = 80
NO_PRACTICE = "none"  # the practice log shows nothing at all

# The hard moments the library must hold (issue 13): a test keeps them all present.
REQUIRED_KINDS = frozenset(
    {
        "not-done",
        "task-as-test",
        "fail-anyway",
        "done-felt-nothing",
        "authority-belief",
        "own-better-idea",
        "psychodynamic-framing",
        "humanistic-framing",
        "unanticipated-obstacle",
    }
)

TEXT = {"type": "string", "minLength": 1}
SLUG = {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 80}
ZERO_TO_TEN = {"type": "integer", "minimum": 0, "maximum": 10}

# The earlier plan a scenario may bring: the editor's own fields (plans.actions.EDITABLE),
# with the model's lengths, so what the role-play's client page shows is a real plan.
PLAN: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["title", "kind", "what", "rationale"],
    "properties": {
        "title": {**TEXT, "maxLength": 160},
        "kind": {"enum": list(Kind.values)},
        "proposed_by": {"enum": list(ProposedBy.values)},
        "what": {**TEXT, "maxLength": 300},
        "when": {**TEXT, "maxLength": 200},
        "where": {**TEXT, "maxLength": 200},
        "how_long": {**TEXT, "maxLength": 120},
        "how_often": {**TEXT, "maxLength": 120},
        "with_whom": {**TEXT, "maxLength": 200},
        "rationale": {**TEXT, "maxLength": 3000},
        "instructions": {**TEXT, "maxLength": 4000},
        "cues": {**TEXT, "maxLength": 1000},
        "importance": ZERO_TO_TEN,
        "confidence": ZERO_TO_TEN,
        "obstacles": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["kind", "description", "coping_plan"],
                "properties": {
                    "kind": {"enum": list(Obstacle.Kind.values)},
                    "description": {**TEXT, "maxLength": 300},
                    "coping_plan": {**TEXT, "maxLength": 500},
                },
            },
        },
    },
}

SETUP: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["days_before", "plan", "practice"],
    "properties": {
        # How long before the role-play the earlier (made-up) session took place.
        "days_before": {"type": "integer", "minimum": 1, "maximum": 28},
        "goal": {**TEXT, "maxLength": 300},
        "takeaway": {**TEXT, "maxLength": 2000},
        "plan": PLAN,
        "practice": {
            "type": "object",
            "additionalProperties": False,
            "required": ["outcome"],
            "properties": {
                "outcome": {"enum": [NO_PRACTICE, *Outcome.values]},
                "times": {"type": "integer", "minimum": 1, "maximum": 7},
                "how_it_went": {"type": "integer", "minimum": 0, "maximum": 100},
                "note": {**TEXT, "maxLength": 500},
            },
        },
    },
}

SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "slug",
        "version",
        "kind",
        "title",
        "approach",
        "vignette",
        "moment",
        "aims",
        "items",
        "hint",
    ],
    "properties": {
        "slug": SLUG,
        "version": {"type": "integer", "minimum": 1},
        "kind": SLUG,
        # The training client is called "Role-play: <title> · attempt <n>" (care.Client's
        # full_name holds 120): 80 leaves room for the words around it and their translation;
        # training.client_name shortens the title if a translation still runs over.
        "title": {**TEXT, "maxLength": TITLE_LENGTH},
        "approach": {"enum": list(Approach.values)},
        "vignette": {**TEXT, "maxLength": 2000},
        "moment": {
            "type": "array",
            "minItems": 1,
            "maxItems": 8,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["speaker", "says"],
                "properties": {
                    "speaker": {"enum": ["client", "therapist"]},
                    "says": {**TEXT, "maxLength": 600},
                },
            },
        },
        "setup": SETUP,
        "aims": {
            "type": "array",
            "minItems": 2,
            "maxItems": 4,
            "items": {**TEXT, "maxLength": 300},
        },
        "items": {"type": "array", "minItems": 1, "uniqueItems": True, "items": TEXT},
        "hint": {**TEXT, "maxLength": 2000},
    },
}


class ScenarioFileError(ValueError):
    """A scenario file that cannot be loaded; the message names file, scenario and field."""


@dataclass(frozen=True)
class Line:
    speaker: str  # "client" or "therapist"
    says: str

    @property
    def is_client(self) -> bool:
        return self.speaker == "client"


@dataclass(frozen=True)
class Practice:
    outcome: str  # NO_PRACTICE, or a practice log's outcome (practice.models.Outcome)
    times: int
    how_it_went: int | None
    note: str


@dataclass(frozen=True)
class Setup:
    """An earlier training session and the plan agreed in it, with what the practice log
    shows since: the role-play is the session where that plan is reviewed."""

    days_before: int
    goal: str
    takeaway: str
    plan: dict[str, Any]  # the plan's fields, as plans.actions.save_plan takes them
    obstacles: tuple[dict[str, str], ...]
    practice: Practice


@dataclass(frozen=True)
class Scenario:
    slug: str
    version: int
    kind: str
    title: str
    approach: str
    vignette: str
    moment: tuple[Line, ...]
    setup: Setup | None
    aims: tuple[str, ...]
    items: tuple[str, ...]  # linkIds of the competence scale's items
    hint: str

    @property
    def approach_label(self) -> str:
        return str(Approach(self.approach).label)

    @property
    def last_words(self) -> str:
        """The client's line the trainee answers (check_meaning: the last one is theirs)."""
        return self.moment[-1].says

    @property
    def item_titles(self) -> list[tuple[str, str]]:
        titles = scale_items()
        return [(link_id, titles[link_id]) for link_id in self.items]

    @property
    def training_name(self) -> str:
        """What the role-play's made-up client is called on every page."""
        return str(_("Role-play: %(title)s") % {"title": self.title})


@functools.cache
def scale_items() -> dict[str, str]:
    """The competence scale's items, linkId → title, in the scale's order."""
    definition = json.loads(SHIPPED_PATH.read_text(encoding="utf-8"))
    return {item["linkId"]: item["text"] for item in definition["item"]}


def problem(path: Path, slug: str, where: str, message: str) -> ScenarioFileError:
    return ScenarioFileError(f"{path.name}: scenario '{slug}': field '{where}': {message}")


def read(path: Path) -> Scenario:
    """One scenario file, checked whole, or ScenarioFileError."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ScenarioFileError(
            f"{path.name}: not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None
    refused = text.first_refused(data)
    if refused is not None:
        raise ScenarioFileError(f"{path.name}: field '{refused[0]}': {refused[1].explanation()}")
    slug = str(data.get("slug", "?")) if isinstance(data, dict) else "?"
    found = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(SCHEMA).iter_errors(data)
    )
    if found is not None:
        where = "/".join(str(part) for part in found.absolute_path) or "(the whole scenario)"
        raise problem(path, slug, where, found.message)
    check_meaning(path, data)
    return scenario_of(data)


def check_meaning(path: Path, data: dict[str, Any]) -> None:
    """What the schema cannot say: the slug is the file's name, the items are the scale's,
    the vignette is a vignette's length, and the trainee has a client's words to answer."""
    slug = data["slug"]
    if path.stem != slug:
        raise problem(path, slug, "slug", f"must match the file name ('{path.stem}')")
    known = scale_items()
    for index, link_id in enumerate(data["items"]):
        if link_id not in known:
            raise problem(
                path,
                slug,
                f"items/{index}",
                f"'{link_id}' is not an item of the competence scale; use one of "
                + ", ".join(known),
            )
    words = len(data["vignette"].split())
    low, high = VIGNETTE_WORDS
    if not low <= words <= high:
        raise problem(path, slug, "vignette", f"has {words} words; write {low} to {high}")
    if data["moment"][-1]["speaker"] != "client":
        raise problem(
            path, slug, f"moment/{len(data['moment']) - 1}", "the last line must be the client's"
        )


def scenario_of(data: dict[str, Any]) -> Scenario:
    setup = data.get("setup")
    return Scenario(
        slug=data["slug"],
        version=data["version"],
        kind=data["kind"],
        title=data["title"],
        approach=data["approach"],
        vignette=data["vignette"],
        moment=tuple(Line(line["speaker"], line["says"]) for line in data["moment"]),
        setup=setup_of(setup) if setup else None,
        aims=tuple(data["aims"]),
        items=tuple(data["items"]),
        hint=data["hint"],
    )


def setup_of(data: dict[str, Any]) -> Setup:
    plan = dict(data["plan"])
    obstacles = tuple(dict(obstacle) for obstacle in plan.pop("obstacles", []))
    practice = data["practice"]
    return Setup(
        days_before=data["days_before"],
        goal=data.get("goal", ""),
        takeaway=data.get("takeaway", ""),
        plan=plan,
        obstacles=obstacles,
        practice=Practice(
            outcome=practice["outcome"],
            times=practice.get("times", 1),
            how_it_went=practice.get("how_it_went"),
            note=practice.get("note", ""),
        ),
    )


def read_library(folder: Path = FOLDER) -> dict[str, Scenario]:
    """Every scenario in the folder by slug, or ScenarioFileError listing every broken file
    (and a kind used twice: each scenario stands for one hard moment)."""
    scenarios: dict[str, Scenario] = {}
    problems: list[str] = []
    for path in sorted(folder.glob("*.json")):
        try:
            scenario = read(path)
        except ScenarioFileError as error:
            problems.append(str(error))
            continue
        twin = next((s for s in scenarios.values() if s.kind == scenario.kind), None)
        if twin is not None:
            problems.append(
                str(problem(path, scenario.slug, "kind", f"'{scenario.kind}' is {twin.slug}'s"))
            )
        scenarios[scenario.slug] = scenario
    if problems:
        raise ScenarioFileError("\n".join(problems))
    return scenarios


@functools.cache
def library() -> dict[str, Scenario]:
    """The shipped library, read once per process."""
    return read_library()


def get(slug: str) -> Scenario | None:
    return library().get(slug)


def matching(*, item: str = "", approach: str = "") -> list[Scenario]:
    """The library's scenarios exercising `item` and written for `approach` (either empty:
    any), by title."""
    found = [
        scenario
        for scenario in library().values()
        if (not item or item in scenario.items) and (not approach or scenario.approach == approach)
    ]
    return sorted(found, key=lambda scenario: scenario.title)
