"""Reminders designed with a plan (plans.reminders) become that plan's schedule.

Plans stores the design and asks here whether it is possible (plans.hooks: the rule, the
client's consents); once the plan is agreed, the plan's one designed schedule (origin PLAN)
follows the design: made when the plan is agreed, a new version when an agreed or active plan's
design changes, ended when it becomes "no reminders" (plans.signals, sent inside the plan's
transaction, so a refused schedule refuses the plan's change too). The schedule's later life is
as any schedule's: the client may move its times, and it ends with the plan.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bridgework.accounts.models import User
from bridgework.care.actions import consents_given
from bridgework.care.models import Client
from bridgework.lib.week import weekday_names
from bridgework.plans.models import ActionPlan
from bridgework.plans.reminders import RemindersRefused
from bridgework.prompts import rules, schedules
from bridgework.prompts.models import Channel, Purpose, Schedule
from bridgework.prompts.states import CONSENT_FOR, OPEN_PLAN

# --- the hooks' answers -----------------------------------------------------------------------


def problems(plan: ActionPlan | None, design: dict[str, Any]) -> dict[str, str]:
    """What is wrong with a design, by field: its rule; and for a plan, the channels its
    client consented to and whether a reminder "once, after the session" would ever come."""
    try:
        rule = rules.Rule.from_dict(dict(design.get("rule") or {}))
    except rules.RuleError as refused:
        return refused.problems
    if plan is None:
        return {}
    found = schedules.never_comes(rule, plan.client, plan)
    try:
        schedules.check_channels(plan.client, list(design.get("channels") or []))
    except rules.RuleError as refused:
        found.update(refused.problems)
    return found


def channels_for(client: Client) -> list[tuple[str, str]]:
    """The ways beyond the app the client consented to, as choices."""
    given = consents_given(client)
    return [
        (c.value, str(c.label)) for c in Channel if c in CONSENT_FOR and CONSENT_FOR[c] in given
    ]


def in_words(design: dict[str, Any]) -> str:
    """A design in words, in the active language: "Every day at 19:00 · also by E-mail"."""
    rule = design.get("rule") or {}
    if not rule:
        return _("No reminders")
    days = list(rule.get("weekdays", rules.EVERY_DAY))
    on_days = (
        _("every day")
        if sorted(days) == list(rules.EVERY_DAY)
        else ", ".join(weekday_names()[d] for d in sorted(days) if 0 <= d <= 6)
    )
    kind = rule.get("kind")
    if kind == "fixed":
        words = _("%(days)s at %(times)s") % {
            "days": on_days,
            "times": ", ".join(rule.get("times", [])),
        }
    elif kind == "relative":
        words = ngettext(
            "%(n)d day after the session, at %(at)s",
            "%(n)d days after the session, at %(at)s",
            rule.get("offset_days", 1),
        ) % {"n": rule.get("offset_days", 1), "at": rule.get("at", "19:00")}
    else:
        words = _("%(n)s random moments between %(start)s and %(end)s, %(days)s") % {
            "n": rule.get("samples", 3),
            "start": rule.get("window_start", "09:00"),
            "end": rule.get("window_end", "21:00"),
            "days": on_days,
        }
    ways = [str(Channel(c).label) for c in design.get("channels", []) if c in Channel.values]
    ways = [way for way in ways if way != str(Channel.IN_APP.label)]
    if ways:
        words += " · " + _("also by %(ways)s") % {"ways": ", ".join(ways)}
    return words[:1].upper() + words[1:]


def now_for(plan: ActionPlan) -> dict[str, Any]:
    """The plan's designed schedule as it is now, as a design (the client may have moved its
    times); a closed plan's, as it stood when the plan closed."""
    current = designed_schedule(plan)
    if current is None and plan.status not in OPEN_PLAN:
        current = (
            Schedule.objects.filter(plan=plan, origin=Schedule.Origin.PLAN, superseded_at=None)
            .order_by("-created_at", "-id")
            .first()
        )
    if current is None:
        return {}
    return {
        "rule": rules.essentials(current.rule),
        "channels": [c for c in current.channels if c != Channel.IN_APP],
    }


# --- the plan's signals -------------------------------------------------------------------------


def designed_schedule(plan: ActionPlan) -> Schedule | None:
    return Schedule.objects.filter(
        plan=plan, origin=Schedule.Origin.PLAN, superseded_at=None, ended_at=None
    ).first()


def follow_design(plan: ActionPlan, by: User) -> None:
    """Make the plan's designed schedule say what its design says (or end it)."""
    current = designed_schedule(plan)
    design = plan.reminders
    if not design:
        if current is not None:
            schedules.end_schedule(current, by=by, reason=str(_("reminders taken out of the plan")))
        return
    try:
        schedules.set_schedule(
            plan.client,
            by=by,
            purpose=Purpose.PRACTICE,
            rule=dict(design["rule"]),
            channels=list(design.get("channels", [])),
            plan=plan,
            replaces=current,
            origin=Schedule.Origin.PLAN,
        )
    except rules.RuleError as refused:
        raise RemindersRefused(refused.problems) from None


def on_plan_agreed(sender: Any, *, plan: ActionPlan, by: User, **kwargs: Any) -> None:
    follow_design(plan, by)
    carry_over_own_reminders(plan, by)


def carry_over_own_reminders(plan: ActionPlan, by: User) -> None:
    """A plan that replaces a reviewed one ("modify") takes over the reminders the client added
    to that one, as they stood when it was reviewed (one they had stopped before stays
    stopped), on the ways they still allow."""
    reviewed = plan.replaces
    if reviewed is None or reviewed.closed_at is None:
        return
    own = Schedule.objects.filter(
        plan=reviewed,
        origin=Schedule.Origin.CLIENT,
        superseded_at=None,
        ended_at__gte=reviewed.closed_at,
    ).order_by("created_at", "id")
    allowed = {value for value, _label in channels_for(plan.client)}
    for schedule in own:
        schedules.set_schedule(
            plan.client,
            by=by,
            purpose=schedule.purpose,
            rule=dict(schedule.rule),
            channels=[c for c in schedule.channels if c in allowed],
            plan=plan,
            origin=Schedule.Origin.CLIENT,
        )


def on_reminders_changed(sender: Any, *, plan: ActionPlan, by: User, **kwargs: Any) -> None:
    follow_design(plan, by)


def on_plan_reviewed(sender: Any, *, plan: ActionPlan, by: User, **kwargs: Any) -> None:
    """A review that closes the plan (stop, modify) ends its reminders at once, rather than at
    the planner's next round: the client's reminders page no longer lists them. (A modified
    plan's successor draft starts from the reminders as they stood; its schedule, and the
    client's own reminders carried over, start when it is agreed.)"""
    if plan.status in OPEN_PLAN:
        return
    for schedule in Schedule.objects.filter(plan=plan, superseded_at=None, ended_at=None):
        schedules.end_schedule(schedule, by=by, reason=str(_("plan reviewed and closed")))
