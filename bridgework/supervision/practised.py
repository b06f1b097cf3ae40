"""The scenarios a trainee has been given and practised, for their dashboard: per assignment
its scenario, how many attempts (role-plays) and when the latest began."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max

from bridgework.accounts.models import User
from bridgework.supervision.models import Assignment


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
    return [Practised(item, item.scenario_title, item.tries, item.latest_at) for item in found]
