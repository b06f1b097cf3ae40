"""Observation for each 0–100 check-in rating, coded in Bridgework's ratings CodeSystem; the
scale's name (the therapist and client chose it) is the code's text."""

from __future__ import annotations

from collections.abc import Iterable

from bridgework.interop.fhir import codes
from bridgework.interop.fhir.export.context import Context, Resource, instant, pruned
from bridgework.interop.fhir.export.questionnaires import SURVEY
from bridgework.practice.models import CheckIn, Rating

CHECK_IN = "check-in"


def ratings(ctx: Context, check_ins: Iterable[CheckIn]) -> list[Resource]:
    return [rating(ctx, check_in, one) for check_in in check_ins for one in check_in.ratings.all()]


def rating(ctx: Context, check_in: CheckIn, one: Rating) -> Resource:
    scale = one.scale
    observation = {
        "resourceType": "Observation",
        # The check-in's uid: each of its ratings names the one entry they were given in.
        "identifier": ctx.identifiers("check-in", check_in.uid),
        "status": "final",
        "category": [SURVEY],
        "code": {
            "coding": [{"system": codes.RATINGS, "code": CHECK_IN, "display": "0–100 rating"}],
            "text": scale.name,
        },
        "subject": ctx.patient,
        "effectiveDateTime": instant(check_in.answered_at),
        "valueInteger": one.value,
        "referenceRange": [
            {
                "low": {"value": 0},
                "high": {"value": 100},
                "text": f"0 = {scale.low_anchor}, 100 = {scale.high_anchor}",
            }
        ],
    }
    return ctx.entry("rating", one.pk, pruned(observation))
