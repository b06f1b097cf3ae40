"""Goal and Encounter: the client's goals in their words, and the therapy sessions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone

from bridgework.care.models import Goal, TherapySession
from bridgework.interop.fhir import codes
from bridgework.interop.fhir.export.context import Context, Resource, instant, pruned

ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"
ACT_CODES = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
TAKEAWAY = f"{codes.CANONICAL}/StructureDefinition/session-takeaway"


def goals(ctx: Context, held: Iterable[Goal]) -> list[Resource]:
    return [goal(ctx, one) for one in held]


def goal(ctx: Context, held: Goal) -> Resource:
    achieved = held.achieved_at is not None
    resource = {
        "resourceType": "Goal",
        "identifier": ctx.identifiers("goal", held.pk),
        "lifecycleStatus": "completed" if achieved else "active",
        "achievementStatus": (
            {"coding": [{"system": ACHIEVEMENT, "code": "achieved"}]} if achieved else None
        ),
        "description": {"text": held.text},
        "subject": ctx.patient,
        "startDate": held.created_at.date().isoformat(),
        "statusDate": held.achieved_at.date().isoformat() if held.achieved_at else None,
    }
    return ctx.entry("goal", held.pk, pruned(resource))


def encounters(ctx: Context, sessions: Iterable[TherapySession]) -> list[Resource]:
    now = timezone.now()
    return [encounter(ctx, session, now) for session in sessions]


def encounter(ctx: Context, session: TherapySession, now: datetime) -> Resource:
    takeaway = [{"url": TAKEAWAY, "valueString": session.takeaway}] if session.takeaway else []
    therapist = ctx.who(session.therapist)
    resource = {
        "resourceType": "Encounter",
        "extension": takeaway,
        "identifier": ctx.identifiers("session", session.pk),
        "status": "finished" if session.starts_at <= now else "planned",
        "class": {"system": ACT_CODES, "code": "AMB", "display": "ambulatory"},
        "subject": ctx.patient,
        "participant": [{"individual": therapist}] if therapist else [],
        "period": {"start": instant(session.starts_at)},
    }
    return ctx.entry("session", session.pk, pruned(resource))
