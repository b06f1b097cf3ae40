from __future__ import annotations

import hashlib
import json
from datetime import datetime
from decimal import Decimal
from io import StringIO
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.core.management import CommandError, call_command
from django.db import connection

from bridgework.audit import reading, trail
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


def verify_report() -> str:
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
    except CommandError:
        return "broken: " + err.getvalue()
    return out.getvalue()


class AuditChainTests(BaseTestCase):
    def verify(self) -> str:
        return verify_report()

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


class ChangesInTheChainTests(BaseTestCase):
    """What a change changed is covered by the row's hash; rows from before it was recorded
    still verify."""

    def verify(self) -> str:
        return verify_report()

    def change(self, **changes: Any) -> AccessEvent:
        return trail.record(
            actor_id=self.admin.pk,
            actor_role="staff",
            action="change",
            object_type="clinic",
            object_id=self.clinic.pk,
            clinic_id=self.clinic.pk,
            changes=changes,
        )

    def test_a_row_without_changes_hashes_exactly_as_rows_did_before_they_were_recorded(
        self,
    ) -> None:
        event = add_events(self.clinic.pk, 1)[0]
        stored = AccessEvent.objects.get(pk=event.pk)
        old_style = json.dumps(
            [
                stored.chain,
                stored.seq,
                stored.at.isoformat(),
                stored.actor_id,
                stored.actor_role,
                stored.action,
                stored.object_type,
                stored.object_id,
                stored.clinic_id,
                stored.client_id,
                stored.request_id,
                stored.allowed,
                stored.prev_hash,
            ],
            separators=(",", ":"),
        )
        self.assertEqual(stored.changes, {})
        self.assertEqual(stored.hash, hashlib.sha256(old_style.encode()).hexdigest())

    def test_old_rows_and_rows_with_changes_verify_together(self) -> None:
        add_events(self.clinic.pk, 2)
        self.change(values={"silence_days": [5, 7]}, named=["name"])
        add_events(self.clinic.pk, 1)
        chain = AccessEvent.objects.filter(chain=f"clinic:{self.clinic.pk}").order_by("-seq")
        self.assertEqual([bool(e.changes) for e in chain[:4]], [False, True, False, False])
        self.assertIn("The audit trail is intact", self.verify())

    def test_editing_the_changes_breaks_the_chain(self) -> None:
        event = self.change(values={"staff_mfa_required": [True, False]})
        forged = {"values": {"staff_mfa_required": [True, True]}}
        field = AccessEvent._meta.get_field("changes")
        run_sql(
            "UPDATE audit_accessevent SET changes = %s WHERE id = %s",
            field.get_db_prep_save(forged, connection),
            event.pk,
        )
        self.assertIn(f"row #{event.seq}: its contents no longer match its hash", self.verify())

    def test_wiping_the_changes_breaks_the_chain(self) -> None:
        event = self.change(named=["crisis_resources"])
        field = AccessEvent._meta.get_field("changes")
        run_sql(
            "UPDATE audit_accessevent SET changes = %s WHERE id = %s",
            field.get_db_prep_save({}, connection),
            event.pk,
        )
        self.assertIn(f"row #{event.seq}: its contents no longer match its hash", self.verify())

    def test_changes_come_back_from_the_database_as_they_were_hashed(self) -> None:
        moment = datetime(2026, 3, 29, 0, 30, tzinfo=ZoneInfo("Europe/Berlin"))
        detail = {"at": moment, "amount": Decimal("1.50"), "uid": UUID(int=7), "ids": (3, 1)}
        event = trail.noted(
            None, "change", "clinic", self.clinic.pk, clinic_id=self.clinic.pk, detail=detail
        )
        stored = AccessEvent.objects.get(pk=event.pk)
        self.assertEqual(
            stored.changes,
            {
                "detail": {
                    "at": "2026-03-28T23:30:00+00:00",
                    "amount": "1.50",
                    "uid": "00000000-0000-0000-0000-000000000007",
                    "ids": [3, 1],
                }
            },
        )
        self.assertEqual(stored.compute_hash(), stored.hash)
        self.assertIn("The audit trail is intact", self.verify())

    def test_empty_parts_are_left_out(self) -> None:
        event = self.change(values={}, named=[], detail={"revoked": 0})
        self.assertEqual(AccessEvent.objects.get(pk=event.pk).changes, {"detail": {"revoked": 0}})


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
                "via",  # how the request came: "token:<id>" for the REST API, else empty
                "allowed",
                "changes",  # structured values and field names only (audit.trail.changed)
                "prev_hash",
                "hash",
            },
        )

    def test_changes_read_as_one_line_each_for_people(self) -> None:
        changes = {
            "values": {"status": ["draft", "agreed"], "agreed_at": [None, "2026-11-10T09:00"]},
            "named": ["title", "rationale"],
            "detail": {"decision": "continue", "goals": [3, 5], "rehearsed": True},
        }
        self.assertEqual(
            reading.described(changes),
            [
                "status: draft → agreed",
                "agreed_at: — → 2026-11-10T09:00",
                "changed (kept in the record only): title, rationale",
                "decision: continue",
                "goals: [3, 5]",
                "rehearsed: true",
            ],
        )
        self.assertEqual(reading.described({}), [])
