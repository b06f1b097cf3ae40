"""The period rule: every table is as it stood at the end of the study period (ends_on in the
clinic's time zone). A time after the end is left blank (Context.as_of_end); a status is the
one in force at the end, worked out from the history the model keeps, or blank where that
history cannot tell (docs/research-export.md, "Period rule").
"""

from __future__ import annotations

from django.db import models
from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When

from bridgework.plans.models import PlanRevision, ProposedBy, Status
from bridgework.prompts.models import PromptEvent
from bridgework.research.export.context import Context, Period


def plan_status_at_end(period: Period) -> Case:
    """A plan's status at the end, from its own times: closing (reviewed, declined) is final,
    agreeing is timed, and the client's first look starts the plan (plans.actions.record_seen).
    Two steps are not timed: a therapist's starting a plan (agreed → active) and accepting a
    client's proposal (proposed → draft); where either may have fallen after the end, blank."""
    closed, agreed, seen = (
        period.before_end(path) for path in ("closed_at", "agreed_at", "first_seen_by_client_at")
    )
    proposed_by_client = Q(proposed_by=ProposedBy.CLIENT)
    return Case(
        When(closed, then=F("status")),
        When(Q(status=Status.DECLINED), then=Value(Status.PROPOSED.value)),
        When(agreed & Q(status=Status.AGREED), then=Value(Status.AGREED.value)),
        When(agreed & seen, then=Value(Status.ACTIVE.value)),
        When(agreed, then=None),
        When(Q(status=Status.PROPOSED), then=Value(Status.PROPOSED.value)),
        When(proposed_by_client, then=None),
        default=Value(Status.DRAFT.value),
        output_field=models.CharField(),
    )


def plan_version_at_end(period: Period) -> Subquery:
    """The number of the plan's version in force at the end: the last one made before it."""
    made = PlanRevision.objects.filter(plan=OuterRef("pk")).filter(
        period.before_end("made_at", client="plan__client_id")
    )
    return Subquery(made.order_by("-number").values("number")[:1])


def plan_version_at(time: str) -> Subquery:
    """The number of the version of the row's plan in force at the row's `time`."""
    made = PlanRevision.objects.filter(plan=OuterRef("plan_id"), made_at__lte=OuterRef(time))
    return Subquery(made.order_by("-number").values("number")[:1])


def versions_in_period(
    revisions: models.QuerySet[PlanRevision], period: Period
) -> models.QuerySet[PlanRevision]:
    """A plan's versions from the one in force at the period's start to the last one made
    before its end: those made before the end and not replaced by another made by the start."""
    replaced = PlanRevision.objects.filter(
        plan=OuterRef("plan"), number__gt=OuterRef("number")
    ).filter(period.by_start("made_at", client="plan__client_id"))
    return revisions.filter(period.before_end("made_at", client="plan__client_id")).exclude(
        models.Exists(replaced)
    )


def prompt_events_by_end(ctx: Context) -> models.QuerySet[PromptEvent]:
    """A prompt's events that came before the period's end, first first."""
    return (
        PromptEvent.objects.filter(prompt=OuterRef("pk"))
        .filter(ctx.period.before_end("at", client="prompt__client_id"))
        .order_by("at", "pk")
    )


def prompt_state_at_end(ctx: Context) -> Subquery:
    """The state of the prompt's last recorded event before the end (every step of its life
    cycle is an event); blank if none came before it."""
    last = prompt_events_by_end(ctx).order_by("-at", "-pk")
    return Subquery(last.values("state")[:1])


def first_event(ctx: Context, state: str) -> Subquery:
    """When the prompt first reached `state`, if that was before the end."""
    return Subquery(prompt_events_by_end(ctx).filter(state=state).values("at")[:1])


def first_channel(ctx: Context) -> Subquery:
    """The channel of its first send before the end."""
    return Subquery(prompt_events_by_end(ctx).exclude(channel="").values("channel")[:1])
