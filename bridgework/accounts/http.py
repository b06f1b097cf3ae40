"""The typed request and the one set of role guards every page stands behind.

A view decorated with one of these takes an `AuthenticatedHttpRequest`: its `user` is a
signed-in `User`, so the view needs neither `assert isinstance(...)` nor `type: ignore`
(healthchecks' `hc/accounts/http.py` has the same request type).

- `signed_in`: anyone signed in; a visitor is sent to sign in, as `login_required` does.
- `client_required`, `staff_required` (therapists and supervisors, the clinicians' pages),
  `therapist_or_admin_required` (the clinic's plan templates), `supervisor_required` (the
  scenario library), `trainee_required` (a therapist's own training), `clinic_admin_required`:
  the same, and anyone else signed in gets 404, as if the page did not exist, with the
  refusal recorded in the access trail (an `AccessEvent` with allowed=False).

The role guards are for pages that open no one client's record. A page about one object
(a client, a plan, a flag…) stands behind `signed_in` only: its door decides who may see
that object, and records the refusal with the client it was about, which a guard in front of
it could not.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, TypeGuard

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from bridgework.accounts.models import User
from bridgework.accounts.passkeys import is_passkey, passkey_required
from bridgework.audit import trail
from bridgework.audit.models import AccessEvent

P = ParamSpec("P")


class AuthenticatedHttpRequest(HttpRequest):
    """A request from a signed-in person."""

    user: User


SignedInView = Callable[Concatenate[AuthenticatedHttpRequest, P], HttpResponseBase]
View = Callable[Concatenate[HttpRequest, P], HttpResponseBase]


def is_signed_in(request: HttpRequest) -> TypeGuard[AuthenticatedHttpRequest]:
    return isinstance(request.user, User) and request.user.is_authenticated


def signed_in(view: SignedInView[P]) -> View[P]:
    """Django's `login_required`, with the request typed for the view."""

    @wraps(view)
    def guarded(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        if not is_signed_in(request):
            # As login_required does with a LOGIN_URL on this site: back here after sign-in.
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return guarded


def role_required(
    admits: Callable[[User], bool], *, refused: str, action: str | None = None
) -> Callable[[SignedInView[P]], View[P]]:
    """A guard admitting the signed-in people `admits` says yes to. Anyone else signed in
    gets 404, and the trail records the refusal as an `action` (by default a view, or a
    change for a form sent) of the `refused` object type, in the person's clinic's chain."""

    def decorate(view: SignedInView[P]) -> View[P]:
        @wraps(view)
        def guarded(
            request: AuthenticatedHttpRequest, /, *args: P.args, **kwargs: P.kwargs
        ) -> HttpResponseBase:
            if not (request.user.is_active and admits(request.user)):
                record_refusal(request, refused, action)
                raise Http404
            return view(request, *args, **kwargs)

        return signed_in(guarded)

    return decorate


def action_of(request: HttpRequest) -> str:
    """What a request does to what it opens: views it, or (a form sent) changes it."""
    reading = request.method in ("GET", "HEAD", "OPTIONS")
    return AccessEvent.Action.VIEW if reading else AccessEvent.Action.CHANGE


def record_refusal(request: AuthenticatedHttpRequest, object_type: str, action: str | None) -> None:
    user = request.user
    trail.record(
        actor_id=user.pk,
        actor_role=user.kind,
        action=action or action_of(request),
        object_type=object_type,
        clinic_id=user.clinic_id,
        allowed=False,
        defer=True,
    )


def is_clinician(user: User) -> bool:
    return user.is_therapist or user.is_supervisor


def is_clinic_admin(user: User) -> bool:
    return user.is_clinic_admin


client_required = role_required(lambda user: user.is_client, refused="client-app")
staff_required = role_required(is_clinician, refused="clinician-pages")
# Plan templates are the clinic's: its therapists use them, its admins keep them.
therapist_or_admin_required = role_required(
    lambda user: user.is_therapist or user.is_clinic_admin, refused="plan-templates"
)
clinic_admin_required = role_required(is_clinic_admin, refused="clinic-admin-pages")
supervisor_required = role_required(lambda user: user.is_supervisor, refused="supervisor-pages")
# Every therapist trains: the scenarios a supervisor assigned them, their attempts.
trainee_required = role_required(lambda user: user.is_therapist, refused="trainee-pages")
# Pages about one's own account (language), for staff of any role or none.
staff_member_required = role_required(lambda user: user.is_staff_member, refused="staff-settings")


def second_factor_confirmed(user: User) -> bool:
    """Whether this session confirmed the person's second factor (django-otp's middleware
    puts the confirmed device on the user; `user.is_verified()` reads the same), and with a
    passkey where the clinic asks for one: a session confirmed with an authenticator app is
    then only the step before registering one."""
    device = getattr(user, "otp_device", None)
    if device is None:
        return False
    return is_passkey(device) or not passkey_required(user)
