"""CarePlan: one action plan. FHIR's own elements carry what they can (title, why, status,
the goals it serves, the session it was set in, the plan it replaces, the task itself as an
activity the client performs); Bridgework's extension `action-plan` carries the rest, so an
import gets back every field the therapist and client shaped together."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bridgework.interop.fhir import codes
from bridgework.interop.fhir.export.context import Context, Resource, instant, pruned
from bridgework.plans.models import ActionPlan

ACTION_PLAN = f"{codes.CANONICAL}/StructureDefinition/action-plan"
OBSTACLE = "obstacle"
# The plan's fields in the extension, by its sub-extension's name: text, then numbers and
# yes/no. Codes (kind, framing…) travel as text too; the import checks them.
TEXTS = (
    "proposed_by",
    "framing",
    "approach",
    "what",
    "when",
    "where",
    "how_long",
    "how_often",
    "with_whom",
    "rehearsal_note",
    "cues",
    "worksheet",
    "rating_scale",
)
NUMBERS = ("importance", "confidence")
FLAGS = ("rehearsed",)
# An activity's status, by the plan's (CarePlan.activity.detail.status).
ACTIVITY_STATUS = {
    "proposed": "not-started",
    "draft": "not-started",
    "agreed": "scheduled",
    "active": "in-progress",
    "reviewed": "completed",
    "declined": "cancelled",
}


def care_plans(ctx: Context, plans: Iterable[ActionPlan]) -> list[Resource]:
    return [care_plan(ctx, plan) for plan in plans]


def care_plan(ctx: Context, plan: ActionPlan) -> Resource:
    goals = [ctx.ref("goal", goal.pk) for goal in plan.goals.all()]
    resource = {
        "resourceType": "CarePlan",
        "extension": [{"url": ACTION_PLAN, "extension": details(plan)}],
        "identifier": ctx.identifiers("plan", plan.pk),
        "replaces": [ctx.ref("plan", plan.replaces_id)] if plan.replaces_id else [],
        "status": codes.PLAN_STATUS[plan.status],
        "intent": "plan",
        "category": [{"coding": [{"system": codes.PLAN_KINDS, "code": plan.kind}]}],
        "title": plan.title,
        "description": plan.rationale,
        "subject": ctx.patient,
        "encounter": ctx.ref("session", plan.set_in_session_id) if plan.set_in_session_id else None,
        "period": pruned({"start": instant(plan.agreed_at), "end": instant(plan.closed_at)}),
        "created": instant(plan.created_at),
        "author": ctx.who(plan.created_by),
        "goal": goals,
        "activity": [{"detail": activity(ctx, plan, goals)}],
    }
    return ctx.entry("plan", plan.pk, pruned(resource))


def activity(ctx: Context, plan: ActionPlan, goals: list[dict[str, str]]) -> Resource:
    """The task itself: something the client does (detail.kind Task, performed by the
    Patient), not an order to a provider (ServiceRequest) — docs/fhir.md."""
    when = ", ".join(part for part in (plan.when, plan.how_often, plan.how_long) if part)
    return pruned(
        {
            "kind": "Task",
            "code": {"text": plan.what} if plan.what else None,
            "goal": goals,
            "status": ACTIVITY_STATUS[plan.status],
            "scheduledString": when,
            "location": {"display": plan.where} if plan.where else None,
            "performer": [ctx.patient],
            "description": plan.instructions,
        }
    )


def details(plan: ActionPlan) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = [
        {"url": name, "valueString": getattr(plan, name)} for name in TEXTS if getattr(plan, name)
    ]
    found += [
        {"url": name, "valueInteger": getattr(plan, name)}
        for name in NUMBERS
        if getattr(plan, name) is not None
    ]
    found += [{"url": name, "valueBoolean": getattr(plan, name)} for name in FLAGS]
    found += [obstacle(one) for one in plan.obstacles.all()]
    return found


def obstacle(one: Any) -> dict[str, Any]:
    parts = [
        {"url": "kind", "valueCode": one.kind},
        {"url": "description", "valueString": one.description},
    ]
    if one.coping_plan:
        parts.append({"url": "coping_plan", "valueString": one.coping_plan})
    return {"url": OBSTACLE, "extension": parts}
