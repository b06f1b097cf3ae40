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

from bridgework.practice.progress import GRID_COLOUR, PALETTE
from bridgework.supervision.models import CompetenceRating, RolePlay
from bridgework.supervision.pictures import DASHED, SELF_COLOUR
from bridgework.supervision.scales import SHIPPED, total_range

# The trainee dashboard's colours and dash (pictures.ratings_svg): a supervisor is its first
# rater's colour, a self-rating brown and dashed, so the lines differ without colour too.
SUPERVISOR_COLOUR = PALETTE[0]
SELF_DASH = str(DASHED["dasharray"]).replace(",", "")
WIDTH, HEIGHT = 480, 216
LEFT, RIGHT, TOP, BOTTOM = 40, WIDTH - 16, 12, HEIGHT - 64  # the plot area
TEXT = {"font-family": "sans-serif", "font-size": "12", "fill": "#333"}


@dataclass(frozen=True)
class Total:
    rating: CompetenceRating
    value: float | None  # None: too many items left empty to score
    high: float  # the top of the scale's total

    @property
    def is_draft(self) -> bool:
        return self.rating.state == CompetenceRating.State.DRAFT

    @property
    def prorated(self) -> bool:
        return bool((self.rating.scores.get("total") or {}).get("prorated"))


@dataclass(frozen=True)
class AttemptRow:
    role_play: RolePlay
    supervisors: list[Total]  # submitted (or the reader's own draft) by raters other than it
    self_rating: Total | None
    own: Total | None  # the reader's own rating of the attempt, draft or submitted
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
    reader_id: int,
    withheld: Collection[int] = (),
) -> list[AttemptRow]:
    """One row per attempt, in attempt order, with the shipped scale's ratings of its session
    (the reader's own among them, for the page to offer it rather than a new one; and whether
    others' ratings of it are `withheld` from the reader: by session id)."""
    by_session: dict[int, list[CompetenceRating]] = {}
    for rating in ratings:
        if rating.instrument.slug == SHIPPED and rating.instrument.clinic_id is None:
            by_session.setdefault(rating.session_id, []).append(rating)
    found = []
    for role_play in sorted(role_plays, key=lambda attempt: attempt.number):
        theirs = by_session.get(role_play.session_id, [])
        selves = [rating for rating in theirs if rating.is_self_rating]
        mine = [rating for rating in theirs if rating.rater_id == reader_id]
        found.append(
            AttemptRow(
                role_play=role_play,
                supervisors=[total_of(rating) for rating in theirs if not rating.is_self_rating],
                self_rating=total_of(selves[0]) if selves else None,
                own=total_of(mine[0]) if mine else None,
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


@dataclass(frozen=True)
class Line:
    label: str
    colour: str
    dash: str | None  # a stroke-dasharray, or None for solid
    points: list[tuple[int, float | None]]  # (attempt number, total)

    @property
    def known(self) -> list[tuple[int, float]]:
        return [(number, value) for number, value in self.points if value is not None]


@dataclass(frozen=True)
class Frame:
    """Where an attempt number and a total land in the picture."""

    last: int  # the last attempt's number
    high: float  # the top of the scale

    def x(self, number: int) -> float:
        span = RIGHT - LEFT
        return LEFT + (span * (number - 1) / (self.last - 1) if self.last > 1 else span / 2)

    def y(self, value: float) -> float:
        share = min(max(value / self.high, 0.0), 1.0) if self.high else 0.0
        return BOTTOM - (BOTTOM - TOP) * share


def lines_of(attempts: Sequence[AttemptRow]) -> list[Line]:
    return [
        Line(
            _("Supervisor's rating"),
            SUPERVISOR_COLOUR,
            None,
            [(row.role_play.number, row.supervisor_mean) for row in attempts],
        ),
        Line(
            _("Self-rating"),
            SELF_COLOUR,
            SELF_DASH,
            [(row.role_play.number, row.self_value) for row in attempts],
        ),
    ]


def picture(attempts: Sequence[AttemptRow]) -> SafeString:
    """The totals over the attempts as two lines (supervisor's mean solid, self-rating dashed)
    over a y-axis 0 to the scale's top and the attempt numbers, with a legend, in an inline
    SVG of presentation attributes only (no styles, no scripts: the page's CSP holds). Empty
    until two attempts have a total: one point is no progress yet. The table beside it has
    the numbers; the picture is labelled for screen readers as a summary of that table."""
    lines = lines_of(attempts)
    if not any(len(line.known) >= 2 for line in lines):
        return SafeString("")
    frame = Frame(max(row.role_play.number for row in attempts), top_of(attempts))
    label = _(
        "Competence totals over the attempts: the supervisor's as a solid line, the "
        "self-rating as a dashed line. The numbers are in the table."
    )
    drawn = [line for line in lines if line.known]
    return format_html(
        '<svg class="chart" role="img" aria-label="{}" width="{}" height="{}" '
        'viewBox="0 0 {} {}"><title>{}</title>{}{}{}{}</svg>',
        label,
        WIDTH,
        HEIGHT,
        WIDTH,
        HEIGHT,
        label,
        y_axis(frame),
        x_axis(frame),
        format_html_join("", "{}", ((polyline(line, frame),) for line in drawn)),
        legend(drawn),
    )


def text(x: float, y: float, content: str, anchor: str = "middle") -> SafeString:
    attributes = format_html_join(" ", '{}="{}"', TEXT.items())
    return format_html(
        '<text x="{}" y="{}" text-anchor="{}" {}>{}</text>',
        f"{x:.1f}",
        f"{y:.1f}",
        anchor,
        attributes,
        content,
    )


def y_ticks(high: float) -> list[float]:
    """0 to the top in quarters (0, 18, 36, 54, 72 on the shipped scale)."""
    return [high * step / 4 for step in range(5)] if high else [0.0]


def y_axis(frame: Frame) -> SafeString:
    # Grid lines solid and pale, so none passes for the dashed self-rating.
    parts = [
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>{}',
            LEFT,
            f"{frame.y(tick):.1f}",
            RIGHT,
            f"{frame.y(tick):.1f}",
            GRID_COLOUR,
            text(LEFT - 6, frame.y(tick) + 4, f"{tick:g}", anchor="end"),
        )
        for tick in y_ticks(frame.high)
    ]
    axis = format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#888" stroke-width="1"/>',
        LEFT,
        TOP,
        LEFT,
        BOTTOM,
    )
    return format_html_join("", "{}", ((part,) for part in [*parts, axis]))


def x_axis(frame: Frame) -> SafeString:
    numbers = format_html_join(
        "",
        "{}",
        ((text(frame.x(number), BOTTOM + 16, str(number)),) for number in range(1, frame.last + 1)),
    )
    return format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#888" stroke-width="1"/>{}{}',
        LEFT,
        BOTTOM,
        RIGHT,
        BOTTOM,
        numbers,
        text((LEFT + RIGHT) / 2, BOTTOM + 32, _("Attempt")),
    )


def legend(lines: Sequence[Line]) -> SafeString:
    y = HEIGHT - 10
    entries = []
    for index, line in enumerate(lines):
        x = LEFT + index * 180
        entries.append(
            format_html(
                '<g class="legend"><line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" '
                'stroke-width="2"{}/>{}</g>',
                x,
                y - 4,
                x + 28,
                y - 4,
                line.colour,
                dash_attribute(line),
                text(x + 34, y, line.label, anchor="start"),
            )
        )
    return format_html_join("", "{}", ((entry,) for entry in entries))


def dash_attribute(line: Line) -> SafeString:
    return format_html(' stroke-dasharray="{}"', line.dash) if line.dash else SafeString("")


def polyline(line: Line, frame: Frame) -> SafeString:
    known = line.known
    coordinates = " ".join(f"{frame.x(n):.1f},{frame.y(value):.1f}" for n, value in known)
    # Dashed lines get hollow dots: one more difference that is not colour.
    fill = "white" if line.dash else line.colour
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="3.5" fill="{}" stroke="{}" stroke-width="2"/>',
        ((f"{frame.x(n):.1f}", f"{frame.y(value):.1f}", fill, line.colour) for n, value in known),
    )
    return format_html(
        '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"{}/>{}',
        coordinates,
        line.colour,
        dash_attribute(line),
        dots,
    )
