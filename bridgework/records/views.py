"""The clinic admin's pages about a client's records at the end: the retention policy,
legal holds, erasure requests."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bridgework.accounts.http import AuthenticatedHttpRequest, clinic_admin_required, signed_in
from bridgework.care.access import admin_listing
from bridgework.records import actions, erasure
from bridgework.records.access import (
    client_for_admin,
    erasures_for_admin,
    get_hold_for_admin,
    get_request_for_admin,
)
from bridgework.records.forms import ErasureRequestForm, LegalHoldForm, RetentionForm
from bridgework.records.models import ErasureRequest, LegalHold
from bridgework.records.worker import HOLD_ENDED, REQUEST, RETENTION

TRIGGERS = {
    REQUEST: gettext_lazy("erasure request"),
    HOLD_ENDED: gettext_lazy("legal hold ended (by the worker)"),
    RETENTION: gettext_lazy("retention period ran out (by the worker)"),
}


@clinic_admin_required
def retention_policy(request: AuthenticatedHttpRequest) -> HttpResponse:
    clinic = admin_listing(request, "retention-policy").clinic
    years = actions.retention_years(clinic)
    form = RetentionForm(request.POST or None, initial={"years_after_therapy": years})
    if request.method == "POST" and form.is_valid():
        actions.set_retention(clinic, form.cleaned_data["years_after_therapy"], by=request.user)
        messages.success(request, _("Retention policy saved."))
        return redirect("/records/policy/")
    return render(request, "records/policy.html", {"form": form, "years": years})


@signed_in
def client_records(request: AuthenticatedHttpRequest, client_id: int) -> HttpResponse:
    client = client_for_admin(request, client_id)
    return render(
        request,
        "records/client_records.html",
        {
            "client": client,
            "holds": LegalHold.objects.filter(client=client),
            "keeps": actions.what_keeps(client),
            "preview": erasure.named(erasure.preview(client)),
            "retention_ends": actions.retention_ends(client),
            "requests": ErasureRequest.objects.filter(client=client),
            "hold_form": LegalHoldForm(),
            "request_form": ErasureRequestForm(),
        },
    )


@signed_in
@require_POST
def place_hold(request: AuthenticatedHttpRequest, client_id: int) -> HttpResponse:
    client = client_for_admin(request, client_id)
    form = LegalHoldForm(request.POST)
    try:
        if not form.is_valid():
            raise actions.Refused(*[str(e) for errors in form.errors.values() for e in errors])
        actions.place_hold(client, by=request.user, **form.cleaned_data)
    except actions.Refused as refused:
        for message in refused.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Legal hold placed."))
    return redirect(f"/records/clients/{client.pk}/")


@signed_in
@require_POST
def release_hold(request: AuthenticatedHttpRequest, hold_id: int) -> HttpResponse:
    hold = get_hold_for_admin(request, hold_id)
    actions.release_hold(hold, by=request.user)
    messages.success(request, _("Legal hold released."))
    return redirect(f"/records/clients/{hold.client_id}/")


@signed_in
@require_POST
def request_erasure(request: AuthenticatedHttpRequest, client_id: int) -> HttpResponse:
    client = client_for_admin(request, client_id)
    form = ErasureRequestForm(request.POST)
    if form.is_valid():
        actions.record_erasure_request(
            client, received_from=form.cleaned_data["received_from"], by=request.user
        )
        messages.success(request, _("Erasure request recorded."))
    else:
        for error in form.errors["received_from"]:
            messages.error(request, str(error))
    return redirect(f"/records/clients/{client.pk}/")


@signed_in
@require_POST
def erase(request: AuthenticatedHttpRequest, request_id: int) -> HttpResponse:
    """Erase the client of a waiting request, now; refused, naming each hold and the day the
    retention ends, while anything keeps their records."""
    erasure_request = get_request_for_admin(request, request_id)
    try:
        erasure.erase(erasure_request, by=request.user, trigger=REQUEST)
    except actions.Refused as refused:
        for message in refused.messages:
            messages.error(request, message)
        return redirect(f"/records/clients/{erasure_request.client_id}/")
    messages.success(request, _("The client's records are erased."))
    return redirect("/records/erasures/")


@clinic_admin_required
def erasures(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The clinic's report of erasures: when, what set each off, how many rows; no names."""
    done = erasures_for_admin(request).filter(state=ErasureRequest.State.DONE)
    rows = [
        (
            row,
            TRIGGERS.get(row.counts.get("trigger"), ""),
            erasure.named(row.counts.get("rows", {})),
        )
        for row in done
    ]
    return render(request, "records/erasures.html", {"erasures": rows})
