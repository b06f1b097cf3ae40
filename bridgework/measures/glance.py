"""The therapist's pictures of a client at a glance: symptoms over time with the cut-offs and
the sessions, engagement (practice a week, and each review's "how much was done"), and the
0–100 trajectories of exposures, experiments and check-ins. Each is a pygal chart served as an
image, with a table alternative on the page."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from bridgework.care.models import Client
from bridgework.care.sessions import LOOK_BACK
from bridgework.measures import baselines, scoring
from bridgework.measures.access import baselines_of, responses_of
from bridgework.measures.models import Instrument, Response
from bridgework.plans.models import Review
from bridgework.practice.access import check_ins_of, logs_of
from bridgework.practice.progress import Chart, charts_for, day

WEEKS_SHOWN = 8


def symptoms(request: HttpRequest, client: Client) -> Chart | None:
    # The last eight of each, oldest first: at a glance is the recent course.
    responses = list(
        responses_of(request, client)
        .filter(instrument__slug__in=("phq-9", "gad-7"))
        .order_by("-completed_at")[:16]
    )[::-1]
    if not responses:
        return None
    dates = sorted(
        {day(r.completed_at) for r in responses},
        key=lambda d: min(r.completed_at for r in responses if day(r.completed_at) == d),
    )
    chart = Chart(
        "symptoms",
        _("PHQ-9 and GAD-7 at each session"),
        _(
            "Totals before each session; the dashed lines are the screening cut-offs "
            "(10). Lower is better."
        ),
        [_("Date"), "PHQ-9", "GAD-7"],
        high=27,
    )
    by = {(r.instrument.slug, day(r.completed_at)): r.total() for r in responses}
    chart.labels = dates
    chart.series = {
        "PHQ-9": [by.get(("phq-9", d)) for d in dates],
        "GAD-7": [by.get(("gad-7", d)) for d in dates],
        _("Cut-off"): [10] * len(dates),
    }
    chart.rows = [[d, fmt(by.get(("phq-9", d))), fmt(by.get(("gad-7", d)))] for d in dates]
    return chart


def fmt(value: Any) -> Any:
    return "—" if value is None else int(value) if float(value).is_integer() else value


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
            "Bars: practice logged done or partly each week. Line: the review's answer "
            "to “how much did you do?” (0 = not at all, 4 = all of it)."
        ),
        [_("Week of"), _("Practice logged"), _("Review: how much done (0–4)")],
        high=max([4, *practised.values()]),
    )
    chart.labels = [w.strftime("%d %b") for w in weeks]
    chart.series = {
        _("Practice logged"): [practised.get(w, 0) for w in weeks],
        _("Review: how much done"): [done.get(w) for w in weeks],
    }
    chart.rows = [[w.strftime("%d %b"), practised.get(w, 0), fmt(done.get(w))] for w in weeks]
    return chart


def charts(request: HttpRequest, client: Client) -> list[Chart]:
    found = [symptoms(request, client), engagement(request, client)]
    found += charts_for(logs_of(request, client)[:20], check_ins_of(request, client)[:20])
    return [chart for chart in found if chart is not None]


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
    from bridgework.plans.review import DONE_CHOICES

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


@dataclass
class LatestScore:
    response: Any
    total: float
    change: float | None  # from the one before (negative: fewer symptoms)
    is_new: bool  # given since the last session

    @property
    def change_text(self) -> str:
        """The change as shown: "+2", "-3", "±0"; empty with nothing to compare with."""
        if self.change is None:
            return ""
        return f"{self.change:+g}" if self.change else "±0"


def latest_scores(responses: list[Any], start: Any) -> list[LatestScore]:
    """The newest scored response of each questionnaire, with its change from the scored one
    before it (responses come newest first; one with too many items missing has no score)."""
    latest: dict[str, LatestScore] = {}
    for response in responses:
        total = response.scores.get("total", {}).get("value")
        if total is None:
            continue
        found = latest.get(response.instrument.slug)
        if found is None:
            latest[response.instrument.slug] = LatestScore(
                response, total, None, response.completed_at >= start
            )
        elif found.change is None:
            found.change = found.total - total
    return sorted(latest.values(), key=lambda score: score.response.instrument.slug, reverse=True)


def courses(request: HttpRequest, client: Client) -> list[baselines.Course]:
    """Each questionnaire's Jacobson–Truax course since its baseline, in three queries however
    long the history: the first and newest scored response of each (a window), the marked
    baselines, and the total's scoring of the newest responses' versions."""
    ends = list(
        baselines.scored(responses_of(request, client))
        .annotate(
            first=Window(RowNumber(), partition_by=[F("instrument__slug")], order_by=OLDEST),
            newest=Window(RowNumber(), partition_by=[F("instrument__slug")], order_by=NEWEST),
        )
        .filter(Q(first=1) | Q(newest=1))
    )
    marked = {baseline.slug: baseline.response for baseline in baselines_of(request, client)}
    versions = {response.instrument_id for response in ends}
    # Only the scoring, not the items and their translations (tens of kilobytes).
    scorings = Instrument.objects.filter(pk__in=versions).values_list("pk", "definition__scoring")
    rules = {pk: rule for pk, found in scorings if (rule := scoring.total_rule({"scoring": found}))}
    return baselines.courses(ends, marked, rules)


OLDEST = [F("completed_at").asc(), F("id").asc()]
NEWEST = [F("completed_at").desc(), F("id").desc()]

CASELOAD_MEASURES = ("phq-9", "gad-7")


def caseload_scores(clients: list[Client]) -> dict[tuple[int, str], LatestScore]:
    """The newest scored PHQ-9 and GAD-7 of each client on a caseload with its change from the
    scored one before, in one query however long the histories (a window keeps two per client
    and questionnaire). Part of the caseload's columns, read under its listing event."""
    newest_two = (
        Response.objects.filter(
            client__in=[client.pk for client in clients], instrument__slug__in=CASELOAD_MEASURES
        )
        .exclude(scores__total__value=None)  # a JSON null: too many items missing
        .exclude(scores__total__value__isnull=True)  # no total at all
        .select_related("instrument")
        .defer("instrument__definition")
        .annotate(
            place=Window(
                RowNumber(),
                partition_by=[F("client_id"), F("instrument__slug")],
                order_by=[F("completed_at").desc(), F("id").desc()],
            )
        )
        .filter(place__lte=2)
        .order_by("client_id", "instrument__slug", "place")
    )
    by_client: dict[int, list[Any]] = {}
    for response in newest_two:
        by_client.setdefault(response.client_id, []).append(response)
    return {
        (client_id, score.response.instrument.slug): score
        for client_id, responses in by_client.items()
        for score in latest_scores(responses, start=timezone.now())
    }
