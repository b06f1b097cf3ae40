"""The pages of personal access tokens: one's own (make, list, revoke) and the clinic's (for
its admins). The REST API itself is in interop/api/."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bridgework.accounts.http import AuthenticatedHttpRequest, clinic_admin_required, signed_in
from bridgework.interop import access, actions
from bridgework.interop.forms import READ_WRITE, TokenForm
from bridgework.lib.web import never_compressed


@signed_in
@never_compressed
def tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = actions.create_token(
                request.user,
                name=form.cleaned_data["name"],
                can_write=form.cleaned_data["access"] == READ_WRITE,
                areas=form.cleaned_data["areas"],
                expires_on=form.cleaned_data["expires_on"],
            )
        except actions.TokenRefused as refused:
            for field, message in refused.problems.items():
                form.add_error(None if field == "__all__" else field, message)
        else:
            # The secret is shown on this answer alone: not in a URL, not in the session, and
            # the page is never cached (PrivacyHeadersMiddleware: no-store).
            return render(request, "interop/token_made.html", {"token": token, "secret": secret})
    context = {
        "form": form,
        "tokens": access.own_tokens(request),
        "second_factor": actions.second_factor_problem(request.user),
    }
    return render(request, "interop/tokens.html", context, status=400 if form.errors else 200)


@clinic_admin_required
def clinic_tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "interop/clinic_tokens.html", {"tokens": access.clinic_tokens(request)})


@signed_in
@require_POST
def revoke(request: AuthenticatedHttpRequest, token_id: int) -> HttpResponse:
    token = access.get_token_for_user(request, token_id)
    actions.revoke_token(token, by=request.user)
    messages.success(request, _("The token “%(name)s” no longer works.") % {"name": token.name})
    mine = token.owner_id == request.user.pk
    return redirect("/tokens/" if mine else "/tokens/clinic/")
