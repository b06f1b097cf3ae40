"""The client's own course as simple pictures, each with a text alternative.

Charts are drawn by pygal (SVG) and shown as images; every chart also comes as a table, which
is what screen readers read and what a client can check the picture against.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pygal
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from pygal.etree import etree

from bridgework.practice.models import CheckIn, PracticeLog

PALETTE = ("#1f5f8b", "#a1262b", "#1e6b3a", "#8a4b00", "#5b3f8c")
MAX_POINTS = 30  # the most recent entries shown; the history page has them all


@dataclass
class Chart:
    name: str
    title: str
    summary: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    series: dict[str, list[float | None]] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)
    high: int = 100

    def svg(self) -> bytes:
        style = pygal.style.Style(
            colors=PALETTE,
            background="white",
            plot_background="white",
            font_family="sans-serif",
            label_font_size=14,
            major_label_font_size=14,
            legend_font_size=14,
        )
        chart = pygal.Line(
            js=[],
            style=style,
            range=(0, self.high),
            show_dots=True,
            dots_size=4,
            x_label_rotation=0,
            height=360,
            width=720,
            truncate_label=-1,
            legend_at_bottom=True,
            title=self.title,
            show_minor_x_labels=False,
            x_labels_major_every=max(1, len(self.labels) // 6),
        )
        chart.x_labels = self.labels
        for name, values in self.series.items():
            chart.add(name, values)
        return without_scripts(chart.render_tree())


def without_scripts(tree: Any) -> bytes:
    """pygal always embeds a configuration script for its interactive mode; a picture needs
    none, so the chart goes out without any."""
    for parent in list(tree.iter()):
        for child in list(parent):
            if str(child.tag).endswith("script"):
                parent.remove(child)
    return bytes(etree.tostring(tree, encoding="utf-8"))


def day(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%d %b")


def from_worksheets(
    logs: Iterable[PracticeLog],
    sheet: str,
    name: str,
    title: str,
    fields: list[tuple[str, str]],
    summary: str,
) -> Chart | None:
    chosen = [log for log in logs if log.worksheet == sheet][:MAX_POINTS][::-1]
    if not chosen:
        return None
    chart = Chart(name, title, summary, [_("Date"), *(label for _key, label in fields)])
    chart.labels = [day(log.practiced_at) for log in chosen]
    for key, label in fields:
        chart.series[label] = [log.entries.get(key) for log in chosen]
    chart.rows = [
        [day(log.practiced_at), *(log.entries.get(key, "—") for key, _l in fields)]
        for log in chosen
    ]
    return chart


def from_check_ins(check_ins: Iterable[CheckIn]) -> Chart | None:
    chosen = list(check_ins)[:MAX_POINTS][::-1]
    if not chosen:
        return None
    scales = sorted({r.scale.name for c in chosen for r in c.ratings.all()})
    chart = Chart(
        "check-ins",
        _("Your check-ins"),
        _("Your 0–100 check-in ratings, oldest on the left."),
        [_("Date"), *scales],
    )
    chart.labels = [day(c.answered_at) for c in chosen]
    values = [{r.scale.name: r.value for r in c.ratings.all()} for c in chosen]
    chart.series = {scale: [v.get(scale) for v in values] for scale in scales}
    chart.rows = [
        [day(c.answered_at), *(v.get(scale, "—") for scale in scales)]
        for c, v in zip(chosen, values, strict=True)
    ]
    return chart


def charts_for(logs: Iterable[PracticeLog], check_ins: Iterable[CheckIn]) -> list[Chart]:
    logs = list(logs)
    candidates = [
        from_worksheets(
            logs,
            "exposure-log",
            "exposures",
            _("Distress in your exposures"),
            [
                ("distress_before", _("Before")),
                ("distress_peak", _("Highest")),
                ("distress_after", _("At the end")),
            ],
            _(
                "Distress (0–100) before, at its highest and at the end of each "
                "exposure, oldest on the left."
            ),
        ),
        from_worksheets(
            logs,
            "behavioural-experiment",
            "experiments",
            _("Belief before and after your experiments"),
            [("belief_before", _("Before")), ("belief_after", _("After"))],
            _(
                "How much you believed the thought you tested (0–100%), before and "
                "after each experiment."
            ),
        ),
        from_worksheets(
            logs,
            "relaxation-log",
            "relaxation",
            _("Tension before and after relaxing"),
            [("tension_before", _("Before")), ("tension_after", _("After"))],
            _("Tension (0–100) before and after each practice."),
        ),
        from_check_ins(check_ins),
    ]
    return [chart for chart in candidates if chart is not None]


def chart_image(charts: Iterable[Chart], name: str) -> HttpResponse:
    """The named picture as an SVG response (404 if there is none by that name)."""
    chart = next((chart for chart in charts if chart.name == name), None)
    if chart is None:
        raise Http404
    response = HttpResponse(chart.svg(), content_type="image/svg+xml")
    # The chart is an image: it runs no script, and its own styles are inline by design.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response
