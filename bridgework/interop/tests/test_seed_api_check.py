from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase

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

    def test_it_refuses_a_database_that_holds_clinics(self) -> None:
        call_command("seed_api_check", stdout=StringIO())
        with self.assertRaises(CommandError):
            call_command("seed_api_check", stdout=StringIO())
