"""FHIR on the API: a client's record out (`/fhir/Patient/{id}/$everything`) and into another
clinic (`POST /fhir/Bundle`), with real tokens, as a script would use them."""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any

from bridgework.audit.models import AccessEvent
from bridgework.care.models import Client
from bridgework.interop.fhir import codes
from bridgework.interop.models import Area
from bridgework.interop.tests.fhir_records import EmptyClinicCase, validated
from bridgework.interop.tests.helpers import call, token_for
from bridgework.interop.tests.test_fhir_import import MISSING_STATUS, clinical
from bridgework.practice.models import PracticeLog
from bridgework.test import user_of

FHIR_JSON = "application/fhir+json"


class FhirApiTests(EmptyClinicCase):
    weeks = 2

    def setUp(self) -> None:
        reading: list[str] = [Area.CLIENTS, Area.RECORDS]
        self.therapist = token_for(self.therapist_a, write=False, areas=reading)[1]
        self.client_token = token_for(user_of(self.client_a), areas=[Area.PRACTICE])[1]
        self.receiving = token_for(self.empty_admin, areas=[Area.RECORDS])[1]

    def export(self, client_id: int, secret: str, query: str = "") -> Any:
        return call(
            self.client, "get", f"/api/v1/fhir/Patient/{client_id}/$everything{query}", secret
        )

    def exported(self) -> dict[str, Any]:
        response = self.export(self.client_a.pk, self.therapist)
        self.assertEqual(response.status_code, 200, response.content)
        return dict(json.loads(response.content))

    def send(self, bundle: Any, secret: str | None = None, therapist: int | None = None) -> Any:
        chosen = therapist or self.empty_therapist.pk
        return self.client.post(
            f"/api/v1/fhir/Bundle?therapist={chosen}",
            bundle if isinstance(bundle, (str, bytes)) else json.dumps(bundle),
            content_type=FHIR_JSON,
            headers={"Authorization": f"Bearer {secret or self.receiving}"},
        )

    def errors_of(self, response: Any, status: int) -> list[str]:
        self.assertEqual(response.status_code, status, response.content)
        self.assertEqual(response["Content-Type"], "application/problem+json")
        return [f"{e['field']}|{e['message']}" for e in response.json()["errors"]]

    def test_a_script_with_tokens_lists_logs_exports_and_imports_a_record(self) -> None:
        caseload = call(self.client, "get", "/api/v1/clients", self.therapist).json()
        self.assertIn(self.client_a.pk, [client["id"] for client in caseload["items"]])
        uid = str(uuid.uuid4())
        entry = {"uid": uid, "worksheet": "free-diary", "entries": {"entry": "Bus"}}
        made = call(self.client, "post", "/api/v1/practice-logs", self.client_token, entry)
        again = call(self.client, "post", "/api/v1/practice-logs", self.client_token, entry)
        self.assertEqual((made.status_code, again.status_code), (201, 200))
        self.assertEqual(PracticeLog.objects.filter(uid=uid).count(), 1)

        bundle = self.exported()
        first = self.send(bundle)
        self.assertEqual(first.status_code, 201, first.content)
        report = first.json()
        self.assertEqual(first["Location"], f"/api/v1/clients/{report['client_id']}")
        self.assertEqual(Client.objects.get(pk=report["client_id"]).clinic, self.empty)
        self.assertIn("Goal", {label.split("/")[0] for label in report["created"]})

        second = self.send(copy.deepcopy(bundle))
        self.assertEqual(second.status_code, 200, second.content)
        self.assertEqual((second.json()["created"], second.json()["changed"]), ([], []))
        self.assertEqual(second.json()["client_id"], report["client_id"])

        theirs = token_for(self.empty_therapist, write=False, areas=[Area.RECORDS])[1]
        again_exported = json.loads(self.export(report["client_id"], theirs).content)
        self.assertEqual(clinical(again_exported), clinical(bundle))

    def test_the_record_answers_as_fhir_json_and_validates_as_r4(self) -> None:
        response = self.export(self.client_a.pk, self.therapist)
        self.assertEqual(response["Content-Type"], codes.MEDIA_TYPE)
        bundle = validated(json.loads(response.content))
        kinds = {e.resource.get_resource_type() for e in bundle.entry or [] if e.resource}
        self.assertTrue({"Patient", "Goal", "CarePlan", "QuestionnaireResponse"} <= kinds)

    def test_the_export_is_recorded_as_the_therapists_via_the_token(self) -> None:
        self.exported()
        event = AccessEvent.objects.get(
            action=AccessEvent.Action.EXPORT, object_type="fhir-record", client_id=self.client_a.pk
        )
        self.assertEqual(event.actor_id, self.therapist_a.pk)
        self.assertTrue(event.via.startswith("token:"))

    def test_the_pseudonymised_record_names_no_one(self) -> None:
        response = self.export(self.client_a.pk, self.therapist, "?mode=pseudonymised")
        self.assertEqual(response.status_code, 200, response.content)
        self.assertNotIn(self.client_a.full_name, response.content.decode())
        (patient,) = [
            e["resource"]
            for e in response.json()["entry"]
            if e["resource"]["resourceType"] == "Patient"
        ]
        self.assertEqual(patient["identifier"][0]["system"], codes.PSEUDONYMS)

    def test_an_unknown_mode_is_refused_naming_the_parameter(self) -> None:
        response = self.export(self.client_a.pk, self.therapist, "?mode=anonymous")
        (error,) = self.errors_of(response, 422)
        self.assertTrue(error.startswith("mode|") and "pseudonymised" in error, error)

    def test_another_clinics_client_is_not_found_and_the_refusal_recorded(self) -> None:
        response = self.export(self.other_client.pk, self.therapist)
        self.errors_of(response, 404)
        refusal = AccessEvent.objects.get(actor_id=self.therapist_a.pk, allowed=False)
        self.assertEqual(
            (refusal.object_type, refusal.object_id), ("client", str(self.other_client.pk))
        )
        self.assertTrue(refusal.via.startswith("token:"))

    def test_a_wrong_token_is_401_whatever_the_client(self) -> None:
        for client_id in (self.client_a.pk, 999_999):
            response = self.export(client_id, "bw_pat_not-a-token")
            self.assertEqual(response.status_code, 401)
        self.assertEqual(self.send(self.exported(), secret="bw_pat_wrong").status_code, 401)

    def test_a_read_only_token_may_export_but_not_import(self) -> None:
        reader = token_for(self.empty_admin, write=False, areas=[Area.RECORDS])[1]
        self.errors_of(self.send(self.exported(), secret=reader), 403)
        self.assertFalse(Client.objects.filter(clinic=self.empty).exists())

    def test_a_token_without_the_records_area_may_not_export(self) -> None:
        clients_only = token_for(self.therapist_a, areas=[Area.CLIENTS])[1]
        self.errors_of(self.export(self.client_a.pk, clients_only), 403)

    def test_only_a_clinic_admin_imports(self) -> None:
        therapist = token_for(self.empty_therapist, areas=[Area.RECORDS])[1]
        self.errors_of(self.send(self.exported(), secret=therapist), 404)
        self.assertFalse(Client.objects.filter(clinic=self.empty).exists())
        refusal = AccessEvent.objects.get(actor_id=self.empty_therapist.pk, allowed=False)
        self.assertEqual(refusal.object_type, "fhir-import")

    def test_a_therapist_of_another_clinic_cannot_take_the_client_on(self) -> None:
        response = self.send(self.exported(), therapist=self.therapist_a.pk)
        self.assertEqual(
            self.errors_of(response, 422), ["therapist|Choose one of your clinic's therapists."]
        )

    def test_an_invalid_bundle_is_refused_naming_the_resource_and_element(self) -> None:
        bundle = self.exported()
        index, goal = next(
            (i, e["resource"])
            for i, e in enumerate(bundle["entry"])
            if e["resource"]["resourceType"] == "Goal"
        )
        del goal["lifecycleStatus"]
        errors = self.errors_of(self.send(bundle), 422)
        self.assertEqual(
            errors, [f"|Bundle.entry[{index}].resource (Goal/{goal['id']}): {MISSING_STATUS}"]
        )
        self.assertFalse(Client.objects.filter(clinic=self.empty).exists())

    def test_a_body_that_is_no_json_object_is_400(self) -> None:
        for body in ("[1, 2]", "{not json", '{"resourceType": NaN}'):
            with self.subTest(body=body):
                self.assertEqual(len(self.errors_of(self.send(body), 400)), 1)

    def test_a_body_of_another_media_type_is_415(self) -> None:
        response = self.client.post(
            f"/api/v1/fhir/Bundle?therapist={self.empty_therapist.pk}",
            "resourceType=Bundle",
            content_type="application/x-www-form-urlencoded",
            headers={"Authorization": f"Bearer {self.receiving}"},
        )
        self.errors_of(response, 415)
