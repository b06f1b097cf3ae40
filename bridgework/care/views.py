"""The therapist's caseload and client page, and the client's own home page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Max, Min, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bridgework.accounts import actions as accounts_actions
from bridgework.accounts.models import User
from bridgework.care import actions
from bridgework.care import my_data as export
from bridgework.care.access import (
    Need,
    can_write,
    caseload_for_user,
    get_client_for_user,
    get_goal_for_user,
    get_session_for_user,
    own_record,
    record_export,
)
from bridgework.care.forms import ConsentForm, GoalForm, SessionForm, SessionUpdateForm
from bridgework.care.models import Consent
from bridgework.care.sessions import previous_session
from bridgework.measures import due, glance
from bridgework.measures.access import open_flags_of, responses_of
from bridgework.measures.actions import REVIEW
from bridgework.plans import summaries
from bridgework.practice import summaries as practice_summaries


def staff_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not (user.is_therapist or user.is_supervisor):
        raise Http404
    return user


@login_required
def caseload(request: HttpRequest) -> HttpResponse:
    staff_user(request)
    now = timezone.now()
    sessions = caseload_for_user(request).annotate(
        last_session=Max("sessions__starts_at", filter=Q(sessions__starts_at__lte=now)),
        next_session=Min("sessions__starts_at", filter=Q(sessions__starts_at__gt=now)),
    )
    clients = list(summaries.with_plan_columns(sessions).order_by("full_name"))
    scores = glance.caseload_scores(clients)
    for client in clients:
        client.plan_quality = summaries.latest_plan_quality(client)  # type: ignore[attr-defined]
        client.symptoms = [  # type: ignore[attr-defined]
            scores.get((client.pk, slug)) for slug in glance.CASELOAD_MEASURES
        ]
    return render(request, "care/caseload.html", {"clients": clients})


FLAGS_SHOWN = 10  # the newest open flags; the count says how many more wait


@login_required
def client_page(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_client_for_user(request, client_id, staff_view=True)
    now = timezone.now()
    # The ten newest sessions, booked ones first: a fixed cost however long the therapy.
    sessions = list(client.sessions.select_related("therapist").order_by("-starts_at")[:10])
    flags = open_flags_of(request, client).prefetch_related("notices")  # who was told, when
    recent = practice_summaries.recent_for_client(request, client)
    responses = list(responses_of(request, client).exclude(instrument__slug=REVIEW)[:12])
    last = previous_session(client, now)
    plans = summaries.plan_rows(request, client)
    courses = glance.courses(request, client)
    return render(
        request,
        "care/client_page.html",
        {
            "since": glance.since(last, recent["practice"], recent["check_ins"], responses, plans),
            "client": client,
            "care_team": client.care_team.all(),
            "goals": client.goals.all(),
            "past_sessions": [s for s in sessions if s.starts_at <= now],
            "upcoming_sessions": [s for s in reversed(sessions) if s.starts_at > now],
            "consents": actions.consents_given(client),
            "purposes": Consent.Purpose,
            "goal_form": GoalForm(),
            "plans": plans,
            **recent,
            "flags": flags[:FLAGS_SHOWN],
            "more_flags": max(0, flags.count() - FLAGS_SHOWN),
            "charts": glance.charts(request, client),
            "chart_base": f"/clients/{client.pk}/charts/",
            # Pairs, not a dict: a template would look a slug "items" up as a key.
            "questionnaires": list(due.questionnaires(client).items()),
            "responses": responses,
            "courses": courses,
            "baselines": {course.baseline.pk for course in courses},
            "can_write": can_write(request, client),
        },
    )


@login_required
@require_POST
def add_goal(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_client_for_user(request, client_id, need=Need.WRITE, staff_view=True)
    form = GoalForm(request.POST)
    if form.is_valid():
        actions.add_goal(client, text=form.cleaned_data["text"], by=staff_user(request))
        messages.success(request, _("Goal added."))
    else:
        for error in form.errors["text"]:
            messages.error(request, str(error))
    return redirect(f"/clients/{client.pk}/#goals")


@login_required
@require_POST
def toggle_goal(request: HttpRequest, goal_id: int) -> HttpResponse:
    goal = get_goal_for_user(request, goal_id, need=Need.WRITE, staff_view=True)
    actions.mark_goal_achieved(goal, goal.achieved_at is None, by=staff_user(request))
    return redirect(f"/clients/{goal.client_id}/#goals")


@login_required
def add_session(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_client_for_user(request, client_id, need=Need.WRITE, staff_view=True)
    by = staff_user(request)
    form = SessionForm(request.POST or None, client=client, initial={"therapist": by.pk})
    if request.method == "POST" and form.is_valid():
        session = actions.add_session(client, by=by, **form.cleaned_data)
        messages.success(request, _("Session %(number)d added.") % {"number": session.number})
        return redirect(f"/clients/{client.pk}/")
    return render(request, "care/session_form.html", {"client": client, "form": form})


@login_required
def edit_session(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_session_for_user(request, session_id, need=Need.WRITE, staff_view=True)
    by = staff_user(request)
    initial = {"starts_at": timezone.localtime(session.starts_at), "takeaway": session.takeaway}
    form = SessionUpdateForm(request.POST or None, client=session.client, initial=initial)
    if request.method == "POST" and form.is_valid():
        actions.update_session(session, by=by, **form.cleaned_data)
        messages.success(request, _("Session %(number)d saved.") % {"number": session.number})
        return redirect(f"/clients/{session.client_id}/")
    return render(
        request,
        "care/session_form.html",
        {"client": session.client, "form": form, "session": session},
    )


def save_language(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    language = request.POST.get("language", "")
    if language in dict(settings.LANGUAGES):
        accounts_actions.set_language(user, language, by=user)
        translation.activate(language)
        messages.success(request, _("Your language is saved."))
    return redirect("/me/consents/")


@login_required
def client_consents(request: HttpRequest) -> HttpResponse:
    client = own_record(request)
    if request.method == "POST" and "language" in request.POST:
        return save_language(request)
    if request.method == "POST":
        form = ConsentForm(request.POST)
        if form.is_valid():
            client = own_record(request, need=Need.WRITE)
            actions.set_consent(
                client,
                form.cleaned_data["purpose"],
                form.cleaned_data["given"],
                by=client.user,  # type: ignore[arg-type]  # the door admits only the client
            )
            messages.success(request, _("Your choice is saved."))
            return redirect("/me/consents/")
        messages.error(
            request, _("That choice could not be saved. Pick yes or no for one purpose.")
        )
    given = actions.consents_given(client)
    return render(
        request,
        "care/client_consents.html",
        {
            "client": client,
            "choices": [(value, label, value in given) for value, label in Consent.Purpose.choices],
            "history": client.consents.order_by("-given_at"),
        },
    )


@login_required
@require_POST
def my_data(request: HttpRequest) -> HttpResponse:
    """The client's own copy of their data, as a JSON file (Settings & privacy)."""
    client = own_record(request)
    record_export(request, client, "my-data")
    response = JsonResponse(
        export.my_data(request, client), json_dumps_params={"ensure_ascii": False, "indent": 1}
    )
    # A neutral name: a file name in a downloads folder should not say what it holds.
    response["Content-Disposition"] = 'attachment; filename="bridgework-my-data.json"'
    return response
