"""Throttling what sign-in's django-axes does not cover: requests for a password-reset link
(per client address and per e-mail address) and wrong or used reset links (per client
address). Same limits as sign-in (SIGN_IN_FAILURE_LIMIT within SIGN_IN_COOLOFF_MINUTES),
counted in the database so they hold across processes, like axes.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac

from bridgework.accounts.models import ThrottleHit

RESET_REQUEST_FROM = "reset-from"  # requests from one client address
RESET_REQUEST_FOR = "reset-for"  # requests for one e-mail address, known or not
RESET_LINK_FROM = "reset-link-from"  # wrong, used or expired links opened from one address


def key(scope: str, value: str) -> str:
    # Keyed by an HMAC, not the value: the table then holds no e-mail or IP addresses.
    return salted_hmac(f"bridgework.throttle.{scope}", value.strip().lower()).hexdigest()


def paused_until(scope: str, value: str) -> datetime | None:
    """When this address may try again, or None if it may now."""
    window = settings.AXES_COOLOFF_TIME
    recent = ThrottleHit.objects.filter(
        scope=scope, key=key(scope, value), at__gt=timezone.now() - window
    ).order_by("-at")
    counted = list(recent.values_list("at", flat=True)[: settings.AXES_FAILURE_LIMIT])
    if len(counted) < settings.AXES_FAILURE_LIMIT:
        return None
    return counted[-1] + window


def hit(scope: str, value: str) -> None:
    """Count one attempt, and forget this scope's attempts too old to count."""
    now = timezone.now()
    ThrottleHit.objects.filter(scope=scope, at__lte=now - settings.AXES_COOLOFF_TIME).delete()
    ThrottleHit.objects.create(scope=scope, key=key(scope, value), at=now)
