"""The worker's claim on due prompts and what it records after trying them: safe with several
workers. Each transition is a conditional update on the prompt's state and owner, so two
workers can never both move the same prompt on."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bridgework.lib import leases
from bridgework.prompts.models import Prompt, PromptEvent
from bridgework.prompts.states import PENDING, WAITING_FOR_ANSWER

# The outcome's detail of a prompt whose worker died (or stalled past its lease) after it began
# handing the prompt to a channel and before recording how that went: it may or may not have
# gone out. It is not sent again — at most once, since a reminder twice is the worse harm —
# and the therapist reads why.
UNCONFIRMED = "not confirmed: the worker stopped while handing it over; not sent again"


def claim(worker: str, *, batch: int, lease: timedelta, now: datetime | None = None) -> list[int]:
    """Take up to `batch` due prompts for this worker (see lib.leases: SKIP LOCKED on
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
            # Locked, and the hold checked again under the lock: a worker whose lease ran out
            # while another claims the prompt must not move it on after that claim commits.
            mine = list(
                Prompt.objects.select_for_update()
                .filter(pk__in=pks, claimed_by=worker, state=Prompt.State.SENDING)
                .values_list("pk", flat=True)
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


def hand_over(worker: str, prompt: Prompt) -> bool:
    """Note, committed before any channel is called, that this worker is handing the prompt
    over; False when it no longer holds the prompt (its lease ran out and another took it)."""
    now = timezone.now()
    taken = Prompt.objects.filter(
        pk=prompt.pk, claimed_by=worker, state=Prompt.State.SENDING, handed_over_at=None
    ).update(handed_over_at=now)
    prompt.handed_over_at = now
    return bool(taken)


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
        handed_over_at=None,  # every channel refused it: nothing went out
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
