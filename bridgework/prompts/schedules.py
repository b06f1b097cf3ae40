"""Every change to schedules: validated against the rule and the client's consents, audited,
and planned ahead at once (planner)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bridgework.accounts.models import User
from bridgework.audit.models import AccessEvent
from bridgework.audit.trail import changed, snapshot
from bridgework.care.actions import consents_given
from bridgework.care.models import Client
from bridgework.plans.models import ActionPlan
from bridgework.prompts import rules
from bridgework.prompts.models import Channel, Prompt, Schedule
from bridgework.prompts.planner import cancel, plan_ahead, zone_of
from bridgework.prompts.states import CONSENT_FOR, OPEN_PLAN, PENDING

CREATE, CHANGE = AccessEvent.Action.CREATE, AccessEvent.Action.CHANGE


def check_channels(client: Client, channels: list[str]) -> list[str]:
    """The channels asked for, if the client consented to each; in-app is always on."""
    unknown = set(channels) - set(Channel.values)
    if unknown:
        raise rules.RuleError({"channels": _("Unknown channel.")})
    given = consents_given(client)
    missing = [
        str(Channel(c).label)
        for c in channels
        if c in CONSENT_FOR and CONSENT_FOR[Channel(c)] not in given
    ]
    if missing:
        raise rules.RuleError(
            {
                "channels": _(
                    "%(channels)s: the client has not allowed reminders this way. They can "
                    "allow it in their Settings; until then, choose another channel."
                )
                % {"channels": ", ".join(missing)}
            }
        )
    return sorted({Channel.IN_APP, *channels})


@transaction.atomic
def set_schedule(
    client: Client,
    *,
    by: User,
    purpose: str,
    rule: dict[str, Any],
    channels: list[str],
    plan: ActionPlan | None = None,
    replaces: Schedule | None = None,
    origin: str = "",
) -> Schedule:
    """Create a schedule, or a new version of `replaces`: its future prompts are cancelled and
    planned again from the new rule; past prompts and their history stay. A new version keeps
    the origin of the one it replaces; a new schedule is the therapist's unless `origin` says."""
    checked = rules.Rule.from_dict(rule)
    if plan is not None and (plan.client_id != client.pk or plan.status not in OPEN_PLAN):
        raise rules.RuleError(
            {"plan": _("Reminders can be set for this client's agreed or active plans only.")}
        )
    never = never_comes(checked, client, plan)
    if never:
        raise rules.RuleError(never)
    schedule = Schedule.objects.create(
        client=client,
        plan=plan,
        purpose=purpose,
        kind=checked.kind,
        rule=checked.to_dict(),
        channels=check_channels(client, channels),
        created_by=by,
        version=replaces.version + 1 if replaces else 1,
        origin=origin or (replaces.origin if replaces else Schedule.Origin.THERAPIST),
    )
    if replaces is not None:
        Schedule.objects.filter(pk=replaces.pk).update(superseded_at=timezone.now())
        cancel_future(replaces, _("schedule changed"))
        # A new version: its row compares it with the version it replaces.
        changed(by, CHANGE, schedule, before=snapshot(replaces), detail={"replaces": replaces.pk})
    else:
        changed(by, CREATE, schedule)
    plan_ahead(schedule)
    return schedule


def never_comes(rule: rules.Rule, client: Client, plan: ActionPlan | None) -> dict[str, str]:
    """Why a reminder "once, after the session" would never come, on its offset_days field:
    it counts from the session its plan was set in, so without that session, or once that
    moment has passed, the planner makes no prompt at all, while the plan's summary still
    promises it. Empty when it will come (and for the other kinds)."""
    if rule.kind != Schedule.Kind.RELATIVE:
        return {}
    session = plan.set_in_session if plan is not None else None
    if session is None:
        return {
            "offset_days": _(
                "“Once, after the session” counts from the session the plan was set in, and "
                "this plan was set in none. Choose that session, or remind at fixed times "
                "on chosen days."
            )
        }
    zone = zone_of(client)
    moment = rules.once_after(rule, zone, session.starts_at)
    if moment > timezone.now():
        return {}
    message = ngettext(
        "%(n)d day after session %(number)d is %(when)s, and that has passed: this reminder "
        "would never come. Remind at fixed times on chosen days instead.",
        "%(n)d days after session %(number)d is %(when)s, and that has passed: this reminder "
        "would never come. Remind at fixed times on chosen days instead.",
        rule.offset_days,
    )
    when = f"{date_format(moment.astimezone(zone), 'DATE_FORMAT')}, {rule.at}"
    return {
        "offset_days": message % {"n": rule.offset_days, "number": session.number, "when": when}
    }


@transaction.atomic
def end_schedule(schedule: Schedule, *, by: User | None, reason: str) -> None:
    was = snapshot(schedule)
    schedule.ended_at = timezone.now()
    Schedule.objects.filter(pk=schedule.pk).update(ended_at=schedule.ended_at)
    cancel_future(schedule, reason)
    changed(by, CHANGE, schedule, before=was)


def cancel_future(schedule: Schedule, reason: str) -> None:
    """Cancel the schedule's prompts not yet sent."""
    cancel(Prompt.objects.filter(schedule=schedule, state__in=PENDING), reason)


def plan_all(now: datetime | None = None) -> int:
    """The planner's round: end schedules whose plan closed, and plan ahead for the rest."""
    count = 0
    current = Schedule.objects.filter(superseded_at=None, ended_at=None).select_related(
        "client__clinic", "plan__set_in_session"
    )
    for schedule in current.iterator(chunk_size=500):
        if schedule.plan is not None and schedule.plan.status not in OPEN_PLAN:
            end_schedule(schedule, by=None, reason=str(_("plan ended")))
            continue
        count += plan_ahead(schedule, now)
    return count
