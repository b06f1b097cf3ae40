"""`import_bundle`: a Bundle (parsed JSON) into a clinic, in one transaction, resource by
resource in the order records depend on each other: the client, goals, sessions, plans (with
their reviews), then questionnaire responses. What it does not take is reported with why."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bridgework.accounts.models import Clinic, User
from bridgework.interop.fhir.load import plans, ratings, records, responses
from bridgework.interop.fhir.load.intake import Intake, Resource
from bridgework.interop.fhir.load.limits import TooLong
from bridgework.interop.fhir.load.links import ForeignRecord
from bridgework.interop.fhir.load.records import Refused
from bridgework.interop.fhir.load.report import ImportReport
from bridgework.interop.fhir.load.validation import InvalidBundle, checked

Taker = Callable[[Intake, Resource], None]
STEPS: tuple[tuple[str, Taker], ...] = (
    ("Goal", records.take_goal),
    ("Encounter", records.take_session),
    ("CarePlan", plans.take_plan),
    ("QuestionnaireResponse", responses.take_response),
)
# What the import leaves, and why (each such resource is listed in the report).
LEFT: dict[str, object] = {
    "Consent": gettext_lazy("Consent is given to a clinic by the client: ask them here."),
    "Flag": gettext_lazy("Flags are raised by this clinic's own rules, from the answers."),
    "Provenance": gettext_lazy(
        "Who recorded what at the sending clinic; this clinic's trail records the import."
    ),
    "Questionnaire": gettext_lazy(
        "Questionnaires are installed by a clinic admin; responses name theirs."
    ),
}


def import_bundle(data: object, *, clinic: Clinic, by: User, therapist: User) -> ImportReport:
    if therapist.clinic_id != clinic.pk or not therapist.is_therapist:
        raise ValueError("The client joins a therapist of the importing clinic.")
    bundle = checked(data)
    entries = [e for e in bundle.get("entry") or [] if isinstance(e.get("resource"), dict)]
    intake = Intake(clinic=clinic, by=by, therapist=therapist, entries=entries)
    patient = the_patient(intake)
    try:
        with transaction.atomic():
            records.take_client(intake, patient)
            for resource_type, take in STEPS:
                for resource in intake.of_type(resource_type):
                    taken(intake, resource, take)
            ratings.take_ratings(intake)
            rest(intake)
    except (Refused, TooLong) as refused:  # the Patient itself
        raise InvalidBundle([str(refused)]) from None
    assert intake.client is not None
    intake.report.client_id = intake.client.pk
    return intake.report


def taken(intake: Intake, resource: Resource, take: Taker) -> None:
    if id(resource) in intake.handled:
        return
    try:
        take(intake, resource)
    except ForeignRecord:
        intake.skip(resource, _("Its identifier names another client's record in this clinic."))
    except TooLong as long:
        intake.skip(resource, str(long))


def the_patient(intake: Intake) -> Resource:
    patients = intake.of_type("Patient")
    if len(patients) != 1:
        raise InvalidBundle(
            [
                _("A record is one client's: expected exactly one Patient, found %(count)d.")
                % {"count": len(patients)}
            ]
        )
    return patients[0]


def rest(intake: Intake) -> None:
    """Everything no step took: said, never dropped unsaid."""
    for resource in intake.resources:
        if id(resource) in intake.handled:
            continue
        kind = str(resource.get("resourceType"))
        if kind == "Observation" and resource.get("derivedFrom"):
            intake.report.derived.append(intake.label(resource))
        elif kind in LEFT:
            intake.skip(resource, str(LEFT[kind]))
        else:
            intake.skip(resource, _("Bridgework keeps no record of this kind."))
