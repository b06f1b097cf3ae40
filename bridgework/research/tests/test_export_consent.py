"""Who is in an export: clients of the study's clinics with an open research consent, never a
role-play client; a withdrawal takes the client out of every table and into `withdrawn`.
And the requests an export refuses, with a message that says what to do."""

from __future__ import annotations

from bridgework.care.models import Client
from bridgework.research.export.package import ExportRefused, consented_clients
from bridgework.research.export.tables import TABLES
from bridgework.research.tests.helpers import (
    ExportTestCase,
    consent,
    export,
    files_in,
    load,
    study_pseudonym,
)
from bridgework.test import make_clinic


class ConsentTests(ExportTestCase):
    def client_ids_in_every_table(self, fmt: str = "parquet") -> dict[str, set[str]]:
        out, _result = export(self.study, fmt)
        return {name: set(load(out, name)["client_id"].dropna()) for name in TABLES}

    def pseudonym(self, client: Client) -> str:
        return study_pseudonym(self.study, "client", client.pk)

    def test_only_clients_with_an_open_research_consent_are_in_it(self) -> None:
        expected = {self.pseudonym(self.client_a), self.pseudonym(self.client_b)}
        for name, found in self.client_ids_in_every_table().items():
            with self.subTest(table=name):
                self.assertEqual(found, expected)

    def test_consented_clients_are_the_study_clinics_real_consenting_clients(self) -> None:
        self.assertEqual(
            list(consented_clients(self.study)),
            sorted([self.client_a, self.client_b], key=lambda c: c.pk),
        )

    def test_a_withdrawn_client_is_in_no_table_and_listed_as_withdrawn(self) -> None:
        consent(self.client_a, given=False)
        out, result = export(self.study, "csv")
        a = self.pseudonym(self.client_a)
        # Client C withdrew before the study was set up: never in it, so not "withdrawn".
        self.assertEqual(result.withdrawn, [a])
        self.assertEqual(result.clients_included, 1)
        for name in TABLES:
            with self.subTest(table=name):
                self.assertNotIn(a, set(load(out, name)["client_id"]))

    def test_a_client_who_consents_again_is_back_and_no_longer_withdrawn(self) -> None:
        consent(self.client_c)
        consent(self.client_a, given=False)
        consent(self.client_a)
        out, result = export(self.study)
        self.assertEqual(result.withdrawn, [])
        self.assertIn(self.pseudonym(self.client_c), set(load(out, "practice_logs")["client_id"]))

    def test_a_role_play_client_is_never_in_it_though_consenting(self) -> None:
        trainee = self.pseudonym(self.trainee_client)
        for name, found in self.client_ids_in_every_table("csv").items():
            with self.subTest(table=name):
                self.assertNotIn(trainee, found)

    def test_the_clients_of_clinics_outside_the_study_are_not_in_it(self) -> None:
        other = self.pseudonym(self.other_client)
        self.assertNotIn(other, self.client_ids_in_every_table()["clients"])

    def test_a_study_of_several_clinics_takes_the_consenting_clients_of_each(self) -> None:
        self.study.clinics.add(self.other_clinic)
        self.assertIn(
            self.pseudonym(self.other_client), self.client_ids_in_every_table()["clients"]
        )


class RefusalTests(ExportTestCase):
    def test_it_refuses_a_study_whose_clients_have_not_consented(self) -> None:
        empty = self.make_study(clinic=make_clinic("Quiet Clinic"))
        empty.clinics.set([empty.clinic])
        with self.assertRaisesRegex(
            ExportRefused, "No client of this study has an open research consent"
        ):
            export(empty)

    def test_it_refuses_a_table_the_study_does_not_include(self) -> None:
        self.study.tables = ["clients", "sessions"]
        with self.assertRaisesRegex(ExportRefused, "does not include plans"):
            export(self.study, tables=["sessions", "plans"])

    def test_it_refuses_a_table_that_does_not_exist(self) -> None:
        with self.assertRaisesRegex(ExportRefused, "no table called diaries"):
            export(self.study, tables=["diaries"])

    def test_it_refuses_an_unknown_format(self) -> None:
        with self.assertRaisesRegex(ExportRefused, "Unknown format “xlsx”: choose csv or parquet"):
            export(self.study, "xlsx")

    def test_it_refuses_a_study_without_tables(self) -> None:
        self.study.tables = []
        with self.assertRaisesRegex(ExportRefused, "includes no tables"):
            export(self.study)

    def test_it_writes_the_study_tables_only_and_a_chosen_few_when_asked(self) -> None:
        self.study.tables = ["clients", "sessions", "plans"]
        out, result = export(self.study, "csv")
        self.assertEqual(
            files_in(out),
            ["clients.csv", "datapackage.json", "plans.csv", "sessions.csv", "withdrawn.csv"],
        )
        out, result = export(self.study, "csv", tables=["sessions"])
        self.assertEqual(files_in(out), ["datapackage.json", "sessions.csv", "withdrawn.csv"])
        self.assertEqual(result.rows, {"sessions": 6})
