"""What the therapist's pages show of practice: newest first, ratings at a glance."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from bridgework.care.models import Client
from bridgework.plans.models import ActionPlan
from bridgework.practice import series, sparkline, worksheets
from bridgework.practice.access import check_ins_of, logs_of
from bridgework.practice.models import CheckIn, PracticeLog


@dataclass(frozen=True)
class LogLine:
    log: PracticeLog
    ratings: list[tuple[str, Any]]  # the 0–100 / 0–10 numbers of the entry, labelled
    series: list[tuple[int, int]]  # an exposure's (minute, distress) readings, if it has some


def ratings_of(log: PracticeLog) -> list[tuple[str, Any]]:
    sheet = worksheets.get(log.worksheet, log.worksheet_version)
    shown = []
    for name, spec in sheet.properties.items():
        if (
            spec.get("type") == "integer"
            and spec.get("maximum") in (10, 100)
            and name in log.entries
        ):
            shown.append((sheet.label(name), log.entries[name]))
    return shown


def lines(logs: Any) -> list[LogLine]:
    return [LogLine(log, ratings_of(log), series_of(log)) for log in logs]


def series_of(log: PracticeLog) -> list[tuple[int, int]]:
    points = sparkline.points_of(log.entries) if log.worksheet == EXPOSURES else []
    return points if len(points) >= series.READINGS_NEEDED else []


EXPOSURES = "exposure-log"


@dataclass(frozen=True)
class ExposureTrend:
    """Across one plan's exposures (oldest first): peak and end distress, and their trend."""

    plan: ActionPlan
    peak: series.Trend
    end: series.Trend


def exposure_trends(lines: list[LogLine]) -> list[ExposureTrend]:
    """A trend for each plan with exposures among the lines (newest first, as listed)."""
    by_plan: dict[int, list[PracticeLog]] = {}
    for line in reversed(lines):
        if line.log.worksheet == EXPOSURES and line.log.plan is not None:
            by_plan.setdefault(line.log.plan.pk, []).append(line.log)
    return [
        ExposureTrend(
            logs[0].plan,
            series.trend(measured(logs, "distress_peak")),
            series.trend(measured(logs, "distress_after")),
        )
        for logs in by_plan.values()
        if logs[0].plan is not None
    ]


def measured(logs: list[PracticeLog], name: str) -> list[int]:
    return [value for log in logs if isinstance(value := log.entries.get(name), int)]


def recent_for_client(request: HttpRequest, client: Client) -> dict[str, Any]:
    logs = lines(logs_of(request, client)[:20])
    check_ins: list[CheckIn] = list(check_ins_of(request, client)[:10])
    return {"practice": logs, "check_ins": check_ins, "exposure_trends": exposure_trends(logs)}


def for_plan(request: HttpRequest, plan: ActionPlan) -> list[LogLine]:
    return lines(logs_of(request, plan.client).filter(plan=plan))


def for_review(request: HttpRequest, plan: ActionPlan) -> SafeString:
    """The plan's practice as its review page shows it (plans asks through a hook): across
    its exposures, whether peak and end are coming down; then each entry."""
    found = for_plan(request, plan)
    context = {"lines": found, "trends": exposure_trends(found), "one_plan": True}
    trends = render_to_string("practice/_exposure_trends.html", context, request=request)
    entries = render_to_string("practice/_log_lines.html", context, request=request)
    return SafeString(trends + entries)
