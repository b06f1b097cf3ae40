"""The FHIR export of one client's record (bridgework.interop.fhir.everything)."""

from __future__ import annotations

import json
from typing import Any

from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from bridgework.interop import fhir
from bridgework.interop.fhir import codes
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

    def test_it_costs_the_same_queries_however_long_the_history(self) -> None:
        history(self.client_b, self.therapist_b, weeks=6)
        counts = []
        for client, therapist in (
            (self.client_a, self.therapist_a),
            (self.client_b, self.therapist_b),
        ):
            with CaptureQueriesContext(connection) as queries:
                fhir.everything(request_of(therapist), client.pk, "identified")
            counts.append(len(queries))
            reads = [q for q in queries.captured_queries if "audit_" not in q["sql"]]
            # 15 reads: client, care team, goals, consents, sessions, plans (goals,
            # obstacles), responses, instruments, check-ins (ratings, scales), flags
            # (notices); beside them each door's event (deferred to the response in a
            # request, written at once here).
            self.assertEqual(len(reads), 15)
        self.assertEqual(counts[0], counts[1])

    def test_it_is_404_for_anyone_who_may_not_read_the_client(self) -> None:
        for person in (self.therapist_b, self.admin, self.researcher, self.other_therapist):
            with self.subTest(person=str(person)), self.assertRaises(Http404):
                fhir.everything(request_of(person), self.client_a.pk, "identified")
        user = self.client_a.user
        assert user is not None
        with self.assertRaises(Http404):  # the clinicians' record, not the client's own copy
            fhir.everything(request_of(user), self.client_a.pk, "identified")

    def test_a_pseudonymised_export_names_no_one(self) -> None:
        bundle = self.export("pseudonymised")
        text = json.dumps(bundle)
        for name in ("Client A", "Therapist A", "client_a@example.org", "/fhir/clinics/"):
            self.assertFalse(name in text, f"{name} is in the export")
        (patient,) = of_type(bundle, "Patient")
        self.assertEqual(
            patient["identifier"], [{"system": codes.PSEUDONYMS, "value": self.client_a.pseudonym}]
        )

    def test_an_identified_export_names_the_client_by_the_clinics_identifier(self) -> None:
        (patient,) = of_type(self.export(), "Patient")
        self.assertEqual(patient["name"], [{"text": "Client A"}])
        system = f"http://127.0.0.1:8000/fhir/clinics/{self.clinic.pk}/client"
        self.assertEqual(
            patient["identifier"], [{"system": system, "value": str(self.client_a.pk)}]
        )

    def test_scores_are_observations_with_their_loinc_codes(self) -> None:
        totals = {
            coding["code"]
            for observation in of_type(self.export(), "Observation")
            for coding in observation["code"]["coding"]
            if coding["system"] == "http://loinc.org"
        }
        self.assertEqual(totals, {"44261-6", "70274-6"})

    def test_ratings_are_coded_in_bridgeworks_ratings_code_system(self) -> None:
        ratings = [
            o
            for o in of_type(self.export(), "Observation")
            if o["code"]["coding"][0]["system"]
            == "https://bridgework.invalid/fhir/CodeSystem/ratings"
        ]
        self.assertEqual([o["valueInteger"] for o in ratings], [0, 10, 20])
        self.assertEqual(ratings[0]["code"]["text"], "distress")

    def test_only_shipped_questionnaires_travel_with_their_wording(self) -> None:
        urls = {q["url"] for q in of_type(self.export(), "Questionnaire")}
        self.assertEqual(
            urls,
            {
                "https://bridgework.invalid/fhir/Questionnaire/phq-9",
                "https://bridgework.invalid/fhir/Questionnaire/gad-7",
                "https://bridgework.invalid/fhir/Questionnaire/action-plan-review",
            },
        )
        for response in of_type(self.export(), "QuestionnaireResponse"):
            self.assertNotIn("text", json.dumps(response["item"]))

    def test_each_plan_is_a_care_plan_with_its_task_as_the_clients_activity(self) -> None:
        plans = of_type(self.export(), "CarePlan")
        self.assertEqual([p["title"] for p in plans], ["Bus ride 0", "Bus ride 1", "Bus ride 2"])
        self.assertEqual([p["status"] for p in plans], ["active", "completed", "active"])
        detail = plans[0]["activity"][0]["detail"]
        self.assertEqual(
            (detail["kind"], detail["description"]), ("Task", "Ride two stops and stay on")
        )
        (patient,) = of_type(self.export(), "Patient")
        self.assertEqual(detail["performer"], [{"reference": f"urn:uuid:{patient['id']}"}])
