"""Patient and Consent: who the record is about, and what they agreed to."""

from __future__ import annotations

from collections.abc import Iterable

from bridgework.care.models import Consent
from bridgework.interop.fhir import codes
from bridgework.interop.fhir.export.context import Context, Resource, instant, pruned

CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
ACT_CODES = "http://terminology.hl7.org/CodeSystem/v3-ActCode"


def patient(ctx: Context) -> Resource:
    client = ctx.client
    if ctx.identified:
        names = [{"text": client.full_name}]
        identifiers = ctx.identifiers("client", client.pk)
    else:
        names, identifiers = [], [{"system": codes.PSEUDONYMS, "value": client.pseudonym}]
    # No birth date: Bridgework holds none. No e-mail: a sign-in address is the account's, and
    # the receiving clinic invites the client afresh.
    resource = {
        "resourceType": "Patient",
        "identifier": identifiers,
        "active": client.discharged_at is None,
        "name": names,
    }
    return ctx.entry("client", client.pk, pruned(resource))


def consents(ctx: Context, given: Iterable[Consent]) -> list[Resource]:
    return [consent(ctx, grant) for grant in given]


def consent(ctx: Context, grant: Consent) -> Resource:
    research = grant.purpose == Consent.Purpose.RESEARCH
    resource = {
        "resourceType": "Consent",
        "status": "inactive" if grant.withdrawn_at else "active",
        "scope": {
            "coding": [{"system": CONSENT_SCOPE, "code": "research" if research else "treatment"}]
        },
        "category": [{"coding": [{"system": codes.CONSENT_PURPOSES, "code": grant.purpose}]}],
        "patient": ctx.patient,
        "dateTime": instant(grant.given_at),
        "policyRule": {"coding": [{"system": ACT_CODES, "code": "OPTIN"}]},
        "provision": {
            "type": "permit",
            "period": pruned(
                {"start": instant(grant.given_at), "end": instant(grant.withdrawn_at)}
            ),
        },
    }
    return ctx.entry("consent", grant.pk, resource)
