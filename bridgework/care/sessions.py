"""Where "now" stands among a client's therapy sessions, by one rule for every page: a session
that began less than SESSION_RUNS ago is still going on, so "since the last session" during a
session (and while its notes are written) means since the one before."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.utils import timezone

from bridgework.care.models import Client, TherapySession

SESSION_RUNS = timedelta(hours=3)


def has_ended(session: TherapySession, now: datetime | None = None) -> bool:
    return session.starts_at <= (now or timezone.now()) - SESSION_RUNS


def previous_session(client: Client, now: datetime | None = None) -> TherapySession | None:
    """The last session before the one going on or coming up."""
    ended_by = (now or timezone.now()) - SESSION_RUNS
    return client.sessions.filter(starts_at__lte=ended_by).order_by("-starts_at").first()


def previous_in(
    newest_first: Iterable[TherapySession], now: datetime | None = None
) -> TherapySession | None:
    """previous_session, from sessions a page already holds (newest first)."""
    return next((session for session in newest_first if has_ended(session, now)), None)
