"""A withdrawal reaches exports already made: a ready export holding the client is expired at
once and its file deleted; an export being made when the withdrawal comes is made again
without them; a download of a withdrawn export answers 410 and says why, naming nobody."""

from __future__ import annotations

import zipfile

from bridgework.audit.models import AccessEvent
from bridgework.care import actions as care
from bridgework.care.models import Consent
from bridgework.prompts.worker import Worker
from bridgework.research import actions, jobs
from bridgework.research.models import Export
from bridgework.research.tests.helpers import study_pseudonym
from bridgework.research.tests.study_setup import StudyCase, consent
from bridgework.test import user_of


class WithdrawalTests(StudyCase):
    def setUp(self) -> None:
        super().setUp()
        self.study = self.make_study()
        consent(self.client_a)
        consent(self.client_b)

    def make(self, fmt: str = "csv") -> Export:
        export = actions.request_export(self.study, fmt, by=self.researcher)
        Worker(name="worker-1").step()
        export.refresh_from_db()
        self.assertEqual(export.state, Export.State.READY, export.detail)
        return export

    def withdraw(self, purpose: str = Consent.Purpose.RESEARCH) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            care.set_consent(self.client_a, purpose, False, by=user_of(self.client_a))

    def test_a_ready_export_records_the_clients_it_holds(self) -> None:
        export = self.make()
        self.assertEqual(
            set(export.included_clients.values_list("pk", flat=True)),
            {self.client_a.pk, self.client_b.pk},
        )

    def test_a_withdrawal_expires_the_ready_export_and_its_file_is_gone(self) -> None:
        export = self.make()
        path = self.export_dir / export.file_name
        self.assertTrue(path.is_file())
        self.withdraw()
        export.refresh_from_db()
        self.assertEqual(
            (export.state, export.expired_because, export.file_name),
            (Export.State.EXPIRED, Export.ExpiredBecause.WITHDRAWAL, ""),
        )
        self.assertFalse(path.exists())
        event = AccessEvent.objects.filter(object_type="study-export", action="change").last()
        assert event is not None
        self.assertEqual(event.changes["values"]["state"], ["ready", "expired"])
        self.assertEqual(event.changes["detail"], {"because": "withdrawal"})

    def test_a_download_after_the_withdrawal_answers_410_and_says_why(self) -> None:
        export = self.make()
        self.withdraw()
        self.sign_in(self.researcher)
        gone = self.client.get(f"/research/exports/{export.pk}/download/")
        self.assertContains(
            gone, "a participant in it withdrew their consent to research", status_code=410
        )
        self.assertContains(gone, "ask for a new export", status_code=410)
        self.assertNotContains(gone, self.client_a.full_name, status_code=410)

    def test_the_study_page_shows_the_withdrawn_export_with_its_reason(self) -> None:
        self.make()
        self.withdraw()
        self.sign_in(self.researcher)
        page = self.client.get(f"/research/studies/{self.study.pk}/")
        self.assertContains(page, "Withdrawn: a participant withdrew their research consent")
        self.assertContains(
            page, '<span class="badge" data-export-state>Withdrawn</span>', html=True
        )
        self.assertNotContains(page, "/download/")

    def test_an_export_made_after_the_withdrawal_leaves_the_client_out(self) -> None:
        self.make()
        self.withdraw()
        later = self.make()
        self.assertEqual(list(later.included_clients.all()), [self.client_b])
        self.assertEqual(later.clients_included, 1)
        a = study_pseudonym(self.study, "client", self.client_a.pk)
        self.assertEqual(later.withdrawn, [a])
        with zipfile.ZipFile(self.export_dir / later.file_name) as archive:
            clients = archive.read("clients.csv").decode()
            withdrawn = archive.read("withdrawn.csv").decode().splitlines()
        self.assertNotIn(a, clients)
        self.assertEqual(len(withdrawn), 2)
        self.assertTrue(withdrawn[1].startswith(f"{a},"))

    def test_another_consent_withdrawn_keeps_the_export(self) -> None:
        care.set_consent(
            self.client_a, Consent.Purpose.REMINDERS_EMAIL, True, by=user_of(self.client_a)
        )
        export = self.make()
        self.withdraw(Consent.Purpose.REMINDERS_EMAIL)
        export.refresh_from_db()
        self.assertEqual(export.state, Export.State.READY)
        self.assertTrue((self.export_dir / export.file_name).is_file())

    def test_an_export_that_does_not_hold_the_client_is_kept(self) -> None:
        consent(self.client_a, False)
        export = self.make()
        consent(self.client_a)
        self.withdraw()
        export.refresh_from_db()
        self.assertEqual(export.state, Export.State.READY)

    def test_a_withdrawal_while_the_export_is_made_sends_it_back_to_be_made_again(
        self,
    ) -> None:
        actions.request_export(self.study, "csv", by=self.researcher)
        claimed = jobs.claim_export("worker-1")
        assert claimed is not None
        result, name, size = jobs.make_file(claimed, "worker-1", jobs.EXPORT_LEASE)
        self.withdraw()  # after the package was read, before it is ready
        self.assertFalse(jobs.finish(claimed, "worker-1", result, name, size))
        claimed.refresh_from_db()
        self.assertEqual((claimed.state, claimed.claimed_by), (Export.State.WAITING, ""))
        self.assertFalse(claimed.included_clients.exists())
        Worker(name="worker-2").step()
        claimed.refresh_from_db()
        self.assertEqual(claimed.state, Export.State.READY, claimed.detail)
        self.assertEqual(list(claimed.included_clients.all()), [self.client_b])
        with zipfile.ZipFile(self.export_dir / claimed.file_name) as archive:
            clients = archive.read("clients.csv").decode().splitlines()
        self.assertEqual(len(clients), 2)  # the header and client B
