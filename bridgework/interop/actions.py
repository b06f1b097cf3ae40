"""Every change to personal access tokens: made, revoked, used (and counted for the rate
limit). Making and revoking write their audit rows; a use is recorded by the doors it opens."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import user_has_device

from bridgework.accounts.http import second_factor_confirmed
from bridgework.accounts.models import User
from bridgework.audit.models import AccessEvent
from bridgework.audit.trail import changed, snapshot
from bridgework.interop.models import AccessToken, Area, RequestCount
from bridgework.lib.tokens import new_token, token_hash

SECRET_PREFIX = "bw_pat_"  # so a leaked token is recognisable (secret scanners, logs)
LONGEST = timedelta(days=366)
# The last-used time is written at most once a minute: a token's every request writing its row
# would make the rows of a busy script a hot spot for nothing.
LAST_USED_GRANULARITY = timedelta(minutes=1)


class TokenRefused(Exception):
    """What is wrong with a token asked for, by form field ("__all__" for the whole)."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(problems)
        self.problems = problems


def second_factor_problem(user: User) -> str | None:
    """Why this person may not make a token now, or None. A token outlives the session that
    made it, so making one is as sensitive as signing in: a clinic's second-factor rule holds,
    and a member of staff who enrolled an authenticator confirms it in this session first (a
    client's passkey is another way in, not a second factor: their password alone signs them
    in)."""
    if user.is_staff_member and user.clinic.staff_mfa_required and not user_has_device(user):
        return _(
            "Your clinic asks staff for a second factor. Set up your authenticator app "
            "first, then make the token."
        )
    if user.is_staff_member and user_has_device(user) and not second_factor_confirmed(user):
        return _("Confirm your authenticator code first, then make the token.")
    return None


def expiry_problem(expires_on: date | None, today: date) -> str | None:
    if expires_on is None:
        return _("Choose the day the token stops working (at most a year from today).")
    if expires_on <= today:
        return _("Choose a day after today: the token would not work at all.")
    if expires_on > today + LONGEST:
        return _("Choose a day at most 366 days from today (%(last)s or earlier).") % {
            "last": (today + LONGEST).isoformat()
        }
    return None


def checked(name: str, areas: Iterable[str], expires_on: date | None, today: date) -> list[str]:
    problems: dict[str, str] = {}
    chosen = sorted(set(areas))
    if not name.strip():
        problems["name"] = _("Give the token a name that says where it is used.")
    if not chosen or not set(chosen) <= set(Area.values):
        problems["areas"] = _("Choose at least one of the listed areas.")
    expiry = expiry_problem(expires_on, today)
    if expiry:
        problems["expires_on"] = expiry
    if problems:
        raise TokenRefused(problems)
    return chosen


@transaction.atomic
def create_token(
    owner: User, *, name: str, can_write: bool, areas: Iterable[str], expires_on: date | None
) -> tuple[AccessToken, str]:
    """A new token of `owner`, and its secret: the only time the secret exists outside the
    request that asked for it. It stops working at the end of `expires_on` in the clinic's
    time zone."""
    refused = second_factor_problem(owner)
    if refused:
        raise TokenRefused({"__all__": refused})
    zone = ZoneInfo(str(owner.clinic.time_zone))
    chosen = checked(name, areas, expires_on, timezone.now().astimezone(zone).date())
    assert expires_on is not None  # checked
    secret = SECRET_PREFIX + new_token()
    token = AccessToken.objects.create(
        owner=owner,
        clinic_id=owner.clinic_id,
        name=name.strip(),
        secret_hash=token_hash(secret),
        can_write=can_write,
        areas=chosen,
        expires_at=datetime.combine(expires_on + timedelta(days=1), time.min, tzinfo=zone),
    )
    changed(owner, AccessEvent.Action.CREATE, token)
    return token, secret


@transaction.atomic
def revoke_token(token: AccessToken, *, by: User) -> AccessToken:
    """The token stops working at once; revoking it again changes nothing."""
    if token.revoked_at is None:
        was = snapshot(token)
        token.revoked_at, token.revoked_by = timezone.now(), by
        token.save(update_fields=["revoked_at", "revoked_by"])
        changed(by, AccessEvent.Action.CHANGE, token, before=was)
    return token


def token_for_secret(secret: str, now: datetime) -> AccessToken | None:
    """The usable token this secret belongs to, with its owner, or None (unknown, revoked,
    expired, or its owner's account closed)."""
    if not secret.startswith(SECRET_PREFIX):
        return None
    token = (
        AccessToken.objects.select_related("owner__clinic", "owner__client_record")
        .filter(secret_hash=token_hash(secret))
        .first()
    )
    if token is None or not token.is_usable(now) or not token.owner.is_active:
        return None
    return token


def note_use(token: AccessToken, now: datetime) -> None:
    last = token.last_used_at
    if last is None or now - last >= LAST_USED_GRANULARITY:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def count_request(token: AccessToken, now: datetime) -> int | None:
    """Count one request of the token in this minute; the seconds until the next minute when
    it is over the limit, else None. A fixed window a minute long: simple to explain in a
    Retry-After, and the database row per token and minute is the whole state."""
    minute = now.replace(second=0, microsecond=0)
    counts = RequestCount.objects.filter(token=token, minute=minute)
    if not counts.update(requests=F("requests") + 1):
        try:
            with transaction.atomic():
                RequestCount.objects.create(token=token, minute=minute, requests=1)
            RequestCount.objects.filter(token=token, minute__lt=minute).delete()
        except IntegrityError:  # another process made this minute's row first
            counts.update(requests=F("requests") + 1)
    made = counts.values_list("requests", flat=True).first() or 0
    if made <= settings.API_REQUESTS_A_MINUTE:
        return None
    return max(1, 60 - int((now - minute).total_seconds()))
