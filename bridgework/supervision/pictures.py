"""The trainee dashboard's pictures: each plan-quality measure per month, and each competence
scale's totals per rated session. pygal SVG drawn like the client page's (practice.progress:
its palette, no scripts), and drawn into the page itself as `data:` images, from what the
page has read already: a picture costs no request, no query and no audit event of its own.

Why not inline <svg>: pygal styles its drawing with a <style> element, which the
Content-Security-Policy (`style-src 'self'`, bridgework/middleware.py) refuses on the page,
leaving the pictures black. An SVG shown as an image is a document of its own, styled by its
own <style> and never running a script; the policy lets images come as `data:`. The page
gives every picture's numbers in a table beside it."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import Any

import pygal
from django.utils import formats
from django.utils.translation import gettext as _

from bridgework.practice.progress import GRID_COLOUR, PALETTE, dates_between, local
from bridgework.practice.sparkline import without_scripts
from bridgework.supervision.competence import RatedSession, ScaleCourse
from bridgework.supervision.monthly import MEASURES, MonthRow

WIDTH, HEIGHT = 480, 260
SELF_COLOUR = "#8a4b00"  # the trainee's own ratings, apart from every rater's colour


@dataclass(frozen=True)
class Picture:
    name: str  # what it shows, for the page's markup (data-chart)
    title: str
    caption: str
    src: str  # the SVG itself, as a data: address
    width: int = WIDTH
    height: int = HEIGHT


def data_uri(svg: bytes) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def month_label(month: Any) -> str:
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


def indicator_pictures(rows: Sequence[MonthRow]) -> list[Picture]:
    if not rows:
        return []
    return [
        Picture(
            f"measure-{measure}",
            str(label),
            _("The share of each month's plans with it, 0–100%."),
            data_uri(measure_svg(rows, measure)),
        )
        for measure, label in MEASURES.items()
    ]


def rating_picture(course: ScaleCourse) -> Picture | None:
    """The picture of one scale's totals; None while it has no submitted rating."""
    if not course.sessions:
        return None
    return Picture(
        course.chart_name,
        _("%(scale)s: totals per rated session") % {"scale": course.instrument.title},
        _(
            "The total (%(low)s–%(high)s) of each submitted rating, in the order of the "
            "sessions rated: one line per rater, the trainee's self-ratings apart."
        )
        % {"low": course.low, "high": course.high},
        data_uri(ratings_svg(course)),
        WIDTH * 3 // 2,
        HEIGHT + 40,
    )


def style(colours: Sequence[str]) -> Any:
    return pygal.style.Style(
        colors=tuple(colours),
        background="white",
        plot_background="white",
        font_family="sans-serif",
        label_font_size=13,
        major_label_font_size=13,
        legend_font_size=13,
        title_font_size=15,
        guide_stroke_color=GRID_COLOUR,
        guide_stroke_dasharray="none",
        major_guide_stroke_color=GRID_COLOUR,
        major_guide_stroke_dasharray="none",
    )


def measure_svg(rows: Sequence[MonthRow], measure: str) -> bytes:
    """One measure's share per month as a line over 0–100%; a month with no applicable plan
    breaks the line."""
    chart = pygal.Line(
        js=[],
        style=style(PALETTE[:1]),
        range=(0, 100),
        width=WIDTH,
        height=HEIGHT,
        show_legend=False,
        allow_interruptions=True,
        truncate_label=-1,
        # Room for the last month's name, which pygal centres on the plot's right edge.
        margin_right=48,
        x_label_rotation=0 if len(rows) <= 6 else 30,
        title=str(MEASURES[measure]),
        y_labels=[0, 25, 50, 75, 100],
        value_formatter=lambda value: f"{value:.0f}%",
    )
    chart.x_labels = [month_label(row.month) for row in rows]
    chart.add(_("Share of plans"), [row.share(measure).percent for row in rows])
    return without_scripts(chart.render_tree())


def ratings_svg(course: ScaleCourse) -> bytes:
    """The totals of one scale's ratings over time, a line per rater (self-ratings dashed)."""
    moments = [local(point.rating.session.starts_at) for point in course.sessions]
    start, end = min(moments) - timedelta(days=3), max(moments) + timedelta(days=3)
    series = course.by_rater()
    colours = [
        SELF_COLOUR if points[0].is_self else PALETTE[index % len(PALETTE)]
        for index, points in enumerate(series.values())
    ]
    chart = pygal.DateTimeLine(
        js=[],
        style=style(colours),
        range=(course.low, course.high),
        xrange=(start.replace(tzinfo=UTC).timestamp(), end.replace(tzinfo=UTC).timestamp()),
        width=WIDTH * 3 // 2,
        height=HEIGHT + 40,
        legend_at_bottom=True,
        truncate_label=-1,
        dots_size=4,
        show_x_guides=False,
        title=_("%(scale)s: totals per rated session") % {"scale": course.instrument.title},
        x_value_formatter=lambda moment: formats.date_format(moment, _("j M Y")),
    )
    chart.x_labels = dates_between(start, end)
    for name, points in series.items():
        chart.add(name, list(plotted(points)), stroke_style=DASHED if points[0].is_self else None)
    return without_scripts(chart.render_tree())


DASHED = {"width": 2, "dasharray": "8, 5"}


def plotted(points: Sequence[RatedSession]) -> list[tuple[Any, float]]:
    return [
        (local(point.rating.session.starts_at), point.rating.total)
        for point in points
        if point.rating.total is not None
    ]
