from __future__ import annotations

from io import StringIO
from typing import Any

from django.core.management import CommandError, call_command
from django.db import connection

from bridgework.audit import trail
from bridgework.audit.models import AccessEvent, AppendOnlyError, ChainHead
from bridgework.test import BaseTestCase


def add_events(clinic_id: int, count: int, client_id: int | None = None) -> list[AccessEvent]:
    return [
        trail.record(
            actor_id=1,
            actor_role="therapist",
            action="view",
            object_type="goal",
            object_id=n,
            clinic_id=clinic_id,
            client_id=client_id,
        )
        for n in range(count)
    ]


def run_sql(sql: str, *params: Any) -> None:
    # Tampering as an attacker with database access would: below the application.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


class AuditChainTests(BaseTestCase):
    def verify(self) -> str:
        out, err = StringIO(), StringIO()
        try:
            call_command("verify_audit", stdout=out, stderr=err)
        except CommandError:
            return "broken: " + err.getvalue()
        return out.getvalue()

    def test_each_row_carries_the_hash_of_the_row_before(self) -> None:
        first, second = add_events(self.clinic.pk, 2)
        self.assertEqual(second.prev_hash, first.hash)
        self.assertEqual(second.seq, first.seq + 1)
        self.assertEqual(ChainHead.objects.get(chain=first.chain).hash, second.hash)

    def test_clinics_have_separate_chains(self) -> None:
        ours = add_events(self.clinic.pk, 1)[0]
        theirs = add_events(self.other_clinic.pk, 1)[0]
        self.assertNotEqual(ours.chain, theirs.chain)

    def test_each_client_has_a_chain_of_their_own(self) -> None:
        a = add_events(self.clinic.pk, 2, client_id=self.client_a.pk)
        b = add_events(self.clinic.pk, 1, client_id=self.client_b.pk)
        self.assertEqual({event.chain for event in a}, {f"client:{self.client_a.pk}"})
        self.assertEqual(b[0].chain, f"client:{self.client_b.pk}")
        self.assertEqual(a[1].prev_hash, a[0].hash)

    def test_a_requests_door_events_are_written_together_when_the_response_is_ready(self) -> None:
        self.sign_in(self.therapist_a)
        before = AccessEvent.objects.count()
        response = self.client.get(f"/clients/{self.client_a.pk}/")
        events = AccessEvent.objects.filter(request_id=response["X-Request-ID"])
        self.assertGreaterEqual(events.count(), 3)  # the client, their plans, their practice…
        self.assertEqual(AccessEvent.objects.count() - before, events.count())
        self.assertIn("The audit trail is intact", self.verify())

    def test_an_intact_trail_verifies(self) -> None:
        add_events(self.clinic.pk, 5)
        self.assertIn("The audit trail is intact", self.verify())

    def test_it_finds_an_edited_row(self) -> None:
        events = add_events(self.clinic.pk, 5)
        run_sql("UPDATE audit_accessevent SET allowed = %s WHERE id = %s", False, events[2].pk)
        report = self.verify()
        self.assertIn(f"row #{events[2].seq}: its contents no longer match its hash", report)

    def test_it_finds_a_deleted_row(self) -> None:
        events = add_events(self.clinic.pk, 5)
        run_sql("DELETE FROM audit_accessevent WHERE id = %s", events[1].pk)
        self.assertIn(f"row #{events[1].seq}: missing (deleted)", self.verify())

    def test_it_finds_a_cut_off_tail(self) -> None:
        events = add_events(self.clinic.pk, 5)
        run_sql("DELETE FROM audit_accessevent WHERE id = %s", events[-1].pk)
        self.assertIn("the chain's head says it ends at", self.verify())

    def test_it_finds_a_rewritten_row_whose_hash_was_recomputed(self) -> None:
        # An attacker who recomputes the edited row's hash still breaks the next row's link.
        events = add_events(self.clinic.pk, 3)
        forged = AccessEvent.objects.get(pk=events[1].pk)
        forged.allowed = False
        run_sql(
            "UPDATE audit_accessevent SET allowed = %s, hash = %s WHERE id = %s",
            False,
            forged.compute_hash(),
            forged.pk,
        )
        self.assertIn(f"row #{events[2].seq}: does not follow the row before it", self.verify())

    def test_the_application_cannot_change_or_delete_rows(self) -> None:
        event = add_events(self.clinic.pk, 1)[0]
        with self.assertRaises(AppendOnlyError):
            event.save()
        with self.assertRaises(AppendOnlyError):
            event.delete()
        with self.assertRaises(AppendOnlyError):
            AccessEvent.objects.filter(pk=event.pk).update(allowed=False)
        with self.assertRaises(AppendOnlyError):
            AccessEvent.objects.all().delete()


class AuditRowContentsTests(BaseTestCase):
    def test_an_audit_row_holds_ids_roles_and_kinds_never_free_text(self) -> None:
        # The clinic admin's trail page and its CSV show these fields: a new field that could
        # carry a name, a note or an answer must be thought about before it joins them.
        fields = {field.name for field in AccessEvent._meta.get_fields()}
        self.assertEqual(
            fields,
            {
                "id",
                "chain",
                "seq",
                "at",
                "actor_id",
                "actor_role",
                "action",
                "object_type",
                "object_id",
                "clinic_id",
                "client_id",
                "request_id",
                "allowed",
                "prev_hash",
                "hash",
            },
        )
