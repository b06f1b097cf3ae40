"""Passkeys (WebAuthn, through django-otp-webauthn): who must use one, and what the ceremonies
ask of the browser.

A passkey is a django-otp device (`WebAuthnCredential`), so the rest of sign-in treats it as
it treats an authenticator app: a session confirmed with it is verified. Staff use one as their
second factor after their password; clients may sign in with one alone (passkey_views).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential
from webauthn.helpers.structs import ResidentKeyRequirement

from bridgework.accounts.models import Clinic, User


class Helper(WebAuthnHelper):
    """Every passkey is discoverable (a client signs in without typing an address), and the
    browser shows the person's name and address when asked which passkey to use."""

    def get_discoverable_credentials_preference(self) -> ResidentKeyRequirement:
        return ResidentKeyRequirement.REQUIRED


def passkeys_of(user: User) -> QuerySet[WebAuthnCredential]:
    found: QuerySet[WebAuthnCredential] = WebAuthnCredential.objects.filter(
        user=user, confirmed=True
    ).order_by("created_at")
    return found


def authenticator_apps_of(user: User) -> QuerySet[TOTPDevice]:
    found: QuerySet[TOTPDevice] = TOTPDevice.objects.filter(user=user, confirmed=True)
    return found


def passkey_required(user: User) -> bool:
    """Whether the person's clinic lets staff confirm sign-in with a passkey only."""
    clinic = user.clinic
    return (
        user.is_staff_member
        and clinic.staff_mfa_required
        and clinic.staff_second_factor == Clinic.SecondFactor.PASSKEY
    )


def is_passkey(device: object) -> bool:
    return isinstance(device, WebAuthnCredential)


def has_second_factor(user: User) -> bool:
    """Whether the person enrolled an authenticator app or a passkey: django-otp's
    `user_has_device` in one query instead of one per kind of device (it is asked on every
    request of staff)."""
    apps = TOTPDevice.objects.filter(user=user, confirmed=True).values("pk")
    keys = WebAuthnCredential.objects.filter(user=user, confirmed=True).values("pk")
    return bool(apps.union(keys).exists())
