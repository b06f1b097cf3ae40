"""Whose entries the phone's outbox holds. A phone may be shared, and a client may be signed
out without signing out on it (the 90-day session ends, or a password reset signs them out
everywhere): entries queued before that must wait for their own client, never be sent or
shown under whoever signs in next. Each page tells the outbox who is signed in by an owner
reference; the outbox stamps each entry with it, and sync refuses an entry stamped for
someone else (see static/js/client-app.js)."""

from __future__ import annotations

from django.utils.crypto import constant_time_compare, salted_hmac

from bridgework.accounts.models import User

SALT = "bridgework.practice.outbox-owner"


def owner_of(user: User) -> str:
    """An opaque, stable reference to the account: an HMAC of its id under the site's secret,
    so it names nobody to whoever reads the phone's storage (not the e-mail, not the name),
    and it survives a new password, so a client signed out by a reset gets their entries sent
    when they sign in again. Changing SECRET_KEY changes every reference: entries queued
    before then wait unsent until the phone prunes them (client-app.js, PARKED_DAYS)."""
    return salted_hmac(SALT, str(user.pk), algorithm="sha256").hexdigest()[:32]


def is_owner(user: User, claimed: object) -> bool:
    """Was this entry queued on a page where `user` was signed in?"""
    return isinstance(claimed, str) and constant_time_compare(claimed, owner_of(user))
