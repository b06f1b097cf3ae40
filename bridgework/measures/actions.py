"""Giving and scoring measures, and the flags they raise: audited, one function each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgework.accounts.models import User
from bridgework.audit.models import AccessEvent
from bridgework.audit.trail import NOTHING, changed, snapshot
from bridgework.care.models import Client, TherapySession
from bridgework.lib import text
from bridgework.lib.numbers import whole_number
from bridgework.measures import alerts, scoring
from bridgework.measures.deterioration import flag_text
from bridgework.measures.models import Baseline, Flag, Instrument, Response
from bridgework.plans.models import Review
from bridgework.prompts import steps
from bridgework.prompts.models import Prompt, Schedule

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
    if instrument.rates != Instrument.Rates.CLIENT:
        # A competence scale rates a therapist's work (supervision.actions), never a client.
        raise ValueError(f"{instrument.slug} is a competence scale, not a client's questionnaire")
    if instrument.retired_at is not None:
        raise RetiredInstrument(
            _(
                "This version of the questionnaire is no longer in use. "
                "Reload the page to answer the current one."
            )
        )
    response = scored_response(
        client, instrument, answers, by=by, session=session, completed_at=completed_at
    )
    response.save()
    changed(by, CREATE, response)
    if prompt is not None:
        steps.answer(prompt, client, by=by)
    flags = [
        raise_flag(client, Flag.Kind.RISK, str(flag.get("text") or flag["id"]), response)
        for flag in scoring.raised_flags(instrument.definition, answers)
    ]
    deterioration = flag_text(instrument, response)
    if deterioration:
        flags.append(raise_flag(client, Flag.Kind.DETERIORATION, deterioration, response))
    return response, flags


def scored_response(
    client: Client,
    instrument: Instrument,
    answers: dict[str, Any],
    *,
    by: User,
    session: TherapySession | None = None,
    completed_at: datetime | None = None,
) -> Response:
    """The response the answers make, checked and scored, not yet saved: `respond` saves it
    and does what follows; the demo's history writes many of them at once."""
    scoring.check_answers(instrument.definition, answers)
    return Response(
        client=client,
        instrument=instrument,
        session=session,
        answers=answers,
        scores=scoring.stored_scores(instrument.definition, answers),
        entered_by=by,
        completed_at=completed_at or timezone.now(),
    )


class NotScored(ValueError):
    """A response without a total cannot be a baseline."""


@transaction.atomic
def mark_baseline(response: Response, *, by: User) -> Baseline:
    """The therapist marks where the client's course on this questionnaire starts (say, a new
    start after a break): "since baseline" and gradual deterioration measure from it."""
    if response.total() is None:
        raise NotScored(
            _(
                "This response has no total score (too many questions unanswered), so it "
                "cannot be the baseline. Choose a scored response."
            )
        )
    client, slug = response.client, response.instrument.slug
    earlier = client.baselines.filter(slug=slug).first()
    baseline, _created = client.baselines.update_or_create(
        slug=slug,
        defaults={"response": response, "marked_by": by, "marked_at": timezone.now()},
    )
    # The row is named by the response marked, as it always was; its changes show the one
    # it replaced.
    was = snapshot(earlier) if earlier else NOTHING
    changed(by, CHANGE, baseline, before=was, object_id=response.pk)
    return baseline


@transaction.atomic
def raise_flag(
    client: Client,
    kind: str,
    text: str,
    response: Response | None = None,
    *,
    at: datetime | None = None,
) -> Flag:
    raised = response.completed_at if response is not None else at or timezone.now()
    flag = Flag.objects.create(
        client=client, kind=kind, text=text[:500], response=response, raised_at=raised
    )
    changed(None, CREATE, flag)
    # A training client's flag (a role-play) stays on its page for the trainee to practise
    # on; nobody is e-mailed about a made-up person, least of all the duty contact.
    if kind in alerts.TOLD and not client.is_training:
        alerts.plan_notices(flag)
    return flag


@transaction.atomic
def acknowledge(flag: Flag, *, by: User, note: str) -> Flag:
    if flag.acknowledged_at is None:
        was = snapshot(flag)
        flag.acknowledged_at, flag.acknowledged_by, flag.note = timezone.now(), by, note.strip()
        flag.save(update_fields=["acknowledged_at", "acknowledged_by", "note"])
        alerts.cancel_unsent(flag)
        changed(by, CHANGE, flag, before=was)
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
NEVER_DONE = 3  # this many reviews in a row of plans not done at all flag, whatever the clinic's


def check_non_engagement(client: Client) -> Flag | None:
    """After a review: flag persistent non-engagement for the therapist (never the client)."""
    wanted = client.clinic.non_engagement_reviews
    newest = Review.objects.filter(plan__client=client).order_by("-reviewed_at", "-id")
    reviews = list(newest[: max(wanted, NEVER_DONE)])

    def low_sense(review: Review) -> bool:
        return any(
            (review.answer(key) is not None and review.answer(key) <= LOW)
            for key in ("rationale-sense", "goal-fit")
        )

    recent = reviews[:wanted]
    little = len(recent) == wanted and all(r.done <= A_LITTLE and low_sense(r) for r in recent)
    last_few = reviews[:NEVER_DONE]
    never = len(last_few) == NEVER_DONE and all(r.done == NOT_AT_ALL for r in last_few)
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


def check_silence(now: datetime | None = None) -> int:
    """Flag clients who answered no reminder for their clinic's number of days, though
    reminders went out. Returns how many flags were raised.

    The quiet starts with the first reminder a current schedule sent after the client's last
    answer (or with its first reminder), so an answer starts the count again, and so does a
    new schedule or a new version of one (`current_reminders`). One flag per quiet spell:
    once acknowledged it stays closed until the client answers and falls quiet anew. Clients
    who finished therapy (`discharged_at`) or have no current schedule are never flagged."""
    now = now or timezone.now()
    raised = 0
    for client in quiet_clients().select_related("clinic").iterator():
        quiet_since: datetime = client.quiet_since  # type: ignore[attr-defined]  # annotated
        if quiet_since > now - timedelta(days=client.clinic.silence_days):
            continue
        raise_flag(
            client,
            Flag.Kind.SILENCE,
            _(
                "No reminder answered for %(days)d days or more. The reminders may not fit the "
                "client's days any more: worth asking how they are working."
            )
            % {"days": client.clinic.silence_days},
            at=now,
        )
        raised += 1
    return raised


NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def quiet_clients() -> QuerySet[Client]:
    """Clients in therapy with a current schedule, annotated with `quiet_since`: when the
    first reminder after their last answer went out. Those with an open silence flag, or one
    raised in this quiet spell (acknowledged or not), are left out."""
    theirs = Prompt.objects.filter(client=OuterRef("pk"))
    last_answer = theirs.exclude(answered_at=None).order_by("-answered_at").values("answered_at")
    first_after = (
        current_reminders(theirs)
        .filter(sent_at__gt=OuterRef("last_answer"))
        .order_by("sent_at")
        .values("sent_at")
    )
    flagged = Flag.objects.filter(client=OuterRef("pk"), kind=Flag.Kind.SILENCE).filter(
        Q(acknowledged_at=None) | Q(raised_at__gte=OuterRef("quiet_since"))
    )
    current = Schedule.objects.filter(client=OuterRef("pk"), superseded_at=None, ended_at=None)
    return (
        # Training clients (role-plays) have nobody to fall silent: their reminders reach no one.
        Client.objects.filter(Exists(current), discharged_at=None, is_training=False)
        .annotate(last_answer=Coalesce(Subquery(last_answer[:1]), Value(NEVER)))
        .annotate(quiet_since=Subquery(first_after[:1]))
        .filter(quiet_since__isnull=False)
        .exclude(Exists(flagged))
    )


def current_reminders(prompts: QuerySet[Prompt]) -> QuerySet[Prompt]:
    """The reminders a quiet spell counts: sent by a current schedule, since its version began.
    An ended schedule's, or an earlier version's, went out under other terms: after a break, a
    new schedule's quiet starts with its own first reminder, not one from weeks ago."""
    return prompts.exclude(sent_at=None).filter(
        schedule__superseded_at=None,
        schedule__ended_at=None,
        sent_at__gte=F("schedule__created_at"),
    )


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
