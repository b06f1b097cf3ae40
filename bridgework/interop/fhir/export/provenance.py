"""Provenance: who recorded what, and when — one per record with a known author."""

from __future__ import annotations

from datetime import datetime

from bridgework.accounts.models import User
from bridgework.interop.fhir.export.context import Context, Resource, instant

PARTICIPANT = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"


def provenance(
    ctx: Context, kind: str, pk: object, by: User | None, at: datetime, role: str = "author"
) -> Resource | None:
    who = ctx.who(by)
    if who is None:
        return None
    resource = {
        "resourceType": "Provenance",
        "target": [ctx.ref(kind, pk)],
        "recorded": instant(at),
        "agent": [{"type": {"coding": [{"system": PARTICIPANT, "code": role}]}, "who": who}],
    }
    return ctx.entry("provenance", f"{kind}:{pk}:{role}", resource)
