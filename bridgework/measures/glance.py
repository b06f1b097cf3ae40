"""What the therapist's pages show of a client's questionnaires at a glance: the symptoms
chart (PHQ-9 and GAD-7 with the cut-offs, a pygal chart served as an image with a table on the
page), the newest scores with their change, each questionnaire's course since its baseline,
and the caseload's score columns. The desk (the client page, the caseload) puts them beside the
other areas'."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgework.care.models import Client
from bridgework.measures import baselines, scoring
from bridgework.measures.access import baselines_of, responses_of
from bridgework.measures.models import Instrument, Response
from bridgework.practice.progress import Chart, day


def symptoms(request: HttpRequest, client: Client) -> Chart | None:
    # The last eight of each, oldest first: at a glance is the recent course.
    responses = list(
        responses_of(request, client)
        .filter(instrument__slug__in=("phq-9", "gad-7"))
        .order_by("-completed_at")[:16]
    )[::-1]
    if not responses:
        return None
    chart = Chart(
        "symptoms",
        _("PHQ-9 and GAD-7 at each session"),
        _(
            "Totals, oldest on the left; lower is better. The dotted grey line at 10 is the "
            "screening cut-off of both."
        ),
        [_("Date"), "PHQ-9", "GAD-7"],
        high=27,
        guides={_("Cut-off (10)"): 10},
    )
    for slug, name in (("phq-9", "PHQ-9"), ("gad-7", "GAD-7")):
        chart.series[name] = [
            (r.completed_at, r.total()) for r in responses if r.instrument.slug == slug
        ]
    days: dict[str, dict[str, Any]] = {}
    for response in responses:  # oldest first: a day's row is dated by its first response
        found = days.setdefault(day(response.completed_at), {"at": response.completed_at})
        found[response.instrument.slug] = response.total()
    for found in days.values():
        chart.add_row(found["at"], [fmt(found.get("phq-9")), fmt(found.get("gad-7"))])
    return chart


def fmt(value: Any) -> Any:
    return "—" if value is None else int(value) if float(value).is_integer() else value


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
