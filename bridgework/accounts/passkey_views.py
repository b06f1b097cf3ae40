"""Passkeys: the WebAuthn ceremonies (django-otp-webauthn's views, fitted to Bridgework's
sign-in) and the pages where people register, name and remove their passkeys.

The browser side is the library's own scripts, served from its static files; our
`static/js/passkeys.js` only moves on to the naming page once a passkey is registered.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware import csrf
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp_webauthn import exceptions, views
from django_otp_webauthn.models import WebAuthnCredential

from bridgework.accounts import actions
from bridgework.accounts.http import (
    AuthenticatedHttpRequest,
    record_refusal,
    second_factor_confirmed,
    signed_in,
)
from bridgework.accounts.models import User
from bridgework.accounts.passkeys import has_second_factor, passkey_required, passkeys_of
from bridgework.accounts.sessions import needs_second_factor
from bridgework.accounts.sessions import sign_in as start_session
from bridgework.lib.forms import Form
from bridgework.lib.web import safe_next

BEGIN_REGISTRATION = "/accounts/passkeys/registration/begin/"
COMPLETE_REGISTRATION = "/accounts/passkeys/registration/complete/"
BEGIN_AUTHENTICATION = "/accounts/passkeys/authentication/begin/"
COMPLETE_AUTHENTICATION = "/accounts/passkeys/authentication/complete/"


def ceremony_config(request: HttpRequest) -> dict[str, Any]:
    """What the library's scripts read from the page (its `otp_webauthn_config`), pointing at
    our own ceremony views."""
    return {
        "autocompleteLoginFieldSelector": None,
        "nextFieldSelector": "input[name='next']",
        "csrfToken": csrf.get_token(request),
        "beginRegistrationUrl": BEGIN_REGISTRATION,
        "completeRegistrationUrl": COMPLETE_REGISTRATION,
        "beginAuthenticationUrl": BEGIN_AUTHENTICATION,
        "completeAuthenticationUrl": COMPLETE_AUTHENTICATION,
    }


class StaffSignInWithPassword(exceptions.OTPWebAuthnApiError):
    status_code = 403
    default_code = "staff_password_first"
    default_detail = gettext_lazy(
        "Staff sign in with their e-mail and password first, then confirm with their passkey."
    )


class BeginRegistration(views.BeginCredentialRegistrationView):
    def user_is_mfa_enrolled(self, user: Any) -> bool:
        # A client's password alone opens their account, so asking them to confirm an old
        # passkey before adding a new one would only lock out whoever lost their phone.
        return bool(user.is_staff_member and super().user_is_mfa_enrolled(user))


class CompleteRegistration(views.CompleteCredentialRegistrationView):
    def user_is_mfa_enrolled(self, user: Any) -> bool:
        return bool(user.is_staff_member and super().user_is_mfa_enrolled(user))

    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        request, user = self.request, self.request.user
        assert isinstance(user, User)
        with transaction.atomic():
            response = super().post(*args, **kwargs)
            passkey = WebAuthnCredential.objects.get(pk=json.loads(response.content)["id"])
            actions.register_passkey(passkey, by=user)
        if passkey_required(user):
            otp_login(request, passkey)  # the passkey the clinic asks for, just shown
        return JsonResponse(
            {"id": passkey.pk, "redirect_url": f"/accounts/passkeys/{passkey.pk}/name/"}
        )


class BeginAuthentication(views.BeginCredentialAuthenticationView):
    pass


class CompleteAuthentication(views.CompleteCredentialAuthenticationView):
    def complete_auth(self, device: Any) -> Any:
        """Signed in already (staff after their password): the passkey confirms the session.
        Signed out: a client signs in with it alone, as with their password; a member of
        staff is sent to their password first, so a passkey is never their only factor."""
        request = self.request
        if not request.user.is_authenticated:
            user = User.objects.select_related("clinic").get(pk=device.user_id)
            if not user.is_client:
                raise StaffSignInWithPassword()
            start_session(request, user)
        otp_login(request, device)

    def get_success_url(self) -> str:
        return safe_next(self.request)


class PasskeyNameForm(Form):
    name = forms.CharField(
        label=gettext_lazy("Name of this passkey"),
        max_length=64,
        help_text=gettext_lazy("So you can tell your passkeys apart, e.g. “My phone”."),
        error_messages={"required": gettext_lazy("Enter a name, e.g. “My phone”.")},
    )


@signed_in
def passkeys_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    if refused := not_confirmed_yet(request):
        return refused
    return render(
        request,
        "accounts/passkeys.html",
        {
            "passkeys": passkeys_of(request.user),
            "config": ceremony_config(request),
            "required": passkey_required(request.user),
        },
    )


@signed_in
def passkey_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Staff whose clinic asks for a passkey and who have none register one here, after their
    password (and their authenticator app, if they have one); so may staff enrolling their
    first second factor, instead of an authenticator app."""
    user = request.user
    wanted = passkey_required(user) or not has_second_factor(user)
    if not user.is_staff_member or not wanted or passkeys_of(user).exists():
        return redirect(safe_next(request))
    return render(
        request,
        "accounts/passkey_setup.html",
        {
            "config": ceremony_config(request),
            "next": safe_next(request),
            "required": passkey_required(user),
        },
    )


def not_confirmed_yet(request: AuthenticatedHttpRequest) -> HttpResponse | None:
    """These pages stand before the second-factor check (under /accounts/), so they make it
    themselves: a password alone must never list, rename or remove a member of staff's
    passkeys (then enrol the thief's own)."""
    user = request.user
    if needs_second_factor(user) and not second_factor_confirmed(user):
        return redirect("/accounts/second-factor/?" + urlencode({"next": request.path}))
    return None


def own_passkey(request: AuthenticatedHttpRequest, passkey_id: int) -> WebAuthnCredential:
    """The signed-in person's own passkey, or 404: nobody else's passkeys exist for them."""
    passkey = passkeys_of(request.user).filter(pk=passkey_id).first()
    if passkey is None:
        record_refusal(request, "passkey", None)
        raise Http404
    return passkey


@signed_in
def name_passkey(request: AuthenticatedHttpRequest, passkey_id: int) -> HttpResponse:
    if refused := not_confirmed_yet(request):
        return refused
    passkey = own_passkey(request, passkey_id)
    form = PasskeyNameForm(request.POST or None, initial={"name": passkey.name})
    if request.method == "POST" and form.is_valid():
        actions.rename_passkey(passkey, form.cleaned_data["name"], by=request.user)
        messages.success(
            request, _("Your passkey is saved as “%(name)s”.") % {"name": passkey.name}
        )
        return redirect(safe_next(request, "/accounts/passkeys/"))
    return render(
        request,
        "accounts/passkey_name.html",
        {"form": form, "passkey": passkey, "next": safe_next(request, "/accounts/passkeys/")},
    )


@signed_in
@require_POST
def remove_passkey(request: AuthenticatedHttpRequest, passkey_id: int) -> HttpResponse:
    if refused := not_confirmed_yet(request):
        return refused
    passkey = own_passkey(request, passkey_id)
    name = passkey.name
    try:
        actions.remove_passkey(passkey, by=request.user)
    except actions.PasskeyRemovalRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("The passkey “%(name)s” is removed.") % {"name": name})
    return redirect("/accounts/passkeys/")
