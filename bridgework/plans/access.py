"""The door for action plans (see care.access for how doors work)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Q, QuerySet, prefetch_related_objects
from django.http import HttpRequest

from bridgework.care.access import (
    Need,
    decide,
    of_clients,
    open_object,
    record_listing,
    record_listings,
)
from bridgework.care.models import Client
from bridgework.plans.models import ActionPlan, Status

# What a client sees of their own plans: drafts are the therapist's until agreed.
CLIENT_VISIBLE = (Status.PROPOSED, Status.AGREED, Status.ACTIVE, Status.REVIEWED, Status.DECLINED)

# What a plan's pages show beside the plan (its page, review, summaries), asked of the door
# with `preload_page`: joined to the door's own query, and the lists fetched once the door has
# let the person in, so a page reads the plan once, in a fixed number of queries.
PAGE_JOINS = (
    "client__clinic",
    "set_in_session",
    "review_session",
    "builds_on",
    "template",
    "replaces",
    "imagery",
)
PAGE_LISTS = (
    "goals",
    "obstacles",
    "reviews__reviewed_by",
    "reviews__session",
    "successors",
    "revisions__made_by",
)


def get_plan_for_user(
    request: HttpRequest,
    plan_id: int,
    *,
    need: Need = Need.READ,
    staff_view: bool = False,
    fields: tuple[str, ...] = (),
    preload_page: bool = False,
) -> ActionPlan:
    """`fields` narrows what is loaded, for paths that need only a few (logging practice);
    `preload_page` loads what the plan's pages show with it."""
    plans = ActionPlan.objects.select_related(*PAGE_JOINS if preload_page else ("client",))
    if fields:
        plans = plans.only(*fields, "status", "client__clinic_id", "client__user_id")
    plan = plans.filter(pk=plan_id).order_by().first()
    client = plan.client if plan else None
    if plan is not None and client is not None and not staff_view:
        role = decide(request.user, client, need)
        if role == "client" and plan.status not in CLIENT_VISIBLE:
            plan = None  # a draft does not exist, as far as the client knows
    opened = open_object(request, "plan", plan_id, plan, client, need, staff_view)
    if preload_page:
        prefetch_related_objects([opened], *PAGE_LISTS)
    return opened


def plans_of(request: HttpRequest, client: Client) -> QuerySet[ActionPlan]:
    """The plans of a client already opened through the client door, as this person may see
    them (a client does not see drafts). Records one listing event."""
    role = record_listing(request, client, "plans")
    return ActionPlan.objects.filter(seen_as(role), client=client)


def plans_of_clients(request: HttpRequest, clients: Sequence[Client]) -> QuerySet[ActionPlan]:
    """`plans_of` for many clients at once (a trainee's dashboard): each client decided by the
    client door's rule, with one listing event on its chain; a client this person may not
    read is recorded as a refusal and its plans left out. A fixed number of queries."""
    roles = record_listings(request, clients, "plans")
    return ActionPlan.objects.filter(of_clients(roles, seen_as))


def seen_as(role: str) -> Q:
    """Which of a readable client's plans a reader in `role` sees."""
    return Q(status__in=CLIENT_VISIBLE) if role == "client" else Q()
