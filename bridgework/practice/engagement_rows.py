"""The engagement profile as tidy rows, for research: one row per plan × review period, with
its codebook. The rows hold no one's words (which texts were written, not what they say); a
research export still has to replace the ids they carry (plan, session) with its pseudonyms.

`CODEBOOK` is the one list of columns: each says its name, type, unit, allowed values, meaning
and source, and how its value is read off a period, so the rows and their description cannot
drift apart. An empty cell is never a number: read it with `reviewed` (False: no review in the
period yet; True: that review recorded no answer, "not asked"). docs/engagement.md shows the
codebook for people.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.http import HttpRequest

from bridgework.care.models import Client
from bridgework.plans.models import Decision, Kind
from bridgework.practice.engagement import (
    ClientProfile,
    Missing,
    Period,
    PlanProfile,
    Scale,
    for_client,
)

Cell = int | str | bool | datetime | None


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # integer, string, boolean, datetime
    unit: str
    allowed: str
    meaning: str
    source: str
    value: Callable[[Period], Cell]


def number(value: Scale) -> int | None:
    return None if isinstance(value, Missing) else value


def named(period: Period, kind: str) -> bool | None:
    way = period.review.in_the_way
    return None if isinstance(way, Missing) else kind in way


def text_or_none(value: str | Missing) -> str | None:
    return None if isinstance(value, Missing) else value


EMPTY_UNTIL_REVIEWED = "empty: no review in the period (reviewed false)"
EMPTY_IF_NOT_ASKED = "; empty: not asked at its review, or no review yet (see reviewed)"
REVIEW_ANSWER = "plans.Review.answers"


def scale_column(name: str, link_id: str, low: int, high: int, meaning: str) -> Column:
    return Column(
        name,
        "integer",
        "points",
        f"{low}–{high}{EMPTY_IF_NOT_ASKED}",
        meaning,
        f"{REVIEW_ANSWER}[{link_id!r}]",
        lambda period: number(getattr(period.review, name)),
    )


def count_column(name: str, meaning: str, source: str, value: Callable[[Period], int]) -> Column:
    return Column(name, "integer", "entries", "0 or more", meaning, source, value)


def named_column(kind: str, link_id: str, meaning: str) -> Column:
    return Column(
        f"named_{kind}",
        "boolean",
        "",
        f"true, false; {EMPTY_UNTIL_REVIEWED}",
        meaning,
        f"{REVIEW_ANSWER}[{link_id!r}] holds words",
        lambda period: named(period, kind),
    )


LOGS = "practice.PracticeLog"

CODEBOOK: tuple[Column, ...] = (
    Column(
        "plan_id",
        "integer",
        "",
        "a plan's id",
        "the plan",
        "plans.ActionPlan.id",
        lambda p: p.plan.plan_id,
    ),
    Column(
        "plan_kind",
        "string",
        "",
        ", ".join(Kind.values),
        "the kind of task",
        "plans.ActionPlan.kind",
        lambda p: p.plan.kind,
    ),
    Column(
        "plan_version",
        "integer",
        "",
        "1 or more",
        "the plan's version now",
        "plans.ActionPlan.version",
        lambda p: p.plan.version,
    ),
    Column(
        "period",
        "integer",
        "",
        "1 or more",
        "the review period: n ends at the plan's n-th review; the last may be open",
        "counted from plans.Review.reviewed_at",
        lambda p: p.number,
    ),
    Column(
        "period_start",
        "datetime",
        "ISO 8601, UTC",
        "a moment",
        "the review before, or for period 1 when the plan was agreed (or made); period 1 "
        "also takes entries practised before it",
        "plans.Review.reviewed_at, plans.ActionPlan.agreed_at / created_at",
        lambda p: p.starts_at,
    ),
    Column(
        "period_end",
        "datetime",
        "ISO 8601, UTC",
        "a moment; empty: the period is open",
        "the review that ends the period",
        "plans.Review.reviewed_at",
        lambda p: p.ends_at,
    ),
    Column(
        "reviewed",
        "boolean",
        "",
        "true, false",
        "whether a review ends the period",
        "plans.Review",
        lambda p: p.reviewed,
    ),
    Column(
        "review_session",
        "integer",
        "",
        "a session number; empty: none recorded",
        "the therapy session the review was held in",
        "care.TherapySession.number",
        lambda p: p.session_number,
    ),
    Column(
        "instrument_version",
        "string",
        "",
        f"1.0 and later; {EMPTY_UNTIL_REVIEWED}",
        "the Action Plan Review version the review answered",
        "plans.Review.instrument_version",
        lambda p: p.instrument_version or None,
    ),
    count_column(
        "entries_done", "practice entries logged done", f"{LOGS}.outcome", lambda p: p.practice.done
    ),
    count_column(
        "entries_partly",
        "practice entries logged partly done",
        f"{LOGS}.outcome",
        lambda p: p.practice.partly,
    ),
    count_column(
        "entries_not_done",
        "practice entries logged not done",
        f"{LOGS}.outcome",
        lambda p: p.practice.not_done,
    ),
    count_column(
        "entries_something_else",
        "practice entries logged as something else done",
        f"{LOGS}.outcome",
        lambda p: p.practice.something_else,
    ),
    count_column(
        "entries_no_outcome",
        "practice entries without an outcome",
        f"{LOGS}.outcome",
        lambda p: p.practice.no_outcome,
    ),
    count_column(
        "entries_obstacles_noted",
        "entries saying what got in the way",
        f"{LOGS}.obstacles_note",
        lambda p: p.practice.with_obstacles,
    ),
    count_column(
        "entries_learned_asked",
        "entries whose worksheet asks what was learned",
        f"{LOGS}.worksheet / worksheet_version",
        lambda p: p.practice.learned_asked,
    ),
    count_column(
        "entries_learned",
        "of those, entries where something learned was written",
        f"{LOGS}.entries[its worksheet's `learning` field]",
        lambda p: p.practice.learned,
    ),
    Column(
        "done",
        "integer",
        "points",
        f"0 not at all, 1 a little, 2 about half, 3 most of it, 4 all of it or more"
        f"{EMPTY_IF_NOT_ASKED}",
        "how much of the plan was done, against what was planned",
        f"{REVIEW_ANSWER}['done']",
        lambda p: number(p.review.done),
    ),
    scale_column("difficulty", "difficulty", 0, 10, "how hard it was: 0 very easy"),
    scale_column(
        "rationale_sense",
        "rationale-sense",
        0,
        10,
        "how much sense the reason for the plan makes: 0 none",
    ),
    scale_column("goal_fit", "goal-fit", 0, 10, "how well the plan fits the goals: 0 not at all"),
    scale_column("distress", "distress", 0, 100, "how distressing doing it was, at its worst"),
    scale_column(
        "progress", "progress", 0, 10, "how much it helped towards the goals: 0 not at all"
    ),
    named_column("practical", "practical-obstacles", "practical obstacles were described"),
    named_column("feelings", "emotional-obstacles", "feelings that got in the way were described"),
    named_column("beliefs", "beliefs", "beliefs the task stirred up were described"),
    Column(
        "learned_at_review",
        "boolean",
        "",
        f"true, false; {EMPTY_UNTIL_REVIEWED}",
        "something learned was written at the review",
        f"{REVIEW_ANSWER}['learned']",
        lambda p: None if isinstance(p.review.learned, Missing) else p.review.learned,
    ),
    Column(
        "decision",
        "string",
        "",
        f"{', '.join(Decision.values)}; {EMPTY_UNTIL_REVIEWED}",
        "what the review decided",
        "plans.Review.decision",
        lambda p: text_or_none(p.review.decision),
    ),
)
NAMES = tuple(column.name for column in CODEBOOK)


def rows_of(profiles: Iterable[PlanProfile]) -> list[dict[str, Cell]]:
    """One row per plan × period, plans in the order given, periods in their own."""
    return [
        {column.name: column.value(period) for column in CODEBOOK}
        for profile in profiles
        for period in profile.periods
    ]


def rows(request: HttpRequest, client: Client) -> list[dict[str, Cell]]:
    """The rows of every plan the client was given, read through the doors (the research
    export calls this, per consented client)."""
    profile: ClientProfile = for_client(request, client)
    return rows_of(profile.plans)


def codebook_rows() -> list[dict[str, str]]:
    """The codebook as rows of text (name, type, unit, allowed, meaning, source)."""
    return [
        {
            "name": column.name,
            "type": column.type,
            "unit": column.unit,
            "allowed": column.allowed,
            "meaning": column.meaning,
            "source": column.source,
        }
        for column in CODEBOOK
    ]
