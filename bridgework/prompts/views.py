"""Reminder pages: the client's reminders and calendar feed, opening and snoozing a prompt,
and the therapist's schedules and reminder overview."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bridgework.accounts.http import AuthenticatedHttpRequest, client_required, signed_in
from bridgework.audit import readonly
from bridgework.care import actions as care_actions
from bridgework.care.access import Need, get_client_for_user, own_record
from bridgework.care.models import Client, Consent
from bridgework.lib.forms import field_of
from bridgework.lib.numbers import identifier
from bridgework.plans.access import get_plan_for_user, plans_of
from bridgework.plans.models import ActionPlan
from bridgework.prompts import (
    calendar,
    designed,
    planner,
    rules,
    schedules,
    states,
    steps,
    subscriptions,
)
from bridgework.prompts.access import (
    feed_for_token,
    get_prompt_for_user,
    get_schedule_for_user,
    prompts_of,
    schedules_of,
)
from bridgework.prompts.forms import ClientReminderForm, ClientTimesForm, ScheduleForm
from bridgework.prompts.hooks import questionnaires_left, questionnaires_offered
from bridgework.prompts.models import Channel, Prompt, Purpose, Schedule

# --- the client -------------------------------------------------------------------------------
# Prompts are answered by their client alone (client_required: the prompt's door would let
# the care team in too); staff follow them on the reminders page.


@client_required
def open_prompt(request: AuthenticatedHttpRequest, prompt_id: int) -> HttpResponse:
    """Where every reminder's link lands: recorded as opened (not while the record is kept
    read-only: a legal hold), then on to exactly its task."""
    prompt = get_prompt_for_user(request, prompt_id, need=Need.WRITE)
    if not readonly.why(prompt.client_id, object_type="prompt", actor_role="client"):
        steps.mark_opened(prompt, by=request.user)
    if prompt.state in (Prompt.State.EXPIRED, Prompt.State.CANCELLED):
        messages.info(request, _("That reminder has closed. You can still log it any time."))
    if prompt.purpose == Purpose.CHECK_IN:
        return redirect(f"/me/check-in/?prompt={prompt.pk}")
    if prompt.purpose == Purpose.MEASURE:
        left = questionnaires_left(request, prompt)
        if not left:  # all filled in already, from Today or in the session
            steps.answer(prompt.pk, prompt.client, by=request.user)
            messages.success(request, _("Thank you: those questionnaires are filled in already."))
            return redirect("/me/")
        return redirect(f"/me/measures/{left[0]}/?prompt={prompt.pk}")
    return redirect(f"/me/plans/{prompt.plan_id}/log/?prompt={prompt.pk}")


@client_required
@require_POST
def snooze(request: AuthenticatedHttpRequest, prompt_id: int) -> HttpResponse:
    prompt = get_prompt_for_user(request, prompt_id, need=Need.WRITE)
    try:
        steps.snooze(prompt, int(request.POST.get("minutes", "0") or 0), by=request.user)
        messages.success(request, _("Snoozed. We'll remind you again."))
    except (rules.RuleError, ValueError) as refused:
        problems = getattr(refused, "problems", {})
        messages.error(request, problems.get("minutes", _("Choose one of the offered times.")))
    return redirect("/me/")


@client_required
def my_reminders(request: AuthenticatedHttpRequest) -> HttpResponse:
    client = own_record(request)
    feed_url = request.session.pop("new_calendar_feed", "")
    return render(
        request,
        "prompts/my_reminders.html",
        {
            "client": client,
            "schedules": schedules_of(request, client).select_related("plan"),
            "plans": plans_of(request, client).filter(status__in=states.OPEN_PLAN),
            "feed_url": feed_url,
            "vapid_public_key": settings.VAPID_PUBLIC_KEY,
            "upcoming": prompts_of(request, client)
            .filter(state__in=states.PENDING, due_at__gte=timezone.now())
            .select_related("plan")[:10],
        },
    )


@client_required
def my_schedule(request: AuthenticatedHttpRequest, schedule_id: int) -> HttpResponse:
    """The client changes their own times; a new version of the schedule is made."""
    schedule = get_schedule_for_user(request, schedule_id, need=Need.WRITE)
    if request.method == "POST" and "end" in request.POST:
        return end_own_reminder(request, schedule)
    if schedule.kind != Schedule.Kind.FIXED:
        raise Http404
    form = ClientTimesForm(request.POST or None, initial=ScheduleForm.initial_from(schedule))
    if request.method == "POST" and form.is_valid():
        rule = {**schedule.rule, **ScheduleForm.rule_parts(form.cleaned_data)}
        try:
            schedules.set_schedule(
                schedule.client,
                by=request.user,
                purpose=schedule.purpose,
                rule=rule,
                channels=schedule.channels,
                plan=schedule.plan,
                replaces=schedule,
            )
        except rules.RuleError as refused:
            for field, problem in refused.problems.items():
                form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(request, _("Your reminder times are saved."))
            return redirect("/me/reminders/")
    return render(request, "prompts/my_schedule.html", {"schedule": schedule, "form": form})


def end_own_reminder(request: AuthenticatedHttpRequest, schedule: Schedule) -> HttpResponse:
    """A reminder the client added, they may also stop; the others are agreed with the
    therapist (the client moves their times)."""
    if schedule.origin != Schedule.Origin.CLIENT:
        raise Http404
    schedules.end_schedule(schedule, by=request.user, reason=_("stopped by the client"))
    messages.success(request, _("That reminder is stopped."))
    return redirect("/me/reminders/")


@client_required
def add_reminder(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """The client adds a reminder of their own to one of their agreed or active plans."""
    plan = get_plan_for_user(request, plan_id, need=Need.WRITE)
    if plan.status not in states.OPEN_PLAN:
        raise Http404
    client = plan.client
    form = ClientReminderForm(request.POST or None, channels=designed.channels_for(client))
    if request.method == "POST" and form.is_valid():
        try:
            schedules.set_schedule(
                client,
                by=request.user,
                purpose=Purpose.PRACTICE,
                rule=form.rule(),
                channels=form.cleaned_data["channels"],
                plan=plan,
                origin=Schedule.Origin.CLIENT,
            )
        except rules.RuleError as refused:
            for field, problem in refused.problems.items():
                form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(request, _("Your reminder is set."))
            return redirect("/me/reminders/")
    return render(request, "prompts/add_reminder.html", {"plan": plan, "form": form})


@client_required
@require_POST
def calendar_feed(request: AuthenticatedHttpRequest) -> HttpResponse:
    client = own_record(request, need=Need.WRITE)
    if request.POST.get("action") == "stop":
        subscriptions.revoke_calendar_feeds(client, by=request.user)
        messages.success(request, _("Your calendar address no longer works."))
        return redirect("/me/reminders/")
    care_actions.set_consent(client, Consent.Purpose.REMINDERS_CALENDAR, True, by=request.user)
    token = subscriptions.new_calendar_feed(client, by=request.user)
    # Shown once, on the next page: only its hash is kept.
    request.session["new_calendar_feed"] = f"{settings.SITE_URL}/calendar/{token}.ics"
    return redirect("/me/reminders/")


@client_required
@require_POST
def push_subscribe(request: AuthenticatedHttpRequest) -> JsonResponse:
    client = own_record(request, need=Need.WRITE)
    try:
        body = json.loads(request.body)
        subscriptions.turn_on_push(
            client,
            by=request.user,
            endpoint=str(body["endpoint"]),
            p256dh=str(body["keys"]["p256dh"]),
            auth=str(body["keys"]["auth"]),
        )
    except (ValueError, KeyError, TypeError, RecursionError):
        return JsonResponse(
            {"error": _("This phone's subscription could not be read.")}, status=400
        )
    return JsonResponse({"status": "subscribed"}, status=201)


def feed(request: HttpRequest, token: str) -> HttpResponse:
    feed_row = feed_for_token(token)
    return HttpResponse(calendar.render(feed_row.client), content_type="text/calendar")


# --- the therapist ----------------------------------------------------------------------------


def therapist_client(request: HttpRequest, client_id: int, need: Need = Need.READ) -> Client:
    return get_client_for_user(request, client_id, need=need, staff_view=True)


@signed_in
def client_reminders(request: AuthenticatedHttpRequest, client_id: int) -> HttpResponse:
    client = therapist_client(request, client_id)
    since = timezone.now() - timedelta(weeks=8)
    prompts = list(
        prompts_of(request, client)
        .filter(due_at__gte=since, due_at__lte=timezone.now())
        .only("state", "due_at", "answered_at")
    )
    return render(
        request,
        "prompts/client_reminders.html",
        {
            "client": client,
            "schedules": schedules_of(request, client).select_related("plan"),
            "weeks": weekly_counts(prompts, client),
            "hours": answer_hours(prompts, client),
            "plans": plans_of(request, client).filter(status__in=states.OPEN_PLAN),
            "failed": [p for p in prompts if p.state == Prompt.State.FAILED][:10],
        },
    )


COUNTED = (
    Prompt.State.SENT,
    Prompt.State.DELIVERED,
    Prompt.State.OPENED,
    Prompt.State.ANSWERED,
    Prompt.State.EXPIRED,
    Prompt.State.FAILED,
)


def weekly_counts(prompts: list[Prompt], client: Client) -> list[dict[str, Any]]:
    """Per week (newest first): how many prompts were sent, opened, answered, expired, failed.
    'Sent' counts every prompt that went out, whatever happened next."""
    zone = planner.zone_of(client)
    weeks: dict[Any, Counter[str]] = {}
    for prompt in prompts:
        monday = prompt.due_at.astimezone(zone).date()
        monday -= timedelta(days=monday.weekday())
        count = weeks.setdefault(monday, Counter())
        if prompt.state in COUNTED and prompt.state != Prompt.State.FAILED:
            count["sent"] += 1
        if prompt.state in (Prompt.State.OPENED, Prompt.State.ANSWERED):
            count["opened"] += 1
        count[prompt.state] += 1
    return [{"week": week, **counts} for week, counts in sorted(weeks.items(), reverse=True)]


def answer_hours(prompts: list[Prompt], client: Client) -> list[tuple[int, int]]:
    zone = planner.zone_of(client)
    hours = Counter(p.answered_at.astimezone(zone).hour for p in prompts if p.answered_at)
    return [(hour, hours[hour]) for hour in range(6, 24) if hours[hour] or 8 <= hour <= 21]


@signed_in
def new_schedule(request: AuthenticatedHttpRequest, client_id: int) -> HttpResponse:
    client = therapist_client(request, client_id, Need.WRITE)
    raw = request.GET.get("plan") or request.POST.get("plan")
    plan_id = identifier(raw)
    if raw and plan_id is None:
        raise Http404
    plan = (
        get_plan_for_user(request, plan_id, need=Need.WRITE, staff_view=True) if plan_id else None
    )
    return schedule_form(request, client, plan, None)


@signed_in
def edit_schedule(request: AuthenticatedHttpRequest, schedule_id: int) -> HttpResponse:
    schedule = get_schedule_for_user(request, schedule_id, need=Need.WRITE)
    client = therapist_client(request, schedule.client_id, Need.WRITE)
    if request.method == "POST" and "end" in request.POST:
        schedules.end_schedule(schedule, by=request.user, reason=_("ended by the therapist"))
        messages.success(request, _("Reminders stopped."))
        return redirect(f"/clients/{client.pk}/reminders/")
    return schedule_form(request, client, schedule.plan, schedule)


def schedule_form(
    request: AuthenticatedHttpRequest,
    client: Client,
    plan: ActionPlan | None,
    schedule: Schedule | None,
) -> HttpResponse:
    if schedule:
        initial = ScheduleForm.initial_from(schedule)
    else:  # the reminders page's buttons open the form on the kind they name
        kind = request.GET.get("kind", "")
        initial = {"kind": kind} if kind in Schedule.Kind.values else {}
    form = ScheduleForm(request.POST or None, initial=initial)
    measures = field_of(form, "measures", forms.MultipleChoiceField)
    measures.choices = list(questionnaires_offered(client).items())
    if request.method == "POST" and form.is_valid():
        before_session = form.cleaned_data["kind"] == Schedule.Kind.BEFORE_SESSION
        try:
            if before_session and plan:
                raise rules.RuleError(
                    {"kind": _("Questionnaire reminders are set for the client, not for a plan.")}
                )
            schedules.set_schedule(
                client,
                by=request.user,
                rule=form.rule(),
                purpose=(
                    Purpose.MEASURE
                    if before_session
                    else Purpose.PRACTICE
                    if plan
                    else Purpose.CHECK_IN
                ),
                channels=form.cleaned_data["channels"],
                plan=plan,
                replaces=schedule,
            )
        except rules.RuleError as refused:
            for field, problem in refused.problems.items():
                form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(
                request, _("Reminders saved. Prompts are planned for the coming days.")
            )
            return redirect(f"/clients/{client.pk}/reminders/")
    return render(
        request,
        "prompts/schedule_form.html",
        {
            "client": client,
            "plan": plan,
            "schedule": schedule,
            "form": form,
            "consents": care_actions.consents_given(client),
            "channel_consent": {c.value: states.CONSENT_FOR.get(c) for c in Channel},
        },
    )
