"""withdrawn.csv: in every package, the study pseudonyms of the clients out because they
withdrew since the study was set up, with the day (shifted like every other date)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import frictionless

from bridgework.care.models import Client, Consent
from bridgework.research import actions
from bridgework.research.export.dates import Shifts
from bridgework.research.export.pseudonyms import Pseudonyms
from bridgework.research.tests.helpers import (
    ExportTestCase,
    consent,
    descriptor_of,
    export,
    files_in,
    load,
    study_pseudonym,
)


class WithdrawnTableTests(ExportTestCase):
    def withdrawn_on(self, client: Client, *, shifted: bool = True) -> date:
        at = Consent.objects.filter(client=client, purpose=Consent.Purpose.RESEARCH).latest(
            "withdrawn_at"
        )
        assert at.withdrawn_at is not None
        day = at.withdrawn_at.astimezone(ZoneInfo(client.clinic.time_zone)).date()
        shifts = Shifts(Pseudonyms(self.study.pseudonym_key), enabled=shifted)
        moved = shifts.apply(client.pk, day)
        assert moved is not None
        return moved

    def listed(self, fmt: str = "csv", **options: object) -> list[tuple[str, date]]:
        out, _result = export(self.study, fmt, **options)
        frame = load(out, "withdrawn")
        days = [date.fromisoformat(str(day)[:10]) for day in frame["withdrawn_on"]]
        return list(zip(frame["client_id"], days, strict=True))

    def test_a_client_who_withdrew_after_the_study_was_set_up_is_listed_with_the_day(
        self,
    ) -> None:
        consent(self.client_a, given=False)
        a = study_pseudonym(self.study, "client", self.client_a.pk)
        for fmt in ("csv", "parquet"):
            with self.subTest(fmt=fmt):
                self.assertEqual(self.listed(fmt), [(a, self.withdrawn_on(self.client_a))])

    def test_a_client_who_withdrew_before_the_study_was_created_is_not_in_withdrawn_csv(
        self,
    ) -> None:
        # Client C consented and withdrew before the study was set up (ExportTestCase).
        c = study_pseudonym(self.study, "client", self.client_c.pk)
        self.assertNotIn(c, [client for client, _day in self.listed()])
        self.assertEqual(self.listed(), [])

    def test_a_client_who_consented_again_is_not_listed(self) -> None:
        consent(self.client_a, given=False)
        consent(self.client_a)
        self.assertEqual(self.listed(), [])

    def test_without_date_shifts_the_day_is_the_day_it_was(self) -> None:
        self.study.shift_dates = False
        self.study.save()
        consent(self.client_a, given=False)
        day = self.withdrawn_on(self.client_a, shifted=False)
        self.assertEqual([d for _c, d in self.listed()], [day])

    def test_role_play_and_other_clinics_clients_are_never_listed(self) -> None:
        consent(self.trainee_client, given=False)
        consent(self.other_client, given=False)
        self.assertEqual(self.listed(), [])

    def test_every_package_holds_it_whatever_tables_were_chosen(self) -> None:
        out, _result = export(self.study, "parquet", tables=["sessions"])
        self.assertEqual(
            files_in(out), ["datapackage.json", "sessions.parquet", "withdrawn.parquet"]
        )
        names = [r["name"] for r in descriptor_of(out)["resources"]]
        self.assertEqual(names, ["sessions", "withdrawn"])

    def test_the_package_with_a_withdrawal_listed_validates_with_frictionless(self) -> None:
        consent(self.client_a, given=False)
        out, _result = export(self.study, "csv")
        report = frictionless.validate(out / "datapackage.json")
        self.assertTrue(report.valid, report.flatten(["title", "message"])[:5])
        self.assertEqual(len(load(out, "withdrawn")), 1)

    def test_the_codebook_page_describes_it(self) -> None:
        actions.grant_access(self.study, self.researcher, by=self.admin)
        self.sign_in(self.researcher)
        page = self.client.get(f"/research/studies/{self.study.pk}/codebook/")
        self.assertContains(page, "withdrawn_on")
        self.assertContains(page, "Clients who withdrew")
