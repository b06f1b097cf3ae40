"""Filling in a measure on the phone (with crisis resources at once when needed), and the
therapist's side: acknowledging flags, the flag history, marking a baseline."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bridgework.accounts.http import AuthenticatedHttpRequest, client_required, signed_in
from bridgework.care.access import Need, get_client_for_user, own_record
from bridgework.care.models import Client
from bridgework.care.sessions import session_for_now
from bridgework.lib.numbers import identifier
from bridgework.measures import actions, due, scoring
from bridgework.measures.access import flags_of, get_flag_for_user, get_response_for_user
from bridgework.measures.definitions import localized, options
from bridgework.measures.forms import AcknowledgeForm
from bridgework.measures.models import Flag, Instrument
from bridgework.prompts.access import get_prompt_for_user
from bridgework.prompts.models import Prompt


@client_required
def fill_in(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    client = own_record(request)
    instrument = actions.current(slug, client.clinic_id)
    if instrument is None or instrument.rates != Instrument.Rates.CLIENT:
        raise Http404  # a competence scale rates a therapist: it is no client's to answer
    raw_prompt = str(request.POST.get("prompt") or request.GET.get("prompt") or "")
    posting = request.method == "POST"
    walk = ReminderWalk.opened(request, raw_prompt, Need.WRITE if posting else Need.READ)
    later = walk.later(request, slug) if walk else []
    problems: dict[str, str] = {}
    if posting:
        client = own_record(request, need=Need.WRITE)
        completes = walk.prompt.pk if walk and not later else None
        try:
            flags = save_answers(request, client, instrument, completes)
        except scoring.AnswerError as refused:
            problems = refused.problems
        except actions.RetiredInstrument as retired:
            messages.error(request, str(retired))
            return redirect(f"/me/measures/{slug}/")
        else:
            if any(flag.kind == Flag.Kind.RISK for flag in flags):
                # Whatever else happens, the client sees where to get help now.
                return render(request, "measures/crisis.html", {"clinic": client.clinic})
            messages.success(request, _("Thank you. Your answers are saved."))
            if walk and later:
                return redirect(f"/me/measures/{later[0]}/?prompt={walk.prompt.pk}")
            return redirect("/me/")
    return render(
        request,
        "measures/fill_in.html",
        {
            **questionnaire(instrument, get_language()),
            "problems": problems,
            "prompt": walk.prompt.pk if walk else "",
            "more_to_come": len(later) if walk and slug in walk.asked else None,
            "posted": request.POST,
        },
        status=400 if problems else 200,
    )


def save_answers(
    request: AuthenticatedHttpRequest, client: Client, instrument: Instrument, completes: int | None
) -> list[Flag]:
    """The client's answers, checked and scored; the flags they raise."""
    answers = actions.answers_from(instrument, request.POST.dict())
    missing = [
        item["linkId"]
        for item in instrument.definition["item"]
        if item.get("required") and item["linkId"] not in answers
    ]
    if missing:
        raise scoring.AnswerError({m: _("Please answer this question.") for m in missing})
    _response, flags = actions.respond(
        client, instrument, answers, by=request.user, prompt=completes
    )
    return flags


def questionnaire(instrument: Instrument, language: str) -> dict[str, Any]:
    """What the questionnaire page shows: the instrument worded in `language` where it has
    that translation, and each item with its answers."""
    definition = localized(instrument.definition, language or "en")
    return {
        "instrument": instrument,
        "definition": definition,
        "items": [(item, sorted(options(item).items())) for item in definition["item"]],
    }


@dataclass(frozen=True)
class ReminderWalk:
    """A "questionnaires before the session" reminder the client is walking through: its
    questionnaires in turn; the last one answered completes the reminder."""

    prompt: Prompt
    asked: list[str]

    @classmethod
    def opened(cls, request: HttpRequest, raw: str, need: Need) -> ReminderWalk | None:
        """The reminder a page was reached from (`?prompt=`), through the prompts door."""
        prompt_id = identifier(raw)
        if prompt_id is None:
            return None
        prompt = get_prompt_for_user(request, prompt_id, need=need)
        return cls(prompt, due.asked_by(prompt))

    def later(self, request: HttpRequest, slug: str) -> list[str]:
        """The questionnaires after this one that are not filled in yet (one filled in from
        Today, or in the session, is not asked again)."""
        after = self.asked[self.asked.index(slug) + 1 :] if slug in self.asked else []
        return due.still_due(request, self.prompt.client, after)


@signed_in
@require_POST
def acknowledge(request: AuthenticatedHttpRequest, flag_id: int) -> HttpResponse:
    flag = get_flag_for_user(request, flag_id, need=Need.WRITE)
    user = request.user
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        # The note sits in a small box on the client page; the message says what to change.
        messages.error(request, " ".join(str(error) for error in form.errors["note"]))
        return redirect(f"/clients/{flag.client_id}/")
    actions.acknowledge(flag, by=user, note=form.cleaned_data["note"])
    messages.success(request, _("Flag acknowledged."))
    return redirect(f"/clients/{flag.client_id}/")


@signed_in
@require_POST
def mark_baseline(request: AuthenticatedHttpRequest, response_id: int) -> HttpResponse:
    response = get_response_for_user(request, response_id, need=Need.WRITE)
    user = request.user
    try:
        actions.mark_baseline(response, by=user)
    except actions.NotScored as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            _("%(title)s of %(date)s is now the baseline.")
            % {
                "title": response.instrument.title,
                "date": date_format(timezone.localtime(response.completed_at), _("j M Y")),
            },
        )
    return redirect(f"/clients/{response.client_id}/#measures-heading")


FLAGS_A_PAGE = 25


@signed_in
def flag_history(request: AuthenticatedHttpRequest, client_id: int) -> HttpResponse:
    """Every flag of the client, open and acknowledged (by whom, when, with the note): for the
    care team and supervisors, never the client."""
    client = get_client_for_user(request, client_id, staff_view=True)
    page = Paginator(flags_of(request, client), FLAGS_A_PAGE).get_page(request.GET.get("page"))
    return render(request, "measures/flag_history.html", {"client": client, "page": page})


@signed_in
def enter_in_session(request: AuthenticatedHttpRequest, client_id: int, slug: str) -> HttpResponse:
    """The therapist enters a measure with the client in the session (or from paper)."""
    client = get_client_for_user(request, client_id, need=Need.WRITE, staff_view=True)
    instrument = actions.current(slug, client.clinic_id)
    if instrument is None or instrument.rates != Instrument.Rates.CLIENT:
        raise Http404  # a competence scale is filled in on the supervision pages
    problems: dict[str, str] = {}
    if request.method == "POST":
        answers = actions.answers_from(instrument, request.POST.dict())
        user = request.user
        session = session_for_now(client)
        try:
            _response, flags = actions.respond(
                client, instrument, answers, by=user, session=session
            )
        except scoring.AnswerError as refused:
            problems = refused.problems
        else:
            if any(flag.kind == Flag.Kind.RISK for flag in flags):
                messages.warning(
                    request,
                    _(
                        "Item 9 was answered above “not at all”: talk it "
                        "through now; the flag stays until you acknowledge "
                        "it."
                    ),
                )
            messages.success(request, _("%(title)s saved.") % {"title": instrument.title})
            return redirect(f"/clients/{client.pk}/")
    return render(
        request,
        "measures/fill_in.html",
        {
            # Worded in the client's language: the therapist reads it out or hands it over.
            **questionnaire(instrument, client.user.language if client.user else ""),
            "problems": problems,
            "posted": request.POST,
            "client": client,
        },
        status=400 if problems else 200,
    )
