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

from datetime import datetime, timedelta
from typing import Any, TypeVar

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
