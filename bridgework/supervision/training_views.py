"""The training pages: the scenario library and assigning (supervisors), the trainee's
assignments and attempts, and one assignment with its attempts side by side. Thin: the doors
are in training_access, the changes in training, the progress in attempts."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bridgework.accounts.http import (
    AuthenticatedHttpRequest,
    record_refusal,
    signed_in,
    supervisor_required,
    trainee_required,
)
from bridgework.accounts.models import User
from bridgework.supervision import attempts, scenarios, training
from bridgework.supervision.access import ratings_for_user, sessions_rated_by_others
from bridgework.supervision.models import Assignment, CompetenceRating, RolePlay
from bridgework.supervision.scenarios import Scenario
from bridgework.supervision.training_access import (
    Doing,
    assignments_for_supervisor,
    assignments_for_trainee,
    get_assignment_for_user,
    get_role_play_for_user,
)
from bridgework.supervision.training_forms import AssignForm, LibraryFilter


@supervisor_required
def library(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = LibraryFilter(request.GET or None)
    item, approach = form.chosen()
    assigned = assignments_for_supervisor(request).annotate(tries=Count("attempts"))
    return render(
        request,
        "supervision/scenario_library.html",
        {
            "filter_form": form,
            "scenarios": scenarios.matching(item=item, approach=approach),
            "assignments": list(assigned),
        },
    )


def scenario_or_404(request: AuthenticatedHttpRequest, slug: str) -> Scenario:
    scenario = scenarios.get(slug)
    if scenario is None:
        record_refusal(request, "training-scenario", None)
        raise Http404
    return scenario


@supervisor_required
def scenario_page(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    scenario = scenario_or_404(request, slug)
    return scenario_response(request, scenario, AssignForm(supervisor=request.user))


def scenario_response(
    request: AuthenticatedHttpRequest, scenario: Scenario, form: AssignForm, status: int = 200
) -> HttpResponse:
    assigned = assignments_for_supervisor(request).filter(scenario=scenario.slug)
    return render(
        request,
        "supervision/scenario.html",
        {
            "scenario": scenario,
            "form": form,
            "assignments": assigned.annotate(tries=Count("attempts")),
            "show_hint": True,
        },
        status=status,
    )


@require_POST
@supervisor_required
def assign(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    scenario = scenario_or_404(request, slug)
    form = AssignForm(request.POST, supervisor=request.user)
    if not form.is_valid():
        return scenario_response(request, scenario, form, status=400)
    trainee: User = form.cleaned_data["trainee"]
    try:
        assignment = training.assign(
            scenario=scenario, trainee=trainee, by=request.user, note=form.cleaned_data["note"]
        )
    except training.TrainingRefused as refused:
        form.add_error("trainee", str(refused))
        return scenario_response(request, scenario, form, status=400)
    messages.success(
        request,
        _("“%(title)s” assigned to %(name)s.") % {"title": scenario.title, "name": trainee},
    )
    return redirect(f"/training/assignments/{assignment.pk}/")


@require_POST
@signed_in
def close_assignment(request: AuthenticatedHttpRequest, assignment_id: int) -> HttpResponse:
    assignment = get_assignment_for_user(request, assignment_id, doing=Doing.MANAGE)
    try:
        training.close(assignment, by=request.user)
        messages.success(request, _("Assignment closed. Its attempts and ratings stay."))
    except training.TrainingRefused as refused:
        messages.error(request, str(refused))
    return redirect(f"/training/assignments/{assignment.pk}/")


@trainee_required
def training_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    assigned = assignments_for_trainee(request).prefetch_related("attempts__client")
    return render(
        request,
        "supervision/training_home.html",
        {
            "assignments": [
                (a, scenarios.get(a.scenario), open_attempt(list(a.attempts.all())))
                for a in assigned
            ]
        },
    )


def open_attempt(attempts_made: list[RolePlay]) -> RolePlay | None:
    """The attempt still going, if any: the last one, unfinished (training.start_attempt
    starts the next only once it is finished)."""
    latest = max(attempts_made, key=lambda attempt: attempt.number, default=None)
    return latest if latest is not None and latest.finished_at is None else None


@signed_in
def assignment_page(request: AuthenticatedHttpRequest, assignment_id: int) -> HttpResponse:
    assignment = get_assignment_for_user(request, assignment_id)
    return render(request, "supervision/assignment.html", assignment_context(request, assignment))


def assignment_context(request: AuthenticatedHttpRequest, assignment: Assignment) -> dict[str, Any]:
    attempts_made = list(assignment.attempts.select_related("client", "session"))
    sessions = [a.session_id for a in attempts_made]
    ratings = ratings_for_user(request).filter(session__in=sessions)
    is_trainee = request.user.pk == assignment.trainee_id
    # The trainee rates an attempt before they see the supervisor's score of it (the door's
    # blind self-rating); the page says where a score is waiting for them.
    withheld = sessions_rated_by_others(request.user, sessions) if is_trainee else set()
    rows = attempts.rows(attempts_made, ratings, request.user.pk, withheld)
    return {
        "assignment": assignment,
        "scenario": scenarios.get(assignment.scenario),
        "rows": rows,
        "picture": attempts.picture(rows),
        "is_trainee": is_trainee,
        "open_attempt": open_attempt(attempts_made),
        # What good work looks like: for the supervisor, and for the trainee once they have
        # finished an attempt (feedback after practice, not a script before it).
        "show_hint": not is_trainee or any(a.finished_at for a in attempts_made),
    }


@require_POST
@signed_in
def start_attempt(request: AuthenticatedHttpRequest, assignment_id: int) -> HttpResponse:
    assignment = get_assignment_for_user(request, assignment_id, doing=Doing.PRACTISE)
    try:
        role_play = training.start_attempt(assignment, by=request.user)
    except training.TrainingRefused as refused:
        messages.error(request, str(refused))
        return redirect(f"/training/assignments/{assignment.pk}/")
    messages.success(
        request,
        _(
            "Attempt %(number)d started: “%(name)s” is a training client, and its session is "
            "now. Use the real pages as you would with a client."
        )
        % {"number": role_play.number, "name": role_play.client.full_name},
    )
    scenario = scenarios.get(assignment.scenario)
    client = role_play.client
    # With an earlier plan, the role-play opens where a session opens: its agenda, review
    # first. Without one, it is about designing a plan: the template picker.
    if scenario is not None and scenario.setup is not None:
        return redirect(f"/clients/{client.pk}/agenda/")
    return redirect(f"/clients/{client.pk}/plans/new/")


@require_POST
@signed_in
def finish_attempt(request: AuthenticatedHttpRequest, role_play_id: int) -> HttpResponse:
    role_play = get_role_play_for_user(request, role_play_id, doing=Doing.PRACTISE)
    try:
        training.finish_attempt(role_play, by=request.user)
        messages.success(request, finished_message(request, role_play))
    except training.TrainingRefused as refused:
        messages.error(request, str(refused))
    return redirect(f"/training/assignments/{role_play.assignment_id}/")


def finished_message(request: AuthenticatedHttpRequest, role_play: RolePlay) -> str:
    """Ask for a self-rating only when there is none yet (the trainee may rate before
    finishing)."""
    own = ratings_for_user(request).filter(session=role_play.session_id, rater=request.user)
    if own.filter(state=CompetenceRating.State.SUBMITTED).exists():
        return _("Attempt finished.")
    if own.exists():
        return _("Attempt finished. Your self-rating is a draft: continue it while it is fresh.")
    return _("Attempt finished. Rate yourself while it is fresh.")
