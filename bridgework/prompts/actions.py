"""Every change to schedules and prompts: validated, audited, and safe with several workers.

A prompt's life cycle is kept as PromptEvent rows: scheduled → sent / delivered → opened →
answered, or snoozed, expired, failed (with the reason) or cancelled (its schedule changed or
its plan ended). Worker transitions are conditional updates on the prompt's state and owner, so
two workers can never both move the same prompt on.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgework.accounts.models import User
from bridgework.audit.models import AccessEvent
from bridgework.audit.trail import changed
from bridgework.care.actions import consents_given, set_consent
from bridgework.care.models import Client, Consent
from bridgework.lib.tokens import new_token, token_hash
from bridgework.plans.models import ActionPlan, Status
from bridgework.prompts import leases, rules
from bridgework.prompts.models import (
    CalendarFeed,
    Channel,
    Prompt,
    PromptEvent,
    PushSubscription,
    Schedule,
)

CREATE, CHANGE, DELETE = (
    AccessEvent.Action.CREATE,
    AccessEvent.Action.CHANGE,
    AccessEvent.Action.DELETE,
)
CONSENT_FOR = {
    Channel.EMAIL: Consent.Purpose.REMINDERS_EMAIL,
    Channel.PUSH: Consent.Purpose.REMINDERS_PUSH,
    Channel.CALENDAR: Consent.Purpose.REMINDERS_CALENDAR,
}
OPEN_PLAN = (Status.AGREED, Status.ACTIVE)
PENDING = (Prompt.State.SCHEDULED, Prompt.State.SNOOZED)
WAITING_FOR_ANSWER = (Prompt.State.SENT, Prompt.State.DELIVERED, Prompt.State.OPENED)


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


def zone_of(client: Client) -> ZoneInfo:
    return ZoneInfo(client.local_time_zone)


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
) -> Schedule:
    """Create a schedule, or a new version of `replaces`: its future prompts are cancelled and
    planned again from the new rule; past prompts and their history stay."""
    checked = rules.Rule.from_dict(rule)
    if plan is not None and (plan.client_id != client.pk or plan.status not in OPEN_PLAN):
        raise rules.RuleError(
            {"plan": _("Reminders can be set for this client's agreed or active plans only.")}
        )
    schedule = Schedule.objects.create(
        client=client,
        plan=plan,
        purpose=purpose,
        kind=checked.kind,
        rule=checked.to_dict(),
        channels=check_channels(client, channels),
        created_by=by,
        version=replaces.version + 1 if replaces else 1,
    )
    if replaces is not None:
        Schedule.objects.filter(pk=replaces.pk).update(superseded_at=timezone.now())
        cancel_future(replaces, _("schedule changed"))
    changed(
        by,
        CHANGE if replaces else CREATE,
        "schedule",
        schedule.pk,
        clinic_id=client.clinic_id,
        client_id=client.pk,
    )
    plan_ahead(schedule)
    return schedule


@transaction.atomic
def end_schedule(schedule: Schedule, *, by: User | None, reason: str) -> None:
    Schedule.objects.filter(pk=schedule.pk).update(ended_at=timezone.now())
    cancel_future(schedule, reason)
    changed(
        by,
        CHANGE,
        "schedule",
        schedule.pk,
        clinic_id=schedule.client.clinic_id,
        client_id=schedule.client_id,
    )


def cancel_future(schedule: Schedule, reason: str) -> None:
    """Cancel the schedule's prompts not yet sent."""
    cancel(Prompt.objects.filter(schedule=schedule, state__in=PENDING), reason)


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


# --- the worker's steps -----------------------------------------------------------------------


def claim(worker: str, *, batch: int, lease: timedelta, now: datetime | None = None) -> list[int]:
    """Take up to `batch` due prompts for this worker (see prompts.leases: SKIP LOCKED on
    PostgreSQL, the write lock on SQLite). A prompt whose lease ran out (its worker died) is
    due again."""
    now = now or timezone.now()
    due = Q(state=Prompt.State.SCHEDULED, next_attempt_at__lte=now) | Q(
        state=Prompt.State.SENDING, lease_until__lt=now
    )
    return leases.claim(
        Prompt.objects.filter(due),
        worker=worker,
        until=now + lease,
        batch=batch,
        state=Prompt.State.SENDING,
    )


def finish(worker: str, outcomes: dict[int, tuple[str, str, str]]) -> int:
    """Record what happened to claimed prompts: {id: (state, channel, detail)}. Only prompts
    this worker still holds move on; returns how many did."""
    now = timezone.now()
    moved = 0
    with transaction.atomic():
        by_state: dict[str, list[int]] = {}
        for pk, (state, _channel, _detail) in outcomes.items():
            by_state.setdefault(state, []).append(pk)
        held: set[int] = set()
        for state, pks in by_state.items():
            mine = list(
                Prompt.objects.filter(
                    pk__in=pks, claimed_by=worker, state=Prompt.State.SENDING
                ).values_list("pk", flat=True)
            )
            sent_at = (
                {"sent_at": now} if state in (Prompt.State.SENT, Prompt.State.DELIVERED) else {}
            )
            moved += Prompt.objects.filter(pk__in=mine).update(
                state=state, lease_until=None, **sent_at
            )
            held.update(mine)
        PromptEvent.objects.bulk_create(
            PromptEvent(prompt_id=pk, state=state, channel=channel, detail=detail[:300], at=now)
            for pk, (state, channel, detail) in outcomes.items()
            if pk in held
        )
    return moved


def retry_later(worker: str, prompt: Prompt, reason: str) -> None:
    """A failed try: again after a growing pause, or failed for good after the last try."""
    attempts = prompt.attempts + 1
    if attempts >= settings.PROMPT_MAX_ATTEMPTS:
        finish(worker, {prompt.pk: (Prompt.State.FAILED, "", reason)})
        Prompt.objects.filter(pk=prompt.pk).update(attempts=attempts, failure=reason[:300])
        return
    pause = leases.pause_after(attempts)
    Prompt.objects.filter(pk=prompt.pk, claimed_by=worker, state=Prompt.State.SENDING).update(
        state=Prompt.State.SCHEDULED,
        attempts=attempts,
        lease_until=None,
        next_attempt_at=timezone.now() + pause,
        failure=reason[:300],
    )


def expire_overdue(now: datetime | None = None) -> int:
    now = now or timezone.now()
    overdue = list(
        Prompt.objects.filter(
            Q(state__in=WAITING_FOR_ANSWER) | Q(state__in=PENDING), expires_at__lte=now
        ).values_list("pk", flat=True)[:5000]
    )
    count = (
        Prompt.objects.filter(pk__in=overdue)
        .exclude(state__in=(Prompt.State.ANSWERED, Prompt.State.SENDING))
        .update(state=Prompt.State.EXPIRED)
    )
    PromptEvent.objects.bulk_create(
        PromptEvent(prompt_id=pk, state=Prompt.State.EXPIRED) for pk in overdue
    )
    return count


# --- what the client does ---------------------------------------------------------------------


@transaction.atomic
def mark_opened(prompt: Prompt, *, by: User) -> Prompt:
    if prompt.state in (*WAITING_FOR_ANSWER, Prompt.State.SNOOZED) and not prompt.opened_at:
        prompt.state, prompt.opened_at = Prompt.State.OPENED, timezone.now()
        prompt.save(update_fields=["state", "opened_at"])
        client_step(prompt, Prompt.State.OPENED, by=by)
    return prompt


def client_step(prompt: Prompt, state: str, *, by: User, detail: str = "") -> None:
    """A step the client took with a prompt: in its life cycle and in the audit trail."""
    PromptEvent.objects.create(prompt=prompt, state=state, detail=detail)
    changed(
        by,
        CHANGE,
        "prompt",
        prompt.pk,
        clinic_id=prompt.client.clinic_id,
        client_id=prompt.client_id,
    )


@transaction.atomic
def answer(prompt_id: int, client: Client, *, by: User) -> Prompt | None:
    """Mark a prompt answered: by the action that saves its answer (a practice log, check-in
    or the last questionnaire), or on opening a questionnaire reminder whose questionnaires
    are all filled in already. A prompt of another client, or one already closed, is ignored."""
    prompt = Prompt.objects.filter(pk=prompt_id, client=client).first()
    if prompt is None or prompt.state in (Prompt.State.ANSWERED, Prompt.State.CANCELLED):
        return prompt
    prompt.state, prompt.answered_at = Prompt.State.ANSWERED, timezone.now()
    prompt.save(update_fields=["state", "answered_at"])
    client_step(prompt, Prompt.State.ANSWERED, by=by)
    return prompt


SNOOZE_CHOICES = (10, 30, 60, 120)


def snooze_choices(prompt: Prompt, now: datetime | None = None) -> list[int]:
    """Snoozes that still end before the prompt expires."""
    now = now or timezone.now()
    return [m for m in SNOOZE_CHOICES if now + timedelta(minutes=m) < prompt.expires_at]


@transaction.atomic
def snooze(prompt: Prompt, minutes: int, *, by: User) -> Prompt:
    if minutes not in snooze_choices(prompt) or prompt.state not in WAITING_FOR_ANSWER:
        raise rules.RuleError(
            {
                "minutes": _("This reminder can't be snoozed that long: it closes at %(time)s.")
                % {"time": timezone.localtime(prompt.expires_at).strftime("%H:%M")}
            }
        )
    later = timezone.now() + timedelta(minutes=minutes)
    Prompt.objects.filter(pk=prompt.pk).update(state=Prompt.State.SCHEDULED, next_attempt_at=later)
    client_step(prompt, Prompt.State.SNOOZED, by=by, detail=f"{minutes} minutes")
    prompt.refresh_from_db()
    return prompt


@transaction.atomic
def new_calendar_feed(client: Client, *, by: User) -> str:
    """A new private calendar address (the old one stops working). Returns the secret."""
    CalendarFeed.objects.filter(client=client, revoked_at=None).update(revoked_at=timezone.now())
    token = new_token()
    feed = CalendarFeed.objects.create(client=client, token_hash=token_hash(token))
    changed(by, CREATE, "calendar-feed", feed.pk, clinic_id=client.clinic_id, client_id=client.pk)
    return token


@transaction.atomic
def revoke_calendar_feeds(client: Client, *, by: User | None) -> None:
    CalendarFeed.objects.filter(client=client, revoked_at=None).update(revoked_at=timezone.now())
    changed(by, CHANGE, "calendar-feed", client.pk, clinic_id=client.clinic_id, client_id=client.pk)


def push_endpoint_allowed(endpoint: str) -> bool:
    """Only https on the standard port, at a known push service (settings.PUSH_SERVICE_HOSTS)."""
    url = urlsplit(endpoint)
    host = (url.hostname or "").lower()
    if url.scheme != "https" or url.username or url.password or url.port not in (None, 443):
        return False
    return any(host == known or host.endswith("." + known) for known in settings.PUSH_SERVICE_HOSTS)


@transaction.atomic
def turn_on_push(client: Client, *, by: User, endpoint: str, p256dh: str, auth: str) -> None:
    """The client turns notifications on for this phone: consent and subscription together
    (a refused subscription gives no consent either)."""
    subscribe_push(client, by=by, endpoint=endpoint, p256dh=p256dh, auth=auth)
    set_consent(client, Consent.Purpose.REMINDERS_PUSH, True, by=by)


@transaction.atomic
def subscribe_push(
    client: Client, *, by: User, endpoint: str, p256dh: str, auth: str
) -> PushSubscription:
    if not push_endpoint_allowed(endpoint):
        raise ValueError("not a known push service")
    if not (20 <= len(p256dh) <= 200 and 8 <= len(auth) <= 100):
        raise ValueError("keys")
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint, defaults={"client": client, "p256dh": p256dh, "auth": auth}
    )
    changed(
        by,
        CREATE,
        "push-subscription",
        subscription.pk,
        clinic_id=client.clinic_id,
        client_id=client.pk,
    )
    return subscription


@transaction.atomic
def forget_gone_phone(client: Client, subscription: PushSubscription) -> None:
    """The push service says this phone of the client's unsubscribed (404 or 410): it gets
    no more notifications. The system forgets it; nobody asked."""
    subscription_id = subscription.pk
    subscription.delete()
    changed(
        None,
        DELETE,
        "push-subscription",
        subscription_id,
        clinic_id=client.clinic_id,
        client_id=client.pk,
    )


@transaction.atomic
def forget_push_subscriptions(client: Client, *, by: User | None) -> None:
    """Every phone of this client stops getting notifications (push consent withdrawn)."""
    PushSubscription.objects.filter(client=client).delete()
    changed(
        by, DELETE, "push-subscription", client.pk, clinic_id=client.clinic_id, client_id=client.pk
    )
