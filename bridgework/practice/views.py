"""The client's phone app (Today, logging, diary, check-ins, history, progress, offline sync)
and the therapist's views of practice."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bridgework.accounts.http import (
    AuthenticatedHttpRequest,
    client_required,
    is_signed_in,
    signed_in,
)
from bridgework.accounts.models import User
from bridgework.audit import readonly
from bridgework.audit.readonly import KeptReadOnly
from bridgework.care.access import Need, get_client_for_user, own_record
from bridgework.care.models import Client
from bridgework.lib.numbers import identifier
from bridgework.plans import summaries
from bridgework.plans.access import get_plan_for_user
from bridgework.plans.models import ActionPlan, Status
from bridgework.practice import (
    actions,
    entries,
    outbox,
    progress,
    seeding,
    series,
    sparkline,
    worksheets,
)
from bridgework.practice.access import check_ins_of, get_log_for_user, logs_of
from bridgework.practice.forms import ScaleForm
from bridgework.practice.hooks import questionnaires_due
from bridgework.practice.models import Outcome, active_scales

SAVED = {True: "saved", False: "already-saved"}


@client_required
def today(request: AuthenticatedHttpRequest) -> HttpResponse:
    client = own_record(request)
    plans = summaries.for_client_home(request, client)
    active = [plan for plan in plans if plan.status in (Status.AGREED, Status.ACTIVE)]
    others = [plan for plan in plans if plan.status not in (Status.AGREED, Status.ACTIVE)]
    reminders = waiting_prompts(request, client)
    return render(
        request,
        "practice/today.html",
        {
            "client": client,
            "active": active,
            "others": others,
            "quick_label": worksheets.current(worksheets.QUICK).label("how_it_went"),
            "new_uid": uuid.uuid4,
            "scales": active_scales(client),
            "next_session": client.sessions.filter(starts_at__gt=timezone.now())
            .order_by("starts_at")
            .first(),
            "goals": client.goals.filter(achieved_at=None),
            "reminders": reminders,
            "due_measures": due_measures(request, client, reminders),
            # Kept read-only (docs/erasure.md): said kindly, and no forms to fill in.
            "read_only": readonly.why(client.pk, actor_role="client"),
        },
    )


def due_measures(
    request: HttpRequest, client: Client, reminders: list[Any]
) -> list[tuple[str, str]]:
    """Questionnaires to fill in before the next session, from the time their reminder is set
    for until the session, except while that reminder waits on the same page: its one link
    walks through them all."""
    from bridgework.prompts.models import Purpose

    if any(prompt.purpose == Purpose.MEASURE for prompt, _snoozes in reminders):
        return []
    return questionnaires_due(request, client)


def waiting_prompts(request: HttpRequest, client: Client) -> list[Any]:
    """The in-app list: reminders that went out and still wait for an answer."""
    from bridgework.prompts.access import prompts_of
    from bridgework.prompts.states import WAITING_FOR_ANSWER
    from bridgework.prompts.steps import snooze_choices

    waiting = (
        prompts_of(request, client)
        .filter(state__in=WAITING_FOR_ANSWER, expires_at__gt=timezone.now())
        .select_related("plan")
    )
    return [(prompt, snooze_choices(prompt)) for prompt in waiting.order_by("-due_at")[:5]]


def log_page(
    request: HttpRequest,
    client: Client,
    plan: ActionPlan | None,
    sheet: worksheets.Worksheet,
    values: dict[str, Any] | None = None,
    problems: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    # A fresh form opens with what the plan agreed (its seeds); a refused one shows what was sent.
    prefilled, labels = seeding.prefilled(plan, sheet), seeding.labels(plan, sheet)
    values = values or {
        "uid": str(uuid.uuid4()),
        "sheet": sheet.slug,
        "prompt": request.GET.get("prompt", ""),
        **prefilled,
    }
    return render(
        request,
        "practice/log.html",
        {
            "client": client,
            "plan": plan,
            "sheet": sheet,
            "parts": worksheets.layout(sheet, labels=labels),
            # A worksheet that asks how long itself (the exposure log) is not asked twice.
            "sheet_has_duration": "duration_minutes" in sheet.properties,
            "prefilled": bool(prefilled),
            "labelled": bool(labels),
            "values": values,
            "problems": problems or {},
            "outcomes": Outcome.choices,
        },
        status=status,
    )


@client_required
def log_for_plan(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    client = own_record(request)
    plan = get_plan_for_user(request, plan_id)
    if plan.status not in (Status.AGREED, Status.ACTIVE):
        raise Http404
    sheet = worksheets.current(plan.worksheet or worksheets.QUICK)
    return log_page(request, client, plan, sheet)


@client_required
def diary(request: AuthenticatedHttpRequest) -> HttpResponse:
    client = own_record(request)
    return log_page(request, client, None, worksheets.current(worksheets.PRIVATE_ALLOWED))


def save_practice(request: AuthenticatedHttpRequest, form: Any) -> actions.Saved:
    client = own_record(request, need=Need.WRITE)
    return actions.log_practice(
        client, by=request.user, **entries.practice_from(request, client, form)
    )


@client_required
@require_POST
def post_practice(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A practice log posted by a page without JavaScript (the phone's queue uses sync)."""
    try:
        saved = save_practice(request, request.POST)
    except actions.EntryRefused as refused:
        client = own_record(request)
        try:
            plan = entries.plan_from(request, request.POST)
        except actions.EntryRefused:
            plan = None
        try:
            sheet = worksheets.current(request.POST.get("sheet", ""))
        except KeyError:
            sheet = worksheets.current(worksheets.QUICK)
        return log_page(request, client, plan, sheet, request.POST.dict(), refused.problems, 400)
    messages.success(request, thanks(saved))
    return redirect("/me/")


def thanks(saved: actions.Saved) -> str:
    if not saved.created:
        return _("Already saved — nothing was lost.")
    if getattr(saved.entry, "outcome", "") == Outcome.NOT_DONE:
        return _("Saved. Not doing it is useful to know: we can look at it together.")
    return _("Saved. Well done for noting it.")


@client_required
def check_in(request: AuthenticatedHttpRequest) -> HttpResponse:
    client = own_record(request)
    problems: dict[str, str] = {}
    values: dict[str, Any] = {"uid": str(uuid.uuid4()), "prompt": request.GET.get("prompt", "")}
    if request.method == "POST":
        try:
            client = own_record(request, need=Need.WRITE)
            saved = actions.check_in(
                client, by=request.user, **entries.check_in_from(client, request.POST)
            )
        except actions.EntryRefused as refused:
            problems, values = refused.problems, request.POST.dict()
        else:
            messages.success(request, thanks(saved))
            return redirect("/me/")
    return render(
        request,
        "practice/check_in.html",
        {
            "scales": active_scales(client),
            "values": values,
            "problems": problems,
        },
        status=400 if problems else 200,
    )


SYNC_KINDS = ("practice", "check-in")
SYNC_VALUES = (str, int, float, bool, type(None))  # a field holds one value, never a list


def sync_refused(status: int, message: str) -> JsonResponse:
    return JsonResponse({"errors": {"__all__": message}}, status=status)


def sync_payload(request: HttpRequest, user: User) -> tuple[str, dict[str, Any]] | JsonResponse:
    """The kind and fields of a queued entry, or the answer that refuses it. The phone's
    outbox reads the status: 409 means "queued for someone else: keep it for them"; 401, 408,
    429, 5xx and no answer mean "keep it and try again later"; any other 4xx means "refused,
    show it to the client, never resend"."""
    if request.content_type != "application/json":
        return sync_refused(415, _("Entries are sent as JSON. Reload the page and try again."))
    try:
        payload = json.loads(request.body)
        kind, form, owner = payload["kind"], payload["form"], payload.get("owner")
        if not isinstance(form, dict) or not all(
            isinstance(value, SYNC_VALUES) for value in form.values()
        ):
            raise TypeError("form")
    except RequestDataTooBig:
        return sync_refused(
            413,
            _("This entry is too large to send (at most %(n)d KB).")
            % {"n": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024},
        )
    except (ValueError, KeyError, TypeError, RecursionError):
        return sync_refused(400, _("This entry could not be read."))
    if not outbox.is_owner(user, owner):
        # Written while someone else was signed in on this phone (or by a page from before
        # entries said whose they are): never saved as this person's.
        return sync_refused(
            409, _("This entry was written by someone else on this phone, so it is not sent.")
        )
    if kind not in SYNC_KINDS:
        return sync_refused(
            400,
            _("This is neither practice nor a check-in, so it cannot be saved here."),
        )
    return str(kind), form


@require_POST
def sync(request: HttpRequest) -> JsonResponse:
    """Entries queued on the phone: {"kind": "practice" | "check-in", "owner": "…", "form":
    {…}}, the owner being the one the page showed (practice.outbox). Sending the same entry
    again answers "already-saved" and stores nothing new."""
    if not is_signed_in(request):
        # Not a redirect to the sign-in page: the outbox would take that page's 200 for
        # "saved" and drop the entry. The entry waits on the phone until the client is back.
        return sync_refused(401, _("You are signed out. Sign in again to send your entries."))
    client, user = own_record(request, need=Need.WRITE), request.user
    read = sync_payload(request, user)
    if isinstance(read, JsonResponse):
        return read
    kind, form = read
    try:
        if kind == "check-in":
            saved = actions.check_in(client, by=user, **entries.check_in_from(client, form))
        else:
            saved = actions.log_practice(
                client, by=user, **entries.practice_from(request, client, form)
            )
    except actions.EntryRefused as refused:
        return JsonResponse({"errors": refused.problems}, status=400)
    except KeptReadOnly as kept:
        # 423, neither 409 ("someone else's: keep it") nor a "try again later": the outbox
        # shows the message beside the entry, to copy, and never sends it again.
        return sync_refused(423, kept.message)
    messages.success(request, thanks(saved))
    return JsonResponse(
        {"status": SAVED[saved.created], "message": thanks(saved)},
        status=201 if saved.created else 200,
    )


@client_required
def history(request: AuthenticatedHttpRequest) -> HttpResponse:
    client = own_record(request)
    return render(
        request,
        "practice/history.html",
        {
            "logs": logs_of(request, client)[:100],
            "check_ins": check_ins_of(request, client)[:50],
        },
    )


def own_charts(request: HttpRequest, client: Client) -> list[progress.Chart]:
    charts = progress.charts_for(
        logs_of(request, client), check_ins_of(request, client), voice="client"
    )
    progress.mark_sessions(client, charts)
    return charts


@client_required
def my_progress(request: AuthenticatedHttpRequest) -> HttpResponse:
    client = own_record(request)
    charts = own_charts(request, client)
    # The first picture comes inside the page: on a slow phone network it is the largest thing
    # on the screen, and fetching it after the page would cost another round trip. The others
    # load from their own address when scrolled to.
    first = progress.data_uri(charts[0].svg()) if charts else ""
    return render(request, "practice/progress.html", {"charts": charts, "first_picture": first})


@client_required
def progress_chart(request: AuthenticatedHttpRequest, name: str) -> HttpResponse:
    client = own_record(request)
    return progress.chart_image(own_charts(request, client), name)


@signed_in
def log_series(request: AuthenticatedHttpRequest, log_id: int) -> HttpResponse:
    """An exposure's distress series as a small picture (its numbers are on the page)."""
    log = get_log_for_user(request, log_id)
    points = sparkline.points_of(worksheets.get(log.worksheet, log.worksheet_version), log.entries)
    if len(points) < series.READINGS_NEEDED:
        raise Http404
    return progress.svg_response(sparkline.svg(points))


@signed_in
def log_detail(request: AuthenticatedHttpRequest, log_id: int) -> HttpResponse:
    log = get_log_for_user(request, log_id)
    sheet = worksheets.get(log.worksheet, log.worksheet_version)
    return render(
        request,
        "practice/log_detail.html",
        {
            "log": log,
            "sheet": sheet,
            "shown": shown_entries(sheet, log.entries, staff=not request.user.is_client),
            "client": log.client,
        },
    )


@client_required
@require_POST
def log_privacy(request: AuthenticatedHttpRequest, log_id: int) -> HttpResponse:
    """The client shares a diary entry with their care team, or makes it private again."""
    own_record(request, need=Need.WRITE)  # the client alone decides
    log = get_log_for_user(request, log_id, need=Need.WRITE)
    try:
        private = entries.private_from(request.POST, unchosen=None)
        actions.set_privacy(log, by=request.user, private=private)
    except actions.EntryRefused as refused:
        messages.error(request, " ".join(refused.problems.values()))
    else:
        messages.success(
            request,
            _("Now only you can see this entry.")
            if log.is_private
            else _("Shared: your care team can see this entry now."),
        )
    return redirect(f"/practice/{log.pk}/")


def shown_entries(
    sheet: worksheets.Worksheet, values: dict[str, Any], *, staff: bool = False
) -> list[tuple[str, Any]]:
    """(label, value) pairs in the worksheet's order; list rows become short lines. The care
    team reads the staff's labels ("The situation faced"), the client their own."""
    shown = []
    for name, spec in sheet.properties.items():
        if name not in values:
            continue
        value = values[name]
        if spec.get("type") == "array":
            columns = list(spec["items"]["properties"])
            value = "; ".join(" · ".join(str(row.get(c, "")) for c in columns) for row in value)
        elif spec.get("type") == "boolean":
            value = _("yes") if value else _("no")
        shown.append((sheet.staff_label(name) if staff else sheet.label(name), value))
    return shown


@signed_in
def scales(request: AuthenticatedHttpRequest, client_id: int) -> HttpResponse:
    """The therapist chooses the client's check-in scales."""
    client = get_client_for_user(request, client_id, need=Need.WRITE, staff_view=True)
    user = request.user
    form = ScaleForm(request.POST if "name" in request.POST else None)
    if request.method == "POST" and "retire" in request.POST:
        scale = active_scales(client).filter(pk=identifier(request.POST["retire"]) or 0).first()
        if scale is not None:
            actions.retire_scale(scale, by=user)
        return redirect(f"/clients/{client.pk}/scales/")
    if form.is_bound and form.is_valid():
        actions.add_scale(client, by=user, **form.cleaned_data)
        messages.success(request, _("Scale added. The client can use it from now on."))
        return redirect(f"/clients/{client.pk}/scales/")
    return render(
        request,
        "practice/scales.html",
        {
            "client": client,
            "form": form,
            "scales": active_scales(client),
        },
    )
