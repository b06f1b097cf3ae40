"""Reading a client's entry from flat form fields, the same way whether it was posted by a
page or sent later from the phone's queue: `practice_from` and `check_in_from` return the
arguments for the actions, or raise EntryRefused naming the fields."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from bridgework.care.access import Need
from bridgework.care.models import Client
from bridgework.lib.numbers import identifier, whole_number
from bridgework.plans.access import get_plan_for_user
from bridgework.plans.models import ActionPlan
from bridgework.practice import worksheets
from bridgework.practice.actions import EntryRefused

# A phone's clock may run a little fast; an entry dated further ahead is a typing slip.
CLOCK_SLACK = timedelta(hours=1)


def uid_from(form: Mapping[str, Any]) -> uuid.UUID:
    try:
        return uuid.UUID(str(form.get("uid", "")))
    except ValueError:
        raise EntryRefused(
            {
                "__all__": _(
                    "This form is out of date. Reload the page and try "
                    "again; what you typed is kept."
                )
            }
        ) from None


def when_from(form: Mapping[str, Any]) -> datetime | None:
    raw = str(form.get("practiced_at") or form.get("answered_at") or "").strip()
    if not raw:
        return None
    moment = parse_datetime(raw)
    if moment is None:
        raise EntryRefused({"practiced_at": _("Enter a date and time like 2026-11-24 18:30.")})
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > timezone.now() + CLOCK_SLACK:
        raise EntryRefused({"practiced_at": _("That time is in the future. When did you do it?")})
    return moment


def minutes_from(form: Mapping[str, Any]) -> int | None:
    raw = str(form.get("duration_minutes") or "").strip()
    if not raw:
        return None
    minutes = whole_number(raw)
    if minutes is None or not 0 <= minutes <= 24 * 60:
        raise EntryRefused(
            {"duration_minutes": _("Enter the minutes as a whole number, up to 1440 (a day).")}
        )
    return minutes


def plan_from(request: HttpRequest, form: Mapping[str, Any]) -> ActionPlan | None:
    raw = str(form.get("plan") or "").strip()
    if not raw:
        return None
    try:
        return get_plan_for_user(
            request, int(raw), need=Need.WRITE, fields=("worksheet", "rating_scale", "title")
        )
    except (ValueError, Http404):
        raise EntryRefused({"plan": _("That plan is not one of yours.")}) from None


def sheet_for(plan: ActionPlan | None, requested: str) -> worksheets.Worksheet:
    """The worksheet this entry may use: the quick note or the plan's own; without a plan, the
    diary."""
    allowed = (
        {worksheets.QUICK, plan.worksheet or worksheets.QUICK}
        if plan
        else {worksheets.PRIVATE_ALLOWED}
    )
    if requested not in allowed:
        raise EntryRefused({"__all__": _("This form does not fit this plan. Reload the page.")})
    return worksheets.current(requested)


def practice_from(request: HttpRequest, client: Client, form: Mapping[str, Any]) -> dict[str, Any]:
    plan = plan_from(request, form)
    sheet = sheet_for(plan, str(form.get("sheet", "")))
    return {
        "uid": uid_from(form),
        "plan": plan,
        "sheet": sheet,
        "outcome": str(form.get("outcome") or ("" if plan is None else "done")),
        "entries": worksheets.parse(sheet, form),
        "practiced_at": when_from(form),
        "duration_minutes": minutes_from(form),
        "obstacles_note": str(form.get("obstacles_note") or ""),
        "note": str(form.get("note") or ""),
        "private": str(form.get("private") or "") in ("on", "true", "1"),
        "prompt": prompt_from(form),
    }


def check_in_from(client: Client, form: Mapping[str, Any]) -> dict[str, Any]:
    ratings: dict[int, Any] = {}
    for key, raw in form.items():
        if not key.startswith("scale-") or str(raw).strip() == "":
            continue
        try:
            scale_id = int(key.removeprefix("scale-"))
        except ValueError:
            continue
        text = str(raw).strip()
        number = whole_number(text)
        ratings[scale_id] = text if number is None else number
    return {
        "uid": uid_from(form),
        "ratings": ratings,
        "answered_at": when_from(form),
        "prompt": prompt_from(form),
    }


def prompt_from(form: Mapping[str, Any]) -> int | None:
    """The prompt this entry answers, if it came from one (checked by the action)."""
    return identifier(form.get("prompt") or "")
