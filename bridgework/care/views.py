"""The small pages of the care record: goals and sessions (from the client page, on the desk),
and the client's consents and language. Research consent has its own page, which says what
the client agrees to or what withdrawing does, and takes the change only from there."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bridgework.accounts import actions as accounts_actions
from bridgework.accounts.http import AuthenticatedHttpRequest, client_required, signed_in
from bridgework.care import actions
from bridgework.care.access import (
    Need,
    get_client_for_user,
    get_goal_for_user,
    get_session_for_user,
    own_record,
)
from bridgework.care.forms import (
    REMINDER_PURPOSES,
    EndOfTherapyForm,
    GoalForm,
    ReminderConsentForm,
    ResearchConsentForm,
    SessionForm,
    SessionUpdateForm,
)
from bridgework.care.models import Consent


@signed_in
@require_POST
def add_goal(request: AuthenticatedHttpRequest, client_id: int) -> HttpResponse:
    client = get_client_for_user(request, client_id, need=Need.WRITE, staff_view=True)
    form = GoalForm(request.POST)
    if form.is_valid():
        actions.add_goal(client, text=form.cleaned_data["text"], by=request.user)
        messages.success(request, _("Goal added."))
    else:
        for error in form.errors["text"]:
            messages.error(request, str(error))
    return redirect(f"/clients/{client.pk}/#goals")


@signed_in
@require_POST
def toggle_goal(request: AuthenticatedHttpRequest, goal_id: int) -> HttpResponse:
    goal = get_goal_for_user(request, goal_id, need=Need.WRITE, staff_view=True)
    actions.mark_goal_achieved(goal, goal.achieved_at is None, by=request.user)
    return redirect(f"/clients/{goal.client_id}/#goals")


@signed_in
@require_POST
def end_of_therapy(request: AuthenticatedHttpRequest, client_id: int) -> HttpResponse:
    """Mark the client as having finished therapy, or (`resume`) as in therapy again: the
    clinic admin from the roster, the client's therapists from the client page."""
    admin = request.user.is_clinic_admin
    need = Need.ROSTER if admin else Need.WRITE
    client = get_client_for_user(request, client_id, need=need, staff_view=True)
    back = f"/clinic/clients/{client.pk}/" if admin else f"/clients/{client.pk}/"
    if "resume" in request.POST:
        actions.resume_therapy(client, by=request.user)
        messages.success(request, _("%(name)s is in therapy again.") % {"name": client.full_name})
        return redirect(back + "#end-of-therapy")
    form = EndOfTherapyForm(request.POST)
    try:
        if not form.is_valid():
            raise actions.EndOfTherapyRefused(*form.errors["finished_on"])
        actions.finish_therapy(client, on=form.cleaned_data["finished_on"], by=request.user)
    except actions.EndOfTherapyRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Marked as having finished therapy."))
    return redirect(back + "#end-of-therapy")


@signed_in
def add_session(request: AuthenticatedHttpRequest, client_id: int) -> HttpResponse:
    client = get_client_for_user(request, client_id, need=Need.WRITE, staff_view=True)
    by = request.user
    form = SessionForm(request.POST or None, client=client, initial={"therapist": by.pk})
    if request.method == "POST" and form.is_valid():
        session = actions.add_session(client, by=by, **form.cleaned_data)
        messages.success(request, _("Session %(number)d added.") % {"number": session.number})
        return redirect(f"/clients/{client.pk}/")
    return render(request, "care/session_form.html", {"client": client, "form": form})


@signed_in
def edit_session(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    session = get_session_for_user(request, session_id, need=Need.WRITE, staff_view=True)
    by = request.user
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


def save_language(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    language = request.POST.get("language", "")
    if language in dict(settings.LANGUAGES):
        accounts_actions.set_language(user, language, by=user)
        translation.activate(language)
        messages.success(request, _("Your language is saved."))
    return redirect("/me/consents/")


RESEARCH_PAGE = "/me/consents/research/"


@client_required
def client_consents(request: AuthenticatedHttpRequest) -> HttpResponse:
    client = own_record(request)
    if request.method == "POST" and "language" in request.POST:
        return save_language(request)
    if request.method == "POST" and request.POST.get("purpose") == Consent.Purpose.RESEARCH:
        # A page from before research had its own (or a hand-made post) asks there instead.
        return redirect(RESEARCH_PAGE)
    if request.method == "POST":
        form = ReminderConsentForm(request.POST)
        if form.is_valid():
            client = own_record(request, need=Need.WRITE)
            actions.set_consent(
                client,
                form.cleaned_data["purpose"],
                form.cleaned_data["given"],
                by=request.user,
            )
            messages.success(request, _("Your choice is saved."))
            return redirect("/me/consents/")
        messages.error(
            request, _("That choice could not be saved. Pick yes or no for one purpose.")
        )
    given = actions.consents_given(client)
    history = client.consents.order_by("-given_at")
    return render(
        request,
        "care/client_consents.html",
        {
            "client": client,
            "choices": [(value, label, value in given) for value, label in REMINDER_PURPOSES],
            "research_given": Consent.Purpose.RESEARCH in given,
            "history": [(in_client_words(consent), consent) for consent in history],
        },
    )


def in_client_words(consent: Consent) -> str:
    # The model's label for research is the staff's (the client page shows it); the client's
    # own pages say it without the jargon.
    if consent.purpose == Consent.Purpose.RESEARCH:
        return _("Research use of my data, under a code")
    return consent.get_purpose_display()


@client_required
def research_consent(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET: what giving (or withdrawing) research consent means, and a button to do it.
    POST: do it, then say in plain words what now holds."""
    client = own_record(request)
    if request.method == "POST":
        form = ResearchConsentForm(request.POST)
        if form.is_valid():
            given: bool = form.cleaned_data["given"]
            client = own_record(request, need=Need.WRITE)
            actions.set_consent(client, Consent.Purpose.RESEARCH, given, by=request.user)
            messages.success(request, research_done(given))
            return redirect("/me/consents/")
        messages.error(request, _("That choice could not be saved. Pick yes or no."))
    given_now = Consent.Purpose.RESEARCH in actions.consents_given(client)
    return render(request, "care/research_consent.html", {"given": given_now})


def research_done(given: bool) -> str:
    if given:
        return _(
            "Done: you agreed. Researchers your clinic allows may use your practice and "
            "questionnaire data, under a code, without your name, e-mail address or other "
            "details that identify you. You can withdraw at any time on this page."
        )
    return _(
        "Done: your research consent is withdrawn. You are left out of every later export. "
        "Exports made earlier are deleted from Bridgework, and researchers are asked to delete "
        "them from their copies. Your therapy goes on as before."
    )
