"""`manage.py fhir_export` and `fhir_import`: the same record, by the same doors and actions."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError

from bridgework.audit.models import AccessEvent
from bridgework.care.models import Client
from bridgework.interop.tests.fhir_records import history
from bridgework.test import BaseTestCase


class CommandTests(BaseTestCase):
    def test_a_record_exported_by_command_is_imported_by_command_once(self) -> None:
        history(self.client_a, self.therapist_a, weeks=2)
        out = Path(self.enterContext(tempfile.TemporaryDirectory())) / "record.json"
        call_command(
            "fhir_export",
            client=self.client_a.pk,
            email="therapist_a@example.org",
            out=out,
            stdout=io.StringIO(),
        )
        self.assertTrue(
            AccessEvent.objects.filter(
                action="export", object_type="fhir-record", actor_id=self.therapist_a.pk
            ).exists()
        )
        said = io.StringIO()
        for _time in range(2):
            said = io.StringIO()
            call_command(
                "fhir_import",
                str(out),
                email="other_admin@example.org",
                therapist="other_therapist@example.org",
                stdout=said,
            )
        self.assertIn(": 0 created, 0 changed,", said.getvalue())
        self.assertEqual(Client.objects.filter(clinic=self.other_clinic).count(), 2)

    def test_an_export_by_someone_who_may_not_read_the_client_is_refused(self) -> None:
        out = Path(self.enterContext(tempfile.TemporaryDirectory())) / "record.json"
        with self.assertRaisesMessage(CommandError, "may not read client"):
            call_command(
                "fhir_export", client=self.client_a.pk, email="therapist_b@example.org", out=out
            )
        self.assertFalse(out.exists())

    def test_an_import_by_someone_who_is_no_clinic_admin_is_refused(self) -> None:
        with self.assertRaisesMessage(CommandError, "is no clinic admin"):
            call_command(
                "fhir_import",
                "/nonexistent.json",
                email="therapist_a@example.org",
                therapist="therapist_a@example.org",
            )
