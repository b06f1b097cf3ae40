"""The FHIR export of one client's record (bridgework.interop.fhir.everything)."""

from __future__ import annotations

import json
from typing import Any

from bridgework.interop import fhir
from bridgework.interop.tests.fhir_records import history, validated
from bridgework.test import BaseTestCase, request_of


def of_type(bundle: dict[str, Any], resource_type: str) -> list[dict[str, Any]]:
    return [
        entry["resource"]
        for entry in bundle["entry"]
        if entry["resource"]["resourceType"] == resource_type
    ]


class ExportTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        history(cls.client_a, cls.therapist_a, weeks=3)

    def export(self, mode: str = "identified") -> dict[str, Any]:
        return fhir.everything(request_of(self.therapist_a), self.client_a.pk, mode)

    def test_the_export_validates_with_the_fhir_models(self) -> None:
        bundle = self.export()
        parsed = validated(bundle)
        self.assertEqual(parsed.type, "collection")
        kinds = {entry["resource"]["resourceType"] for entry in bundle["entry"]}
        self.assertEqual(
            kinds,
            {
                "Patient",
                "Consent",
                "Goal",
                "Encounter",
                "CarePlan",
                "Questionnaire",
                "QuestionnaireResponse",
                "Observation",
                "Provenance",
                "Flag",
            },
        )
        validated(self.export("pseudonymised"))

    def test_it_prints(self) -> None:
        print(json.dumps(self.export(), indent=1)[:6000])
