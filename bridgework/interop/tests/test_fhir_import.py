"""The FHIR import (bridgework.interop.fhir.import_bundle): round trip, idempotence, what it
does not take, what it refuses, and other clinics' identifiers."""

from __future__ import annotations

import copy
from typing import Any

from bridgework.care.models import Client
from bridgework.interop import fhir
from bridgework.interop.tests.fhir_records import history
from bridgework.plans.models import ActionPlan
from bridgework.test import BaseTestCase, make_clinic, make_staff, request_of

# What differs between two exports of the same content: ids and references (made from each
# clinic's record ids), identifiers, and the moments records were made here.
NOT_CONTENT = {"id", "fullUrl", "reference", "identifier", "created", "recorded", "timestamp"}
# Who did it: the importing admin entered the records, the receiving therapist holds the
# sessions (the sending record keeps the names of those who did them there).
NOT_CONTENT |= {"author", "participant"}


def clinical(bundle: dict[str, Any]) -> list[Any]:
    """The Bundle's clinical content, comparable across clinics: each resource without what
    names its record or the moment it was made, in a stable order."""
    kept = [normal(entry["resource"]) for entry in bundle["entry"]]
    kept = [r for r in kept if r["resourceType"] not in ("Provenance", "Flag", "Consent")]
    return sorted(kept, key=repr)


def normal(value: Any) -> Any:
    if isinstance(value, dict):
        found = {k: normal(v) for k, v in value.items() if k not in NOT_CONTENT}
        if found.get("resourceType") == "CarePlan":
            found.pop("period", None)  # agreed and closed when imported
        if found.get("resourceType") == "QuestionnaireResponse" and "basedOn" in value:
            found.pop("authored", None)  # a review is done again when imported
        return found
    if isinstance(value, list):
        return [normal(v) for v in value]
    return value


class ImportTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        history(cls.client_a, cls.therapist_a, weeks=3)
        cls.empty = make_clinic("Riverside")
        cls.empty_admin = make_staff(cls.empty, "river_admin", "clinic_admin")
        cls.empty_therapist = make_staff(cls.empty, "river_therapist", "therapist")

    def exported(self) -> dict[str, Any]:
        return fhir.everything(request_of(self.therapist_a), self.client_a.pk, "identified")

    def into_empty(self, bundle: dict[str, Any]) -> fhir.ImportReport:  # type: ignore[name-defined]
        return fhir.import_bundle(
            bundle, clinic=self.empty, by=self.empty_admin, therapist=self.empty_therapist
        )

    def test_a_round_trip_into_an_empty_clinic_keeps_the_clinical_content(self) -> None:
        bundle = self.exported()
        report = self.into_empty(bundle)
        again = fhir.everything(request_of(self.empty_therapist), report.client_id, "identified")
        self.assertEqual(clinical(again), clinical(bundle))
        self.assertEqual(Client.objects.get(pk=report.client_id).full_name, "Client A")

    def test_importing_twice_changes_nothing(self) -> None:
        bundle = self.exported()
        first = self.into_empty(bundle)
        plans = ActionPlan.objects.filter(client_id=first.client_id).count()
        second = self.into_empty(copy.deepcopy(bundle))
        self.assertEqual((len(second.created), len(second.changed)), (0, 0))
        self.assertEqual(second.client_id, first.client_id)
        self.assertEqual(ActionPlan.objects.filter(client_id=first.client_id).count(), plans)
        self.assertEqual(len(second.unchanged), len(first.created) + len(first.changed))

    def test_it_prints(self) -> None:
        report = self.into_empty(self.exported())
        for n in report.not_imported:
            print(n)
        print(len(report.created), report.derived)
