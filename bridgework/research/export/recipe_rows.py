"""The few columns of sessions, reviews and measure_responses that the engagement recipe reads
(research.recipe.COLUMNS), for the analyses page: the same querysets as the export's rows
(so only consented clients, within the study period), the same pseudonyms and the same date
shifts, with only these columns selected. A review's other answers (free text among them)
and a questionnaire's items are never read; of the questionnaires, only the recipe's own.

Each generator yields tuples in the order of recipe.COLUMNS[table]; the analyses page's tests
check that the frame made from them is the frame made from the export's files.
"""

from __future__ import annotations

from collections.abc import Iterator

from bridgework.plans import review as review_questions
from bridgework.research.export.context import Context
from bridgework.research.export.outcomes import (
    answer_of,
    number,
    response_session,
    responses_in_export,
    review_session,
    reviews_in_export,
)
from bridgework.research.export.rows import Row, sessions_in_export, stream

DONE = review_questions.BY_LINK_ID["done"]


def session_times(ctx: Context) -> Iterator[Row]:
    """session_id, client_id, number, starts_at."""
    p, s = ctx.pseudonyms.maybe, ctx.shifts.apply
    rows = sessions_in_export(ctx).values_list("client_id", "pk", "number", "starts_at")
    for client, pk, session_number, starts_at in stream(rows):
        yield p("session", pk), p("client", client), session_number, s(client, starts_at)


def reviews_done(ctx: Context) -> Iterator[Row]:
    """session_id, done: the review's one answer the recipe reads, taken out of the answers
    by the database, and read as the export reads it (research.export.outcomes.answer_of)."""
    p = ctx.pseudonyms.maybe
    rows = reviews_in_export(ctx).values_list(review_session(ctx), "answers__done")
    for session, done in stream(rows):
        yield p("session", session), answer_of(DONE, {DONE.link_id: done}, free_text=False)


def symptom_totals(ctx: Context, instrument: str) -> Iterator[Row]:
    """session_id, instrument, total, of `instrument`'s responses only."""
    p = ctx.pseudonyms.maybe
    rows = (
        responses_in_export(ctx)
        .filter(instrument__slug=instrument)
        .values_list(response_session(ctx), "scores__total__value")
    )
    for session, total in stream(rows):
        yield p("session", session), instrument, number(total)
