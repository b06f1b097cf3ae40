"""Bridgework's names in FHIR: canonical URLs of its code systems, the identifier systems of a
clinic's records, and the codes each Bridgework state maps to (docs/fhir.md has the table).

Pure: no database, so export and import read the same mapping both ways."""

from __future__ import annotations

import uuid

from django.conf import settings

FHIR_VERSION = "4.0.1"
MEDIA_TYPE = "application/fhir+json; fhirVersion=4.0"

# The canonical base Bridgework's instruments already use (measures/instruments/*.json): a
# name, not an address to fetch, the same on every installation.
CANONICAL = "https://bridgework.invalid/fhir"
RATINGS = f"{CANONICAL}/CodeSystem/ratings"
PLAN_KINDS = f"{CANONICAL}/CodeSystem/plan-kind"
FLAG_KINDS = f"{CANONICAL}/CodeSystem/flag-kind"
CONSENT_PURPOSES = f"{CANONICAL}/CodeSystem/consent-purpose"
PSEUDONYMS = f"{CANONICAL}/NamingSystem/client-pseudonym"
# Staff in a pseudonymised export: the same person is the same value within one client's
# record, and names neither the person nor the clinic.
STAFF_PSEUDONYMS = f"{CANONICAL}/NamingSystem/staff-pseudonym"
LOINC = "http://loinc.org"
# The LOINC codes of the shipped questionnaires' totals: PHQ-9 44261-6, GAD-7 70274-6 (also
# in each definition's scoring, `loinc`, which wins).
TOTALS = {"phq-9": "44261-6", "gad-7": "70274-6"}

# The record kinds whose ids become identifiers, by the FHIR resource they are exported as.
KINDS = {
    "Patient": "client",
    "Goal": "goal",
    "Encounter": "session",
    "CarePlan": "plan",
    "QuestionnaireResponse": "response",
}

# A check-in's ratings share its identifier: the entry's uid, not a record id.
CHECK_IN = "check-in"

# An action plan's status as a CarePlan.status, and back (CarePlan has no "proposed": a
# client's proposal is a draft until the therapist takes it up).
PLAN_STATUS = {
    "proposed": "draft",
    "draft": "draft",
    "agreed": "active",
    "active": "active",
    "reviewed": "completed",
    "declined": "revoked",
}
# What the import's plan reaches, by the CarePlan.status it was sent with.
PLAN_STEPS = {"draft": 0, "active": 1, "completed": 1, "revoked": 0, "on-hold": 1}


def clinic_system(clinic_id: int, kind: str) -> str:
    """The identifier system of one kind of record of one clinic on this installation. The
    site's address keeps two installations' clinic 1 apart (set SITE_URL in production)."""
    return f"{settings.SITE_URL}/fhir/clinics/{clinic_id}/{kind}"


def own_kind(system: str, clinic_id: int) -> str | None:
    """Which kind of this clinic's records `system` names, or None for anyone else's."""
    prefix = f"{settings.SITE_URL}/fhir/clinics/{clinic_id}/"
    kind = system.removeprefix(prefix)
    known = (*KINDS.values(), CHECK_IN)
    return kind if system.startswith(prefix) and kind in known else None


def staff_system(clinic_id: int) -> str:
    return clinic_system(clinic_id, "staff")


def entry_id(*parts: object) -> str:
    """A resource's id in a Bundle: stable for the same record and mode, revealing no id."""
    name = "|".join(str(part) for part in parts)
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{CANONICAL}/{name}"))
