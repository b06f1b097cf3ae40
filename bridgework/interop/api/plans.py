"""Action plans: read through plans' door; made from a template, agreed and reviewed through
plans.actions, with the pages' own forms checking what the pages check."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from bridgework.care.access import Need, get_client_for_user
from bridgework.interop.api.auth import TokenAuth, signed
from bridgework.interop.api.paging import Window, listed, page
from bridgework.interop.api.problems import form_problems, invalid
from bridgework.interop.api.schemas import NewPlanIn, PlanOut, ReviewIn, ReviewOut
from bridgework.interop.models import Area
from bridgework.plans import actions
from bridgework.plans.access import get_plan_for_user, plans_of
from bridgework.plans.forms import ReviewSessionForm
from bridgework.plans.library import templates_for
from bridgework.plans.reminders import RemindersRefused
from bridgework.plans.review import ReviewForm

router = Router(auth=TokenAuth(Area.PLANS), tags=["plans"])


class PlanPage(Schema):
    items: list[PlanOut]
    next: str | None


@router.get("/clients/{client_id}/plans", response=PlanPage, summary="A client's action plans")
def plans(request: HttpRequest, client_id: int, window: Query[Window]) -> dict[str, object]:
    found = plans_of(request, get_client_for_user(request, client_id))
    return listed(*page(found, window, at="created_at", listing="plans"))


@router.get("/plans/{plan_id}", response=PlanOut, summary="One action plan")
def plan(request: HttpRequest, plan_id: int) -> object:
    return get_plan_for_user(request, plan_id)


@router.post(
    "/clients/{client_id}/plans",
    response={201: PlanOut},
    summary="Start a draft plan, from a template or blank",
)
def new_plan(request: HttpRequest, client_id: int, body: NewPlanIn) -> Status[Any]:
    asker = signed(request)
    client = get_client_for_user(request, client_id, need=Need.WRITE, staff_view=True)
    template = None
    if body.template:
        template = templates_for(asker.user, {}).filter(slug=body.template).first()
        if template is None:
            raise invalid(
                {"template": _("There is no such template. Use the slug of one in your library.")}
            )
    return Status(
        201, actions.start_plan(client, by=asker.user, template=template, approach=body.approach)
    )


@router.post("/plans/{plan_id}/agree", response=PlanOut, summary="Agree a draft plan")
def agree(request: HttpRequest, plan_id: int) -> object:
    plan = get_plan_for_user(request, plan_id, need=Need.WRITE, staff_view=True)
    try:
        return actions.agree(plan, by=signed(request).user)
    except actions.TransitionRefused as refused:
        raise invalid({"__all__": str(refused)}) from None
    except RemindersRefused as refused:
        raise invalid(
            {f"reminders.{name}": message for name, message in refused.problems.items()}
        ) from None


@router.post("/plans/{plan_id}/review", response=ReviewOut, summary="Review a plan")
def review(request: HttpRequest, plan_id: int, body: ReviewIn) -> dict[str, Any]:
    plan = get_plan_for_user(request, plan_id, need=Need.WRITE, staff_view=True)
    sessions = ReviewSessionForm(
        {"session": body.session or ""}, client=plan.client, after=plan.set_in_session
    )
    answers = ReviewForm({key: str(value) for key, value in body.answers.items()})
    # The review page's own forms check the answers and the session; a question the review
    # does not ask is named rather than dropped, as a page never sends one.
    problems = {
        f"answers.{name}": _("This question is not part of the review.")
        for name in set(body.answers) - set(answers.fields)
    }
    if not answers.is_valid():
        problems |= form_problems(answers, "answers.")
    if not sessions.is_valid():
        problems |= form_problems(sessions)
    if problems:
        raise invalid(problems)
    try:
        outcome = actions.review(
            plan,
            by=signed(request).user,
            session=sessions.cleaned_data["session"],
            answers=answers.answers(),
        )
    except actions.TransitionRefused as refused:
        raise invalid({"__all__": str(refused)}) from None
    return {"review_id": outcome.review.pk, "plan": plan, "successor": outcome.successor}
