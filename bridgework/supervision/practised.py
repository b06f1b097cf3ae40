"""The scenarios a trainee has been given and practised, for their dashboard: per assignment
its scenario, how many attempts (role-plays) and when the latest began.

The scenario library (supervision/scenarios/<slug>.json) is written separately; until its
loader is here, a title is read from the file's "title" if there is one, and the slug stands
in for it otherwise, so the dashboard never fails for want of a title."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from django.db.models import Count, Max

from bridgework.accounts.models import User
from bridgework.supervision.models import Assignment

SCENARIOS = Path(__file__).parent / "scenarios"
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@cache
def scenario_title(slug: str) -> str:
    """The scenario's title in the library, or its slug when it has none (or is unknown)."""
    path = SCENARIOS / f"{slug}.json"
    if not SLUG.match(slug) or not path.is_file():
        return slug
    try:
        title = json.loads(path.read_text(encoding="utf-8")).get("title")
    except (OSError, ValueError, AttributeError):
        return slug
    if isinstance(title, dict):  # by language
        title = title.get("en")
    return title if isinstance(title, str) and title.strip() else slug


@dataclass(frozen=True)
class Practised:
    assignment: Assignment
    title: str
    attempts: int
    latest: datetime | None


def practised(therapist: User) -> list[Practised]:
    """The trainee's assignments, newest first, in one query (the trainee door has let the
    reader in: the assignments name scenarios, no client's data)."""
    found = (
        Assignment.objects.filter(trainee=therapist, clinic_id=therapist.clinic_id)
        .select_related("assigned_by")
        .annotate(tries=Count("attempts"), latest_at=Max("attempts__started_at"))
        .order_by("-assigned_at", "-id")
    )
    return [
        Practised(item, scenario_title(item.scenario), item.tries, item.latest_at) for item in found
    ]
