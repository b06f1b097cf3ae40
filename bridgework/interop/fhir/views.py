"""The clinic's FHIR pages: a client's record to download, for the staff who may read the
client (both modes, each recorded as an export), and the clinic admin's import."""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.shortcuts import render

from bridgework.accounts.http import AuthenticatedHttpRequest, clinic_admin_required, signed_in
from bridgework.care.access import get_client_for_user
from bridgework.interop.fhir import codes
from bridgework.interop.fhir.export.bundle import everything
from bridgework.interop.fhir.export.context import Mode
from bridgework.interop.fhir.forms import ImportForm
from bridgework.interop.fhir.load.bundle import import_bundle
from bridgework.interop.fhir.load.validation import InvalidBundle


@signed_in
def record_page(request: AuthenticatedHttpRequest, client_id: int) -> HttpResponse:
    client = get_client_for_user(request, client_id, staff_view=True)
    return render(request, "fhir/record.html", {"record_of": client})


@signed_in
def record_json(request: AuthenticatedHttpRequest, client_id: int) -> HttpResponse:
    return download(request, client_id, Mode.IDENTIFIED)


@signed_in
def pseudonymised_json(request: AuthenticatedHttpRequest, client_id: int) -> HttpResponse:
    return download(request, client_id, Mode.PSEUDONYMISED)


def download(request: AuthenticatedHttpRequest, client_id: int, mode: Mode) -> HttpResponse:
    bundle = everything(request, client_id, mode)
    # Compact, not indented: the json module writes indented JSON in Python, compact JSON in
    # C — a fifth of the time for a two-year record (docs/performance.md), and a third smaller.
    # A reader who wants it indented has a JSON viewer; a program reads it either way.
    text = json.dumps(bundle, ensure_ascii=False, separators=(",", ":"))
    response = HttpResponse(text, content_type=codes.MEDIA_TYPE)
    # The client's number, not their name: a downloads folder should not say whose it is.
    name = f"bridgework-client-{client_id}-{mode}.fhir.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@clinic_admin_required
def import_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    admin = request.user
    form = ImportForm(request.POST or None, request.FILES or None, clinic=admin.clinic)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            report = import_bundle(
                form.cleaned_data["record"],
                clinic=admin.clinic,
                by=admin,
                therapist=form.cleaned_data["therapist"],
            )
        except InvalidBundle as refused:
            problems = refused.problems
        else:
            return render(request, "fhir/imported.html", {"report": report})
    status = 400 if problems or form.errors else 200
    context = {"form": form, "problems": problems}
    return render(request, "fhir/import.html", context, status=status)
