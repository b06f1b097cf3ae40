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
from typing import Any

from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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
# A text shown to people: translated when it is shown (gettext_lazy), in the reader's language.
Words = str | Promise

# The types, each with its name in the words shown (the name itself stays the code's).
TYPES: dict[str, Words] = {
    "integer": pgettext_lazy("codebook type", "integer"),
    "string": pgettext_lazy("codebook type", "string"),
    "boolean": pgettext_lazy("codebook type", "boolean"),
    "datetime": pgettext_lazy("codebook type", "datetime"),
}
POINTS = pgettext_lazy("codebook unit", "points")
ENTRIES = pgettext_lazy("codebook unit", "entries")
UTC_MOMENT = pgettext_lazy("codebook unit", "ISO 8601, UTC")
TRUE_FALSE = ("true", "false")


@dataclass(frozen=True)
class Column:
    """One column: its name, type and codes as the CSV holds them (never translated), and its
    unit, allowed values and meaning in words (translated when shown); `source` names the
    model and field in the code, `source_note` says in words how the value is read off it."""

    name: str
    type: str  # integer, string, boolean, datetime
    unit: Words
    allowed: Words
    meaning: Words
    source: str
    value: Callable[[Period], Cell]
    codes: tuple[str, ...] = ()  # the values the CSV writes, listed before `allowed`
    source_note: Words = ""


def number(value: Scale) -> int | None:
    return None if isinstance(value, Missing) else value


def named(period: Period, kind: str) -> bool | None:
    way = period.review.in_the_way
    return None if isinstance(way, Missing) else kind in way


def text_or_none(value: str | Missing) -> str | None:
    return None if isinstance(value, Missing) else value


EMPTY_UNTIL_REVIEWED = _("empty: no review in the period (reviewed is false)")
EMPTY_IF_NOT_ASKED = _("empty: not asked at its review, or no review yet (see reviewed)")
REVIEW_ANSWER = "plans.Review.answers"


def scale_column(name: str, link_id: str, low: int, high: int, meaning: Words) -> Column:
    return Column(
        name,
        "integer",
        POINTS,
        format_lazy("{}–{}; {}", low, high, EMPTY_IF_NOT_ASKED),
        meaning,
        f"{REVIEW_ANSWER}[{link_id!r}]",
        lambda period: number(getattr(period.review, name)),
    )


def count_column(name: str, meaning: Words, source: str, value: Callable[[Period], int]) -> Column:
    return Column(name, "integer", ENTRIES, _("0 or more"), meaning, source, value)


def named_column(kind: str, link_id: str, meaning: Words) -> Column:
    return Column(
        f"named_{kind}",
        "boolean",
        "",
        EMPTY_UNTIL_REVIEWED,
        meaning,
        f"{REVIEW_ANSWER}[{link_id!r}]",
        lambda period: named(period, kind),
        codes=TRUE_FALSE,
        source_note=_("true when it holds words"),
    )


LOGS = "practice.PracticeLog"

CODEBOOK: tuple[Column, ...] = (
    Column(
        "plan_id",
        "integer",
        "",
        _("a plan's id"),
        _("the plan"),
        "plans.ActionPlan.id",
        lambda p: p.plan.plan_id,
    ),
    Column(
        "plan_kind",
        "string",
        "",
        "",
        _("the kind of task"),
        "plans.ActionPlan.kind",
        lambda p: p.plan.kind,
        codes=tuple(Kind.values),
    ),
    Column(
        "plan_version",
        "integer",
        "",
        _("1 or more"),
        _("the plan's version now"),
        "plans.ActionPlan.version",
        lambda p: p.plan.version,
    ),
    Column(
        "period",
        "integer",
        "",
        _("1 or more"),
        _("the review period: period n ends at the plan's review number n; the last may be open"),
        "plans.Review.reviewed_at",
        lambda p: p.number,
        source_note=_("counted from the reviews' times"),
    ),
    Column(
        "period_start",
        "datetime",
        UTC_MOMENT,
        _("a moment"),
        _(
            "the review before, or for period 1 when the plan was agreed (or made); period 1 "
            "also takes entries practised before it"
        ),
        "plans.Review.reviewed_at, plans.ActionPlan.agreed_at / created_at",
        lambda p: p.starts_at,
    ),
    Column(
        "period_end",
        "datetime",
        UTC_MOMENT,
        _("a moment; empty: the period is open"),
        _("the review that ends the period"),
        "plans.Review.reviewed_at",
        lambda p: p.ends_at,
    ),
    Column(
        "reviewed",
        "boolean",
        "",
        "",
        _("whether a review ends the period"),
        "plans.Review",
        lambda p: p.reviewed,
        codes=TRUE_FALSE,
    ),
    Column(
        "review_session",
        "integer",
        "",
        _("a session number; empty: none recorded"),
        _("the therapy session the review was held in"),
        "care.TherapySession.number",
        lambda p: p.session_number,
    ),
    Column(
        "instrument_version",
        "string",
        "",
        format_lazy("{}; {}", _("1.0 and later"), EMPTY_UNTIL_REVIEWED),
        _("the Action Plan Review version the review answered"),
        "plans.Review.instrument_version",
        lambda p: p.instrument_version or None,
    ),
    count_column(
        "entries_done",
        _("practice entries logged done"),
        f"{LOGS}.outcome",
        lambda p: p.practice.done,
    ),
    count_column(
        "entries_partly",
        _("practice entries logged partly done"),
        f"{LOGS}.outcome",
        lambda p: p.practice.partly,
    ),
    count_column(
        "entries_not_done",
        _("practice entries logged not done"),
        f"{LOGS}.outcome",
        lambda p: p.practice.not_done,
    ),
    count_column(
        "entries_something_else",
        _("practice entries logged as something else done"),
        f"{LOGS}.outcome",
        lambda p: p.practice.something_else,
    ),
    count_column(
        "entries_no_outcome",
        _("practice entries without an outcome"),
        f"{LOGS}.outcome",
        lambda p: p.practice.no_outcome,
    ),
    count_column(
        "entries_obstacles_noted",
        _("entries saying what got in the way"),
        f"{LOGS}.obstacles_note",
        lambda p: p.practice.with_obstacles,
    ),
    count_column(
        "entries_learned_asked",
        _("entries whose worksheet asks what was learned"),
        f"{LOGS}.worksheet / worksheet_version",
        lambda p: p.practice.learned_asked,
    ),
    Column(
        "entries_learned",
        "integer",
        ENTRIES,
        _("0 or more"),
        _("of those, entries where something learned was written"),
        f"{LOGS}.entries",
        lambda p: p.practice.learned,
        source_note=_("the field its worksheet marks as what was learned"),
    ),
    Column(
        "done",
        "integer",
        POINTS,
        format_lazy(
            "{}; {}",
            _("0 not at all, 1 a little, 2 about half, 3 most of it, 4 all of it or more"),
            EMPTY_IF_NOT_ASKED,
        ),
        _("how much of the plan was done, against what was planned"),
        f"{REVIEW_ANSWER}['done']",
        lambda p: number(p.review.done),
    ),
    scale_column("difficulty", "difficulty", 0, 10, _("how hard it was: 0 very easy")),
    scale_column(
        "rationale_sense",
        "rationale-sense",
        0,
        10,
        _("how much sense the reason for the plan makes: 0 none"),
    ),
    scale_column(
        "goal_fit", "goal-fit", 0, 10, _("how well the plan fits the goals: 0 not at all")
    ),
    scale_column("distress", "distress", 0, 100, _("how distressing doing it was, at its worst")),
    scale_column(
        "progress", "progress", 0, 10, _("how much it helped towards the goals: 0 not at all")
    ),
    named_column("practical", "practical-obstacles", _("practical obstacles were described")),
    named_column(
        "feelings", "emotional-obstacles", _("feelings that got in the way were described")
    ),
    named_column("beliefs", "beliefs", _("beliefs the task stirred up were described")),
    Column(
        "learned_at_review",
        "boolean",
        "",
        EMPTY_UNTIL_REVIEWED,
        _("something learned was written at the review"),
        f"{REVIEW_ANSWER}['learned']",
        lambda p: None if isinstance(p.review.learned, Missing) else p.review.learned,
        codes=TRUE_FALSE,
    ),
    Column(
        "decision",
        "string",
        "",
        EMPTY_UNTIL_REVIEWED,
        _("what the review decided"),
        "plans.Review.decision",
        lambda p: text_or_none(p.review.decision),
        codes=tuple(Decision.values),
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


def codebook_rows() -> list[dict[str, Any]]:
    """The codebook as rows for a page, in the reader's language: name, type (its code and
    its words), unit, codes and allowed values, meaning, source and its note."""
    return [
        {
            "name": column.name,
            "type": column.type,
            "type_words": TYPES[column.type],
            "unit": column.unit,
            "codes": column.codes,
            "allowed": column.allowed,
            "meaning": column.meaning,
            "source": column.source,
            "source_note": column.source_note,
        }
        for column in CODEBOOK
    ]
