"""What the therapist's pages show of practice: newest first, ratings at a glance."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from bridgework.care.models import Client
from bridgework.plans.models import ActionPlan
from bridgework.practice import worksheets
from bridgework.practice.access import check_ins_of, logs_of
from bridgework.practice.models import CheckIn, PracticeLog


@dataclass(frozen=True)
class LogLine:
    log: PracticeLog
    ratings: list[tuple[str, Any]]  # the 0–100 / 0–10 numbers of the entry, labelled


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
    return [LogLine(log, ratings_of(log)) for log in logs]


def recent_for_client(request: HttpRequest, client: Client) -> dict[str, Any]:
    logs = lines(logs_of(request, client)[:20])
    check_ins: list[CheckIn] = list(check_ins_of(request, client)[:10])
    return {"practice": logs, "check_ins": check_ins}


def for_plan(request: HttpRequest, plan: ActionPlan) -> list[LogLine]:
    return lines(logs_of(request, plan.client).filter(plan=plan))


def for_review(request: HttpRequest, plan: ActionPlan) -> SafeString:
    """The plan's practice as its review page shows it (plans asks through a hook)."""
    context = {"lines": for_plan(request, plan)}
    return render_to_string("practice/_log_lines.html", context, request=request)
