"""No one clinic admin takes over a colleague's account alone.

An admin may change a person's sign-in address, send a reset link and reset a lost
authenticator app, and each is needed now and then. Done by one admin one after the other,
they hand that admin the account, second factor included: an address they hold, a link to
it, a new authenticator enrolled by whoever signs in first. So within WINDOW, the admin who
changed someone's address or sent them a reset link does not also reset their authenticator,
and the admin who reset someone's authenticator (while they have not enrolled a new one) does
not also change their address: another admin does, or the same one once WINDOW has passed,
the person having been told at every step (accounts.mail: the old address of an address
change, every address of the window when the authenticator is reset).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from bridgework.accounts.models import PasswordReset, SignInChange, User

# Long enough for someone on holiday to read the warning at the old address and call the
# clinic; short enough that a clinic with one admin is not stuck for long.
WINDOW = timedelta(days=7)

ADDRESS, SECOND_FACTOR = SignInChange.Kind.ADDRESS, SignInChange.Kind.SECOND_FACTOR


def since(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - WINDOW


def readdressed_by(user: User, admin: User) -> bool:
    """Whether `admin` changed `user`'s address or sent them a reset link within WINDOW."""
    start = since()
    changed = SignInChange.objects.filter(
        user=user, kind=ADDRESS, changed_by=admin, changed_at__gte=start
    )
    linked = PasswordReset.objects.filter(user=user, sent_by=admin, created_at__gte=start)
    return changed.exists() or linked.exists()


def second_factor_reset_by(user: User, admin: User) -> bool:
    """Whether `admin` reset `user`'s authenticator within WINDOW and no new one (an app or a
    passkey) is enrolled (once it is, a take-over needs another reset, which `readdressed_by`
    then refuses)."""
    reset = SignInChange.objects.filter(
        user=user, kind=SECOND_FACTOR, changed_by=admin, changed_at__gte=since()
    )
    enrolled = (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
    )
    return reset.exists() and not enrolled


def note(user: User, kind: str, *, by: User, old_email: str = "") -> None:
    SignInChange.objects.create(user=user, kind=kind, changed_by=by, old_email=old_email)


def recent_addresses(user: User) -> list[str]:
    """The address on record and those it replaced within WINDOW: whoever held the account
    lately is told when its authenticator is reset."""
    old = SignInChange.objects.filter(user=user, kind=ADDRESS, changed_at__gte=since())
    earlier = sorted(set(old.exclude(old_email="").values_list("old_email", flat=True)))
    return [user.email, *(address for address in earlier if address != user.email)]


def forget_old_addresses(now: datetime | None = None) -> int:
    """Old addresses are kept for WINDOW only (the worker's housekeeping calls this)."""
    stale = Q(changed_at__lt=since(now)) & ~Q(old_email="")
    return SignInChange.objects.filter(stale).update(old_email="")
