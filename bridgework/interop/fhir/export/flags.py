"""Flag: what needed a clinician's attention, open until acknowledged."""

from __future__ import annotations

from collections.abc import Iterable

from bridgework.interop.fhir import codes
from bridgework.interop.fhir.export.context import Context, Resource, instant, pruned
from bridgework.measures.models import Flag

CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"


def flags(ctx: Context, raised: Iterable[Flag]) -> list[Resource]:
    return [flag(ctx, one) for one in raised]


def flag(ctx: Context, one: Flag) -> Resource:
    resource = {
        "resourceType": "Flag",
        "status": "inactive" if one.acknowledged_at else "active",
        "category": [{"coding": [{"system": CATEGORY, "code": "clinical"}]}],
        "code": {
            "coding": [{"system": codes.FLAG_KINDS, "code": one.kind}],
            "text": one.text,
        },
        "subject": ctx.patient,
        "period": pruned({"start": instant(one.raised_at), "end": instant(one.acknowledged_at)}),
    }
    return ctx.entry("flag", one.pk, resource)
