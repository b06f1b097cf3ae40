"""The rows of the tables after the plan: check-ins, reviews, questionnaires, flags and
competence ratings (streamed as in research.export.rows; the ratings are in
research.export.ratings)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Case, Exists, OuterRef, Q, QuerySet

from bridgework.measures.models import Baseline, Flag, Response
from bridgework.plans import review as review_questions
from bridgework.plans.models import Review
from bridgework.practice.models import CheckIn
from bridgework.research.export.as_of import plan_version_at
from bridgework.research.export.context import Context
from bridgework.research.export.rows import Row, stream
from bridgework.supervision.models import CompetenceRating


def checkins_in_export(ctx: Context) -> QuerySet[CheckIn]:
    return (
        CheckIn.objects.using(ctx.using)
        .filter(client_id__in=ctx.client_ids())
        .filter(ctx.period.during("answered_at"))
    )


def checkins(ctx: Context) -> Iterator[Row]:
    p, s = ctx.pseudonyms.maybe, ctx.shifts.apply
    rows = checkins_in_export(ctx).values_list(
        "client_id",
        "pk",
        ctx.linked("prompt_id", ctx.period.during("prompt__due_at")),
        "answered_at",
        ctx.as_of_end("received_at"),
    )
    for client, pk, prompt, answered, received in stream(rows):
        yield (
            p("check-in", pk),
            p("client", client),
            p("prompt", prompt),
            s(client, answered),
            s(client, received),
        )


def answer_of(question: review_questions.Question, answers: dict[str, Any], free_text: bool) -> Any:
    value = answers.get(question.link_id)
    if question.kind == "text":
        return (value or None) if free_text else None
    if question.link_id == "decision":
        return value or None
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def reviews_in_export(ctx: Context) -> QuerySet[Review]:
    """Reviews within the period, of plans in the export."""
    period, owner = ctx.period, "plan__client_id"
    return (
        Review.objects.using(ctx.using)
        .filter(plan__client_id__in=ctx.client_ids())
        .filter(period.during("reviewed_at", client=owner))
        .filter(period.overlapping("plan__created_at", "plan__closed_at", client=owner))
    )


def review_session(ctx: Context) -> Case:
    """The session a review was made in, when that session is in the export."""
    return ctx.linked(
        "session_id", ctx.period.during("session__starts_at", client="plan__client_id")
    )


def reviews(ctx: Context) -> Iterator[Row]:
    p, s = ctx.pseudonyms.maybe, ctx.shifts.apply
    rows = reviews_in_export(ctx).values_list(
        "plan__client_id",
        "pk",
        "plan_id",
        plan_version_at("reviewed_at"),
        review_session(ctx),
        "reviewed_at",
        "instrument_version",
        "answers",
    )
    for client, pk, plan, plan_version, session, reviewed, version, answers in stream(rows):
        yield (
            p("review", pk),
            p("plan", plan),
            plan_version,
            p("client", client),
            p("session", session),
            s(client, reviewed),
            version,
            *(answer_of(q, answers or {}, ctx.free_text) for q in review_questions.QUESTIONS),
        )


def responses_in_export(ctx: Context) -> QuerySet[Response]:
    """Questionnaires within the period; a plan review's response is in reviews instead."""
    return (
        Response.objects.using(ctx.using)
        .filter(client_id__in=ctx.client_ids(), review__isnull=True)
        .filter(ctx.period.during("completed_at"))
    )


def response_session(ctx: Context) -> Case:
    """The session a questionnaire was completed for, when that session is in the export."""
    return ctx.linked("session_id", ctx.period.during("session__starts_at"))


def total_of(scores: dict[str, Any]) -> tuple[Any, ...]:
    total = scores.get("total") if isinstance(scores, dict) else None
    if not isinstance(total, dict):
        return None, None, None, None
    return (
        number(total.get("value")),
        total.get("band") or None,
        total.get("above_cutoff"),
        total.get("prorated"),
    )


def number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def measure_responses(ctx: Context) -> Iterator[Row]:
    p, s = ctx.pseudonyms.maybe, ctx.shifts.apply
    baseline = Exists(Baseline.objects.filter(response=OuterRef("pk")))
    rows = responses_in_export(ctx).values_list(
        "client_id",
        "pk",
        response_session(ctx),
        "instrument__slug",
        "instrument__version",
        "completed_at",
        baseline,
        "scores",
    )
    for client, pk, session, slug, version, completed, is_baseline, scores in stream(rows):
        yield (
            p("response", pk),
            p("client", client),
            p("session", session),
            slug,
            version,
            s(client, completed),
            is_baseline,
            *total_of(scores),
        )


def measure_scores(ctx: Context) -> Iterator[Row]:
    p = ctx.pseudonyms.maybe
    for client, pk, scores in stream(
        responses_in_export(ctx).values_list("client_id", "pk", "scores")
    ):
        for score, facts in sorted((scores or {}).items()):
            facts = facts if isinstance(facts, dict) else {}
            yield (
                p("response", pk),
                score,
                p("client", client),
                number(facts.get("value")),
                facts.get("band") or None,
                facts.get("above_cutoff"),
                facts.get("prorated"),
            )


def flags(ctx: Context) -> Iterator[Row]:
    p, s, period = ctx.pseudonyms.maybe, ctx.shifts.apply, ctx.period
    in_export = period.during("response__completed_at") & Q(response__review__isnull=True)
    rows = (
        Flag.objects.using(ctx.using)
        .filter(client_id__in=ctx.client_ids())
        .filter(period.during("raised_at"))
        .values_list(
            "client_id",
            "pk",
            ctx.linked("response_id", in_export),
            "kind",
            "raised_at",
            ctx.as_of_end("acknowledged_at"),
        )
    )
    for client, pk, response, kind, raised, acknowledged in stream(rows):
        yield (
            p("flag", pk),
            p("client", client),
            p("response", response),
            kind,
            s(client, raised),
            s(client, acknowledged),
        )


def ratings_in_export(ctx: Context) -> QuerySet[CompetenceRating]:
    """Ratings of sessions in the export submitted by the period's end (a draft is its
    rater's alone; one submitted later did not exist then: the period rule)."""
    owner = "session__client_id"
    return (
        CompetenceRating.objects.using(ctx.using)
        .filter(session__client_id__in=ctx.client_ids(), state=CompetenceRating.State.SUBMITTED)
        .filter(ctx.period.during("session__starts_at", client=owner))
        .filter(ctx.period.before_end("submitted_at", client=owner))
    )


def competence_ratings(ctx: Context) -> Iterator[Row]:
    p, s = ctx.pseudonyms.maybe, ctx.shifts.apply
    rows = ratings_in_export(ctx).values_list(
        "session__client_id",
        "pk",
        "session_id",
        "therapist_id",
        "rater_id",
        "instrument__slug",
        "instrument__version",
        "submitted_at",
        "scores",
        ctx.text("comment"),
    )
    for client, pk, session, therapist, rater, slug, version, submitted, scores, comment in stream(
        rows
    ):
        value, _band, _cutoff, prorated = total_of(scores)
        yield (
            p("competence-rating", pk),
            p("session", session),
            p("client", client),
            p("staff", therapist),
            p("staff", rater),
            therapist == rater,
            slug,
            version,
            s(client, submitted),
            value,
            prorated,
            comment or None,
        )


def competence_items(ctx: Context) -> Iterator[Row]:
    p = ctx.pseudonyms.maybe
    rows = ratings_in_export(ctx).values_list("session__client_id", "pk", "answers", "comments")
    for client, pk, answers, comments in stream(rows):
        for item, score in sorted((answers or {}).items()):
            comment = (comments or {}).get(item) if ctx.free_text else None
            score = int(score) if isinstance(score, int) and not isinstance(score, bool) else None
            yield p("competence-rating", pk), item, p("client", client), score, comment or None
