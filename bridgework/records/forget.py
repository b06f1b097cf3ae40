"""The phone forgets on next contact: an erased client's sessions are deleted, and what is
kept of them is the SHA-256 of each key, so the phone's next request can be told to delete
the entries it stored offline (records.middleware). docs/erasure.md, "The phone forgets"."""

from __future__ import annotations

import hashlib

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.utils import timezone

from bridgework.accounts.models import User
from bridgework.records.models import ForgottenSession


def key_hash(session_key: str) -> str:
    return hashlib.sha256(session_key.encode()).hexdigest()


def forget_sessions(account: User) -> int:
    """Delete the account's sessions, leaving a marker for each. Sessions name their user only
    inside their signed data, so this reads every live session: an erasure is rare, and a
    table of whose sessions are whose would be one more record of the client to erase."""
    now, user_id, found = timezone.now(), str(account.pk), []
    for session in Session.objects.filter(expire_date__gt=now).iterator(chunk_size=1000):
        if session.get_decoded().get(SESSION_KEY) == user_id:
            found.append(session)
    ForgottenSession.objects.bulk_create(
        [
            ForgottenSession(key_hash=key_hash(s.session_key), expires_at=s.expire_date)
            for s in found
        ],
        ignore_conflicts=True,
    )
    Session.objects.filter(session_key__in=[s.session_key for s in found]).delete()
    return len(found)


def take_marker(session_key: str) -> bool:
    """Whether this session belonged to an erased client; its marker is used up. Asked first
    and deleted only when found: anonymous sessions are common (a passkey ceremony keeps its
    state in one), and on SQLite a DELETE takes the write lock even when nothing matches."""
    markers = ForgottenSession.objects.filter(
        key_hash=key_hash(session_key), expires_at__gt=timezone.now()
    )
    if not markers.exists():
        return False
    gone, _kinds = markers.delete()
    return gone > 0


def prune() -> int:
    """Markers of sessions that would have ended anyway."""
    gone, _kinds = ForgottenSession.objects.filter(expires_at__lte=timezone.now()).delete()
    return gone
