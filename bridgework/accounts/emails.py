"""The messages accounts sends about signing in. They carry a clinic's name and a link at
most: never anything about care, and never the other address of an address change."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from bridgework.accounts.models import PasswordReset, User

logger = logging.getLogger(__name__)


def password_reset_link(token: str) -> str:
    return f"{settings.SITE_URL}/accounts/password-reset/{token}/"


def password_reset(reset: PasswordReset, token: str) -> EmailMessage:
    context = {
        "clinic": reset.user.clinic,
        "link": password_reset_link(token),
        "minutes": settings.PASSWORD_RESET_MINUTES,
        "sent_by_clinic": reset.sent_by_id is not None,
    }
    return message(reset.user, "password_reset", context, to=reset.user.email)


def address_changed(user: User, *, old_address: str) -> EmailMessage:
    return message(user, "address_changed", {"clinic": user.clinic}, to=old_address)


def message(user: User, name: str, context: dict[str, object], *, to: str) -> EmailMessage:
    """In the person's own language, whatever the language of the page that caused it."""
    with translation.override(user.language):
        subject = render_to_string(f"accounts/email/{name}_subject.txt", context).strip()
        body = render_to_string(f"accounts/email/{name}.txt", context)
    return EmailMessage(subject=subject, body=body, to=[to])


def send_logging_failures(message: EmailMessage) -> None:
    """For messages sent after the response: report a failure without the address."""
    try:
        message.send()
    except Exception as error:
        logger.warning("An account e-mail could not be sent (%s).", type(error).__name__)
