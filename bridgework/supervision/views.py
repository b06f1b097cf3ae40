"""Rating a session: the supervision home (supervisees' sessions to rate, one's own to
self-rate, the ratings of one's work), starting a rating, and the rating page beside the
session's plan records."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bridgework.accounts.http import AuthenticatedHttpRequest, signed_in, staff_required
from bridgework.supervision import access, actions, overview, records, scales, sheet
from bridgework.supervision.forms import RatingForm, StartForm
from bridgework.supervision.models import CompetenceRating


@staff_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "supervision/rate_home.html", overview.of(request))


@signed_in
@require_POST
def rate(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    """Start a rating of the session on the chosen scale (the shipped one unless another is
    chosen), or open the one this rater started before."""
    session = access.get_session_to_rate(request, session_id)
    offered = scales.scales_for(session.client.clinic)
    chosen = request.POST.get("scale") or (str(offered[0].pk) if offered else "")
    form = StartForm({"scale": chosen}, scales=offered)
    if not form.is_valid():
        messages.error(request, _("Choose one of your clinic's competence scales."))
        return redirect("/supervision/")
    try:
        rating = actions.start_rating(session, form.chosen(), by=request.user)
    except actions.RatingRefused as refused:
        messages.error(request, str(refused))
        return redirect("/supervision/")
    return redirect(f"/supervision/ratings/{rating.pk}/")


@signed_in
def rating_page(request: AuthenticatedHttpRequest, rating_id: int) -> HttpResponse:
    if request.method == "POST":
        return save(request, rating_id)
    rating = access.get_rating_for_user(request, rating_id)
    return show(request, rating)


def save(request: AuthenticatedHttpRequest, rating_id: int) -> HttpResponse:
    """ "Save draft" or "Submit". Anything refused saves nothing and shows the page again
    with what was sent and what was wrong with it."""
    rating = access.get_rating_for_user(request, rating_id, write=True)
    form = RatingForm(request.POST, definition=rating.instrument.definition)
    submitting = request.POST.get("action") == "submit"
    if not form.is_valid():
        return show(request, rating, form, _("Nothing was saved."), form.problems())
    if submitting and not form.cleaned_data["final"]:
        problem = _("To submit, confirm that you understand a submitted rating is final.")
        return show(request, rating, form, _("Nothing was saved or submitted."), {"final": problem})
    content: dict[str, Any] = {
        "answers": form.answers(),
        "comments": form.comments(),
        "comment": form.cleaned_data["comment"],
    }
    try:
        if submitting:
            actions.save_and_submit(rating, **content, by=request.user)
        else:
            actions.save_draft(rating, **content, by=request.user)
    except actions.RatingRefused as refused:
        if not refused.problems:  # final already, or not theirs: the page as it now stands
            messages.error(request, str(refused))
            return redirect(f"/supervision/ratings/{rating.pk}/")
        return show(request, rating, form, str(refused), refused.problems)
    if submitting:
        messages.success(request, _("Rating submitted. The therapist rated can now read it."))
    else:
        messages.success(request, _("Draft saved. Only you can see it until you submit it."))
    return redirect(f"/supervision/ratings/{rating.pk}/")


def show(
    request: AuthenticatedHttpRequest,
    rating: CompetenceRating,
    form: RatingForm | None = None,
    refusal: str = "",
    problems: dict[str, str] | None = None,
) -> HttpResponse:
    user, definition = request.user, rating.instrument.definition
    session_records = records.of_session(request, rating.session)
    sent = form.data if form is not None else None
    values = prefixed(sent, "item-") if sent is not None else rating.answers
    comments = prefixed(sent, "comment-") if sent is not None else rating.comments
    drafting = rating.rater_id == user.pk and rating.state == CompetenceRating.State.DRAFT
    # A rater drafting sees no other rating of the session, only how many there are.
    unseen = access.others_submitted(rating) if drafting else 0
    offered = scales.scales_for(rating.session.client.clinic)
    context = {
        "rating": rating,
        "session": rating.session,
        "definition": definition,
        "editable": drafting,
        "records": session_records,
        "rows": sheet.rows(definition, values, comments, problems or {}, session_records),
        "refusal": refusal,
        "problems": problems or {},
        "overall": sent.get("comment", "") if sent is not None else rating.comment,
        "final_ticked": bool(sent and sent.get("final")),
        "comparison": None if drafting else side_by_side(request, rating),
        "unseen": unseen,
        "other_scales": [s for s in offered if s.pk != rating.instrument_id],
        # Its rater may rate the session on another of the clinic's scales too.
        "can_rate": rating.rater_id == user.pk
        and access.rater_role(user, rating.session) is not None,
    }
    return render(request, "supervision/rate.html", context, status=400 if problems else 200)


def side_by_side(request: AuthenticatedHttpRequest, rating: CompetenceRating) -> sheet.SideBySide:
    """The submitted ratings of the session on this scale that the door lets this person
    read, side by side."""
    submitted = access.ratings_for_user(request).filter(
        session_id=rating.session_id,
        instrument_id=rating.instrument_id,
        state=CompetenceRating.State.SUBMITTED,
    )
    found = list(submitted.order_by("submitted_at", "pk"))
    return sheet.side_by_side(rating.instrument.definition, found)


def prefixed(data: Any, prefix: str) -> dict[str, str]:
    return {
        key.removeprefix(prefix): str(value)
        for key, value in data.items()
        if key.startswith(prefix)
    }
