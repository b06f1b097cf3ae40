"""A trainee's competence ratings over time, for their dashboard: per scale, each submitted
rating of their sessions and role-plays in session order, with its total and its mean item
score (0–6, comparable when items were left empty), the supervisors' ratings and the
self-ratings told apart; and the newest comments. Pure: it takes ratings already read through
`supervision.access.ratings_for_user` (whose blind rule holds: another rater's rating of a
session shows only once the reader's own is submitted). Drafts are never shown here, not
even the reader's own: a draft is not a rating yet."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bridgework.measures.models import Instrument
from bridgework.measures.scoring import round_half_up
from bridgework.supervision.models import CompetenceRating
from bridgework.supervision.scales import total_range

COMMENTS_SHOWN = 5  # the newest ratings' comments; the ratings table lists every rating


@dataclass(frozen=True)
class RatedSession:
    rating: CompetenceRating

    @property
    def is_self(self) -> bool:
        return self.rating.is_self_rating

    @property
    def is_role_play(self) -> bool:
        return bool(self.rating.session.client.is_training)

    @property
    def item_mean(self) -> float | None:
        """The mean of the items rated (0–6), to one decimal."""
        scores = item_scores(self.rating)
        if not scores:
            return None
        return round_half_up(10 * sum(scores.values()) / len(scores)) / 10


def item_scores(rating: CompetenceRating) -> dict[str, int]:
    return {
        link_id: value
        for link_id, value in (rating.answers or {}).items()
        if isinstance(value, int) and not isinstance(value, bool)
    }


@dataclass(frozen=True)
class ScaleCourse:
    """One scale's submitted ratings of the trainee, oldest session first."""

    instrument: Instrument
    sessions: list[RatedSession]

    @property
    def low(self) -> int:
        return int(total_range(self.instrument.definition)[0])

    @property
    def high(self) -> int:
        return int(total_range(self.instrument.definition)[1])

    @property
    def chart_name(self) -> str:
        """Its picture's name, by the instrument: two versions of one scale are two
        instruments, and two pictures."""
        return f"ratings-{self.instrument.pk}"

    def by_rater(self) -> dict[str, list[RatedSession]]:
        """The lines of its picture: one per rater (by name), the self-ratings as one."""
        lines: dict[str, list[RatedSession]] = {}
        for point in self.sessions:
            lines.setdefault(point.rating.rater_name, []).append(point)
        return lines


def courses(ratings: Iterable[CompetenceRating]) -> list[ScaleCourse]:
    """Submitted ratings by scale (first seen first), each in session order."""
    by_scale: dict[int, ScaleCourse] = {}
    submitted = [r for r in ratings if r.state == CompetenceRating.State.SUBMITTED]
    for rating in sorted(submitted, key=lambda r: (r.session.starts_at, r.pk)):
        course = by_scale.setdefault(rating.instrument_id, ScaleCourse(rating.instrument, []))
        course.sessions.append(RatedSession(rating))
    return list(by_scale.values())


@dataclass(frozen=True)
class Comment:
    item: str  # the item's text, or "" for the overall comment
    text: str


@dataclass(frozen=True)
class Comments:
    rated: RatedSession
    comments: list[Comment]


def latest_comments(
    ratings: Iterable[CompetenceRating], shown: int = COMMENTS_SHOWN
) -> list[Comments]:
    """The newest submitted ratings that carry a comment, newest session first: the overall
    comment, then the item comments in the scale's order."""
    submitted = [r for r in ratings if r.state == CompetenceRating.State.SUBMITTED]
    found = []
    for rating in sorted(submitted, key=lambda r: (r.session.starts_at, r.pk), reverse=True):
        texts = [Comment("", rating.comment.strip())] if rating.comment.strip() else []
        for item in rating.instrument.definition.get("item", []):
            text = str((rating.comments or {}).get(item["linkId"]) or "").strip()
            if text:
                texts.append(Comment(str(item.get("text", item["linkId"])), text))
        if texts:
            found.append(Comments(RatedSession(rating), texts))
        if len(found) == shown:
            break
    return found
