"""Reading a client's entry from flat form fields, the same way whether it was posted by a
page or sent later from the phone's queue: `practice_from` and `check_in_from` return the
arguments for the actions, or raise EntryRefused naming the fields. Every text goes through
the one text rule (lib.text) first, so what is stored can always be shown again."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bridgework.care.access import Need
from bridgework.care.models import Client
from bridgework.lib import text
from bridgework.lib.numbers import identifier, whole_number
from bridgework.plans.access import get_plan_for_user
from bridgework.plans.models import ActionPlan
from bridgework.plans.seeds import SEEDABLE_FIELDS
from bridgework.practice import seeding, series, worksheets
from bridgework.practice.actions import EntryRefused

# A phone's clock may run a little fast; an entry dated further ahead is a typing slip.
CLOCK_SLACK = timedelta(hours=1)
EARLIEST_YEAR = 2000  # "0026-11-24" is a slip for 2026, not practice in the year 26
# Who may see an entry ("visible_to"): a diary entry is the client's alone unless they share
# it; practice on a plan is for the care team too.
ONLY_ME, CARE_TEAM = "me", "care-team"
# The fields of an entry besides its worksheet's, by the names the forms call them.
LABELS = {
    "note": gettext_lazy("Note"),
    "obstacles_note": gettext_lazy("What got in the way"),
    "practiced_at": gettext_lazy("When"),
    "answered_at": gettext_lazy("When"),
    "duration_minutes": gettext_lazy("For how many minutes"),
}


def label_of(sheet: worksheets.Worksheet | None, name: str) -> object:
    column = name.rsplit(".", 1)[-1]
    if sheet is not None and name.startswith("entries."):
        try:
            return sheet.label(column)
        except KeyError:
            pass
    return LABELS.get(name, gettext_lazy("This entry"))


def texts_checked(form: Mapping[str, Any], sheet: worksheets.Worksheet | None) -> dict[str, Any]:
    """The form with every text under the one text rule: line ends made LF, and a character
    no record can hold refused with a message naming its field."""
    checked: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for name, value in form.items():
        if isinstance(value, str):
            try:
                value = text.clean(value, label_of(sheet, name))
            except text.TextRefused as refused:
                problems[name] = str(refused)
                continue
        checked[name] = value
    if problems:
        raise EntryRefused(problems)
    return checked


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
    try:
        moment = parse_datetime(raw)  # ValueError: well formed, but no such day (30 February)
        if moment is not None:
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
            moment = moment.astimezone(UTC)  # OverflowError: year 1 east of Greenwich
    except (ValueError, OverflowError):
        moment = None
    if moment is None or moment.year < EARLIEST_YEAR:
        raise EntryRefused({"practiced_at": _("Enter a date and time like 2026-11-24 18:30.")})
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
    plan_id = identifier(raw)
    try:
        if plan_id is None:
            raise Http404
        return get_plan_for_user(
            request,
            plan_id,
            need=Need.WRITE,
            # What logging reads: the worksheet, and what its seeds may pre-fill.
            fields=("worksheet", "details", "template", *SEEDABLE_FIELDS),
        )
    except Http404:
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
    form = texts_checked(seeding.with_seeds(plan, sheet, form), sheet)
    entries = sheet_entries(sheet, form)
    minutes = minutes_from(form)
    if minutes is None and isinstance(entries.get("duration_minutes"), int):
        minutes = entries["duration_minutes"]  # the worksheet asked it (the form asks once)
    return {
        "uid": uid_from(form),
        "plan": plan,
        "sheet": sheet,
        "outcome": str(form.get("outcome") or ("" if plan is None else "done")),
        "entries": entries,
        "practiced_at": when_from(form),
        "duration_minutes": minutes,
        "obstacles_note": str(form.get("obstacles_note") or ""),
        "note": str(form.get("note") or ""),
        # Without a choice a diary entry is private (an entry queued on a phone before the
        # choice was on the form is private too: the safe side), practice on a plan is shared;
        # log_practice refuses a private plan entry.
        "private": private_from(form, unchosen=plan is None),
        "prompt": prompt_from(form),
    }


def sheet_entries(sheet: worksheets.Worksheet, form: Mapping[str, Any]) -> dict[str, Any]:
    """The worksheet's entries; fields a series gives and the client left empty are filled
    from it, after its rows are checked as the client numbers them (practice.series)."""
    refused = series.problems(sheet, form)
    if refused:
        raise EntryRefused(refused)
    return series.filled(sheet, worksheets.parse(sheet, form))


def private_from(form: Mapping[str, Any], *, unchosen: bool | None) -> bool:
    """The client's choice of who sees the entry ("visible_to"): True for only them, False
    for their care team too. `unchosen` is the answer when the form makes no choice; None
    when a choice is required."""
    chosen = str(form.get("visible_to") or "").strip()
    if not chosen and unchosen is not None:
        return unchosen
    if chosen not in (ONLY_ME, CARE_TEAM):
        raise EntryRefused({"visible_to": _("Choose who can see this entry.")})
    return chosen == ONLY_ME


def check_in_from(client: Client, form: Mapping[str, Any]) -> dict[str, Any]:
    form = texts_checked(form, None)
    ratings: dict[int, Any] = {}
    for key, raw in form.items():
        if not key.startswith("scale-") or str(raw).strip() == "":
            continue
        scale_id = identifier(key.removeprefix("scale-"))
        if scale_id is None:
            continue
        ratings[scale_id] = worksheets.number_from(raw)
    return {
        "uid": uid_from(form),
        "ratings": ratings,
        "answered_at": when_from(form),
        "prompt": prompt_from(form),
    }


def prompt_from(form: Mapping[str, Any]) -> int | None:
    """The prompt this entry answers, if it came from one (checked by the action)."""
    return identifier(form.get("prompt") or "")
