"""Where "now" stands among a client's therapy sessions, by one set of rules for every page:

- a session that began less than SESSION_RUNS ago is still going on, so during a session (and
  while its notes are written) "the last session" is the one before it, and "the coming
  session" is this one;
- what is made up to EARLY before a session starts belongs to that session (therapists open
  the editor a little early, or record the start a little late);
- before a client's first session, "since last time" looks back LOOK_BACK."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from bridgework.care.models import Client, TherapySession

SESSION_RUNS = timedelta(hours=3)
EARLY = timedelta(hours=2)
LOOK_BACK = timedelta(weeks=2)


def previous_session(client: Client, now: datetime | None = None) -> TherapySession | None:
    """The last session before the one going on or coming up."""
    ended_by = (now or timezone.now()) - SESSION_RUNS
    return client.sessions.filter(starts_at__lte=ended_by).order_by("-starts_at").first()


def coming_session(client: Client, now: datetime | None = None) -> TherapySession | None:
    """The session going on now, or else the next one booked."""
    ended_by = (now or timezone.now()) - SESSION_RUNS
    return client.sessions.filter(starts_at__gt=ended_by).order_by("starts_at").first()


def session_for_now(client: Client, now: datetime | None = None) -> TherapySession | None:
    """The session something made now belongs to: the one going on (or about to start), or
    else the most recent."""
    cutoff = (now or timezone.now()) + EARLY
    return client.sessions.filter(starts_at__lte=cutoff).order_by("-starts_at").first()


def since_last_session(client: Client, now: datetime | None = None) -> datetime:
    """Where "since last time" starts: the previous session's start (see above)."""
    now = now or timezone.now()
    last = previous_session(client, now)
    return last.starts_at if last else now - LOOK_BACK
