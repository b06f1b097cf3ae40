"""Staff idle timeout, the second-factor requirement, and each person's local time zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from bridgework.accounts.http import second_factor_confirmed
from bridgework.accounts.models import User
from bridgework.accounts.sessions import needs_second_factor

LAST_SEEN = "last_seen"
# Sliding the idle deadline on every request would write the session row every time; once a
# minute keeps the deadline accurate to a minute at a fraction of the writes.
LAST_SEEN_GRANULARITY = timedelta(minutes=1)
# Paths a signed-in member of staff may reach before confirming their second factor.
BEFORE_SECOND_FACTOR = ("/accounts/", "/static/", "/healthz")


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if isinstance(user, User) and user.is_staff_member:
            now = timezone.now()
            last_seen = request.session.get(LAST_SEEN)
            timeout = user.clinic.idle_timeout
            if last_seen and now - datetime.fromisoformat(last_seen) > timeout:
                logout(request)
                messages.info(
                    request,
                    _(
                        "You were signed out after %(minutes)d minutes without "
                        "activity. Sign in again to go on."
                    )
                    % {"minutes": timeout.total_seconds() // 60},
                )
                return redirect_to_sign_in(request)
            if not last_seen or now - datetime.fromisoformat(last_seen) > LAST_SEEN_GRANULARITY:
                request.session[LAST_SEEN] = now.isoformat()
                request.session.set_expiry(int(timeout.total_seconds()))
        return self.get_response(request)


def redirect_to_sign_in(request: HttpRequest) -> HttpResponse:
    target = "/accounts/sign-in/"
    if request.method == "GET":
        target += "?" + urlencode({"next": request.get_full_path()})
    return redirect(target)


class SecondFactorMiddleware:
    """Staff whose clinic requires a second factor (or who enrolled one) confirm it first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            isinstance(user, User)
            and needs_second_factor(user)
            and not second_factor_confirmed(user)
            and not request.path.startswith(BEFORE_SECOND_FACTOR)
        ):
            return redirect(
                "/accounts/second-factor/?" + urlencode({"next": request.get_full_path()})
            )
        return self.get_response(request)


class PreferencesMiddleware:
    """Each person's own language, and time zone (the client's own, or the clinic's for staff).

    Runs after LocaleMiddleware, which chose a language from the browser for visitors."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if isinstance(user, User):
            record = getattr(user, "client_record", None) if user.is_client else None
            timezone.activate(record.local_time_zone if record else user.clinic.time_zone)
            if user.language in dict(settings.LANGUAGES):
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
        else:
            timezone.deactivate()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language() or "en")
        return response
