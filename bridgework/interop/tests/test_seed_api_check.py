from __future__ import annotations

import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase

from bridgework.accounts.models import User
from bridgework.interop.tests.helpers import call


class SeedApiCheckTests(TestCase):
    def test_it_seeds_an_empty_database_and_prints_a_working_token(self) -> None:
        out = StringIO()
        call_command("seed_api_check", stdout=out)
        secret = out.getvalue().strip()
        # (The ids are 1 in the fresh database CI seeds, which scripts/api-check.toml names.)
        caseload = call(self.client, "get", "/api/v1/clients", secret).json()["items"]
        self.assertEqual(len(caseload), 1)
        logs = call(
            self.client, "get", f"/api/v1/clients/{caseload[0]['id']}/practice-logs", secret
        )
        self.assertEqual(len(logs.json()["items"]), 1)
        flags = call(self.client, "get", f"/api/v1/clients/{caseload[0]['id']}/flags", secret)
        self.assertEqual(len(flags.json()["items"]), 1)

    def test_the_admins_token_it_writes_imports_a_record(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "admin-secret"
            call_command("seed_api_check", admin_secret_file=path, stdout=StringIO())
            secret = path.read_text()
            self.assertEqual(path.stat().st_mode & 0o777, 0o600)
        therapist = User.objects.get(email="therapist@example.org")
        patient = {"resourceType": "Patient", "id": "p1", "name": [{"text": "Imported"}]}
        bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": patient}]}
        response = call(
            self.client, "post", f"/api/v1/fhir/Bundle?therapist={therapist.pk}", secret, bundle
        )
        self.assertEqual(response.status_code, 201, response.content)

    def test_it_refuses_a_database_that_holds_clinics(self) -> None:
        call_command("seed_api_check", stdout=StringIO())
        with self.assertRaises(CommandError):
            call_command("seed_api_check", stdout=StringIO())
