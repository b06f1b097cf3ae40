"""Agreement between two raters (item 6 of issue 13): the sessions both rated with the same
scale, blind to each other (supervision.access lets a rater see another's rating only once
their own is submitted), and the Shrout & Fleiss ICCs per item and for the total
(bridgework.lib.agreement), with where the two disagree most.

Only ratings by people other than the therapist rated count: a self-rating is a different
question (how the trainee sees their own work) from whether two supervisors agree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from bridgework.accounts.http import AuthenticatedHttpRequest, record_refusal, staff_required
from bridgework.accounts.models import User
from bridgework.audit.models import AccessEvent
from bridgework.lib import agreement
from bridgework.measures.models import Instrument
from bridgework.supervision.access import ratings_for_user
from bridgework.supervision.models import CompetenceRating
from bridgework.supervision.scales import rated_items

TOTAL = "total"
SHOWN_SESSIONS = 10  # the largest disagreements listed; the ICCs use every session


@dataclass(frozen=True)
class DoubleRating:
    """Two submitted ratings of one session on one scale: the viewer's and the other rater's."""

    mine: CompetenceRating
    theirs: CompetenceRating


@dataclass(frozen=True)
class ItemAgreement:
    link_id: str
    text: str
    rated_by_both: int
    result: agreement.IccResult | None  # None: fewer than two sessions to compare
    mean_difference: float | None  # mean of |theirs − mine| over the sessions both scored


def double_rated(request: AuthenticatedHttpRequest) -> list[DoubleRating]:
    """Every session the viewer and someone else (not the therapist rated) both submitted a
    rating of, on the same scale. The door's blind rule already hides the others' until the
    viewer's own is in."""
    submitted = ratings_for_user(request).filter(state=CompetenceRating.State.SUBMITTED)
    submitted = submitted.exclude(rater=F("therapist"))
    mine: dict[tuple[int, int], CompetenceRating] = {}
    theirs: list[CompetenceRating] = []
    for rating in submitted.select_related("session__client"):
        if rating.rater_id == request.user.pk:
            mine[(rating.session_id, rating.instrument_id)] = rating
        else:
            theirs.append(rating)
    return [
        DoubleRating(mine[(r.session_id, r.instrument_id)], r)
        for r in theirs
        if (r.session_id, r.instrument_id) in mine
    ]


def partners(pairs: list[DoubleRating]) -> list[tuple[User, Instrument, int]]:
    """(other rater, scale, sessions rated by both), most sessions first."""
    counted: dict[tuple[int, int], list[DoubleRating]] = defaultdict(list)
    for pair in pairs:
        counted[(pair.theirs.rater_id, pair.theirs.instrument_id)].append(pair)
    rows = [(p[0].theirs.rater, p[0].theirs.instrument, len(p)) for p in counted.values()]
    return sorted(rows, key=lambda row: (-row[2], row[0].full_name, row[1].title))


def score(rating: CompetenceRating, link_id: str) -> float | None:
    value = rating.total if link_id == TOTAL else rating.answers.get(link_id)
    return None if value is None else float(value)


def compared(pairs: list[DoubleRating], link_id: str) -> agreement.Paired[int]:
    return agreement.pairs(
        {pair.mine.session_id: score(pair.mine, link_id) for pair in pairs},
        {pair.theirs.session_id: score(pair.theirs, link_id) for pair in pairs},
    )


def item_agreement(pairs: list[DoubleRating], link_id: str, text: str) -> ItemAgreement:
    paired = compared(pairs, link_id)
    differences = [abs(second - first) for first, second in paired.ratings]
    return ItemAgreement(
        link_id=link_id,
        text=text,
        rated_by_both=len(paired.targets),
        result=agreement.icc(paired.ratings) if len(paired.targets) >= 2 else None,
        mean_difference=sum(differences) / len(differences) if differences else None,
    )


@staff_required
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The raters the viewer has rated sessions together with, per scale."""
    return render(
        request, "supervision/agreement.html", {"partners": partners(double_rated(request))}
    )


@staff_required
def with_rater(request: AuthenticatedHttpRequest, rater_id: int, scale_id: int) -> HttpResponse:
    """Agreement of the viewer with one other rater on one scale: the total and every item,
    the items ordered by how far apart the two usually are, and the sessions furthest apart."""
    pairs = [
        pair
        for pair in double_rated(request)
        if pair.theirs.rater_id == rater_id and pair.theirs.instrument_id == scale_id
    ]
    if not pairs:  # no such rater, another clinic's, or nothing both rated: nothing to show
        record_refusal(request, "rater-agreement", AccessEvent.Action.VIEW)
        raise Http404
    instrument, other = pairs[0].theirs.instrument, pairs[0].theirs.rater
    items = [
        item_agreement(pairs, item["linkId"], item["text"])
        for item in rated_items(instrument.definition)
    ]
    by_session = {pair.mine.session_id: pair for pair in pairs}
    furthest = agreement.largest_disagreements(compared(pairs, TOTAL), limit=SHOWN_SESSIONS)
    return render(
        request,
        "supervision/agreement_pair.html",
        {
            "other": other,
            "instrument": instrument,
            "sessions": len(pairs),
            "total": item_agreement(pairs, TOTAL, _("Total")),
            "items": items,
            "apart": sorted(
                (item for item in items if item.mean_difference is not None),
                key=lambda item: -(item.mean_difference or 0),
            ),
            "furthest": [(d, by_session[d.target]) for d in furthest],
            "forms": agreement.FORMS,
        },
    )
