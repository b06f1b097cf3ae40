"""How a prompt reaches the client. Every message carries a link into the app and nothing
about the client's care: no plan title, no rating, no name — a lock screen or a shared inbox
must reveal nothing."""

from __future__ import annotations

import json
from typing import Any

import requests
from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from bridgework.prompts.models import Channel, Prompt, PushSubscription
from bridgework.prompts.subscriptions import forget_gone_phone

# A push service that does not answer must not hold up every other client's reminders.
PUSH_TIMEOUT_SECONDS = 10


class ChannelError(Exception):
    """The channel refused or failed; the message is the reason shown to the therapist."""


def link(prompt: Prompt) -> str:
    return f"{settings.SITE_URL}/me/prompts/{prompt.pk}/"


def language_of(prompt: Prompt) -> str:
    user = prompt.client.user
    return user.language if user is not None else settings.LANGUAGE_CODE


def push_payload(prompt: Prompt) -> dict[str, str]:
    with translation.override(language_of(prompt)):
        return {
            "title": "Bridgework",
            "body": str(_("You have a reminder.")),
            "url": f"/me/prompts/{prompt.pk}/",
        }


def send_email(prompt: Prompt) -> str:
    user = prompt.client.user
    if user is None:
        raise ChannelError("The client has no account yet.")
    with translation.override(language_of(prompt)):
        subject = _("Your Bridgework reminder")
        body = _(
            "Hello,\n\nThis is the reminder you asked for. Open Bridgework to see what "
            "it is about:\n\n%(link)s\n\n— Bridgework"
        ) % {"link": link(prompt)}
    try:
        send_mail(subject, body, None, [user.email])
    except Exception as error:
        raise ChannelError(f"E-mail not accepted: {type(error).__name__}") from None
    return "accepted by the mail server"


def send_push(prompt: Prompt) -> str:
    from pywebpush import WebPushException, webpush

    subscriptions = list(PushSubscription.objects.filter(client=prompt.client))
    if not subscriptions:
        raise ChannelError("No phone has turned notifications on.")
    if not settings.VAPID_PRIVATE_KEY:
        raise ChannelError("Push is not configured on this server (VAPID keys).")
    delivered = 0
    for subscription in subscriptions:
        info = {
            "endpoint": subscription.endpoint,
            "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
        }
        try:
            webpush(
                info,
                json.dumps(push_payload(prompt)),
                ttl=3600,
                vapid_private_key=settings.VAPID_PRIVATE_KEY,
                vapid_claims={"sub": settings.VAPID_SUBJECT},
                timeout=PUSH_TIMEOUT_SECONDS,
            )
            delivered += 1
        except WebPushException as error:
            status = getattr(error.response, "status_code", None)
            if status in (404, 410):  # the phone unsubscribed: forget it
                forget_gone_phone(prompt.client, subscription)
        except requests.RequestException:  # unreachable or too slow: try again later
            continue
    if not delivered:
        raise ChannelError("The push service refused every subscription.")
    return f"accepted by the push service for {delivered} device(s)"


# Pushed channels; the calendar is pulled by the client's calendar app, in-app is the list.
SENDERS: dict[str, Any] = {Channel.EMAIL: send_email, Channel.PUSH: send_push}
