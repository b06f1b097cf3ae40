"""Signing people in: how long they stay signed in, and whether they owe a second factor."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest

from bridgework.accounts.models import User
from bridgework.accounts.passkeys import has_second_factor
from bridgework.audit import trail
from bridgework.audit.models import AccessEvent


def needs_second_factor(user: User) -> bool:
    return user.is_staff_member and (user.clinic.staff_mfa_required or has_second_factor(user))


def sign_in(request: HttpRequest, user: User) -> None:
    """Clients stay signed in on their own phone; staff sessions end after the clinic's idle
    timeout (IdleTimeoutMiddleware slides it while they work)."""
    login(request, user, backend="bridgework.accounts.backends.Backend")
    if user.is_client:
        request.session.set_expiry(int(settings.CLIENT_SESSION_AGE.total_seconds()))
    else:
        request.session.set_expiry(int(user.clinic.idle_timeout.total_seconds()))
    trail.record(
        actor_id=user.pk,
        actor_role=user.kind,
        action=AccessEvent.Action.SIGN_IN,
        object_type="account",
        object_id=user.pk,
        clinic_id=user.clinic_id,
    )
