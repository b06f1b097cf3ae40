"""The FHIR import (bridgework.interop.fhir.import_bundle): round trip, idempotence, what it
does not take, what it refuses, and other clinics' identifiers."""

from __future__ import annotations

import copy
import json
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from bridgework.audit.models import AccessEvent
from bridgework.care import actions as care
from bridgework.care.models import Client
from bridgework.interop import fhir
from bridgework.interop.fhir import codes
from bridgework.interop.fhir.load.report import ImportReport
from bridgework.interop.fhir.load.validation import InvalidBundle
from bridgework.interop.tests.fhir_records import EmptyClinicCase, history
from bridgework.plans import actions as plans
from bridgework.plans.models import ActionPlan
from bridgework.test import BaseTestCase, request_of

# What differs between two exports of the same content: ids and references (made from each
# clinic's record ids), identifiers, and the moments records were made here.
NOT_CONTENT = {"id", "fullUrl", "reference", "identifier", "created", "recorded", "timestamp"}
# Who did it: the importing admin entered the records, the receiving therapist holds the
# sessions (the sending record keeps the names of those who did them there).
NOT_CONTENT |= {"author", "participant"}


def clinical(bundle: dict[str, Any]) -> list[Any]:
    """The Bundle's clinical content, comparable across clinics: each resource without what
    names its record or the moment it was made, a reference replaced by what it points to
    (its resource's own content), in a stable order."""
    targets = {entry["fullUrl"]: repr(normal(entry["resource"], {})) for entry in bundle["entry"]}
    kept = [normal(entry["resource"], targets) for entry in bundle["entry"]]
    kept = [r for r in kept if r["resourceType"] not in ("Provenance", "Flag", "Consent")]
    return sorted(kept, key=repr)


def normal(value: Any, targets: dict[str, str]) -> Any:
    if isinstance(value, dict):
        found = {k: normal(v, targets) for k, v in value.items() if k not in NOT_CONTENT}
        if "reference" in value:
            found["to"] = targets.get(value["reference"], "")
        if found.get("resourceType") == "CarePlan":
            found.pop("period", None)  # agreed and closed when imported
        if found.get("resourceType") == "QuestionnaireResponse" and "basedOn" in value:
            found.pop("authored", None)  # a review is done again when imported
        return found
    if isinstance(value, list):
        return [normal(v, targets) for v in value]
    return value


MISSING_STATUS = "lifecycleStatus: required, but missing"


class ImportTests(EmptyClinicCase):
    weeks = 3

    def exported(self) -> dict[str, Any]:
        return fhir.everything(request_of(self.therapist_a), self.client_a.pk, "identified")

    def into_empty(self, bundle: dict[str, Any]) -> ImportReport:
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

    def test_a_modified_plans_successor_is_the_draft_its_review_made(self) -> None:
        plan = plans.start_plan(self.client_b, by=self.therapist_b)
        fields = {"title": "Walk", "instructions": "Ten minutes", "kind": "behavioural-activation"}
        plans.save_plan(plan, by=self.therapist_b, version=1, fields=fields, goals=[], obstacles=[])
        plans.agree(plan, by=self.therapist_b)
        answers = {"done": 1, "decision": "modify"}
        plans.review(plan, by=self.therapist_b, session=None, answers=answers)
        bundle = fhir.everything(request_of(self.therapist_b), self.client_b.pk, "identified")
        first = self.into_empty(bundle)
        here = ActionPlan.objects.filter(client_id=first.client_id)
        self.assertEqual(sorted(here.values_list("status", flat=True)), ["draft", "reviewed"])
        again = fhir.everything(request_of(self.empty_therapist), first.client_id, "identified")
        self.assertEqual(clinical(again), clinical(bundle))
        second = self.into_empty(bundle)
        self.assertEqual((second.created, second.changed), ([], []))

    def test_a_plan_with_a_value_out_of_range_is_refused_and_leaves_nothing(self) -> None:
        bundle = self.exported()
        care_plan = next(
            e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "CarePlan"
        )
        for part in care_plan["extension"][0]["extension"]:
            if part["url"] == "importance":
                part["valueInteger"] = 11
        report = self.into_empty(bundle)
        (refused,) = [n for n in report.not_imported if n.resource_id == care_plan["id"]]
        self.assertIn("The plan was refused", refused.reason)
        titles = ActionPlan.objects.filter(client_id=report.client_id).values_list(
            "title", flat=True
        )
        self.assertEqual(sorted(titles), ["Bus ride 1", "Bus ride 2"])

    def test_a_goal_too_long_for_the_record_is_refused_not_cut(self) -> None:
        bundle = self.exported()
        goal = next(
            e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Goal"
        )
        goal["description"]["text"] = "x" * 301
        report = self.into_empty(bundle)
        (refused,) = [n for n in report.not_imported if n.resource_type == "Goal"]
        self.assertEqual(
            refused.reason, "Goal.description.text is 301 characters long; at most 300 fit."
        )

    def test_a_resource_it_cannot_map_is_reported_with_its_type_and_id(self) -> None:
        bundle = self.exported()
        patient = bundle["entry"][0]["fullUrl"]
        allergy = {
            "resourceType": "AllergyIntolerance",
            "id": "a1",
            "patient": {"reference": patient},
        }
        bundle["entry"].append({"fullUrl": "urn:uuid:a1", "resource": allergy})
        report = self.into_empty(bundle)
        left = {(n.resource_type, n.resource_id): n.reason for n in report.not_imported}
        self.assertEqual(
            left[("AllergyIntolerance", "a1")], "Bridgework keeps no record of this kind."
        )
        self.assertIn("Consent", {kind for kind, _id in left})

    def test_an_invalid_bundle_is_refused_naming_the_resource_and_element(self) -> None:
        bundle = self.exported()
        index, goal = next(
            (i, e["resource"])
            for i, e in enumerate(bundle["entry"])
            if e["resource"]["resourceType"] == "Goal"
        )
        del goal["lifecycleStatus"]
        with self.assertRaises(InvalidBundle) as refused:
            self.into_empty(bundle)
        self.assertEqual(
            refused.exception.problems,
            [f"Bundle.entry[{index}].resource (Goal/{goal['id']}): {MISSING_STATUS}"],
        )
        self.assertFalse(Client.objects.filter(clinic=self.empty).exists())

    def test_text_no_record_may_hold_is_refused_with_where_it_is(self) -> None:
        bundle = self.exported()
        bundle["entry"][0]["resource"]["name"][0]["text"] = "Client\x00A"
        with self.assertRaises(InvalidBundle) as refused:
            self.into_empty(bundle)
        self.assertIn("Bundle/entry/0/resource/name/0/text", refused.exception.problems[0])
        self.assertIn("U+0000", refused.exception.problems[0])

    def test_a_pseudonymised_record_is_refused(self) -> None:
        bundle = fhir.everything(request_of(self.therapist_a), self.client_a.pk, "pseudonymised")
        with self.assertRaises(InvalidBundle) as refused:
            self.into_empty(bundle)
        self.assertIn("identified", refused.exception.problems[0])
        self.assertFalse(Client.objects.filter(clinic=self.empty).exists())

    def test_another_clinics_identifiers_never_reach_this_clinics_records(self) -> None:
        """A Bundle from Northside whose ids happen to be those of Elsewhere's records:
        imported into Elsewhere, it makes new records and leaves Elsewhere's alone."""
        theirs = care.add_goal(self.other_client, text="Mine", by=self.other_therapist)
        bundle = self.exported()
        same_ids = {"Patient": self.other_client.pk, "Goal": theirs.pk}
        for entry in bundle["entry"]:
            resource = entry["resource"]
            for identifier in (
                resource.get("identifier", []) if resource["resourceType"] in same_ids else []
            ):
                identifier["value"] = str(same_ids[resource["resourceType"]])
        report = fhir.import_bundle(
            bundle, clinic=self.other_clinic, by=self.other_admin, therapist=self.other_therapist
        )
        self.assertNotEqual(report.client_id, self.other_client.pk)
        self.assertIn(f"Patient/{bundle['entry'][0]['resource']['id']}", report.created)
        theirs.refresh_from_db()
        self.assertEqual((theirs.text, theirs.achieved_at), ("Mine", None))
        self.assertEqual(self.other_client.goals.count(), 1)

    def test_this_clinics_own_identifiers_find_its_records(self) -> None:
        report = fhir.import_bundle(
            self.exported(), clinic=self.clinic, by=self.admin, therapist=self.therapist_a
        )
        self.assertEqual(report.client_id, self.client_a.pk)
        self.assertEqual((report.created, report.changed), ([], []))

    def test_a_client_already_here_takes_records_only_with_their_care_team(self) -> None:
        bundle = self.exported()
        with self.assertRaises(InvalidBundle) as refused:
            fhir.import_bundle(
                bundle, clinic=self.clinic, by=self.admin, therapist=self.therapist_b
            )
        self.assertIn("Choose a therapist on their care team", refused.exception.problems[0])

    def test_own_identifiers_of_another_clinic_name_nothing_here(self) -> None:
        system = codes.clinic_system(self.other_clinic.pk, "client")
        self.assertIsNone(codes.own_kind(system, self.clinic.pk))
        self.assertEqual(codes.own_kind(system, self.other_clinic.pk), "client")


class ImportPageTests(BaseTestCase):
    """The clinic admin's page at /fhir/import/."""

    def upload(self, content: bytes) -> Any:
        self.sign_in(self.admin)
        record = SimpleUploadedFile("record.json", content, content_type="application/json")
        return self.client.post(
            "/fhir/import/", {"record": record, "therapist": self.therapist_b.pk}
        )

    def test_an_admin_imports_a_record_and_sees_what_was_not_imported(self) -> None:
        history(self.other_client, self.other_therapist, weeks=1)
        bundle = fhir.everything(
            request_of(self.other_therapist), self.other_client.pk, "identified"
        )
        page = self.upload(json.dumps(bundle).encode())
        self.assertContains(page, "Record imported")
        self.assertContains(page, "Consent is given to a clinic by the client")
        client = Client.objects.get(clinic=self.clinic, full_name="Other Client")
        self.assertEqual(list(client.care_team.all()), [self.therapist_b])

    def test_a_file_that_is_not_json_is_refused_saying_so(self) -> None:
        page = self.upload(b"\xff not json")
        self.assertContains(page, "The file is not JSON", status_code=400)

    def test_an_invalid_bundle_is_refused_naming_the_element(self) -> None:
        bundle = {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [
                {
                    "resource": {
                        "resourceType": "Goal",
                        "id": "g1",
                        "description": {"text": "x"},
                        "subject": {"reference": "Patient/p"},
                    }
                },
            ],
        }
        page = self.upload(json.dumps(bundle).encode())
        self.assertContains(
            page,
            "Bundle.entry[0].resource (Goal/g1): lifecycleStatus: required, but missing",
            status_code=400,
        )

    def test_a_therapist_of_another_clinic_cannot_be_chosen(self) -> None:
        self.sign_in(self.admin)
        record = SimpleUploadedFile("record.json", b"{}", content_type="application/json")
        page = self.client.post(
            "/fhir/import/", {"record": record, "therapist": self.other_therapist.pk}
        )
        self.assertContains(page, "Choose one of your clinic&#x27;s therapists.", status_code=400)


class DownloadTests(BaseTestCase):
    def test_the_download_is_fhir_json_named_by_number_and_recorded_as_an_export(self) -> None:
        self.sign_in(self.therapist_a)
        response = self.client.get(f"/fhir/clients/{self.client_a.pk}/record.json")
        self.assertEqual(response["Content-Type"], "application/fhir+json; fhirVersion=4.0")
        self.assertEqual(
            response["Content-Disposition"],
            f'attachment; filename="bridgework-client-{self.client_a.pk}-identified.fhir.json"',
        )
        self.assertEqual(json.loads(response.content)["resourceType"], "Bundle")
        self.assertTrue(
            AccessEvent.objects.filter(
                action="export", object_type="fhir-record", client_id=self.client_a.pk
            ).exists()
        )
