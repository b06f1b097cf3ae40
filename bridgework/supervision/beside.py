"""The trainee's plan-quality indicators beside their supervisors' ratings, item by item.

A competence scale's item may name the indicators a–g that show the same behaviour in the
records (its `code`s in the plan-quality-indicator system: "Anticipating obstacles" names d).
For each rated session of a real client, and for all of them together, this sets the share of
that session's plans with the item's indicators beside the mean of the supervisors' scores of
the item (0–6; self-ratings are the trainee's own view and stay out of it):

- for a–f, the plans set in the session (designed there); for g (the review), the plans
  reviewed in it, since that is the work the rater saw;
- an item naming two indicators (a and b) pools them: n present of N applicable over both;
- all together, an item counts only the rated sessions whose records can show it, on both
  sides: the scores of a session with no plan set (for a–f) or reviewed (for g) in it are
  left out of that item's mean, as its records are;
- the plans are those the monthly rows count (`monthly.counted_plans`), so the two parts of
  the dashboard agree;
- they disagree when the score, as a share of 6, and the indicators' share lie half the
  scale or more apart: the page says which side is higher, so a supervisor looks again at
  what the records show and what they saw.

Role-plays are left out: their training client has no later sessions, so their plans' review
and practice never come, and the page compares what both sides can show. `compare` is pure.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridgework.care.models import TherapySession
from bridgework.plans import indicators
from bridgework.plans.summaries import WITH_INDICATOR_FACTS
from bridgework.supervision.access import TraineeRecords
from bridgework.supervision.competence import item_scores
from bridgework.supervision.models import CompetenceRating
from bridgework.supervision.monthly import Share, counted_plans
from bridgework.supervision.scales import indicator_codes, read_from

TOP = 6  # the scale's highest score per item
DISAGREE = 0.5  # half the scale apart

Results = Mapping[str, bool | None]


@dataclass(frozen=True)
class CodedItem:
    link_id: str
    text: str
    codes: tuple[str, ...]


def coded_items(definition: Mapping[str, Any]) -> list[CodedItem]:
    """The scale's items that name plan-quality indicators, in the scale's order."""
    return [
        CodedItem(item["linkId"], str(item.get("text", "")), codes)
        for item in definition.get("item", [])
        if (codes := indicator_codes(item))
    ]


class Verdict(enum.Enum):
    """How an item's score, as a share of 6, stands beside its indicators' share."""

    RATING_HIGHER = "rating-higher"
    RECORDS_HIGHER = "records-higher"
    AGREE = "agree"

    @property
    def label(self) -> str:
        return str(VERDICT_LABELS[self])

    @property
    def disagree(self) -> bool:
        return self is not Verdict.AGREE


VERDICT_LABELS = {
    Verdict.RATING_HIGHER: _("The rating is higher than the records"),
    Verdict.RECORDS_HIGHER: _("The records are higher than the rating"),
    Verdict.AGREE: _("They agree"),
}


@dataclass(frozen=True)
class ItemBeside:
    """One item: its indicators in the records beside the supervisors' mean score of it."""

    records: Share  # the item's indicators in the plans
    score: float | None  # the supervisors' mean score of the item, 0–6, to one decimal
    ratings: int  # how many ratings scored the item

    @property
    def verdict(self) -> Verdict | None:
        """None where either side has nothing to compare."""
        if self.score is None or self.records.percent is None:
            return None
        gap = self.score / TOP - self.records.present / self.records.applicable
        if gap >= DISAGREE:
            return Verdict.RATING_HIGHER
        if gap <= -DISAGREE:
            return Verdict.RECORDS_HIGHER
        return Verdict.AGREE

    @property
    def disagree(self) -> bool:
        return self.verdict is not None and self.verdict.disagree


@dataclass(frozen=True)
class SessionBeside:
    session: TherapySession
    raters: list[str]
    pairs: dict[str, ItemBeside]  # by item linkId


@dataclass(frozen=True)
class ScaleBeside:
    title: str  # the scale's
    items: list[CodedItem]
    sessions: list[SessionBeside]  # oldest first
    overall: dict[str, ItemBeside]

    @property
    def overall_rows(self) -> list[tuple[CodedItem, ItemBeside]]:
        return [(item, self.overall[item.link_id]) for item in self.items]

    @property
    def session_rows(self) -> list[tuple[SessionBeside, list[ItemBeside]]]:
        return [(row, [row.pairs[item.link_id] for item in self.items]) for row in self.sessions]


def share_of(codes: Sequence[str], set_in: Iterable[Results], reviewed: Iterable[Results]) -> Share:
    """n present of N applicable over the item's indicators, each read where the rating
    page reads it too (`scales.read_from`)."""
    share, set_in, reviewed = Share(), list(set_in), list(reviewed)
    for code in codes:
        for results in read_from(code, set_in, reviewed):
            share = share.counting(results.get(code))
    return share


def mean_score(ratings: Sequence[CompetenceRating], link_id: str) -> tuple[float | None, int]:
    scores = [s[link_id] for r in ratings if link_id in (s := item_scores(r))]
    if not scores:
        return None, 0
    return round(sum(scores) / len(scores), 1), len(scores)


def item_beside(
    item: CodedItem,
    ratings: Sequence[CompetenceRating],
    set_in: Iterable[Results],
    reviewed: Iterable[Results],
) -> ItemBeside:
    score, count = mean_score(ratings, item.link_id)
    return ItemBeside(share_of(item.codes, set_in, reviewed), score, count)


def compare(
    ratings: Iterable[CompetenceRating],
    set_in: Mapping[int, list[Results]],
    reviewed: Mapping[int, list[Results]],
) -> list[ScaleBeside]:
    """Per scale with coded items: its supervisors' ratings of real sessions by session, the
    records of those sessions (`set_in`, `reviewed`: each plan's indicators by session id)."""
    by_scale: dict[int, list[CompetenceRating]] = {}
    for rating in sorted(ratings, key=lambda r: (r.session.starts_at, r.pk)):
        by_scale.setdefault(rating.instrument_id, []).append(rating)
    found = []
    for chosen in by_scale.values():
        items = coded_items(chosen[0].instrument.definition)
        if items:
            found.append(scale_beside(chosen, items, set_in, reviewed))
    return found


def scale_beside(
    ratings: list[CompetenceRating],
    items: list[CodedItem],
    set_in: Mapping[int, list[Results]],
    reviewed: Mapping[int, list[Results]],
) -> ScaleBeside:
    by_session: dict[int, list[CompetenceRating]] = {}
    for rating in ratings:
        by_session.setdefault(rating.session_id, []).append(rating)
    rows = []
    for session_id, rated in by_session.items():
        pairs = {
            item.link_id: item_beside(
                item, rated, set_in.get(session_id, []), reviewed.get(session_id, [])
            )
            for item in items
        }
        rows.append(SessionBeside(rated[0].session, [r.rater.full_name for r in rated], pairs))
    overall = {item.link_id: overall_beside(item, by_session, set_in, reviewed) for item in items}
    return ScaleBeside(ratings[0].instrument.title, items, rows, overall)


def overall_beside(
    item: CodedItem,
    by_session: Mapping[int, list[CompetenceRating]],
    set_in: Mapping[int, list[Results]],
    reviewed: Mapping[int, list[Results]],
) -> ItemBeside:
    """An item over every rated session whose records can show it (a plan set there for a–f,
    one reviewed there for g): the scores and the records of the same sessions, so a session
    with no plan work does not weigh on one side only."""
    showing = [
        sid
        for sid in by_session
        if share_of(item.codes, set_in.get(sid, []), reviewed.get(sid, [])).applicable
    ]
    return item_beside(
        item,
        [rating for sid in showing for rating in by_session[sid]],
        [results for sid in showing for results in set_in.get(sid, [])],
        [results for sid in showing for results in reviewed.get(sid, [])],
    )


# --- reading ------------------------------------------------------------------------------------


def supervisors_ratings(ratings: Iterable[CompetenceRating]) -> list[CompetenceRating]:
    """The submitted ratings by someone other than the trainee, of real clients' sessions."""
    return [
        r
        for r in ratings
        if r.state == CompetenceRating.State.SUBMITTED
        and not r.is_self_rating
        and not r.session.client.is_training
    ]


def beside(
    records: TraineeRecords, ratings: Iterable[CompetenceRating], now: datetime | None = None
) -> list[ScaleBeside]:
    """Five queries: the rated sessions' plans and their indicator facts."""
    now = now or timezone.now()
    chosen = supervisors_ratings(ratings)
    session_ids = {r.session_id for r in chosen}
    plans = (
        counted_plans(records)
        .filter(Q(set_in_session_id__in=session_ids) | Q(reviews__session_id__in=session_ids))
        .distinct()
        .select_related("set_in_session", "review_session", "builds_on")
        .prefetch_related(*WITH_INDICATOR_FACTS)
        .order_by("pk")
    )
    set_in: dict[int, list[Results]] = {}
    reviewed: dict[int, list[Results]] = {}
    for plan in plans if session_ids else []:
        results = indicators.indicators(indicators.facts_of(plan, now))
        set_in_id = plan.set_in_session_id
        if set_in_id is not None and set_in_id in session_ids:
            set_in.setdefault(set_in_id, []).append(results)
        held_in = {review.session_id for review in plan.reviews.all()}
        for session_id in session_ids & {sid for sid in held_in if sid is not None}:
            reviewed.setdefault(session_id, []).append(results)
    return compare(chosen, set_in, reviewed)
