"""What other pages show of plans: the client page's plan list, the caseload's columns, the
client's home. Each takes clients already opened through their door."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from bridgework.care.models import Client
from bridgework.plans import indicators
from bridgework.plans.access import plans_of
from bridgework.plans.models import ActionPlan, Review, Status

OPEN = (Status.DRAFT, Status.AGREED, Status.ACTIVE)
SHOWN_TO_CLIENT_AT_HOME = (Status.PROPOSED, Status.AGREED, Status.ACTIVE, Status.DECLINED)
ASSIGNED = (Status.AGREED, Status.ACTIVE, Status.REVIEWED)
WITH_INDICATOR_FACTS = ("goals", "obstacles", "reviews", "successors")


@dataclass(frozen=True)
class PlanRow:
    plan: ActionPlan
    last_review: Review | None
    score: tuple[int, int]


# The client page shows the newest plans; however long the history, it costs the same.
PLANS_SHOWN = 6


def plan_rows(request: HttpRequest, client: Client, limit: int = PLANS_SHOWN) -> list[PlanRow]:
    now = timezone.now()
    plans = (
        plans_of(request, client)
        .select_related("set_in_session", "review_session", "builds_on")
        .prefetch_related(*WITH_INDICATOR_FACTS)
        .order_by("-created_at")[:limit]
    )
    rows = []
    for plan in plans:
        reviews = list(plan.reviews.all())
        results = indicators.indicators(indicators.facts_of(plan, now))
        rows.append(PlanRow(plan, reviews[-1] if reviews else None, indicators.score(results)))
    return rows


def for_client_home(request: HttpRequest, client: Client) -> QuerySet[ActionPlan]:
    return (
        plans_of(request, client).filter(status__in=SHOWN_TO_CLIENT_AT_HOME).order_by("-created_at")
    )


def with_plan_columns(clients: QuerySet[Client]) -> QuerySet[Client]:
    """Open plans, pending proposals, and the plans needed for the latest plan's quality, in a
    fixed number of queries however many clients and plans there are."""
    assigned = (
        ActionPlan.objects.filter(status__in=ASSIGNED)
        .select_related("builds_on", "review_session")
        .prefetch_related(*WITH_INDICATOR_FACTS)
        .order_by("-created_at")
    )
    return clients.annotate(
        open_plans=Count("plans", filter=Q(plans__status__in=OPEN), distinct=True),
        proposals=Count("plans", filter=Q(plans__status=Status.PROPOSED), distinct=True),
        open_flags=Count("flags", filter=Q(flags__acknowledged_at=None), distinct=True),
    ).prefetch_related(Prefetch("plans", queryset=assigned, to_attr="assigned_plans"))


def latest_plan_quality(client: Any) -> tuple[int, int] | None:
    plans = getattr(client, "assigned_plans", [])
    if not plans:
        return None
    return indicators.score(indicators.indicators(indicators.facts_of(plans[0], timezone.now())))
