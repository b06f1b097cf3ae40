"""The scale as the rating page shows it: each item with its answers (the anchors), what the
rater chose and wrote, what was wrong with it, and what the session's plan records show of
the indicators the item corresponds to. Pure: it takes the definition, the values and the
records, and queries nothing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bridgework.measures.definitions import options
from bridgework.supervision.models import CompetenceRating
from bridgework.supervision.records import SessionRecords
from bridgework.supervision.scales import indicator_codes, read_from


@dataclass(frozen=True)
class Option:
    value: int
    display: str  # the anchor ("Between 0 and 2" where the scale writes none)


@dataclass(frozen=True)
class RecordMark:
    """What the record shows for one indicator of one plan: set in the session, or (for the
    review, g) an earlier plan reviewed in it."""

    plan_id: int
    plan_title: str
    label: str
    present: bool | None  # None: not applicable (yet)


@dataclass(frozen=True)
class ItemRow:
    number: int
    link_id: str
    text: str
    required: bool
    kind: str  # "choice", "integer" or "text" (a text item takes a comment only)
    options: list[Option]
    low: int | None  # an integer item's range
    high: int | None
    value: str  # as chosen or sent: "" for unrated
    comment: str
    problem: str
    marks: list[RecordMark]

    @property
    def chosen(self) -> Option | None:
        return next((o for o in self.options if str(o.value) == self.value), None)

    @property
    def names_plans(self) -> bool:
        """Whether its marks are of more than one plan, so each says which."""
        return len({mark.plan_id for mark in self.marks}) > 1


def rows(
    definition: dict[str, Any],
    values: Mapping[str, object],
    comments: Mapping[str, object],
    problems: Mapping[str, str],
    records: SessionRecords | None,
) -> list[ItemRow]:
    """One row per item. `values` and `comments` are the saved rating's, or those just sent
    when the page shows them again with what was wrong."""
    return [
        ItemRow(
            number=number,
            link_id=item["linkId"],
            text=item["text"],
            required=bool(item.get("required")),
            kind=item["type"],
            options=[Option(value, display) for value, display in sorted(options(item).items())],
            low=item.get("minValue"),
            high=item.get("maxValue"),
            value=str(values.get(item["linkId"], "")),
            comment=str(comments.get(item["linkId"], "")),
            problem=problems.get(item["linkId"], ""),
            marks=marks_for(item, records),
        )
        for number, item in enumerate(definition["item"], start=1)
    ]


def marks_for(item: dict[str, Any], records: SessionRecords | None) -> list[RecordMark]:
    """The record's side of each indicator the item names, read where the dashboard reads it
    too (scales.read_from): the review (g) from the earlier plans reviewed in the session,
    the rest from the plans set in it."""
    if records is None:
        return []
    return [
        RecordMark(plan.plan.pk, plan.plan.title, label, value)
        for code in indicator_codes(item)
        for plan in read_from(code, records.set_here, records.reviewed_here)
        for key, label, value in plan.indicators
        if key == code
    ]


@dataclass(frozen=True)
class SideBySide:
    """Submitted ratings of one session on one scale, side by side, item by item."""

    ratings: list[CompetenceRating]
    items: list[tuple[str, list[object]]]  # (item text, one value per rating: None unrated)
    totals: list[float | None]


def side_by_side(definition: dict[str, Any], ratings: list[CompetenceRating]) -> SideBySide:
    return SideBySide(
        ratings,
        [
            (item["text"], [rating.answers.get(item["linkId"]) for rating in ratings])
            for item in definition["item"]
        ],
        [rating.total for rating in ratings],
    )
