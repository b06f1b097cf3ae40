"""Where a client's course on a questionnaire starts: the response their therapist marked as
the baseline, else the first scored one (Bridgework has no episodes of care yet, so the
client's record is one episode). Both the deterioration flag and the client page's "since
baseline" measure from it (Jacobson–Truax, `scoring.reliable_status`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from bridgework.care.models import Client
from bridgework.measures import scoring
from bridgework.measures.models import Baseline, Response


def scored(responses: QuerySet[Response]) -> QuerySet[Response]:
    """The responses with a total (too many items missing leave none)."""
    return responses.exclude(scores__total__value=None).exclude(  # a JSON null
        scores__total__value__isnull=True  # no total at all
    )


def baseline_of(client: Client, slug: str) -> Response | None:
    marked = Baseline.objects.filter(client=client, slug=slug).select_related("response").first()
    if marked is not None:
        return marked.response
    first = scored(Response.objects.filter(client=client, instrument__slug=slug))
    return first.order_by("completed_at", "id").first()


@dataclass
class Course:
    """One questionnaire's course since its baseline, as the client page shows it."""

    baseline: Response
    latest: Response
    marked: bool  # the therapist chose the baseline (else it is the first scored response)
    rule: dict[str, Any]  # the total's scoring, from the latest response's version

    @property
    def change(self) -> float:
        return float(self.latest.total() or 0) - float(self.baseline.total() or 0)

    @property
    def change_text(self) -> str:
        return f"{self.change:+g}" if self.change else "±0"

    @property
    def threshold(self) -> float | None:
        return scoring.reliable_change_threshold(self.rule)

    @property
    def cutoff(self) -> float | None:
        return scoring.clinical_cutoff(self.rule)

    @property
    def status(self) -> str:
        """A `scoring.Change` value; "" with one score only or no stored threshold."""
        if self.latest.pk == self.baseline.pk:
            return ""
        before, after = self.baseline.total(), self.latest.total()
        if before is None or after is None:
            return ""
        return scoring.reliable_status(self.rule, before, after)

    @property
    def status_text(self) -> str:
        if self.latest.pk == self.baseline.pk:
            return _("baseline only so far")
        return {
            scoring.Change.IMPROVED: _("reliably improved"),
            scoring.Change.RECOVERED: _("recovered"),
            scoring.Change.NO_CHANGE: _("no reliable change"),
            scoring.Change.DETERIORATED: _("reliably deteriorated"),
        }.get(self.status, _("no reliable-change threshold stored"))


def courses(
    ends: Sequence[Response], marked: dict[str, Response], rules: dict[int, dict[str, Any]]
) -> list[Course]:
    """Each questionnaire's course from the first and the newest scored responses (`ends`, any
    order), the marked baselines by slug, and the total's rule by instrument version id."""
    first: dict[str, Response] = {}
    latest: dict[str, Response] = {}
    for response in ends:
        slug, when = response.instrument.slug, (response.completed_at, response.pk)
        if slug not in first or when < (first[slug].completed_at, first[slug].pk):
            first[slug] = response
        if slug not in latest or when > (latest[slug].completed_at, latest[slug].pk):
            latest[slug] = response
    found = [
        Course(marked.get(slug, first[slug]), newest, slug in marked, rules[newest.instrument_id])
        for slug, newest in latest.items()
        if newest.instrument_id in rules
    ]
    return sorted(found, key=lambda course: course.latest.instrument.slug, reverse=True)
