"""Action plan pages: template picker, in-session editor, plan page, review, summaries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bridgework.accounts.http import (
    AuthenticatedHttpRequest,
    client_required,
    signed_in,
    therapist_or_admin_required,
)
from bridgework.accounts.models import Approach, User
from bridgework.audit import readonly
from bridgework.care.access import Need, can_write, get_client_for_user, own_record
from bridgework.plans import actions, imagery, indicators, pdf, revisions
from bridgework.plans.access import get_plan_for_user
from bridgework.plans.forms import (
    OBSTACLE_WORDS,
    DeclineForm,
    ImageryForm,
    OwnTemplateForm,
    PlanForm,
    ProposalForm,
    ReviewSessionForm,
    TemplateFilterForm,
    kept_suggestions,
    obstacle_formset,
    obstacles_of,
    suggestion_formset,
)
from bridgework.plans.hooks import practice_of
from bridgework.plans.library import templates_for
from bridgework.plans.models import ActionPlan, Status
from bridgework.plans.reminder_forms import RemindersForm
from bridgework.plans.reminders import RemindersRefused
from bridgework.plans.review import ReviewForm
from bridgework.plans.shared_screen import enter_shared_screen

PRACTISED = (Status.AGREED, Status.ACTIVE, Status.REVIEWED)


def picker_context(request: HttpRequest, user: User) -> dict[str, Any]:
    approach = request.GET.get("approach") or user.approach or Approach.CBT
    form = TemplateFilterForm(request.GET or None, initial={"approach": approach})
    filters = form.cleaned_data if form.is_valid() else {}
    approach = filters.get("approach") or approach
    found = templates_for(user, filters)
    # Shared-screen mode is on unless the therapist unticks it.
    shared = request.GET.get("shared") == "1" or not request.GET
    return {
        "filter_form": form,
        "approach": approach,
        "shared": shared,
        "templates": [(t, t.words_for(approach)) for t in found],
    }


@signed_in
def new_plan(request: AuthenticatedHttpRequest, client_id: int) -> HttpResponse:
    """Pick a template (or start blank); the draft opens in the editor."""
    client = get_client_for_user(request, client_id, need=Need.WRITE, staff_view=True)
    user = request.user
    if request.method == "POST":
        slug = request.POST.get("template", "")
        template = templates_for(user, {}).filter(slug=slug).first() if slug else None
        if slug and template is None:
            raise Http404
        plan = actions.start_plan(
            client, by=user, template=template, approach=request.POST.get("approach", "")
        )
        if request.POST.get("shared_screen"):
            enter_shared_screen(request, plan)
        return redirect(f"/plans/{plan.pk}/edit/")
    context = {"client": client, **picker_context(request, user)}
    if request.headers.get("HX-Request"):
        return render(request, "plans/_template_results.html", context)
    return render(request, "plans/new_plan.html", context)


@therapist_or_admin_required
def template_library(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = picker_context(request, request.user)
    if request.headers.get("HX-Request"):
        return render(request, "plans/_template_results.html", context)
    return render(request, "plans/template_library.html", context)


@therapist_or_admin_required
def new_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = OwnTemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        template = actions.add_template(by=request.user, fields=form.template_fields())
        messages.success(
            request, _("Template “%(title)s” added for your clinic.") % {"title": template.title}
        )
        return redirect("/plans/templates/")
    return render(request, "plans/template_form.html", {"form": form})


@signed_in
def plan_page(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_plan_for_user(request, plan_id, staff_view=True, preload_page=True)
    results = indicators.indicators(indicators.facts_of(plan, timezone.now()))
    return render(
        request,
        "plans/plan_page.html",
        {
            "plan": plan,
            "client": plan.client,
            "indicators": [(key, indicators.LABELS[key], value) for key, value in results.items()],
            "score": indicators.score(results),
            "can_write": can_write(request, plan.client),
            # Once the client can practise it, the plan's page shows what they logged.
            "practice": practice_of(request, plan) if plan.status in PRACTISED else None,
        },
    )


@signed_in
def edit_plan(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_plan_for_user(request, plan_id, need=Need.WRITE, staff_view=True)
    if plan.status not in (Status.DRAFT, Status.AGREED, Status.ACTIVE):
        messages.error(
            request,
            _("This plan is %(status)s and can no longer be edited.")
            % {"status": plan.get_status_display()},
        )
        return redirect(f"/plans/{plan.pk}/")
    form = PlanForm(request.POST or None, instance=plan)
    obstacles = obstacle_formset(plan, request.POST or None)
    suggested = suggestion_formset(plan, request.POST or None)
    reminders = RemindersForm(request.POST or None, plan=plan)
    conflict = None
    # Every part is checked, so every part shows its errors at once.
    valid = [
        form.is_valid(),
        obstacles.is_valid(),
        suggested.is_valid() or not suggested.is_bound,
        reminders.is_valid(),
    ]
    if request.method == "POST" and all(valid):
        kept = obstacles_of(obstacles) + kept_suggestions(suggested)
        try:
            return save_edit(request, plan, form, kept, reminders)
        except ValidationError as refused:  # a worksheet changed since the form was checked
            for field, problems in refused.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        except RemindersRefused as refused:
            plan.refresh_from_db()  # the edit was rolled back; show the plan as it is
            reminders.refuse(refused.problems)
        except actions.StalePlan as stale:
            conflict = conflict_with(stale.current, form, kept, reminders)
            # Keep what this person typed, now on top of the saved version: saving again is a
            # deliberate choice made with both versions in view.
            data = request.POST.copy()
            data["version"] = str(stale.current.version)
            form = PlanForm(data, instance=stale.current)
            form.is_valid()
    return render(
        request,
        "plans/edit_plan.html",
        {
            "plan": plan,
            "client": plan.client,
            "form": form,
            "obstacles": obstacles,
            "suggested": suggested,
            "imagery": imagery.rehearsal_of(plan),
            "reminders": reminders,
            "conflict": conflict,
        },
    )


def save_edit(
    request: AuthenticatedHttpRequest,
    plan: ActionPlan,
    form: PlanForm,
    obstacles: list[dict[str, Any]],
    reminders: RemindersForm,
) -> HttpResponse:
    """Save, and agree too when asked, or go on to the rehearsal in imagery (which reads the
    plan as saved). Raises StalePlan when someone saved in between, ValidationError when a
    seeded value no longer fits its worksheet, and RemindersRefused when the reminders cannot
    be set as designed; in each case nothing is saved."""
    user = request.user
    data = form.cleaned_data
    fields = {name: data[name] for name in form.Meta.fields if name != "goals"}
    with transaction.atomic():  # a refused schedule at agreement takes the edit back too
        actions.save_plan(
            plan,
            by=user,
            version=data["version"],
            fields=fields,
            goals=list(data["goals"]),
            obstacles=obstacles,
            details=form.details(),
            reminders=reminders.designed(),
        )
        if "imagery" in request.POST:
            return redirect(f"/plans/{plan.pk}/imagery/")
        if "agree" not in request.POST:
            messages.success(request, _("Saved."))
            return redirect(f"/plans/{plan.pk}/")
        try:
            with transaction.atomic():
                actions.agree(plan, by=user)
        except actions.TransitionRefused as refused:  # not agreed yet, but the edit is kept
            messages.error(request, str(refused))
            return redirect(f"/plans/{plan.pk}/edit/")
    messages.success(request, agreed_message(plan))
    return redirect(f"/plans/{plan.pk}/")


def agreed_message(plan: ActionPlan) -> str:
    if plan.client.is_training:  # a role-play's made-up client has no phone to see it on
        return str(_("Plan agreed (a role-play: no one receives it)."))
    return str(_("Plan agreed. The client can see it now."))


def conflict_with(
    current: ActionPlan,
    form: PlanForm,
    obstacles: list[dict[str, Any]],
    reminders: RemindersForm,
) -> list[revisions.Change]:
    """Where the version saved meanwhile (before) and this person's edit (after) differ."""
    data = form.cleaned_data
    mine = {name: data[name] for name in actions.EDITABLE}
    for name in actions.SESSION_LINKS:
        mine[name] = data[name].number if data.get(name) else None
    mine["details"] = {k: v for k, v in form.details().items() if v not in (None, "")}
    designed = reminders.designed()
    mine["reminders"] = current.reminders if designed is None else designed
    mine["goals"] = sorted(goal.text for goal in data["goals"])
    mine["obstacles"] = [{key: o[key] for key in OBSTACLE_WORDS} for o in obstacles]
    return revisions.changes(actions.snapshot(current), mine)


@signed_in
def rehearse_in_imagery(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """The guided rehearsal in imagery, read aloud from a screen the client may share: the
    script in the client's language, the steps ticked as they go, confidence before and
    after."""
    plan = get_plan_for_user(request, plan_id, need=Need.WRITE, staff_view=True, preload_page=True)
    if plan.status not in (Status.DRAFT, Status.AGREED, Status.ACTIVE):
        messages.error(
            request,
            _("This plan is %(status)s and can no longer be rehearsed.")
            % {"status": plan.get_status_display()},
        )
        return redirect(f"/plans/{plan.pk}/")
    form = ImageryForm(
        request.POST or None,
        initial={"version": plan.version, "confidence_before": plan.confidence},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.rehearse_in_imagery(plan, by=request.user, **data)
        except actions.StalePlan:
            messages.error(
                request,
                _(
                    "Someone saved this plan while you were rehearsing. Nothing was recorded: "
                    "check the plan, then record the rehearsal again."
                ),
            )
            return redirect(f"/plans/{plan.pk}/edit/")
        messages.success(request, _("Rehearsal in imagery recorded."))
        return redirect(f"/plans/{plan.pk}/edit/#rehearsal")
    language = plan.client.user.language if plan.client.user else settings.LANGUAGE_CODE
    with translation.override(language):
        script = imagery.script_for(plan)
    return render(
        request,
        "plans/imagery.html",
        {
            "plan": plan,
            "client": plan.client,
            "form": form,
            "script": script,
            "script_language": language,
            "steps": list(zip(script.steps, form["steps"], strict=True)),
        },
    )


def transition(
    request: AuthenticatedHttpRequest,
    plan: ActionPlan,
    change: Callable[[ActionPlan, User], object],
    done: str,
) -> HttpResponse:
    """Move a plan opened through its door (for writing) on; say why not when refused."""
    try:
        change(plan, request.user)
        messages.success(request, done)
    except (actions.TransitionRefused, RemindersRefused) as refused:
        messages.error(request, str(refused))
    return redirect(f"/plans/{plan.pk}/")


def plan_to_change(request: AuthenticatedHttpRequest, plan_id: int) -> ActionPlan:
    return get_plan_for_user(request, plan_id, need=Need.WRITE, staff_view=True)


@signed_in
@require_POST
def agree_plan(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_to_change(request, plan_id)
    return transition(
        request, plan, lambda plan, by: actions.agree(plan, by=by), agreed_message(plan)
    )


@signed_in
@require_POST
def start_plan(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    return transition(
        request,
        plan_to_change(request, plan_id),
        lambda plan, by: actions.activate(plan, by=by),
        _("Plan started."),
    )


@signed_in
@require_POST
def accept_proposal(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_to_change(request, plan_id)
    try:
        actions.accept_proposal(plan, by=request.user)
    except actions.TransitionRefused as refused:
        messages.error(request, str(refused))
        return redirect(f"/plans/{plan.pk}/")
    messages.success(request, _("Accepted. Shape it together with the client, then agree it."))
    return redirect(f"/plans/{plan.pk}/edit/")


@signed_in
def decline_proposal(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_to_change(request, plan_id)
    form = DeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        return transition(
            request,
            plan,
            lambda plan, by: actions.decline_proposal(plan, by=by, reason=reason),
            _("Declined. The client sees your reason."),
        )
    return render(
        request, "plans/decline.html", {"plan": plan, "client": plan.client, "form": form}
    )


@signed_in
def review_plan(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_plan_for_user(request, plan_id, need=Need.WRITE, staff_view=True, preload_page=True)
    session_form = ReviewSessionForm(
        request.POST or None,
        client=plan.client,
        after=plan.set_in_session,
        initial={"session": plan.review_session},
    )
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and session_form.is_valid():
        try:
            outcome = actions.review(
                plan,
                by=request.user,
                session=session_form.cleaned_data["session"],
                answers=form.answers(),
            )
        except actions.TransitionRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("Review saved."))
            target = outcome.successor or plan
            return redirect(
                f"/plans/{target.pk}/edit/" if outcome.successor else f"/plans/{target.pk}/"
            )
    return render(
        request,
        "plans/review.html",
        {
            "plan": plan,
            "client": plan.client,
            "form": form,
            "session_form": session_form,
            "practice": practice_of(request, plan),
        },
    )


@signed_in
def revision(request: AuthenticatedHttpRequest, plan_id: int, number: int) -> HttpResponse:
    plan = get_plan_for_user(request, plan_id, staff_view=True)
    wanted = {r.number: r for r in plan.revisions.filter(number__in=[number - 1, number])}
    if number not in wanted:
        raise Http404
    before = wanted[number - 1].snapshot if number - 1 in wanted else {}
    return render(
        request,
        "plans/revision.html",
        {
            "plan": plan,
            "client": plan.client,
            "revision": wanted[number],
            "changes": revisions.changes(before, wanted[number].snapshot),
        },
    )


@signed_in
def summary(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """The printable written summary, for the client and the care team."""
    plan = get_plan_for_user(request, plan_id, preload_page=True)
    require_summary(plan)
    return render(request, "plans/summary_print.html", {"plan": plan, "client": plan.client})


@signed_in
def summary_pdf(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_plan_for_user(request, plan_id, preload_page=True)
    require_summary(plan)
    response = HttpResponse(pdf.render(plan), content_type="application/pdf")
    # A neutral file name: a download list must not say what the plan is about.
    response["Content-Disposition"] = 'attachment; filename="bridgework-plan.pdf"'
    return response


def require_summary(plan: ActionPlan) -> None:
    if plan.status not in (Status.AGREED, Status.ACTIVE, Status.REVIEWED):
        raise Http404


@signed_in
@require_POST
def shared_screen(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_to_change(request, plan_id)
    enter_shared_screen(request, plan)
    return redirect(f"/plans/{plan.pk}/edit/")


@client_required
def client_plan(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """The written summary on the client's phone. Opening it records that they saw it —
    unless the record is kept read-only (a legal hold): then it is only shown."""
    own_record(request)
    plan = get_plan_for_user(request, plan_id, preload_page=True)
    if plan.status in (Status.AGREED, Status.ACTIVE) and not readonly.why(
        plan.client_id, object_type="plan", actor_role="client"
    ):
        actions.record_seen(plan, by=request.user)
    return render(request, "plans/client_plan.html", {"plan": plan})


@client_required
def propose_plan(request: AuthenticatedHttpRequest) -> HttpResponse:
    own_record(request)
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        client = own_record(request, need=Need.WRITE)
        actions.propose(client, by=request.user, **form.cleaned_data)
        messages.success(request, _("Sent to your therapist. You'll talk it over together."))
        return redirect("/me/")
    return render(request, "plans/propose.html", {"form": form})


@signed_in
def exit_shared_screen(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Leaving shared-screen mode takes the therapist's password: the client may be the one
    holding the laptop, and beyond this page lie the caseload and other clients' names. After
    a few wrong tries the session simply ends (coming back takes a full sign-in, with the
    second factor); that stops guessing without locking the account or the clinic's address
    out of signing in, as the sign-in throttle would."""
    from django.contrib.auth import logout

    from bridgework.plans.shared_screen import (
        leave_shared_screen,
        plan_in_shared_screen,
        wrong_exit_password,
    )

    plan_id = plan_in_shared_screen(request)
    if plan_id is None:
        return redirect("/")
    wrong = False
    if request.method == "POST":
        if request.user.check_password(request.POST.get("password", "")):
            leave_shared_screen(request)
            return redirect(f"/plans/{plan_id}/")
        if wrong_exit_password(request):
            logout(request)
            messages.info(request, _("Signed out: too many wrong passwords."))
            return redirect("/accounts/sign-in/")
        wrong = True
    return render(
        request,
        "plans/exit_shared_screen.html",
        {"plan_id": plan_id, "wrong": wrong},
        status=400 if wrong else 200,
    )
