"""Planning a schedule's prompts ahead: the coming days' prompts are made from its rule, in
the client's time zone; a prompt no longer wanted is cancelled with the reason."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgework.care.models import Client
from bridgework.prompts import rules
from bridgework.prompts.models import Prompt, PromptEvent, Schedule
from bridgework.prompts.states import PENDING


def zone_of(client: Client) -> ZoneInfo:
    return ZoneInfo(client.local_time_zone)


def cancel(prompts: QuerySet[Prompt], reason: str) -> None:
    """Cancel these prompts (those still pending), each with an event giving the reason."""
    doomed = list(prompts.filter(state__in=PENDING).values_list("pk", flat=True))
    Prompt.objects.filter(pk__in=doomed, state__in=PENDING).update(state=Prompt.State.CANCELLED)
    PromptEvent.objects.bulk_create(
        PromptEvent(prompt_id=pk, state=Prompt.State.CANCELLED, detail=reason) for pk in doomed
    )


def plan_ahead(schedule: Schedule, now: datetime | None = None) -> int:
    """Create the prompts of the coming days (settings.PROMPT_HORIZON_DAYS) that do not exist
    yet. Safe to run from several workers at once: (schedule, due_at) is unique."""
    now = now or timezone.now()
    zone = zone_of(schedule.client)
    today = now.astimezone(zone).date()
    rule = rules.Rule.from_dict(schedule.rule)
    anchor = (
        schedule.plan.set_in_session.starts_at
        if (schedule.plan and schedule.plan.set_in_session)
        else None
    )
    window = rules.Window(today, today + timedelta(days=settings.PROMPT_HORIZON_DAYS))
    booked = (
        tuple(
            schedule.client.sessions.filter(
                starts_at__gt=now, starts_at__lte=now + timedelta(days=window_days(rule))
            ).values_list("starts_at", flat=True)
        )
        if rule.kind == Schedule.Kind.BEFORE_SESSION
        else ()
    )
    moments = [
        m
        for m in rules.moments(
            rule, zone, window, seed=str(schedule.pk), anchor=anchor, sessions=booked
        )
        if m > now
    ]
    if rule.kind == Schedule.Kind.BEFORE_SESSION:
        # A future prompt whose session is no longer booked at that time; one already due
        # stays for the worker to send.
        stale = Prompt.objects.filter(
            schedule=schedule, state=Prompt.State.SCHEDULED, due_at__gt=now
        ).exclude(due_at__in=moments)
        cancel(stale, _("the session was moved or cancelled"))
    existing = set(
        Prompt.objects.filter(schedule=schedule, due_at__in=moments).values_list(
            "due_at", flat=True
        )
    )
    fresh = [
        Prompt(
            schedule=schedule,
            client_id=schedule.client_id,
            plan_id=schedule.plan_id,
            purpose=schedule.purpose,
            due_at=moment,
            next_attempt_at=moment,
            expires_at=moment + timedelta(minutes=rule.expire_after),
        )
        for moment in moments
        if moment not in existing
    ]
    Prompt.objects.bulk_create(fresh, ignore_conflicts=True)
    # ignore_conflicts returns no ids; find the new rows (another planner may have made some).
    new = Prompt.objects.filter(
        schedule=schedule, due_at__in=[p.due_at for p in fresh], events__isnull=True
    )
    PromptEvent.objects.bulk_create(
        PromptEvent(prompt=prompt, state=Prompt.State.SCHEDULED) for prompt in new
    )
    return len(fresh)


def window_days(rule: rules.Rule) -> float:
    """How far ahead booked sessions matter: the horizon plus the time before a session."""
    return settings.PROMPT_HORIZON_DAYS + rule.hours_before / 24 + 1
