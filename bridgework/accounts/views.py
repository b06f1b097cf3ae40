"""Signing in and out, the second factor, forgotten passwords, and accepting invitations."""

from __future__ import annotations

import logging
import math
from datetime import datetime
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from bridgework.accounts import actions, throttle
from bridgework.accounts.forms import (
    AcceptInvitationForm,
    CodeForm,
    ForgotPasswordForm,
    LanguageForm,
    NewPasswordForm,
    SignInForm,
)
from bridgework.accounts.http import (
    AuthenticatedHttpRequest,
    second_factor_confirmed,
    signed_in,
    staff_member_required,
)
from bridgework.accounts.models import Invitation, PasswordReset, User
from bridgework.accounts.passkey_views import ceremony_config
from bridgework.accounts.passkeys import authenticator_apps_of, passkey_required, passkeys_of
from bridgework.accounts.sessions import needs_second_factor
from bridgework.accounts.sessions import sign_in as start_session
from bridgework.lib.web import after_response, client_ip, never_compressed, safe_next

# What the reset link said, kept in the session between the link and the page it leads to:
# {"id": <PasswordReset pk>} for a link that works, else {"problem": <why not>}.
RESET_VERDICT = "password_reset"
ANONYMOUS_RESET_SESSION_SECONDS = 24 * 60 * 60

logger = logging.getLogger(__name__)


def minutes_until(moment: datetime) -> int:
    """Whole minutes until `moment`, rounded up. Pauses say "in 12 minutes", never a clock
    time: a visitor who is not signed in has no time zone of ours, so a time would be UTC."""
    return max(1, math.ceil((moment - timezone.now()).total_seconds() / 60))


def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(safe_next(request))
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request,
            email=form.cleaned_data["email"].lower(),
            password=form.cleaned_data["password"],
        )
        if isinstance(user, User):
            start_session(request, user)
            if needs_second_factor(user):
                return redirect(
                    "/accounts/second-factor/?" + urlencode({"next": safe_next(request)})
                )
            return redirect(safe_next(request))
        form.add_error(
            None,
            _(
                "That e-mail and password do not match an account. Check both and "
                "try again; after several tries, sign-in pauses for a while."
            ),
        )
    return render(
        request,
        "accounts/sign_in.html",
        {"form": form, "next": safe_next(request), "config": ceremony_config(request)},
    )


def signed_in_too_often(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """django-axes calls this while an address or an account is locked out."""
    # Each failed try during the pause starts it again (axes' setting
    # AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT, on by default): the whole cool-off is left.
    minutes = minutes_until(timezone.now() + settings.AXES_COOLOFF_TIME)
    form = SignInForm(request.POST or None)
    form.is_valid()
    form.add_error(
        None,
        ngettext(
            "Too many failed sign-ins. For your safety, sign-in is paused: try again in "
            "%(minutes)d minute.",
            "Too many failed sign-ins. For your safety, sign-in is paused: try again in "
            "%(minutes)d minutes.",
            minutes,
        )
        % {"minutes": minutes},
    )
    return render(
        request,
        "accounts/sign_in.html",
        {"form": form, "next": safe_next(request), "config": ceremony_config(request)},
        status=429,
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You are signed out."))
    return redirect("/accounts/sign-in/")


@signed_in
def second_factor(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Confirm the sign-in with an authenticator app's code or a passkey. Where the clinic asks
    for a passkey, a member of staff without one confirms their app first (if they have one),
    then registers a passkey."""
    user = request.user
    if not user.is_staff_member or second_factor_confirmed(user):
        return redirect(safe_next(request))
    apps, keys = list(authenticator_apps_of(user)), passkeys_of(user).exists()
    onward = urlencode({"next": safe_next(request)})
    if passkey_required(user) and not keys and (not apps or getattr(user, "otp_device", None)):
        return redirect("/accounts/second-factor/passkey/?" + onward)
    if not passkey_required(user) and not apps and not keys:
        return redirect("/accounts/second-factor/setup/?" + onward)
    use_app = bool(apps) and not (passkey_required(user) and keys)
    form = CodeForm(request.POST or None)
    if use_app and request.method == "POST" and form.is_valid():
        device, refusal = check_code(apps, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(
                request.get_full_path() if passkey_required(user) else safe_next(request)
            )
        form.add_error("code", refusal)
    return render(
        request,
        "accounts/second_factor.html",
        {
            "form": form if use_app else None,
            "passkey": keys,
            "config": ceremony_config(request),
            "next": safe_next(request),
        },
    )


@signed_in
@never_compressed
def second_factor_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_staff_member or any(devices_for_user(user, confirmed=True)):
        return redirect(safe_next(request))
    if passkey_required(user):
        return redirect(
            "/accounts/second-factor/passkey/?" + urlencode({"next": safe_next(request)})
        )
    device = actions.start_second_factor(user, by=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accepted, refusal = check_code([device], form.cleaned_data["code"])
        if accepted is not None:
            actions.confirm_second_factor(device, by=user)
            otp_login(request, device)
            messages.success(request, _("Your authenticator app is set up."))
            return redirect(safe_next(request))
        form.add_error("code", refusal)
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "accounts/second_factor_setup.html",
        {
            "form": form,
            "next": safe_next(request),
            "qr_svg": qr.svg_inline(scale=4, dark="#000", light="#fff"),
            "secret": device_secret(device),
        },
    )


def check_code(devices: list[TOTPDevice], code: str) -> tuple[TOTPDevice | None, str]:
    """The device that accepts `code`, or why none did. django-otp slows guessing down: after
    each wrong code the next try must wait a little longer, and saying so beats a silent no."""
    if not any(device.verify_is_allowed()[0] for device in devices):
        return None, _(
            "Too many wrong codes in a row. Wait a few seconds, then enter the code your "
            "app shows now."
        )
    for device in devices:
        if device.verify_token(code):
            return device, ""
    return None, _(
        "That code is not right or has expired. Check the app shows Bridgework and enter "
        "the code it shows now."
    )


def device_secret(device: TOTPDevice) -> str:
    """The base32 key in groups of four, for typing into an app by hand."""
    from base64 import b32encode

    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = actions.find_invitation(token)
    if invitation is None:
        raise Http404
    if invitation.state != Invitation.State.OPEN:
        return unusable_invitation(request, invitation)
    form = AcceptInvitationForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        try:
            user = actions.accept_invitation(
                invitation,
                password=form.cleaned_data["password1"],
                full_name=form.cleaned_data.get("full_name", ""),
            )
        except actions.InvitationUnusable as refused:
            return unusable_invitation(request, refused.invitation)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            logout(request)
            start_session(request, user)
            messages.success(request, _("Welcome to Bridgework. Your account is ready."))
            return redirect("/")
    return render(
        request, "accounts/accept_invitation.html", {"form": form, "invitation": invitation}
    )


def forgot_password(request: HttpRequest) -> HttpResponse:
    """ "Forgot your password?": the same answer whether or not an account uses the address."""
    form = ForgotPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email, ip = form.cleaned_data["email"], client_ip(request)
        retry_at = throttle.paused_until(throttle.RESET_REQUEST_FROM, ip) or throttle.paused_until(
            throttle.RESET_REQUEST_FOR, email
        )
        if retry_at is not None:
            minutes = minutes_until(retry_at)
            form.add_error(
                None,
                ngettext(
                    "Too many links were asked for, from here or for this address. For "
                    "safety, try again in %(minutes)d minute, or ask your clinic to send "
                    "you one.",
                    "Too many links were asked for, from here or for this address. For "
                    "safety, try again in %(minutes)d minutes, or ask your clinic to send "
                    "you one.",
                    minutes,
                )
                % {"minutes": minutes},
            )
            return render(request, "accounts/forgot_password.html", {"form": form}, status=429)
        throttle.hit(throttle.RESET_REQUEST_FROM, ip)
        throttle.hit(throttle.RESET_REQUEST_FOR, email)
        # Everything that differs for a known address (the link, its audit row, its queued
        # e-mail) happens once the answer has gone, so its time cannot tell.
        response = redirect("/accounts/password-reset/sent/")
        after_response(response, lambda: ask_after_the_answer(email))
        return response
    return render(request, "accounts/forgot_password.html", {"form": form})


def ask_after_the_answer(email: str) -> None:
    """After the response, where nobody sees an exception: report a failure, without the
    address (nor a traceback, whose lines could show it)."""
    try:
        actions.ask_for_password_reset(email)
    except Exception as error:
        logger.warning("A reset link asked for could not be issued (%s).", type(error).__name__)


def password_reset_sent(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/password_reset_sent.html",
        {"minutes": settings.PASSWORD_RESET_MINUTES},
    )


def password_reset_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the e-mail. It never answers with a page of its own: it keeps the link's
    verdict in the session and redirects, so the token leaves the address bar (and any
    Referer) at once, and no error response with the token in its path reaches Django's
    request log. Wrong, used and expired links count towards a pause for the address."""
    ip = client_ip(request)
    if throttle.paused_until(throttle.RESET_LINK_FROM, ip):
        verdict: dict[str, object] = {"problem": "paused"}
    else:
        reset = actions.find_password_reset(token)
        if reset is not None and reset.state == PasswordReset.State.OPEN:
            verdict = {"id": reset.pk}
        else:
            throttle.hit(throttle.RESET_LINK_FROM, ip)
            verdict = {"problem": reset.state if reset is not None else "unknown"}
    request.session[RESET_VERDICT] = verdict
    if not request.user.is_authenticated:
        # A visitor's session holds only the verdict: a day is plenty (the link itself
        # expires sooner, and the page then says so rather than forgetting the link).
        request.session.set_expiry(ANONYMOUS_RESET_SESSION_SECONDS)
    return redirect("/accounts/password-reset/new/")


def new_password(request: HttpRequest) -> HttpResponse:
    verdict = request.session.get(RESET_VERDICT) or {"problem": "unknown"}
    reset = (
        PasswordReset.objects.select_related("user__clinic").filter(pk=verdict["id"]).first()
        if "id" in verdict
        else None
    )
    if reset is None or reset.state != PasswordReset.State.OPEN:
        return unusable_reset(request, reset.state if reset else verdict.get("problem", ""))
    translation.activate(reset.user.language)  # the person's own language, as in the e-mail
    form = NewPasswordForm(request.POST or None, user=reset.user)
    if request.method == "POST" and form.is_valid():
        had_passkeys = reset.user.is_client and passkeys_of(reset.user).exists()
        try:
            user = actions.choose_new_password(reset, password=form.cleaned_data["password1"])
        except actions.ResetUnusable as refused:
            return unusable_reset(request, refused.reset.state)
        except ValidationError as error:
            form.add_error("password1", error)
        else:
            logout(request)  # the link's verdict goes with the session
            messages.success(request, new_password_message(user))
            if had_passkeys:
                messages.info(
                    request,
                    _(
                        "Your passkeys were removed, in case one is on a lost phone. Sign in "
                        "with your new password and register a new one in Settings."
                    ),
                )
            return redirect("/accounts/sign-in/")
    return render(request, "accounts/new_password.html", {"form": form, "person": reset.user})


def new_password_message(user: User) -> str:
    done = _("Your new password is set, and you are signed out everywhere. Sign in with it now.")
    if user.is_client:
        return (
            done
            + " "
            + _("If you had reminder notifications on, turn them on again in My reminders.")
        )
    return done


def unusable_reset(request: HttpRequest, problem: str) -> HttpResponse:
    """Used, expired, withdrawn, not ours, or too many of those: say which, and how to get a
    link that works."""
    paused = throttle.paused_until(throttle.RESET_LINK_FROM, client_ip(request))
    if problem == "paused" and paused is not None:
        wait = minutes_until(paused)
    else:
        problem, wait = ("unknown" if problem == "paused" else problem), 0
    return render(
        request,
        "accounts/password_reset_unusable.html",
        {"problem": problem, "wait": wait, "minutes": settings.PASSWORD_RESET_MINUTES},
        status=429 if wait else 410,
    )


def unusable_invitation(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    """Expired, used or withdrawn: say which, and offer to ask the clinic for a new link."""
    asked = invitation.renewal_requested_at is not None
    if request.method == "POST" and request.POST.get("ask") and not asked:
        actions.request_new_invitation(invitation)
        asked = True
    return render(
        request,
        "accounts/invitation_unusable.html",
        {"invitation": invitation, "asked": asked},
        status=410,
    )


@staff_member_required
def staff_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A staff member's own settings: the language of their pages, e-mails and PDFs. The
    change is the person's own, recorded as such (actions.set_language). It stands under
    /accounts/, before the second-factor check, so it makes that check itself."""
    user = request.user
    if needs_second_factor(user) and not second_factor_confirmed(user):
        return redirect("/accounts/second-factor/?" + urlencode({"next": request.path}))
    form = LanguageForm(request.POST or None, initial={"language": user.language})
    if request.method == "POST" and form.is_valid():
        actions.set_language(user, form.cleaned_data["language"], by=user)
        translation.activate(user.language)  # this response, and the message, already in it
        messages.success(request, _("Your language is saved."))
        return redirect("/accounts/settings/")
    return render(request, "accounts/settings.html", {"form": form})
