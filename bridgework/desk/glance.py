"""The therapist's pictures of a client at a glance: symptoms over time (measures), engagement
(practice a week, and each review's "how much was done"), and the 0–100 trajectories of
exposures, experiments and check-ins (practice); each a pygal chart served as an image, with a
table alternative on the page. And what happened since the last session, from what the client
page holds already."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from bridgework.care.models import Client
from bridgework.care.sessions import LOOK_BACK
from bridgework.measures.glance import fmt, latest_scores, symptoms
from bridgework.plans.models import Review
from bridgework.plans.review import DONE_CHOICES
from bridgework.practice.access import check_ins_of, logs_of
from bridgework.practice.models import PracticeLog
from bridgework.practice.progress import Chart, charts_for, mark_sessions
from bridgework.practice.summaries import PRACTICE_SHOWN

WEEKS_SHOWN = 8


def monday_of(moment: Any) -> Any:
    local = timezone.localtime(moment).date()
    return local - timedelta(days=local.weekday())


def engagement(request: HttpRequest, client: Client) -> Chart | None:
    since = timezone.now() - timedelta(weeks=WEEKS_SHOWN)
    logs = list(
        logs_of(request, client)
        .filter(practiced_at__gte=since)
        .values_list("practiced_at", "outcome")
    )
    reviews = list(
        Review.objects.filter(plan__client=client, reviewed_at__gte=since).values_list(
            "reviewed_at", "done"
        )
    )
    if not logs and not reviews:
        return None
    practised = Counter(monday_of(at) for at, outcome in logs if outcome in ("done", "partly"))
    done = {monday_of(at): value for at, value in reviews}
    weeks = sorted(set(practised) | set(done))
    chart = Chart(
        "engagement",
        _("Practice a week, and how much was done at each review"),
        _(
            "Two lines with a dot for each week (dated by its Monday): practice logged done "
            "or partly that week, and the review's answer to “how much did you do?” "
            "(0 = not at all, 4 = all of it), where a review was held."
        ),
        [_("Week of"), _("Practice logged"), _("Review: how much done (0–4)")],
        high=max([4, *practised.values()]),
    )
    mondays = {week: noon_of(week) for week in weeks}
    chart.series = {
        _("Practice logged"): [(mondays[w], practised.get(w, 0)) for w in weeks],
        _("Review: how much done"): [(mondays[w], done.get(w)) for w in weeks],
    }
    for week in weeks:
        chart.add_row(mondays[week], [practised.get(week, 0), fmt(done.get(week))])
    return chart


def noon_of(week: date) -> datetime:
    # Noon, not midnight: a session on that Monday morning stands before the week's dot.
    return timezone.make_aware(datetime.combine(week, time(12)))


def charts(
    request: HttpRequest, client: Client, logs: list[PracticeLog] | None = None
) -> list[Chart]:
    """Every picture of the client page, in the staff's voice, each marking the sessions.
    `logs`: the newest practice entries (PRACTICE_SHOWN) when the page holds them already."""
    if logs is None:
        logs = list(logs_of(request, client)[:PRACTICE_SHOWN])
    found = [
        symptoms(request, client),
        engagement(request, client),
        *charts_for(logs, check_ins_of(request, client)[:20], voice="staff"),
    ]
    shown = [chart for chart in found if chart is not None]
    mark_sessions(client, shown)
    return shown


# The client's own words ("I did it") read oddly in a count; the therapist reads these.
OUTCOME_FOR_STAFF = {
    "done": _lazy("done"),
    "partly": _lazy("partly"),
    "not-done": _lazy("not done"),
    "something-else": _lazy("something else"),
}


def since(
    last_session: Any,
    practice: list[Any],
    check_ins: list[Any],
    responses: list[Any],
    plan_rows: list[Any],
) -> dict[str, Any]:
    """What happened since the last session, from lists the page already holds: practice by
    outcome, check-ins, the newest score of each questionnaire with its change from the one
    before, and the newest review."""
    start = last_session.starts_at if last_session else timezone.now() - LOOK_BACK
    logs = [line.log for line in practice if line.log.practiced_at >= start]
    reviews = [row.last_review for row in plan_rows if row.last_review is not None]
    last_review = max(reviews, key=lambda review: review.reviewed_at, default=None)
    return {
        "session": last_session,
        "outcomes": [
            (label, count)
            for outcome, label in OUTCOME_FOR_STAFF.items()
            if (count := sum(1 for log in logs if log.outcome == outcome))
        ],
        "logs": len(logs),
        "check_ins": sum(1 for check_in in check_ins if check_in.answered_at >= start),
        "scores": latest_scores(responses, start),
        "last_review": last_review,
        "last_review_done": dict(DONE_CHOICES).get(last_review.done) if last_review else None,
    }
