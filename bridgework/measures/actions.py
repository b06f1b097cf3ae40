"""Giving and scoring measures, and the flags they raise: audited, one function each."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgework.accounts.models import User
from bridgework.audit.models import AccessEvent
from bridgework.audit.trail import changed
from bridgework.care.models import Client, TherapySession
from bridgework.lib import text
from bridgework.lib.numbers import whole_number
from bridgework.measures import scoring
from bridgework.measures.models import Flag, Instrument, Response
from bridgework.prompts import actions as prompts

CREATE, CHANGE = AccessEvent.Action.CREATE, AccessEvent.Action.CHANGE


class RetiredInstrument(Exception):
    """A response to a version that is no longer given."""


def current(slug: str, clinic_id: int | None) -> Instrument | None:
    """The version a new response uses: the clinic's own if it has one, else the shipped."""
    versions = Instrument.objects.filter(slug=slug, retired_at=None)
    return (versions.filter(clinic_id=clinic_id).first() if clinic_id else None) or versions.filter(
        clinic=None
    ).first()


@transaction.atomic
def respond(
    client: Client,
    instrument: Instrument,
    answers: dict[str, Any],
    *,
    by: User,
    session: TherapySession | None = None,
    completed_at: datetime | None = None,
    prompt: int | None = None,
) -> tuple[Response, list[Flag]]:
    """Score the answers at once, store them with the version they answered, and raise the
    flags they call for. `completed_at` is for a paper form entered later; `prompt` is the
    reminder these answers complete."""
    if instrument.retired_at is not None:
        raise RetiredInstrument(
            _(
                "This version of the questionnaire is no longer in use. "
                "Reload the page to answer the current one."
            )
        )
    scoring.check_answers(instrument.definition, answers)
    scores = {
        s.id: {
            "value": s.value,
            "band": s.band,
            "above_cutoff": s.above_cutoff,
            "prorated": s.prorated,
        }
        for s in scoring.score(instrument.definition, answers)
    }
    previous = Response.objects.filter(client=client, instrument__slug=instrument.slug).first()
    response = Response.objects.create(
        client=client,
        instrument=instrument,
        session=session,
        answers=answers,
        scores=scores,
        entered_by=by,
        completed_at=completed_at or timezone.now(),
    )
    changed(by, CREATE, "response", response.pk, clinic_id=client.clinic_id, client_id=client.pk)
    if prompt is not None:
        prompts.answer(prompt, client, by=by)
    flags = [
        raise_flag(client, Flag.Kind.RISK, str(flag.get("text") or flag["id"]), response)
        for flag in scoring.raised_flags(instrument.definition, answers)
    ]
    deterioration = deteriorated(instrument, previous, response)
    if deterioration:
        flags.append(raise_flag(client, Flag.Kind.DETERIORATION, deterioration, response))
    return response, flags


def deteriorated(instrument: Instrument, previous: Response | None, response: Response) -> str:
    """Jacobson–Truax: worse by at least the instrument's reliable-change threshold."""
    scores = instrument.definition["scoring"]["scores"]
    if not scores:
        return ""
    rule = scores[0]
    threshold = scoring.reliable_change_threshold(rule)
    before, after = (previous.total() if previous else None), response.total()
    if threshold is None or before is None or after is None or after - before < threshold:
        return ""
    return _(
        "%(title)s rose from %(before)g to %(after)g, a reliable deterioration (a change "
        "of %(threshold)g or more)."
    ) % {"title": instrument.title, "before": before, "after": after, "threshold": threshold}


def raise_flag(client: Client, kind: str, text: str, response: Response | None = None) -> Flag:
    raised = response.completed_at if response is not None else timezone.now()
    flag = Flag.objects.create(
        client=client, kind=kind, text=text[:500], response=response, raised_at=raised
    )
    changed(None, CREATE, "flag", flag.pk, clinic_id=client.clinic_id, client_id=client.pk)
    return flag


@transaction.atomic
def acknowledge(flag: Flag, *, by: User, note: str) -> Flag:
    if flag.acknowledged_at is None:
        flag.acknowledged_at, flag.acknowledged_by, flag.note = timezone.now(), by, note.strip()
        flag.save(update_fields=["acknowledged_at", "acknowledged_by", "note"])
        changed(
            by, CHANGE, "flag", flag.pk, clinic_id=flag.client.clinic_id, client_id=flag.client_id
        )
    return flag


def answers_from(instrument: Instrument, form: dict[str, Any]) -> dict[str, Any]:
    """The answers posted for the instrument's items (unanswered items are left out): numbers
    for choices and ratings, words for text items. What does not parse is kept as typed, so
    the check that follows names the item and what was wrong."""
    answers: dict[str, Any] = {}
    for item in instrument.definition["item"]:
        raw = str(form.get(f"item-{item['linkId']}", "")).strip()
        if raw and item["type"] == "text":
            answers[item["linkId"]] = text.normalise(raw)  # refused characters: check_answers
        elif raw:
            number = whole_number(raw)
            answers[item["linkId"]] = raw if number is None else number
    return answers


LOW = 4  # a rationale or goal-fit rating of 4/10 or less counts as low
NOT_AT_ALL, A_LITTLE = 0, 1


def check_non_engagement(client: Client) -> Flag | None:
    """After a review: flag persistent non-engagement for the therapist (never the client)."""
    from bridgework.plans.models import Review

    wanted = client.clinic.non_engagement_reviews
    reviews = list(Review.objects.filter(plan__client=client).order_by("-reviewed_at", "-id")[:3])

    def low_sense(review: Review) -> bool:
        return any(
            (review.answer(key) is not None and review.answer(key) <= LOW)
            for key in ("rationale-sense", "goal-fit")
        )

    recent = reviews[:wanted]
    little = len(recent) == wanted and all(r.done <= A_LITTLE and low_sense(r) for r in recent)
    never = len(reviews) == 3 and all(r.done == NOT_AT_ALL for r in reviews)
    if not (little or never) or open_flag(client, Flag.Kind.NON_ENGAGEMENT):
        return None
    return raise_flag(
        client,
        Flag.Kind.NON_ENGAGEMENT,
        _(
            "The last plans were done little or not at all. This says more about the task or the "
            "way of working together than about the client: consider exploring with them whether "
            "the tasks fit their goals and how the work together feels."
        ),
    )


def check_silence(now: Any = None) -> int:
    """Flag clients who answered no reminder for their clinic's number of days, though
    reminders went out. Returns how many flags were raised."""
    from datetime import timedelta

    from django.db.models import Max, Min

    from bridgework.prompts.models import Prompt

    now = now or timezone.now()
    raised = 0
    recent = (
        Prompt.objects.filter(sent_at__isnull=False)
        .values("client")
        .annotate(first_sent=Min("sent_at"), last_answer=Max("answered_at"))
    )
    for row in recent.iterator():
        client = Client.objects.select_related("clinic").get(pk=row["client"])
        quiet_since = now - timedelta(days=client.clinic.silence_days)
        if (
            row["first_sent"] > quiet_since
            or (row["last_answer"] or row["first_sent"]) > quiet_since
        ):
            continue
        if open_flag(client, Flag.Kind.SILENCE):
            continue
        raise_flag(
            client,
            Flag.Kind.SILENCE,
            _(
                "No reminder answered for %(days)d days or more. The reminders may not fit the "
                "client's days any more: worth asking how they are working."
            )
            % {"days": client.clinic.silence_days},
        )
        raised += 1
    return raised


def open_flag(client: Client, kind: str) -> bool:
    return Flag.objects.filter(client=client, kind=kind, acknowledged_at=None).exists()


REVIEW = "action-plan-review"


def record_review(
    client: Client, answers: dict[str, Any], *, by: User, session: TherapySession | None
) -> Response:
    """A plan's review, kept as a response to Bridgework's Action Plan Review instrument."""
    instrument = current(REVIEW, None)
    if instrument is None:
        raise RetiredInstrument("The Action Plan Review instrument is not installed.")
    response, _flags = respond(client, instrument, answers, by=by, session=session)
    return response
