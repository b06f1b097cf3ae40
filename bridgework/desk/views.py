"""The therapist's desk: the caseload, the client page, the session agenda and the client page's
pictures, each composing several areas (plans, practice, prompts, measures); and the client's
own copy of their data, read through every area's doors. Each area keeps its own pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Max, Min, Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from bridgework.accounts.http import (
    AuthenticatedHttpRequest,
    client_required,
    signed_in,
    staff_required,
)
from bridgework.audit import readonly
from bridgework.care.access import (
    can_write,
    caseload_for_user,
    get_client_for_user,
    own_record,
    record_export,
)
from bridgework.care.actions import consents_given
from bridgework.care.forms import GoalForm
from bridgework.care.models import Client, Consent
from bridgework.care.sessions import coming_session, previous_session, since_last_session
from bridgework.desk import glance
from bridgework.desk import my_data as export
from bridgework.measures import due
from bridgework.measures import glance as measures_glance
from bridgework.measures.access import open_flags_of, responses_of
from bridgework.measures.actions import REVIEW
from bridgework.measures.glance import LatestScore
from bridgework.plans import summaries
from bridgework.practice import engagement
from bridgework.practice import summaries as practice_summaries
from bridgework.practice.progress import chart_image


@dataclass(frozen=True)
class CaseloadRow:
    """One line of the caseload: the client, with the columns the query annotated (sessions,
    flags, open plans, proposals), and those worked out after it."""

    client: Client
    plan_quality: tuple[int, int] | None
    symptoms: list[LatestScore | None]  # one per caseload questionnaire, in their order


@staff_required
def caseload(request: AuthenticatedHttpRequest) -> HttpResponse:
    now = timezone.now()
    sessions = caseload_for_user(request).annotate(
        last_session=Max("sessions__starts_at", filter=Q(sessions__starts_at__lte=now)),
        next_session=Min("sessions__starts_at", filter=Q(sessions__starts_at__gt=now)),
    )
    clients = list(summaries.with_plan_columns(sessions).order_by("full_name"))
    scores = measures_glance.caseload_scores(clients)
    rows = [
        CaseloadRow(
            client=client,
            plan_quality=summaries.latest_plan_quality(client),
            symptoms=[scores.get((client.pk, slug)) for slug in measures_glance.CASELOAD_MEASURES],
        )
        for client in clients
    ]
    return render(request, "desk/caseload.html", {"rows": rows})


FLAGS_SHOWN = 10  # the newest open flags; the count says how many more wait


@signed_in
def client_page(request: AuthenticatedHttpRequest, client_id: int) -> HttpResponse:
    client = get_client_for_user(request, client_id, staff_view=True)
    now = timezone.now()
    # The ten newest sessions, booked ones first: a fixed cost however long the therapy.
    sessions = list(client.sessions.select_related("therapist").order_by("-starts_at")[:10])
    flags = open_flags_of(request, client).prefetch_related("notices")  # who was told, when
    recent = practice_summaries.recent_for_client(request, client)
    responses = list(responses_of(request, client).exclude(instrument__slug=REVIEW)[:12])
    last = previous_session(client, now)
    plans = summaries.plan_rows(request, client)
    courses = measures_glance.courses(request, client)
    read_only = readonly.why(client.pk)
    return render(
        request,
        "desk/client_page.html",
        {
            "since": glance.since(last, recent["practice"], recent["check_ins"], responses, plans),
            "client": client,
            "care_team": client.care_team.all(),
            "goals": client.goals.all(),
            "past_sessions": [s for s in sessions if s.starts_at <= now],
            "upcoming_sessions": [s for s in reversed(sessions) if s.starts_at > now],
            "consents": consents_given(client),
            "purposes": Consent.Purpose,
            "goal_form": GoalForm(),
            "plans": plans,
            "engagement": engagement.profile(request, client, [row.plan for row in plans]),
            **recent,
            "flags": flags[:FLAGS_SHOWN],
            "more_flags": max(0, flags.count() - FLAGS_SHOWN),
            "charts": glance.charts(request, client, [line.log for line in recent["practice"]]),
            "chart_base": f"/clients/{client.pk}/charts/",
            # Pairs, not a dict: a template would look a slug "items" up as a key.
            "questionnaires": list(due.questionnaires(client).items()),
            "responses": responses,
            "courses": courses,
            "baselines": {course.baseline.pk for course in courses},
            # Kept read-only (a legal hold, an erasure request waiting): the banner says why,
            # and the editing buttons are not offered (the actions refuse anyway).
            "read_only": read_only,
            "can_write": can_write(request, client) and not read_only,
        },
    )


@signed_in
def client_chart(request: AuthenticatedHttpRequest, client_id: int, name: str) -> HttpResponse:
    """A picture for the therapist's client page (an image; its table is on the page)."""
    client = get_client_for_user(request, client_id, staff_view=True)
    return chart_image(glance.charts(request, client), name)


@signed_in
def agenda(request: AuthenticatedHttpRequest, client_id: int) -> HttpResponse:
    """The coming session: review the last plans first, then the measures since last time, then
    the new plan."""
    client = get_client_for_user(request, client_id, staff_view=True)
    now = timezone.now()
    scheduled = due.scheduled(request, client)
    rows = summaries.plan_rows(request, client)
    to_review = [row for row in rows if row.plan.status in ("agreed", "active")]
    return render(
        request,
        "desk/agenda.html",
        {
            "client": client,
            "upcoming": coming_session(client, now),
            "last": previous_session(client, now),
            "to_review": to_review,
            "engagement": engagement.profile(request, client, [row.plan for row in rows]),
            "flags": open_flags_of(request, client),
            "responses": responses_of(request, client)
            .filter(completed_at__gte=since_last_session(client, now))
            .exclude(instrument__slug=REVIEW),
            "practice": {
                row.plan.pk: practice_summaries.for_plan(request, row.plan) for row in to_review
            },
            "due": due.named(client, due.still_due(request, client, scheduled)),
            "scheduled": scheduled,
            "can_write": can_write(request, client),
        },
    )


@client_required
@require_POST
def my_data(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The client's own copy of their data, as a JSON file (Settings & privacy)."""
    client = own_record(request)
    record_export(request, client, "my-data")
    response = JsonResponse(
        export.my_data(request, client), json_dumps_params={"ensure_ascii": False, "indent": 1}
    )
    # A neutral name: a file name in a downloads folder should not say what it holds.
    response["Content-Disposition"] = 'attachment; filename="bridgework-my-data.json"'
    return response
