"""Whether a new response is a reliable deterioration (Jacobson–Truax), and how to say so.

Two checks, the sudden one first: worse by at least the instrument's reliable-change threshold
than the scored response before it, or than the *reference point* (a gradual worsening). The
reference point is the baseline (`baselines.baseline_of`), except while an acknowledged
deterioration stands: from the response that raised it until the course comes back within the
reliable-change band of the baseline (a later scored response below baseline + threshold).
Until then, what the therapist has seen is not news and a further reliable rise from it is;
once the course has come back, a new worsening is measured from the baseline again, so a slow
climb after a recovery is caught (PHQ-9 10 → 17 acknowledged → 5 → 8 → 11 → 14 → 16 flags at
16). Reads only: `actions.respond` raises the flag.
"""

from __future__ import annotations

from typing import NamedTuple

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bridgework.measures import baselines, scoring
from bridgework.measures.models import Flag, Instrument, Response


class Rise(NamedTuple):
    """A reliable worsening: from which response, and the score it had."""

    point: Response
    before: float


def flag_text(instrument: Instrument, response: Response) -> str:
    """The deterioration flag's text when `response` calls for one; "" when none is due, also
    while a deterioration flag of this questionnaire is open (one at a time)."""
    threshold, after, slug = threshold_of(instrument), response.total(), instrument.slug
    if threshold is None or after is None or open_deterioration(response.client_id, slug):
        return ""
    earlier = scored_before(response, slug)
    sudden = rise_from(earlier.first(), after, threshold)
    if sudden:  # the news, even if the course says so too
        return sudden_text(instrument, sudden.before, after, threshold)
    gradual = rise_from(reference_point(response, slug, earlier, threshold), after, threshold)
    return gradual_text(instrument, gradual, after, threshold) if gradual else ""


def threshold_of(instrument: Instrument) -> float | None:
    rule = scoring.total_rule(instrument.definition)
    return scoring.reliable_change_threshold(rule) if rule else None


def open_deterioration(client_id: int, slug: str) -> bool:
    """One open deterioration flag per questionnaire: while it waits, another adds nothing."""
    return Flag.objects.filter(
        client_id=client_id,
        kind=Flag.Kind.DETERIORATION,
        acknowledged_at=None,
        response__instrument__slug=slug,
    ).exists()


def scored_before(response: Response, slug: str) -> QuerySet[Response]:
    """The client's scored responses to this questionnaire before `response`, newest first."""
    responses = Response.objects.filter(client_id=response.client_id, instrument__slug=slug)
    return (
        baselines.scored(responses)
        .filter(completed_at__lte=response.completed_at)
        .exclude(pk=response.pk)
        .order_by("-completed_at", "-id")
    )


def rise_from(point: Response | None, after: float, threshold: float) -> Rise | None:
    """The rise from `point` to `after`, when it is a reliable one."""
    before = point.total() if point is not None else None
    if point is None or before is None or after - before < threshold:
        return None
    return Rise(point, before)


def reference_point(
    response: Response, slug: str, earlier: QuerySet[Response], threshold: float
) -> Response | None:
    """What a gradual worsening is measured from: the baseline, or the response of a standing
    acknowledged deterioration (see the module's docstring). None when the baseline is this
    response or comes after it (a paper form entered later)."""
    baseline = baselines.baseline_of(response.client, slug)
    if baseline is None or baseline.pk == response.pk:
        return None
    start = baseline.total()
    if start is None or baseline.completed_at > response.completed_at:
        return None
    seen = acknowledged_since(baseline, response, slug)
    if seen is None or came_back(earlier, seen, below=start + threshold):
        return baseline
    return seen


def acknowledged_since(baseline: Response, response: Response, slug: str) -> Response | None:
    """The newest response since the baseline, and before `response`, whose deterioration
    flag a clinician has acknowledged."""
    flag = (
        Flag.objects.filter(
            client_id=response.client_id,
            kind=Flag.Kind.DETERIORATION,
            acknowledged_at__isnull=False,
            response__instrument__slug=slug,
            response__completed_at__gte=baseline.completed_at,
            response__completed_at__lt=response.completed_at,
        )
        .select_related("response")
        .order_by("-response__completed_at", "-response_id")
        .first()
    )
    return flag.response if flag is not None else None


def came_back(earlier: QuerySet[Response], seen: Response, *, below: float) -> bool:
    """Whether a scored response after `seen` (and before the new one) lies within the
    reliable-change band of the baseline (`below` it): the acknowledged deterioration is over.
    `earlier` holds scored responses only, so no null total compares as low."""
    later = earlier.filter(completed_at__gt=seen.completed_at)
    return later.filter(scores__total__value__lt=below).exists()


def sudden_text(instrument: Instrument, before: float, after: float, threshold: float) -> str:
    return _(
        "%(title)s rose from %(before)g to %(after)g, a reliable deterioration (a "
        "change of %(threshold)g or more)."
    ) % {"title": instrument.title, "before": before, "after": after, "threshold": threshold}


def gradual_text(instrument: Instrument, rise: Rise, after: float, threshold: float) -> str:
    return _(
        "%(title)s rose from %(before)g on %(date)s to %(after)g: a gradual, reliable "
        "deterioration (a change of %(threshold)g or more)."
    ) % {
        "title": instrument.title,
        "before": rise.before,
        "date": date_format(timezone.localtime(rise.point.completed_at), _("j M Y")),
        "after": after,
        "threshold": threshold,
    }
