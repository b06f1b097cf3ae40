"""Action plans from CarePlans, through plans' actions: started, shaped as the CarePlan says
(every field of Bridgework's `action-plan` extension), agreed and started where it had been,
and reviewed again from its Action Plan Review responses, so a closed plan closes here too."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bridgework.care.models import Goal
from bridgework.interop.fhir import codes
from bridgework.interop.fhir.export import plans as shape
from bridgework.interop.fhir.load import links
from bridgework.interop.fhir.load.intake import Intake, Resource
from bridgework.interop.fhir.load.limits import fitting
from bridgework.interop.fhir.load.reviews import replay
from bridgework.plans import actions as plans
from bridgework.plans.models import ActionPlan, Obstacle, Status
from bridgework.plans.reminders import RemindersRefused

EDITABLE_NOW = (Status.DRAFT, Status.AGREED, Status.ACTIVE)
# Left out of a CarePlan when empty: empty here too. (The codes — who proposed it, framing,
# approach — keep the new plan's defaults when the CarePlan does not say.)
OBSTACLE = "CarePlan.extension (action-plan): obstacle description"
COPING = "CarePlan.extension (action-plan): obstacle coping_plan"
CODED = ("proposed_by", "framing", "approach")
EMPTY = (
    {name: "" for name in shape.TEXTS if name not in CODED}
    | dict.fromkeys(shape.NUMBERS)
    | dict.fromkeys(shape.FLAGS, False)
)


def fields_of(resource: Resource) -> dict[str, Any]:
    """The plan's editable fields as the CarePlan gives them."""
    detail = ((resource.get("activity") or [{}])[0]).get("detail") or {}
    kind = [c.get("code") for c in category_codes(resource) if c.get("system") == codes.PLAN_KINDS]
    fields: dict[str, Any] = EMPTY | {
        "title": str(resource.get("title") or ""),
        "rationale": str(resource.get("description") or ""),
        "instructions": str(detail.get("description") or ""),
        "kind": kind[0] if kind else "other",
    }
    for part in extension_parts(resource):
        name = part.get("url")
        if name in shape.TEXTS:
            fields[name] = str(part.get("valueString", ""))
        elif name in shape.NUMBERS:
            fields[name] = part.get("valueInteger")
        elif name in shape.FLAGS:
            fields[name] = bool(part.get("valueBoolean"))
    return fields


def category_codes(resource: Resource) -> list[dict[str, Any]]:
    return [c for cat in resource.get("category") or [] for c in cat.get("coding") or []]


def extension_parts(resource: Resource) -> list[dict[str, Any]]:
    for extension in resource.get("extension") or []:
        if extension.get("url") == shape.ACTION_PLAN:
            return list(extension.get("extension") or [])
    return []


def obstacles_of(resource: Resource) -> list[dict[str, Any]]:
    found = []
    for part in extension_parts(resource):
        if part.get("url") == shape.OBSTACLE:
            values = {
                p.get("url"): p.get("valueCode", p.get("valueString")) for p in part["extension"]
            }
            found.append(
                {
                    "kind": str(values.get("kind") or "practical"),
                    "description": fitting(
                        str(values.get("description") or ""), Obstacle, "description", OBSTACLE
                    ),
                    "coping_plan": fitting(
                        str(values.get("coping_plan") or ""), Obstacle, "coping_plan", COPING
                    ),
                }
            )
    return found


def goals_of(intake: Intake, resource: Resource) -> list[Goal]:
    made = (intake.record_for(ref) for ref in resource.get("goal") or [])
    return [goal for goal in made if isinstance(goal, Goal)]


def content(plan: ActionPlan) -> dict[str, Any]:
    """What a plan says, to compare with what a CarePlan says of it."""
    found = {name: getattr(plan, name) for name in plans.EDITABLE}
    found["goals"] = sorted(goal.pk for goal in plan.goals.all())
    found["obstacles"] = [
        {"kind": o.kind, "description": o.description, "coping_plan": o.coping_plan}
        for o in plan.obstacles.all()
    ]
    return found


def take_plan(intake: Intake, resource: Resource) -> None:
    assert intake.client is not None
    if resource.get("status") == "revoked":
        intake.skip(
            resource, _("A declined proposal: nothing to carry on; it stays in the sending record.")
        )
        return
    plan = links.find(intake, "plan", resource, ActionPlan) or successor_of(intake, resource)
    before = intake.checkpoint()
    try:
        with transaction.atomic():  # a refused plan leaves nothing of itself, nor its reviews
            created, moved = shaped(intake, resource, plan)
    except (ValidationError, ValueError, plans.TransitionRefused, RemindersRefused) as problem:
        intake.restore(before)
        intake.skip(resource, _("The plan was refused: %(problem)s") % {"problem": said(problem)})
        return
    intake.outcome(resource, created=created, changed=moved)


def successor_of(intake: Intake, resource: Resource) -> ActionPlan | None:
    """The draft a "modify" review made here of the plan this one replaces: the same plan."""
    for ref in resource.get("replaces") or []:
        replaced = intake.record_for(ref)
        if isinstance(replaced, ActionPlan):
            return replaced.successors.filter(status=Status.DRAFT).order_by("pk").first()
    return None


class KeptAsItIs(ValueError):
    """A closed plan here says something else than the CarePlan: a closed plan is history,
    never rewritten."""


def shaped(intake: Intake, resource: Resource, plan: ActionPlan | None) -> tuple[bool, bool]:
    assert intake.client is not None
    created = plan is None
    if plan is None:
        plan = plans.start_plan(intake.client, by=intake.by)
    goals, obstacles = goals_of(intake, resource), obstacles_of(resource)
    wanted = fields_of(resource)
    expected = wanted | {"goals": sorted(g.pk for g in goals), "obstacles": obstacles}
    moved = {k: v for k, v in content(plan).items() if k in expected} != expected
    if moved and plan.status not in EDITABLE_NOW:
        raise KeptAsItIs(_("this clinic's plan is closed and says otherwise; it was kept as it is"))
    if moved:
        session = intake.record_for(resource.get("encounter")) if created else plan.set_in_session
        links_to = {"set_in_session": session, "builds_on": session}
        plans.save_plan(
            plan,
            by=intake.by,
            version=plan.version,
            fields=wanted | links_to,
            goals=goals,
            obstacles=obstacles,
        )
    links.remember(intake, "plan", resource, plan)
    intake.became(resource, plan)
    stepped = advance(intake, resource, plan)
    return created, (moved or stepped) and not created


def advance(intake: Intake, resource: Resource, plan: ActionPlan) -> bool:
    """Agree, start and review the plan as far as the CarePlan had come."""
    if codes.PLAN_STEPS.get(str(resource.get("status")), 0) == 0 or plan.status != Status.DRAFT:
        return False
    plans.agree(plan, by=intake.by)
    detail = ((resource.get("activity") or [{}])[0]).get("detail") or {}
    reviewed = replay(intake, resource, plan)
    if not reviewed and detail.get("status") == "in-progress":
        plans.activate(plan, by=intake.by)
    return True


def said(problem: Exception) -> str:
    if isinstance(problem, ValidationError):
        return " ".join(problem.messages)
    return str(problem)
