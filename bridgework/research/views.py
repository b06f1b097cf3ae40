"""Research pages. A clinic admin's: the clinic's studies, setting one up, its researchers'
access. A researcher's: their studies, a study's page with its exports, the codebook, and
the download of a finished export. Every object comes through research.access."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bridgework.accounts.http import (
    AuthenticatedHttpRequest,
    clinic_admin_required,
    role_required,
    signed_in,
)
from bridgework.research import access, actions, pages
from bridgework.research.forms import AccessForm, ExportForm, StudyForm
from bridgework.research.models import Export

researcher_required = role_required(lambda user: user.is_researcher, refused="research-pages")


# --- the clinic admin's pages ----------------------------------------------------------------


@clinic_admin_required
def studies(request: AuthenticatedHttpRequest) -> HttpResponse:
    listed = access.studies_for_admin(request).prefetch_related("accesses")
    return render(request, "research/studies.html", {"studies": listed})


@clinic_admin_required
def new_study(request: AuthenticatedHttpRequest) -> HttpResponse:
    clinic = request.user.clinic
    form = StudyForm(request.POST or None, clinic=clinic)
    if request.method == "POST" and form.is_valid():
        try:
            study = actions.create_study(by=request.user, **form.facts())
        except actions.StudyRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("The study is set up. Now grant its researchers access."))
            return redirect(f"/research/studies/{study.pk}/access/")
    return render(request, "research/study_form.html", {"form": form, "study": None})


@signed_in
def edit_study(request: AuthenticatedHttpRequest, study_id: int) -> HttpResponse:
    writing = request.method == "POST"
    study = access.get_study_for_admin(request, study_id, write=writing)
    form = StudyForm(request.POST if writing else None, clinic=study.clinic, study=study)
    if writing and form.is_valid():
        try:
            actions.change_study(study, by=request.user, **form.facts())
        except actions.StudyRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("The study is saved."))
            return redirect("/research/studies/")
    return render(request, "research/study_form.html", {"form": form, "study": study})


@signed_in
def study_access(request: AuthenticatedHttpRequest, study_id: int) -> HttpResponse:
    """The researchers of the clinic, each with access granted or not; a form sent grants
    or revokes one."""
    writing = request.method == "POST"
    study = access.get_study_for_admin(request, study_id, write=writing)
    if writing:
        form = AccessForm(request.POST, researchers=access.access_candidates(study))
        if not form.is_valid():
            messages.error(request, _("Choose one of your clinic's researchers."))
            return redirect(f"/research/studies/{study.pk}/access/")
        granting = form.cleaned_data["action"] == "grant"
        change = actions.grant_access if granting else actions.revoke_access
        try:
            change(study, form.cleaned_data["researcher"], by=request.user)
        except actions.StudyRefused as refused:
            messages.error(request, str(refused))
        return redirect(f"/research/studies/{study.pk}/access/")
    return render(request, "research/access.html", pages.access_page(study))


# --- the researcher's pages ------------------------------------------------------------------


@researcher_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "research/home.html", {"studies": access.studies_for_user(request)})


@signed_in
def study(request: AuthenticatedHttpRequest, study_id: int) -> HttpResponse:
    found = access.get_study_for_researcher(request, study_id)
    return render(request, "research/study.html", pages.study_page(found, ExportForm()))


@signed_in
@require_POST
def request_export(request: AuthenticatedHttpRequest, study_id: int) -> HttpResponse:
    found = access.get_study_for_researcher(request, study_id, write=True)
    form = ExportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose CSV or Parquet as the export's format."))
        return redirect(f"/research/studies/{found.pk}/")
    try:
        actions.request_export(found, form.cleaned_data["format"], by=request.user)
    except actions.StudyRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("The export is being made. This page shows how far it is."))
    return redirect(f"/research/studies/{found.pk}/")


@signed_in
def export_status(request: AuthenticatedHttpRequest, export_id: int) -> JsonResponse:
    """How far the export is, for the study page's progress (static/js/export-progress.js)."""
    export = access.get_export_for_user(request, export_id, progress_only=True)
    response = JsonResponse(pages.progress_of(export))
    response["Cache-Control"] = "no-store"
    return response


@signed_in
def download(request: AuthenticatedHttpRequest, export_id: int) -> HttpResponseBase:
    """The export's zip, to a researcher of its study; recorded as an export. An export not
    ready (or expired: its file deleted) is gone, and says so."""
    export = access.get_export_for_user(request, export_id, download=True)
    path = Path(settings.RESEARCH_EXPORT_DIR) / export.file_name
    if export.state != Export.State.READY or not export.file_name or not path.is_file():
        return render(request, "research/export_gone.html", {"export": export}, status=410)
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=pages.download_name(export)
    )
    response["Cache-Control"] = "no-store"
    return response


@signed_in
def codebook(request: AuthenticatedHttpRequest, study_id: int) -> HttpResponse:
    found = access.get_study_for_researcher(request, study_id)
    return render(request, "research/codebook.html", pages.codebook_page(found))


@signed_in
def datapackage(request: AuthenticatedHttpRequest, study_id: int) -> JsonResponse:
    """The study's datapackage.json alone: the codebook as a Frictionless descriptor."""
    found = access.get_study_for_researcher(request, study_id)
    response = JsonResponse(pages.descriptor_of(found), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = 'attachment; filename="datapackage.json"'
    return response
