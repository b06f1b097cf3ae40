"""The messages accounts sends about signing in (the worker sends them: accounts.mail). They
carry a clinic's name and a link at most: never anything about care, and never the other
address of an address change."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from bridgework.accounts.models import Clinic, Invitation, PasswordReset


def password_reset_link(token: str) -> str:
    return f"{settings.SITE_URL}/accounts/password-reset/{token}/"


def invitation_link(token: str) -> str:
    return f"{settings.SITE_URL}/invitations/{token}/"


def password_reset(reset: PasswordReset, token: str, *, to: str, language: str) -> EmailMessage:
    context = {
        "clinic": reset.user.clinic,
        "link": password_reset_link(token),
        "minutes": settings.PASSWORD_RESET_MINUTES,
        "sent_by_clinic": reset.sent_by_id is not None,
    }
    return message("password_reset", context, to=to, language=language)


def invitation(invitation: Invitation, token: str, *, to: str, language: str) -> EmailMessage:
    context = {
        "clinic": invitation.clinic,
        "link": invitation_link(token),
        "days": settings.INVITATION_DAYS,
        "invitation": invitation,
    }
    return message("invitation", context, to=to, language=language)


def address_changed(clinic: Clinic, *, to: str, language: str) -> EmailMessage:
    return message("address_changed", {"clinic": clinic}, to=to, language=language)


def second_factor_reset(clinic: Clinic, *, to: str, language: str) -> EmailMessage:
    return message("second_factor_reset", {"clinic": clinic}, to=to, language=language)


def message(name: str, context: dict[str, object], *, to: str, language: str) -> EmailMessage:
    """In the person's own language, whatever the language of the page that caused it."""
    with translation.override(language):
        subject = render_to_string(f"accounts/email/{name}_subject.txt", context).strip()
        body = render_to_string(f"accounts/email/{name}.txt", context)
    return EmailMessage(subject=subject, body=body, to=[to])
