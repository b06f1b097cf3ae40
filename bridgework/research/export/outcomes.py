"""The rows of the tables after the plan: ratings, check-ins, reviews, questionnaires, flags
and competence ratings (streamed as in research.export.rows)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

import pyarrow as pa
from django.db.models import Case, Exists, OuterRef, Q, QuerySet

from bridgework.measures.models import Baseline, Flag, Response
from bridgework.plans import review as review_questions
from bridgework.plans.models import Review
from bridgework.practice import worksheets
from bridgework.practice.models import CheckIn, Rating
from bridgework.research.export.as_of import plan_version_at
from bridgework.research.export.arrow_read import INTEGER, JSON, STRING, arrays
from bridgework.research.export.columnar import Batch, Seconds
from bridgework.research.export.context import Context
from bridgework.research.export.rows import Row, logs_in_export, stream
from bridgework.supervision.models import CompetenceRating


def is_rating(spec: dict[str, Any]) -> bool:
    return spec.get("type") == "integer" and (spec.get("minimum"), spec.get("maximum")) == (0, 100)


@cache  # one entry per worksheet version shipped: a handful
def rating_fields(slug: str, version: int) -> tuple[tuple[str, str | None], ...]:
    """A worksheet's 0–100 fields: (field, None) at the top, (list, column) inside a list."""
    sheet = worksheets.all_versions().get((slug, version))
    if sheet is None:
        return ()
    fields: list[tuple[str, str | None]] = []
    for name, spec in sheet.properties.items():
        if is_rating(spec):
            fields.append((name, None))
        elif spec.get("type") == "array":
            columns = spec.get("items", {}).get("properties", {})
            fields.extend((name, column) for column, inner in columns.items() if is_rating(inner))
    return tuple(fields)


def worksheet_ratings(
    entries: dict[str, Any], fields: tuple[tuple[str, str | None], ...]
) -> Iterator[tuple[str, int | None, int]]:
    """(scale, position in the list, value) for every 0–100 value the entries hold."""
    for name, column in fields:
        value = entries.get(name)
        if column is None and isinstance(value, int) and not isinstance(value, bool):
            yield name, None, value
        elif column is not None and isinstance(value, list):
            for position, row in enumerate(value):
                inner = row.get(column) if isinstance(row, dict) else None
                if isinstance(inner, int) and not isinstance(inner, bool):
                    yield f"{name}.{column}", position, inner


def ratings(ctx: Context) -> Iterator[Batch]:
    """Check-ins' ratings first, then practice logs' 0–100 fields (two streams, one table), in
    batches of columns (research.export.columnar)."""
    yield from checkin_ratings(ctx)
    yield from log_ratings(ctx)


def checkin_ratings(ctx: Context) -> Iterator[Batch]:
    ps = ctx.pseudonyms
    given = (
        Rating.objects.using(ctx.using)
        .filter(check_in__client_id__in=ctx.client_ids())
        .filter(ctx.period.during("check_in__answered_at", client="check_in__client_id"))
        .values_list(
            "check_in__client_id",
            "pk",
            "check_in_id",
            "scale_id",
            # The therapist names a client's scale (free text: it could name a person); the
            # scale_id tells the scales apart without it.
            ctx.text("scale__name"),
            Seconds("check_in__answered_at"),
            "value",
        )
    )
    types = [INTEGER] * 4 + [STRING] + [INTEGER] * 2
    for client, pk, check_in, scale, name, answered, value in arrays(
        given, types, by_copy=ctx.by_copy
    ):
        yield [
            ps.column("rating", pk),
            ps.column("client", client),
            ps.column("check-in", check_in),
            pa.nulls(len(pk), STRING),
            pa.array(["check-in"] * len(pk), STRING),
            ps.column("check-in-scale", scale),
            name,
            pa.nulls(len(pk), INTEGER),
            ctx.shifts.times(client, answered),
            value,
        ]


def log_ratings(ctx: Context) -> Iterator[Batch]:
    """Every 0–100 value of the logs' entries, a rating each; a batch of logs at a time."""
    logged = logs_in_export(ctx).values_list(
        "client_id", "pk", "worksheet", "worksheet_version", Seconds("practiced_at"), "entries"
    )
    types = [INTEGER, INTEGER, STRING, INTEGER, INTEGER, JSON]
    for batch in arrays(logged, types, by_copy=ctx.by_copy):
        found = list(ratings_of_logs(*(c if isinstance(c, list) else c.to_pylist() for c in batch)))
        if found:
            yield log_ratings_batch(ctx, [pa.array(c) for c in zip(*found, strict=True)])


def ratings_of_logs(
    clients: list[int],
    pks: list[int],
    sheets: list[str],
    versions: list[int],
    practiced: list[int],
    entries: list[Any],
) -> Iterator[tuple[str, int, int, str, int | None, int, int]]:
    """(id, client, log, scale, position, time, value) for each 0–100 value of the logs."""
    for client, pk, sheet, version, at_time, given in zip(
        clients, pks, sheets, versions, practiced, entries, strict=True
    ):
        for name, at, value in worksheet_ratings(given or {}, rating_fields(sheet, version)):
            yield f"log:{pk}:{name}:{at}", client, pk, name, at, at_time, value


def log_ratings_batch(ctx: Context, found: list[pa.Array]) -> Batch:
    ps = ctx.pseudonyms
    ids, client, log, scale, position, rated, value = found
    return [
        ps.column("rating", ids),
        ps.column("client", client),
        pa.nulls(len(ids), STRING),
        ps.column("practice-log", log),
        pa.array(["practice-log"] * len(ids), STRING),
        pa.nulls(len(ids), STRING),
        scale,
        position.cast(INTEGER),
        ctx.shifts.times(client, rated),
        value.cast(INTEGER),
    ]


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
