"""Repeated attempts at one scenario side by side (deliberate practice): each attempt's
total on Bridgework's competence scale, the supervisor's and the trainee's own, as a table and
as a small picture beside it. Pure: the page passes in the attempts and the ratings it may
read (supervision.access.ratings_for_user, so drafts and blind rating hold here too).

Only the shipped scale's totals are drawn: every scenario names its items, so attempts are
compared on the same 0–72; a rating on a clinic's imported scale is listed on the attempt,
not summed with these.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from bridgework.supervision.models import CompetenceRating, RolePlay
from bridgework.supervision.scales import SHIPPED, total_range

WIDTH, HEIGHT, MARGIN = 320, 96, 8
SUPERVISOR_COLOUR, SELF_COLOUR = "#1f5f8b", "#a1262b"


@dataclass(frozen=True)
class Total:
    rating: CompetenceRating
    value: float | None  # None: too many items left empty to score
    high: float  # the top of the scale's total

    @property
    def is_draft(self) -> bool:
        return self.rating.state == CompetenceRating.State.DRAFT


@dataclass(frozen=True)
class AttemptRow:
    role_play: RolePlay
    supervisors: list[Total]  # submitted (or the reader's own draft) by raters other than it
    self_rating: Total | None
    # Others have submitted a rating of it that the reader may not see yet: the trainee,
    # until their own self-rating of the attempt is submitted (blind self-rating).
    withheld: bool = False

    @property
    def supervisor_mean(self) -> float | None:
        return mean(total.value for total in self.supervisors if not total.is_draft)

    @property
    def self_value(self) -> float | None:
        rating = self.self_rating
        return None if rating is None or rating.is_draft else rating.value


def mean(values: Iterable[float | None]) -> float | None:
    known = [value for value in values if value is not None]
    return sum(known) / len(known) if known else None


def total_of(rating: CompetenceRating) -> Total:
    value = rating.total
    high = total_range(rating.instrument.definition)[1]
    return Total(rating, None if value is None else float(value), high)


def rows(
    role_plays: Sequence[RolePlay],
    ratings: Iterable[CompetenceRating],
    withheld: Collection[int] = (),
) -> list[AttemptRow]:
    """One row per attempt, in attempt order, with the shipped scale's ratings of its session
    (and whether others' ratings of it are `withheld` from the reader: by session id)."""
    by_session: dict[int, list[CompetenceRating]] = {}
    for rating in ratings:
        if rating.instrument.slug == SHIPPED and rating.instrument.clinic_id is None:
            by_session.setdefault(rating.session_id, []).append(rating)
    found = []
    for role_play in sorted(role_plays, key=lambda attempt: attempt.number):
        theirs = by_session.get(role_play.session_id, [])
        own = [rating for rating in theirs if rating.is_self_rating]
        found.append(
            AttemptRow(
                role_play=role_play,
                supervisors=[total_of(rating) for rating in theirs if not rating.is_self_rating],
                self_rating=total_of(own[0]) if own else None,
                withheld=role_play.session_id in withheld
                and not any(not rating.is_self_rating for rating in theirs),
            )
        )
    return found


def top_of(attempts: Sequence[AttemptRow]) -> float:
    """The top of the scale's total, from any of the totals (all are the shipped scale's)."""
    for row in attempts:
        for total in [*row.supervisors, *([row.self_rating] if row.self_rating else [])]:
            if total.high:
                return total.high
    return 0.0


def picture(attempts: Sequence[AttemptRow]) -> SafeString:
    """The totals over the attempts as two lines (supervisor's mean, self-rating) in an inline
    SVG of presentation attributes only (no styles, no scripts: the page's CSP holds). Empty
    until two attempts have a total: one point is no progress yet. The table beside it has
    the numbers; the picture is labelled for screen readers as a summary of that table."""
    lines = [
        (SUPERVISOR_COLOUR, [(row.role_play.number, row.supervisor_mean) for row in attempts]),
        (SELF_COLOUR, [(row.role_play.number, row.self_value) for row in attempts]),
    ]
    if not any(sum(value is not None for _n, value in points) >= 2 for _c, points in lines):
        return SafeString("")
    last, high = max(row.role_play.number for row in attempts), top_of(attempts)
    drawn = format_html_join(
        "", "{}", ((polyline(colour, points, last, high),) for colour, points in lines)
    )
    return format_html(
        '<svg class="chart" role="img" aria-label="{}" width="{}" height="{}" viewBox="0 0 {} {}">'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#888" stroke-width="1"/>'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#ccc" stroke-dasharray="4 3"/>{}</svg>',
        _(
            "Competence totals over the attempts: the supervisor's (blue) and the self-rating "
            "(red). The numbers are in the table."
        ),
        WIDTH,
        HEIGHT,
        WIDTH,
        HEIGHT,
        MARGIN,
        HEIGHT - MARGIN,
        WIDTH - MARGIN,
        HEIGHT - MARGIN,
        MARGIN,  # the top of the scale, dashed
        MARGIN,
        WIDTH - MARGIN,
        MARGIN,
        drawn,
    )


def polyline(
    colour: str, points: Sequence[tuple[int, float | None]], last: int, high: float
) -> SafeString:
    known = [(number, value) for number, value in points if value is not None]
    if not known:
        return SafeString("")
    span_x = WIDTH - 2 * MARGIN
    span_y = HEIGHT - 2 * MARGIN

    def x(number: int) -> float:
        return MARGIN + (span_x * (number - 1) / (last - 1) if last > 1 else span_x / 2)

    def y(value: float) -> float:
        return HEIGHT - MARGIN - span_y * min(max(value / high, 0.0), 1.0) if high else 0.0

    coordinates = " ".join(f"{x(number):.1f},{y(value):.1f}" for number, value in known)
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="3" fill="{}"/>',
        ((f"{x(number):.1f}", f"{y(value):.1f}", colour) for number, value in known),
    )
    return format_html(
        '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>{}',
        coordinates,
        colour,
        dots,
    )
