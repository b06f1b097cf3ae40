"""What the therapist's pages show of practice: newest first, ratings at a glance, and the
client's own words beside them (numbers alone are not a review).

These lines are for the care team's pages only (the client page, the agenda, a plan's page
and its review), so fields are named in the staff voice (`Worksheet.staff_label`: "What the
client learned"). The doors leave out private diary entries; nothing here reads around them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from bridgework.care.models import Client
from bridgework.plans.models import ActionPlan
from bridgework.practice import seeding, series, sparkline, worksheets
from bridgework.practice.access import check_ins_of, logs_of
from bridgework.practice.models import CheckIn, PracticeLog

# Longer than this, the client page folds an entry's words (the review page never does).
FOLD_AFTER = 280


@dataclass(frozen=True)
class LogLine:
    log: PracticeLog
    ratings: list[tuple[str, Any]]  # the 0–100 / 0–10 numbers of the entry, labelled
    changes: list[tuple[str, Any, Any]]  # (label, before, after): a belief before → after
    learned: tuple[str, str] | None  # what the client learned, shown first
    words: list[tuple[str, str]]  # the entry's other texts, labelled, in the worksheet's order
    series: list[tuple[int, int]]  # an exposure's (minute, distress) readings, if it has some

    @property
    def long(self) -> bool:
        return sum(len(text) for _label, text in self.words) > FOLD_AFTER


def line_of(log: PracticeLog) -> LogLine:
    sheet = worksheets.get(log.worksheet, log.worksheet_version)
    named = plan_labels(log, sheet)
    paired = {name for pair in sheet.before_after.values() for name in pair}
    return LogLine(
        log,
        ratings_of(log, sheet, named, skip=paired),
        changes_of(log, sheet),
        learned_of(log, sheet),
        words_of(log, sheet),
        series_of(log, sheet),
    )


def plan_labels(log: PracticeLog, sheet: worksheets.Worksheet) -> dict[str, str]:
    """Fields the plan names in its own words (a noticing log's "how competent I was")."""
    if log.plan is None or log.plan.worksheet != sheet.slug:
        return {}
    return seeding.labels(log.plan, sheet)


def ratings_of(
    log: PracticeLog,
    sheet: worksheets.Worksheet,
    named: Mapping[str, str] | None = None,
    skip: set[str] | None = None,
) -> list[tuple[str, Any]]:
    shown = []
    for name, spec in sheet.properties.items():
        if (
            spec.get("type") == "integer"
            and spec.get("maximum") in (10, 100)
            and name in log.entries
            and name not in (skip or set())
        ):
            shown.append(((named or {}).get(name) or sheet.staff_label(name), log.entries[name]))
    return shown


def changes_of(log: PracticeLog, sheet: worksheets.Worksheet) -> list[tuple[str, Any, Any]]:
    found = []
    for label, (before, after) in sheet.before_after.items():
        if before in log.entries or after in log.entries:
            found.append(
                (
                    sheet.staff_label(label),
                    log.entries.get(before, "—"),
                    log.entries.get(after, "—"),
                )
            )
    return found


def learned_of(log: PracticeLog, sheet: worksheets.Worksheet) -> tuple[str, str] | None:
    text = log.entries.get(sheet.learning or "")
    return (sheet.staff_label(sheet.learning or ""), text) if text else None


def words_of(log: PracticeLog, sheet: worksheets.Worksheet) -> list[tuple[str, str]]:
    words = [
        (sheet.staff_label(name), log.entries[name])
        for name, spec in sheet.properties.items()
        if spec.get("type") == "string" and name != sheet.learning and log.entries.get(name)
    ]
    if log.obstacles_note:
        words.append((_("What got in the way"), log.obstacles_note))
    if log.note:
        words.append((_("Notes"), log.note))
    return words


def lines(logs: Any) -> list[LogLine]:
    return [line_of(log) for log in logs]


def series_of(log: PracticeLog, sheet: worksheets.Worksheet) -> list[tuple[int, int]]:
    points = sparkline.points_of(sheet, log.entries)
    return points if len(points) >= series.READINGS_NEEDED else []


def exposure_rule(log: PracticeLog) -> dict[str, str] | None:
    """What the log's worksheet derives from a series (`from_series`), as its current version
    declares it: the highest and last readings are what an exposure's trend follows, and an
    older version's entries keep those fields by the same names."""
    try:
        return worksheets.current(log.worksheet).from_series
    except KeyError:
        return None


@dataclass(frozen=True)
class ExposureTrend:
    """Across one plan's exposures (oldest first): peak and end distress, and their trend."""

    plan: ActionPlan
    peak: series.Trend
    end: series.Trend


def exposure_trends(lines: list[LogLine]) -> list[ExposureTrend]:
    """A trend for each plan with exposures among the lines (newest first, as listed)."""
    by_plan: dict[int, tuple[dict[str, str], list[PracticeLog]]] = {}
    for line in reversed(lines):
        rule = exposure_rule(line.log)
        if rule is not None and line.log.plan is not None:
            by_plan.setdefault(line.log.plan.pk, (rule, []))[1].append(line.log)
    return [
        ExposureTrend(
            logs[0].plan,
            series.trend(measured(logs, rule["highest"])),
            series.trend(measured(logs, rule["last"])),
        )
        for rule, logs in by_plan.values()
        if logs[0].plan is not None
    ]


def measured(logs: list[PracticeLog], name: str) -> list[int]:
    return [value for log in logs if isinstance(value := log.entries.get(name), int)]


# The client page's practice list: its newest entries (its pictures draw the same ones).
PRACTICE_SHOWN = 20

# The plans' templates come along for their seeds (a rating named in the plan's words); their
# wording, obstacles, details and reminders are large and none of these lines reads them.
UNREAD_TEMPLATE_FIELDS = tuple(
    f"plan__template__{name}" for name in ("wording", "obstacles", "details", "reminders")
)


def recent_for_client(request: HttpRequest, client: Client) -> dict[str, Any]:
    found = logs_of(request, client).select_related("plan__template")
    logs = lines(found.defer(*UNREAD_TEMPLATE_FIELDS)[:PRACTICE_SHOWN])
    check_ins: list[CheckIn] = list(check_ins_of(request, client)[:10])
    return {"practice": logs, "check_ins": check_ins, "exposure_trends": exposure_trends(logs)}


def for_plan(request: HttpRequest, plan: ActionPlan) -> list[LogLine]:
    return lines(logs_of(request, plan.client).filter(plan=plan).select_related("plan__template"))


def for_review(request: HttpRequest, plan: ActionPlan) -> SafeString:
    """The plan's practice as its review page shows it (plans asks through a hook): across
    its exposures, whether peak and end are coming down; then each entry."""
    found = for_plan(request, plan)
    context = {"lines": found, "trends": exposure_trends(found), "one_plan": True}
    trends = render_to_string("practice/_exposure_trends.html", context, request=request)
    entries = render_to_string("practice/_log_lines.html", context, request=request)
    return SafeString(trends + entries)
