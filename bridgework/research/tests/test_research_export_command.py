from __future__ import annotations

import getpass
import io
import json
import tempfile
from pathlib import Path

import pyarrow.parquet as pq
from django.core.management import CommandError, call_command

from bridgework.accounts.models import User
from bridgework.audit.models import AccessEvent
from bridgework.research import actions
from bridgework.research.tests.study_setup import TABLES, StudyCase, consent


class ResearchExportCommandTests(StudyCase):
    def setUp(self) -> None:
        super().setUp()
        self.study = self.make_study()
        consent(self.client_a)
        self.out = Path(self.enterContext(tempfile.TemporaryDirectory())) / "export"

    def export(self, *args: str, by: str | None = None) -> str:
        output = io.StringIO()
        named = ["--by", by or self.researcher.email]
        call_command("research_export", *args, *named, stdout=output)
        return output.getvalue()

    def test_it_writes_the_datapackage_and_one_file_per_table(self) -> None:
        said = self.export("--study", str(self.study.pk), "--format", "csv", "--out", str(self.out))
        self.assertEqual(
            sorted(path.name for path in self.out.iterdir()),
            sorted(["datapackage.json", *(f"{name}.csv" for name in [*TABLES, "withdrawn"])]),
        )
        package = json.loads((self.out / "datapackage.json").read_text())
        names = [resource["name"] for resource in package["resources"]]
        self.assertEqual(names, [*TABLES, "withdrawn"])
        self.assertIn("1 clients", said)

    def test_parquet_files_load_with_one_row_per_consented_client(self) -> None:
        self.export("--study", str(self.study.pk), "--format", "parquet", "--out", str(self.out))
        clients = pq.read_table(self.out / "clients.parquet")
        self.assertEqual(clients.num_rows, 1)

    def test_it_is_audited_as_an_export_naming_the_researcher_and_the_os_user(self) -> None:
        consent(self.client_b)
        consent(self.client_b, False)
        said = self.export("--study", str(self.study.pk), "--format", "csv", "--out", str(self.out))
        self.assertIn("1 clients withdrew consent and are left out.", said)
        event = AccessEvent.objects.get(action="export", object_type="study")
        self.assertEqual((event.actor_id, event.actor_role), (self.researcher.pk, "staff"))
        self.assertEqual(event.clinic_id, self.clinic.pk)
        detail = event.changes["detail"]
        self.assertEqual((detail["command"], detail["format"]), ("research_export", "csv"))
        self.assertEqual(detail["os_user"], getpass.getuser())
        self.assertEqual((detail["clients"], detail["withdrawn"]), (1, 1))

    def test_it_refuses_to_run_without_by(self) -> None:
        args = ["--study", str(self.study.pk), "--format", "csv", "--out", str(self.out)]
        with self.assertRaisesMessage(CommandError, "the following arguments are required: --by"):
            call_command("research_export", *args, stdout=io.StringIO())
        self.assertFalse(self.out.exists())

    def test_it_refuses_anyone_but_a_researcher_holding_access(self) -> None:
        args = ["--study", str(self.study.pk), "--format", "csv", "--out", str(self.out)]
        for email in (self.admin.email, self.therapist_a.email, "nobody@example.org"):
            with (
                self.subTest(email=email),
                self.assertRaisesMessage(CommandError, "is not a researcher with access to"),
            ):
                self.export(*args, by=email)
        actions.revoke_access(self.study, self.researcher, by=self.admin)
        with self.assertRaisesMessage(CommandError, "Name yourself with --by"):
            self.export(*args)
        self.assertFalse(self.out.exists())
        self.assertFalse(AccessEvent.objects.filter(action="export").exists())

    def test_its_refusals_are_in_the_researchers_language(self) -> None:
        User.objects.filter(pk=self.researcher.pk).update(language="de")
        args = ["--study", str(self.study.pk), "--format", "csv", "--out", str(self.out)]
        with self.assertRaisesMessage(CommandError, "Die Studie umfasst plans nicht."):
            self.export(*args, "--tables", "plans")

    def test_it_refuses_a_directory_that_holds_files_already(self) -> None:
        self.out.mkdir()
        (self.out / "clients.csv").write_text("an earlier export\n")
        with self.assertRaisesMessage(CommandError, "is not empty: name a new or empty"):
            self.export("--study", str(self.study.pk), "--format", "csv", "--out", str(self.out))
        self.assertEqual([path.name for path in self.out.iterdir()], ["clients.csv"])

    def test_it_writes_only_the_tables_asked_for_and_refuses_one_the_study_lacks(self) -> None:
        args = ["--study", str(self.study.pk), "--format", "csv", "--out", str(self.out)]
        self.export(*args, "--tables", "clients, sessions")
        self.assertEqual(
            sorted(path.name for path in self.out.iterdir()),
            ["clients.csv", "datapackage.json", "sessions.csv", "withdrawn.csv"],
        )
        self.study.tables = ["clients"]
        self.study.save()
        with self.assertRaises(CommandError) as refused:
            self.export(*args[:-1], str(self.out.parent / "again"), "--tables", "sessions")
        self.assertIn("sessions", str(refused.exception))

    def test_it_names_what_is_wrong(self) -> None:
        cases = {
            "No study with id 999999.": ["--study", "999999", "--format", "csv"],
            "Unknown format “xlsx”": ["--study", str(self.study.pk), "--format", "xlsx"],
        }
        for message, args in cases.items():
            with self.subTest(message=message), self.assertRaisesMessage(CommandError, message):
                self.export(*args, "--out", str(self.out))
        self.assertFalse(AccessEvent.objects.filter(action="export").exists())

    def test_a_study_with_no_consented_clients_is_refused(self) -> None:
        consent(self.client_a, False)
        with self.assertRaisesMessage(CommandError, "No client of this study has an open"):
            self.export("--study", str(self.study.pk), "--format", "csv", "--out", str(self.out))
