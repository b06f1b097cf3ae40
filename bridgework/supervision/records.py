"""The plan records a rating is made beside: what the session's record shows of how the
therapist designed, assigned and reviewed plans in it.

Read through the doors of care, plans and practice, so a rater sees exactly what those doors
let them see of the client: a supervisor their supervisees' clients, a therapist their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from bridgework.care.access import Need, decide
from bridgework.care.models import TherapySession
from bridgework.plans import indicators
from bridgework.plans.access import PAGE_JOINS, plans_of
from bridgework.plans.models import ActionPlan, Review
from bridgework.practice import summaries as practice
from bridgework.practice.access import logs_of

PLAN_LISTS = ("goals", "obstacles", "reviews__session", "reviews__reviewed_by", "successors")


Indicator = tuple[str, str, bool | None]  # (key, label, present)


@dataclass(frozen=True)
class PlanSet:
    """A plan set in the session, with its indicators a–g, the practice logged for it and
    the reviews that followed."""

    plan: ActionPlan
    indicators: list[Indicator]
    score: tuple[int, int]
    practice: list[practice.LogLine]
    reviews: list[Review]


@dataclass(frozen=True)
class PlanReviewed:
    """An earlier plan reviewed in the session, with the review and the plan's indicators
    (its g says how the review went)."""

    plan: ActionPlan
    review: Review
    indicators: list[Indicator]


@dataclass(frozen=True)
class SessionRecords:
    session: TherapySession
    set_here: list[PlanSet]
    reviewed_here: list[PlanReviewed]


def of_session(request: HttpRequest, session: TherapySession) -> SessionRecords | None:
    """The session's plan records, or None when the doors do not open the client's record
    to this person (say, a supervisor whose supervisee has since left the care team): the
    rating still stands; its records are not theirs to read."""
    client = session.client
    if decide(request.user, client, Need.READ, staff_view=True) is None:
        return None
    now = timezone.now()
    plans = list(
        plans_of(request, client)
        .filter(Q(set_in_session=session) | Q(reviews__session=session))
        .distinct()
        .select_related(*PAGE_JOINS)
        .prefetch_related(*PLAN_LISTS)
        .order_by("created_at", "id")
    )
    set_here = [plan for plan in plans if plan.set_in_session_id == session.pk]
    logged = practice_by_plan(request, session, set_here)
    return SessionRecords(
        session,
        [plan_set(plan, now, logged.get(plan.pk, [])) for plan in set_here],
        [
            PlanReviewed(plan, review, indicators_of(plan, now))
            for plan in plans
            for review in plan.reviews.all()
            if review.session_id == session.pk and plan.set_in_session_id != session.pk
        ],
    )


def indicators_of(plan: ActionPlan, now: datetime) -> list[Indicator]:
    results = indicators.indicators(indicators.facts_of(plan, now))
    return [(key, str(indicators.LABELS[key]), value) for key, value in results.items()]


def plan_set(plan: ActionPlan, now: datetime, logged: list[practice.LogLine]) -> PlanSet:
    found = indicators_of(plan, now)
    return PlanSet(
        plan,
        found,
        indicators.score({key: value for key, _label, value in found}),
        logged,
        list(plan.reviews.all()),
    )


def practice_by_plan(
    request: HttpRequest, session: TherapySession, plans: list[ActionPlan]
) -> dict[int, list[practice.LogLine]]:
    if not plans:
        return {}
    logs = logs_of(request, session.client).filter(plan__in=plans).order_by("-practiced_at")
    found: dict[int, list[practice.LogLine]] = {}
    for line in practice.lines(logs):
        assert line.log.plan_id is not None
        found.setdefault(line.log.plan_id, []).append(line)
    return found
