"""A client's own copy of their data (the GDPR rights of access and portability), as one JSON
file: what they entered and what the app shows them. Every list is read through the door the
pages use, as the client (consents, goals and sessions off the client record that the client
door opened, as the client's pages do), so the copy holds exactly what the client may see:
their private diary entries, no drafts, no flags (flags are for clinicians; a client who wants
every record the clinic holds asks the clinic, which answers from its own records).

The format is documented in docs/my-data.md; `VERSION` changes when a field does."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from bridgework.care.models import Client
from bridgework.measures.access import responses_of
from bridgework.plans.access import plans_of
from bridgework.plans.actions import EDITABLE, imagery_snapshot
from bridgework.plans.models import ActionPlan
from bridgework.practice.access import check_ins_of, logs_of
from bridgework.prompts.access import prompts_of, schedules_of

FORMAT = "bridgework-my-data"
VERSION = 1

# Every field a therapist and client shape together (so a new one is in the copy too), and
# where the plan stands.
PLAN_FIELDS = (
    *EDITABLE,
    "details",  # what its template asked for: a belief, its strength, a prediction…
    "reminders",  # the reminders designed with it in the session (rule and channels)
    "status",
    "decline_reason",
    "created_at",
    "agreed_at",
    "first_seen_by_client_at",
    "closed_at",
)


def plain(value: Any) -> Any:
    """A value as JSON holds it: times in ISO 8601 with their offset, ids as text."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def fields(record: Any, *names: str) -> dict[str, Any]:
    return {name: plain(getattr(record, name)) for name in names}


def rows(records: QuerySet[Any], *names: str) -> list[dict[str, Any]]:
    return [fields(record, *names) for record in records]


def my_data(request: HttpRequest, client: Client) -> dict[str, Any]:
    """Everything, as one document. `client` comes from the client door (own_record)."""
    user = client.user
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": plain(timezone.now()),
        "me": {
            "name": client.full_name,
            "email": user.email if user else "",
            "clinic": client.clinic.name,
            "time_zone": client.local_time_zone,
            "language": user.language if user else "",
        },
        "consents": rows(
            client.consents.order_by("given_at"), "purpose", "given_at", "withdrawn_at"
        ),
        "goals": rows(client.goals.order_by("created_at"), "text", "created_at", "achieved_at"),
        "sessions": [
            fields(s, "number", "starts_at", "takeaway") | {"therapist": s.therapist.full_name}
            for s in client.sessions.select_related("therapist").order_by("starts_at")
        ],
        "plans": [
            plan_record(plan)
            for plan in plans_of(request, client)
            .select_related("imagery")
            .prefetch_related("obstacles", "goals")
            .order_by("created_at")
        ],
        "practice": [
            fields(log, "uid", "practiced_at", "outcome", "duration_minutes", "worksheet")
            | fields(log, "worksheet_version", "entries", "obstacles_note", "note", "is_private")
            | {"plan": log.plan.title if log.plan else None}
            for log in logs_of(request, client).order_by("practiced_at")
        ],
        "check_ins": [
            fields(check_in, "uid", "answered_at")
            | {"ratings": {rating.scale.name: rating.value for rating in check_in.ratings.all()}}
            for check_in in check_ins_of(request, client).order_by("answered_at")
        ],
        "questionnaires": [
            fields(response, "completed_at", "answers", "scores")
            | {"questionnaire": response.instrument.title, "version": response.instrument.version}
            for response in responses_of(request, client).order_by("completed_at")
        ],
        "reminder_schedules": rows(
            schedules_of(request, client).order_by("created_at"),
            "purpose",
            "kind",
            "version",
            "rule",
            "channels",
            "created_at",
        ),
        "reminders": rows(
            prompts_of(request, client).order_by("due_at"),
            "purpose",
            "due_at",
            "state",
            "sent_at",
            "opened_at",
            "answered_at",
        ),
    }


def plan_record(plan: ActionPlan) -> dict[str, Any]:
    return fields(plan, *PLAN_FIELDS) | {
        "goals": [goal.text for goal in plan.goals.all()],
        "obstacles": rows(plan.obstacles.all(), "description", "coping_plan"),
        # The rehearsal in imagery, if there was one: the steps gone through and the
        # client's confidence before and after (0–10).
        "imagery": imagery_snapshot(plan),
    }
