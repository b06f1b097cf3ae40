"""Setting up the channels that reach the client outside the app: the private calendar
address and the phones subscribed to push, each change audited."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bridgework.accounts.models import User
from bridgework.audit.models import AccessEvent
from bridgework.audit.trail import changed, noted, snapshot
from bridgework.care.actions import set_consent
from bridgework.care.models import Client, Consent
from bridgework.lib.tokens import new_token, token_hash
from bridgework.prompts.models import CalendarFeed, PushSubscription

CREATE, CHANGE, DELETE = (
    AccessEvent.Action.CREATE,
    AccessEvent.Action.CHANGE,
    AccessEvent.Action.DELETE,
)


@transaction.atomic
def new_calendar_feed(client: Client, *, by: User) -> str:
    """A new private calendar address (the old one stops working). Returns the secret."""
    live = CalendarFeed.objects.filter(client=client, revoked_at=None)
    revoked = live.update(revoked_at=timezone.now())
    token = new_token()
    feed = CalendarFeed.objects.create(client=client, token_hash=token_hash(token))
    changed(by, CREATE, feed, detail={"revoked": revoked})
    return token


@transaction.atomic
def revoke_calendar_feeds(client: Client, *, by: User | None) -> None:
    live = CalendarFeed.objects.filter(client=client, revoked_at=None)
    revoked = live.update(revoked_at=timezone.now())
    noted(
        by,
        CHANGE,
        "calendar-feed",
        client.pk,
        clinic_id=client.clinic_id,
        client_id=client.pk,
        detail={"revoked": revoked},
    )


def push_endpoint_allowed(endpoint: str) -> bool:
    """Only https on the standard port, at a known push service (settings.PUSH_SERVICE_HOSTS)."""
    url = urlsplit(endpoint)
    host = (url.hostname or "").lower()
    if url.scheme != "https" or url.username or url.password or url.port not in (None, 443):
        return False
    return any(host == known or host.endswith("." + known) for known in settings.PUSH_SERVICE_HOSTS)


@transaction.atomic
def turn_on_push(client: Client, *, by: User, endpoint: str, p256dh: str, auth: str) -> None:
    """The client turns notifications on for this phone: consent and subscription together
    (a refused subscription gives no consent either)."""
    subscribe_push(client, by=by, endpoint=endpoint, p256dh=p256dh, auth=auth)
    set_consent(client, Consent.Purpose.REMINDERS_PUSH, True, by=by)


@transaction.atomic
def subscribe_push(
    client: Client, *, by: User, endpoint: str, p256dh: str, auth: str
) -> PushSubscription:
    if not push_endpoint_allowed(endpoint):
        raise ValueError("not a known push service")
    if not (20 <= len(p256dh) <= 200 and 8 <= len(auth) <= 100):
        raise ValueError("keys")
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint, defaults={"client": client, "p256dh": p256dh, "auth": auth}
    )
    changed(by, CREATE, subscription)
    return subscription


@transaction.atomic
def forget_push_subscriptions(client: Client, *, by: User | None) -> None:
    """Every phone of this client stops getting notifications (push consent withdrawn)."""
    _total, deleted = PushSubscription.objects.filter(client=client).delete()
    noted(
        by,
        DELETE,
        "push-subscription",
        client.pk,
        clinic_id=client.clinic_id,
        client_id=client.pk,
        detail={"deleted": deleted.get(PushSubscription._meta.label, 0)},
    )


@transaction.atomic
def forget_gone_phone(client: Client, subscription: PushSubscription) -> None:
    """The push service says this phone of the client's unsubscribed (404 or 410): it gets
    no more notifications. The system forgets it; nobody asked."""
    before = snapshot(subscription)
    subscription_id = subscription.pk
    subscription.delete()
    changed(None, DELETE, subscription, before=before, object_id=subscription_id)
