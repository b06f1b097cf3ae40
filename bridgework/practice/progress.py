"""The client's own course as simple pictures, each with a text alternative.

Charts are drawn by pygal (SVG) and shown as images; every chart also comes as a table, which
is what screen readers read and what a client can check the picture against. Time runs along
the x axis as time (pygal's DateTimeLine: a week without entries takes a week's room), and
every picture marks the therapy sessions in its period as dashed grey upright lines, named in
the legend and the caption; the table says, for each row, the session it falls on or after.

The same builders serve the client's progress page and the therapist's client page, in the
voice of the page's reader (`Voice`): the client reads "your check-ins", the therapist
"check-ins".
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from urllib.parse import quote

import pygal
from django.db.models import Q, Subquery
from django.http import Http404, HttpResponse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from bridgework.care.models import Client
from bridgework.plans import seeds
from bridgework.practice.models import CheckIn, PracticeLog
from bridgework.practice.sparkline import without_scripts

PALETTE = ("#1f5f8b", "#a1262b", "#1e6b3a", "#8a4b00", "#5b3f8c")
MARK_COLOUR = "#6b6b6b"  # sessions and reference lines: grey, never one of the data's colours
GRID_COLOUR = "#e6e6e6"  # solid and pale, so no grid line passes for a dashed marker
MAX_POINTS = 30  # the most recent entries shown; the history page has them all
LABELS_SHOWN = 6  # dates along the x axis

Voice = Literal["client", "staff"]


@dataclass(frozen=True)
class SessionMark:
    number: int
    starts_at: datetime

    @property
    def name(self) -> str:
        return _("Session %(number)d, %(date)s") % {
            "number": self.number,
            "date": day(self.starts_at),
        }


def mark_sessions(client: Client, charts: list[Chart]) -> None:
    """Give the pictures the therapy sessions they mark and their tables name: those from the
    last one on or before the pictures' earliest row onward, oldest first, to now. One query,
    read after the client's door has let the reader in; however long the therapy, it reads
    only the sessions of the pictures' periods (and the one before, for the first rows)."""
    moments = [at for chart in charts for at in chart.moments]
    if not moments:
        return
    now = timezone.now()
    earliest = min([*moments, now])
    before = (
        client.sessions.filter(starts_at__lte=earliest)
        .order_by("-starts_at")
        .values("starts_at")[:1]
    )
    # Without a session before the earliest row the subquery is NULL, and only the first
    # condition holds.
    found = client.sessions.filter(
        Q(starts_at__gte=earliest) | Q(starts_at__gte=Subquery(before)), starts_at__lte=now
    ).order_by("starts_at")
    sessions = [SessionMark(number, at) for number, at in found.values_list("number", "starts_at")]
    for chart in charts:
        chart.sessions = sessions


@dataclass
class Chart:
    name: str
    title: str
    summary: str
    columns: list[str]
    # Each row's cells after its date, and its moment (the date is written out in the table
    # only: the picture's image needs none of it).
    rows: list[list[Any]] = field(default_factory=list)
    moments: list[datetime] = field(default_factory=list)
    series: dict[str, list[tuple[datetime, float | None]]] = field(default_factory=dict)
    high: int = 100
    # Oldest first: at least those from the last one on or before the first row (mark_sessions).
    sessions: list[SessionMark] = field(default_factory=list)
    guides: dict[str, float] = field(default_factory=dict)  # flat reference lines, e.g. a cut-off

    def add_row(self, moment: datetime, cells: list[Any]) -> None:
        self.moments.append(moment)
        self.rows.append(cells)

    @property
    def span(self) -> tuple[datetime, datetime] | None:
        moments = [
            at for points in self.series.values() for at, value in points if value is not None
        ]
        return (min(moments), max(moments)) if moments else None

    @property
    def marked(self) -> list[SessionMark]:
        """The sessions the picture draws: every one since its first point (the picture then
        reaches to the newest of them, so a session after the last entry shows too)."""
        span = self.span
        if span is None:
            return []
        return [s for s in self.sessions if span[0] <= s.starts_at]

    @property
    def caption(self) -> str:
        if self.marked:
            marks = _("Dashed grey upright lines: the therapy sessions (%(which)s).") % {
                "which": ", ".join(str(s.number) for s in self.marked)
            }
        else:
            marks = _("No therapy session falls in this period.")
        return f"{self.summary} {marks}"

    @property
    def table_columns(self) -> list[str]:
        return [*self.columns, _("On or after")]

    @property
    def table_rows(self) -> list[list[Any]]:
        """The rows, dated, each with the session it falls on or after ("—" before the first),
        found by bisection; a session's name is written once however many rows name it."""
        starts = [s.starts_at for s in self.sessions]
        names: dict[int, str] = {}
        rows = []
        for cells, at in zip(self.rows, self.moments, strict=True):
            index = bisect_right(starts, at) - 1
            if index >= 0 and index not in names:
                names[index] = self.sessions[index].name
            rows.append([day(at), *cells, names.get(index, "—")])
        return rows

    def svg(self) -> bytes:
        first, last = self.span or (timezone.now(), timezone.now())
        last = max([last, *(s.starts_at for s in self.marked)])
        start, end = local(first) - timedelta(hours=12), local(last) + timedelta(hours=12)
        chart = pygal.DateTimeLine(
            js=[],
            style=self.style(),
            range=(0, self.high),
            xrange=(start.replace(tzinfo=UTC).timestamp(), end.replace(tzinfo=UTC).timestamp()),
            show_dots=True,
            dots_size=4,
            show_x_guides=False,
            height=360,
            width=720,
            truncate_label=-1,
            legend_at_bottom=True,
            title=self.title,
            x_value_formatter=lambda moment: formats.date_format(moment, _("j M")),
        )
        chart.x_labels = dates_between(start, end)
        for name, points in self.series.items():
            chart.add(name, [(local(at), value) for at, value in points if value is not None])
        for name, level in self.guides.items():
            chart.add(name, [(start, level), (end, level)], show_dots=False, stroke_style=DOTTED)
        if self.marked:
            chart.add(
                _("Therapy sessions (dashed)"),
                [point for s in self.marked for point in upright(local(s.starts_at), self.high)],
                show_dots=False,
                allow_interruptions=True,
                stroke_style=DASHED,
            )
        return without_scripts(chart.render_tree())

    def style(self) -> Any:
        marks = len(self.guides) + (1 if self.marked else 0)
        return pygal.style.Style(
            colors=(*PALETTE[: len(self.series)], *[MARK_COLOUR] * marks),
            background="white",
            plot_background="white",
            font_family="sans-serif",
            label_font_size=14,
            major_label_font_size=14,
            legend_font_size=14,
            guide_stroke_color=GRID_COLOUR,
            guide_stroke_dasharray="none",
            major_guide_stroke_color=GRID_COLOUR,
            major_guide_stroke_dasharray="none",
        )


DASHED = {"width": 2, "dasharray": "8, 5"}
DOTTED = {"width": 2, "dasharray": "2, 4"}


def upright(at: datetime, high: int) -> list[tuple[datetime, float | None]]:
    # One series draws every session: a line from bottom to top, then a break before the next.
    return [(at, 0), (at, high), (at, None)]


def dates_between(start: datetime, end: datetime) -> list[datetime]:
    """About six midnights from start to end, evenly spaced, for the x axis."""
    first = start.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    days = max(1, (end - first).days)
    step = max(1, round(days / LABELS_SHOWN))
    return [first + timedelta(days=n) for n in range(0, days + 1, step)]


def local(moment: datetime) -> datetime:
    """The moment as a wall-clock time without a zone: pygal takes a naive time for UTC and
    gives the same wall-clock time back to the label formatter, so the labels read local."""
    return timezone.localtime(moment).replace(tzinfo=None)


def day(moment: Any) -> str:
    """The day in the reader's language ("2 December", "2. Dezember"): Django's own format."""
    return formats.date_format(timezone.localtime(moment), "MONTH_DAY_FORMAT")


def said(voice: Voice, to_client: str, to_staff: str) -> str:
    return to_client if voice == "client" else to_staff


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
    for key, label in fields:
        chart.series[label] = [(log.practiced_at, log.entries.get(key)) for log in chosen]
    for log in chosen:
        chart.add_row(log.practiced_at, [log.entries.get(key, "—") for key, _l in fields])
    return chart


def from_check_ins(check_ins: Iterable[CheckIn], voice: Voice) -> Chart | None:
    chosen = list(check_ins)[:MAX_POINTS][::-1]
    if not chosen:
        return None
    scales = sorted({r.scale.name for c in chosen for r in c.ratings.all()})
    chart = Chart(
        "check-ins",
        said(voice, _("Your check-ins"), _("Check-ins")),
        said(
            voice,
            _("Your 0–100 check-in ratings, oldest on the left."),
            _("The client's 0–100 check-in ratings, oldest on the left."),
        ),
        [_("Date"), *scales],
    )
    values = [{r.scale.name: r.value for r in c.ratings.all()} for c in chosen]
    chart.series = {
        scale: [(c.answered_at, v.get(scale)) for c, v in zip(chosen, values, strict=True)]
        for scale in scales
    }
    for c, v in zip(chosen, values, strict=True):
        chart.add_row(c.answered_at, [v.get(scale, "—") for scale in scales])
    return chart


def plan_scales(logs: Iterable[PracticeLog], voice: Voice) -> list[Chart]:
    """One picture per plan with its own 0–100 scale (ActionPlan.rating_scale, e.g. "how
    competent I was") that names a field of its worksheet (plans.seeds.field_named_by_scale):
    that field's value at each entry on that worksheet, oldest on the left. A scale that names
    no field (an exposure's "how proud I was", written as words only) gets no picture: any
    other number of the worksheet would be drawn under the wrong name."""
    named: dict[int, str | None] = {}  # plan → the field its scale names, once per plan
    by_plan: dict[int, list[PracticeLog]] = {}
    for log in logs:
        plan = log.plan
        if plan is None or log.worksheet != plan.worksheet:
            continue
        if plan.pk not in named:
            named[plan.pk] = seeds.field_named_by_scale(plan)
        if named[plan.pk] is not None:
            by_plan.setdefault(plan.pk, []).append(log)
    return [
        chart
        for pk, chosen in by_plan.items()
        if (chart := plan_scale(chosen, str(named[pk]), voice))
    ]


def plan_scale(logs: list[PracticeLog], field: str, voice: Voice) -> Chart | None:
    chosen = logs[:MAX_POINTS][::-1]
    plan = chosen[0].plan
    assert plan is not None  # plan_scales chose logs of a plan
    rated = [(log, rating_of(log, field)) for log in chosen]
    if all(value is None for _log, value in rated):
        return None
    scale = plan.rating_scale
    chart = Chart(
        f"plan-{plan.pk}",
        f"{plan.title}: {scale}",
        said(
            voice,
            _("Your ratings of “%(scale)s” (0–100) at each entry, oldest on the left."),
            _("The client's ratings of “%(scale)s” (0–100) at each entry, oldest on the left."),
        )
        % {"scale": scale},
        [_("Date"), scale],
    )
    chart.series[scale] = [(log.practiced_at, value) for log, value in rated]
    for log, value in rated:
        chart.add_row(log.practiced_at, ["—" if value is None else value])
    return chart


def rating_of(log: PracticeLog, field: str) -> int | None:
    """The entry's value of the field the plan's scale names, if it holds a number."""
    value = log.entries.get(field)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def charts_for(
    logs: Iterable[PracticeLog],
    check_ins: Iterable[CheckIn],
    *,
    voice: Voice,
) -> list[Chart]:
    """The practice pictures, without their sessions yet (mark_sessions gives them)."""
    logs = list(logs)
    candidates = [
        from_worksheets(
            logs,
            "exposure-log",
            "exposures",
            said(voice, _("Distress in your exposures"), _("Distress in exposures")),
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
            said(
                voice,
                _("Belief before and after your experiments"),
                _("Belief before and after experiments"),
            ),
            [("belief_before", _("Before")), ("belief_after", _("After"))],
            said(
                voice,
                _(
                    "How much you believed the thought you tested (0–100%), before and "
                    "after each experiment."
                ),
                _(
                    "How much the client believed the thought tested (0–100%), before and "
                    "after each experiment."
                ),
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
        from_check_ins(check_ins, voice),
        *plan_scales(logs, voice),
    ]
    return [chart for chart in candidates if chart is not None]


def chart_image(charts: Iterable[Chart], name: str) -> HttpResponse:
    """The named picture as an SVG response (404 if there is none by that name)."""
    chart = next((chart for chart in charts if chart.name == name), None)
    if chart is None:
        raise Http404
    return svg_response(chart.svg())


def data_uri(svg: bytes) -> str:
    """The picture as a data: address for an <img> (the page's CSP allows data: images).
    Percent-encoded rather than base64: it gzips almost as small as the SVG itself."""
    return "data:image/svg+xml," + quote(svg, safe="/=:;,.-_()")


def svg_response(svg: bytes) -> HttpResponse:
    response = HttpResponse(svg, content_type="image/svg+xml")
    # The chart is an image: it runs no script, and its own styles are inline by design.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response
