"""Reminders: a client's prompts and schedules, read through prompts' doors; a schedule set
(or a new version of one) through prompts.schedules, whose rule checks say what is wrong."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from bridgework.care.access import Need, get_client_for_user
from bridgework.interop.api.auth import TokenAuth, signed
from bridgework.interop.api.paging import Window, listed, page
from bridgework.interop.api.problems import invalid, not_found
from bridgework.interop.api.schemas import PromptOut, ScheduleIn, ScheduleOut
from bridgework.interop.models import Area
from bridgework.plans.access import get_plan_for_user
from bridgework.prompts import access, rules, schedules
from bridgework.prompts.models import Purpose

router = Router(auth=TokenAuth(Area.PROMPTS), tags=["reminders"])


class PromptPage(Schema):
    items: list[PromptOut]
    next: str | None


class SchedulePage(Schema):
    items: list[ScheduleOut]
    next: str | None


@router.get("/clients/{client_id}/prompts", response=PromptPage, summary="A client's prompts")
def prompts(request: HttpRequest, client_id: int, window: Query[Window]) -> dict[str, object]:
    found = access.prompts_of(request, get_client_for_user(request, client_id))
    return listed(*page(found, window, at="due_at", listing="prompts"))


@router.get(
    "/clients/{client_id}/schedules", response=SchedulePage, summary="A client's schedules in force"
)
def schedules_in_force(
    request: HttpRequest, client_id: int, window: Query[Window]
) -> dict[str, object]:
    found = access.schedules_of(request, get_client_for_user(request, client_id))
    return listed(*page(found, window, at="created_at", listing="schedules"))


@router.post(
    "/clients/{client_id}/schedules",
    response={201: ScheduleOut},
    summary="Set a schedule, or a new version of one (`replaces`)",
)
def set_schedule(request: HttpRequest, client_id: int, body: ScheduleIn) -> Status[Any]:
    client = get_client_for_user(request, client_id, need=Need.WRITE, staff_view=True)
    if body.purpose not in Purpose.values:
        raise invalid(
            {"purpose": _("Choose one of: %(names)s.") % {"names": ", ".join(Purpose.values)}}
        )
    plan = get_plan_for_user(request, body.plan, need=Need.WRITE) if body.plan else None
    replaces = None
    if body.replaces is not None:
        replaces = access.get_schedule_for_user(request, body.replaces, need=Need.WRITE)
        if replaces.client_id != client.pk:
            raise not_found()
    if not isinstance(body.rule.get("kind"), str):
        raise invalid(
            {"rule.kind": _("Choose the kind of rule: fixed, relative, random or before-session.")}
        )
    try:
        schedule = schedules.set_schedule(
            client,
            by=signed(request).user,
            purpose=body.purpose,
            rule=body.rule,
            channels=body.channels,
            plan=plan,
            replaces=replaces,
        )
    except rules.RuleError as refused:
        raise invalid(
            {
                f"rule.{name}" if name not in ("plan", "channels") else name: text
                for name, text in refused.problems.items()
            }
        ) from None
    except (TypeError, AttributeError, KeyError, ValueError):
        # A value of the wrong type inside the rule (a number where times are listed): the
        # rule's own checks expect the shapes the reminders form makes.
        raise invalid(
            {
                "rule": _(
                    "This rule could not be read. Its fields and their types are in docs/api.md."
                )
            }
        ) from None
    return Status(201, schedule)
