"""The worker's queue, shared by everything it sends (prompts, measures' flag notices and
accounts' e-mails): here, below every app, so each keeps its own rows on it.

A row to send is due when its `next_attempt_at` has come, or when the worker that claimed it
let its lease run out (it died). Claiming marks rows as this worker's for a while: on
PostgreSQL, rows another worker is claiming are skipped (SELECT … FOR UPDATE SKIP LOCKED); on
SQLite the write lock makes the claim one step. Only the worker still holding a row may
record its outcome (a conditional update on `claimed_by`), so an outcome is recorded once.
A failed try comes back after a pause that doubles each time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import models, transaction

M = TypeVar("M", bound=models.Model)


def claim(
    due: models.QuerySet[M], *, worker: str, until: datetime, batch: int, **taken: Any
) -> list[int]:
    """Take up to `batch` of the `due` rows, oldest try first, for `worker` until `until`;
    `taken` are the other fields that mark a row as being sent (its state)."""
    with transaction.atomic():
        ids = list(
            due.order_by("next_attempt_at")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:batch]
        )
        due.model._default_manager.filter(pk__in=ids).update(
            claimed_by=worker, lease_until=until, **taken
        )
    return ids


def pause_after(attempts: int) -> timedelta:
    """How long to wait before the next try, after `attempts` failed ones: 2, 4, 8… minutes."""
    return timedelta(minutes=2**attempts)


class Outgoing(models.Model):
    """The queue's fields of a message the worker sends (a flag notice, an account e-mail).
    The concrete model adds its `state` with a `State` of WAITING, SENDING, SENT, FAILED and
    CANCELLED, and its `next_attempt_at`."""

    attempts = models.PositiveSmallIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=80, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Why the last try failed, or why it was not sent: never an address, nothing about a client.
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        abstract = True


def held(row: Outgoing, worker: str) -> models.QuerySet[Any]:
    """The row, if `worker` still holds it: what an outcome may be recorded on."""
    # `state` is the concrete model's field (each queue has its own State), unknown to this one.
    sending = {"state": type(row).State.SENDING}  # type: ignore[attr-defined]
    return type(row)._default_manager.filter(pk=row.pk, claimed_by=worker, **sending)


def record_outcome(
    row: Outgoing, *, worker: str, state: str, detail: str, now: datetime, **more: Any
) -> bool:
    """Record how the row's try ended, once: only if `worker` still holds it. A sent row
    notes when."""
    fields: dict[str, Any] = {"state": state, "lease_until": None, "detail": detail[:300], **more}
    if state == type(row).State.SENT:  # type: ignore[attr-defined]
        fields["sent_at"] = now
    if not held(row, worker).update(**fields):
        return False
    for name, value in fields.items():
        setattr(row, name, value)
    return True


def try_again_later(
    row: Outgoing, *, worker: str, reason: str, now: datetime, give_up: Callable[[int], object]
) -> None:
    """A failed try: again after a growing pause, or `give_up(attempts)` after the last of
    PROMPT_MAX_ATTEMPTS tries."""
    attempts = row.attempts + 1
    if attempts >= settings.PROMPT_MAX_ATTEMPTS:
        give_up(attempts)
        return
    held(row, worker).update(
        state=type(row).State.WAITING,  # type: ignore[attr-defined]
        attempts=attempts,
        lease_until=None,
        next_attempt_at=now + pause_after(attempts),
        detail=reason[:300],
    )
