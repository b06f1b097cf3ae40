from __future__ import annotations

import io
import zipfile
from datetime import timedelta

from django.test import override_settings
from django.utils import timezone

from bridgework.accounts.models import User
from bridgework.audit.models import AccessEvent
from bridgework.prompts.worker import Worker
from bridgework.research import actions, jobs
from bridgework.research.models import Export, Study
from bridgework.research.tests.study_setup import TABLES, StudyCase, consent


class RequestingAnExportTests(StudyCase):
    def setUp(self) -> None:
        super().setUp()
        self.study = self.make_study()
        consent(self.client_a)

    def test_a_researcher_asks_for_an_export_and_it_waits_for_the_worker(self) -> None:
        self.sign_in(self.researcher)
        response = self.client.post(
            f"/research/studies/{self.study.pk}/exports/", {"format": "csv"}
        )
        self.assertRedirects(response, f"/research/studies/{self.study.pk}/")
        export = Export.objects.get()
        self.assertEqual(
            (export.state, export.format, export.tables, export.requested_by),
            (Export.State.WAITING, "csv", TABLES, self.researcher),
        )
        created = AccessEvent.objects.get(object_type="study-export", action="create")
        self.assertEqual(created.actor_id, self.researcher.pk)
        page = self.client.get(f"/research/studies/{self.study.pk}/")
        self.assertContains(page, "Waiting for the worker to start it.")
        self.assertContains(page, f'data-export-status="/research/exports/{export.pk}/status/"')

    def test_a_study_with_no_consented_clients_is_refused_with_the_message(self) -> None:
        consent(self.client_a, False)
        self.sign_in(self.researcher)
        response = self.client.post(
            f"/research/studies/{self.study.pk}/exports/", {"format": "parquet"}, follow=True
        )
        self.assertContains(response, "No client of this study has an open research consent")
        self.assertFalse(Export.objects.exists())

    def test_a_study_whose_period_has_not_begun_is_refused(self) -> None:
        later = timezone.localdate() + timedelta(days=10)
        Study.objects.filter(pk=self.study.pk).update(starts_on=later, ends_on=later)
        self.study.refresh_from_db()
        with self.assertRaisesMessage(actions.StudyRefused, "there is nothing to export yet"):
            actions.request_export(self.study, "csv", by=self.researcher)

    def test_an_unknown_format_is_refused(self) -> None:
        self.sign_in(self.researcher)
        response = self.client.post(
            f"/research/studies/{self.study.pk}/exports/", {"format": "xlsx"}, follow=True
        )
        self.assertContains(response, "Choose CSV or Parquet")
        self.assertFalse(Export.objects.exists())

    def test_a_second_request_while_one_is_being_made_is_refused(self) -> None:
        actions.request_export(self.study, "csv", by=self.researcher)
        with self.assertRaisesMessage(actions.StudyRefused, "An export of this study is being"):
            actions.request_export(self.study, "parquet", by=self.researcher)


class MakingAnExportTests(StudyCase):
    def setUp(self) -> None:
        super().setUp()
        self.study = self.make_study()
        consent(self.client_a)

    def make(self, fmt: str = "csv") -> Export:
        export = actions.request_export(self.study, fmt, by=self.researcher)
        claimed = Worker(name="worker-1").step()
        self.assertGreaterEqual(claimed, 1)
        export.refresh_from_db()
        return export

    def test_the_worker_makes_a_zip_of_the_package_with_every_table(self) -> None:
        export = self.make()
        self.assertEqual(export.state, Export.State.READY, export.detail)
        self.assertEqual(export.tables_done, len(TABLES))
        self.assertGreaterEqual(export.rows_written, 1)  # client A's row at least
        self.assertEqual(export.clients_included, 1)
        self.assertEqual(export.lease_until, None)
        path = self.export_dir / export.file_name
        self.assertEqual(export.file_size, path.stat().st_size)
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
        files = sorted(f"{t}.csv" for t in [*TABLES, "withdrawn"])
        self.assertEqual(names, ["datapackage.json", *files])
        self.assertEqual(list(self.export_dir.iterdir()), [path])  # no work left behind
        assert export.expires_at is not None and export.finished_at is not None
        self.assertEqual(export.expires_at - export.finished_at, timedelta(days=14))

    def test_a_parquet_export_holds_parquet_files(self) -> None:
        export = self.make("parquet")
        with zipfile.ZipFile(self.export_dir / export.file_name) as archive:
            self.assertIn("clients.parquet", archive.namelist())

    def test_the_download_goes_through_the_door_is_audited_and_not_kept(self) -> None:
        export = self.make()
        self.sign_in(self.researcher)
        last = AccessEvent.objects.order_by("-id").values_list("id", flat=True).first()
        response = self.client.get(f"/research/exports/{export.pk}/download/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Cache-Control"], "no-store")
        self.assertIn("attachment", response["Content-Disposition"])
        self.assertIn(
            f"study-{self.study.pk}-export-{export.pk}-csv.zip", response["Content-Disposition"]
        )
        archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
        self.assertIn("datapackage.json", archive.namelist())
        event = AccessEvent.objects.get(id__gt=last, actor_id=self.researcher.pk)
        self.assertEqual(
            (event.action, event.object_type, event.allowed), ("export", "study-export", True)
        )
        self.assertEqual(event.changes["detail"], {"study": self.study.pk, "format": "csv"})

    def test_nobody_else_downloads_it(self) -> None:
        export = self.make()
        actions.revoke_access(self.study, self.researcher, by=self.admin)
        for person in (self.researcher, self.admin, self.therapist_a, self.other_admin):
            with self.subTest(person=person.full_name):
                self.sign_in(person)
                response = self.client.get(f"/research/exports/{export.pk}/download/")
                self.assertEqual(response.status_code, 404)
                self.assertTrue(
                    AccessEvent.objects.filter(actor_id=person.pk, allowed=False).exists()
                )

    def test_expiry_deletes_the_file(self) -> None:
        export = self.make()
        path = self.export_dir / export.file_name
        Export.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(jobs.expire_exports(), 1)
        export.refresh_from_db()
        self.assertEqual(
            (export.state, export.file_name, export.expired_because),
            (Export.State.EXPIRED, "", Export.ExpiredBecause.TIME),
        )
        self.assertFalse(path.exists())
        self.sign_in(self.researcher)
        gone = self.client.get(f"/research/exports/{export.pk}/download/")
        self.assertContains(gone, "deleted when its time was up", status_code=410)
        self.assertEqual(jobs.expire_exports(), 0)

    def test_exports_not_yet_due_to_expire_are_kept(self) -> None:
        export = self.make()
        Worker(name="worker-1", plan_every=0).housekeeping()
        export.refresh_from_db()
        self.assertEqual(export.state, Export.State.READY)
        self.assertTrue((self.export_dir / export.file_name).exists())

    def test_a_failed_export_shows_its_message(self) -> None:
        export = actions.request_export(self.study, "csv", by=self.researcher)
        # The admin takes a table out of the study before the worker gets to the export.
        Study.objects.filter(pk=self.study.pk).update(tables=["clients"])
        Worker(name="worker-1").step()
        export.refresh_from_db()
        self.assertEqual(export.state, Export.State.FAILED)
        self.assertIn("The study does not include", export.detail)
        self.assertEqual(list(self.export_dir.iterdir()), [])
        self.sign_in(self.researcher)
        page = self.client.get(f"/research/studies/{self.study.pk}/")
        self.assertContains(page, "The study does not include")
        self.assertContains(page, "Make an export")  # may ask again

    def test_an_error_on_the_server_is_tried_again_after_a_pause(self) -> None:
        export = actions.request_export(self.study, "csv", by=self.researcher)
        blocked = self.export_dir / "not-a-directory"
        blocked.write_text("")
        with (
            override_settings(RESEARCH_EXPORT_DIR=blocked),
            self.assertLogs("bridgework.worker", "WARNING") as logged,
        ):
            self.assertEqual(Worker(name="worker-1").step(), 1)  # and the worker goes on
            self.assertEqual(Worker(name="worker-1").step(), 0)  # not again at once
        export.refresh_from_db()
        self.assertEqual((export.state, export.attempts), (Export.State.WAITING, 1))
        assert export.next_attempt_at is not None
        self.assertGreater(export.next_attempt_at, timezone.now() + timedelta(minutes=1))
        self.assertIn("Try 1 of 3 failed because of an error on the server", export.detail)
        self.assertEqual(
            logged.output,
            [f"WARNING:bridgework.worker:export {export.pk} failed with FileExistsError"],
        )
        self.sign_in(self.researcher)
        page = self.client.get(f"/research/studies/{self.study.pk}/")
        self.assertContains(page, "Try 1 of 3 failed")

    def test_the_third_failure_marks_the_export_failed_with_a_message_to_act_on(self) -> None:
        export = actions.request_export(self.study, "csv", by=self.researcher)
        blocked = self.export_dir / "not-a-directory"
        blocked.write_text("")
        with (
            override_settings(RESEARCH_EXPORT_DIR=blocked),
            self.assertLogs("bridgework.worker", "WARNING"),
        ):
            for _try in range(3):
                Export.objects.filter(pk=export.pk).update(next_attempt_at=None)
                self.assertEqual(Worker(name="worker-1").step(), 1)
        export.refresh_from_db()
        self.assertEqual((export.state, export.attempts), (Export.State.FAILED, 3))
        self.assertIn("it failed 3 times because of an error on the server", export.detail)
        self.assertIn("Tell your clinic's admin", export.detail)
        self.assertEqual(Worker(name="worker-1").step(), 0)  # failed for good

    def test_an_export_whose_worker_died_on_every_try_fails(self) -> None:
        export = actions.request_export(self.study, "csv", by=self.researcher)
        for _try in range(3):
            claimed = jobs.claim_export("worker-1")
            assert claimed is not None
            Export.objects.filter(pk=export.pk).update(lease_until=timezone.now())
        Worker(name="worker-2").step()
        export.refresh_from_db()
        self.assertEqual((export.state, export.attempts), (Export.State.FAILED, 4))
        self.assertIn("it failed 3 times", export.detail)
        self.assertEqual(list(self.export_dir.iterdir()), [])

    def test_a_refusal_is_not_tried_again(self) -> None:
        export = actions.request_export(self.study, "csv", by=self.researcher)
        Study.objects.filter(pk=self.study.pk).update(tables=["clients"])
        Worker(name="worker-1").step()
        export.refresh_from_db()
        self.assertEqual((export.state, export.attempts), (Export.State.FAILED, 1))

    def test_a_german_researcher_reads_the_refusal_in_german(self) -> None:
        User.objects.filter(pk=self.researcher.pk).update(language="de")
        export = actions.request_export(self.study, "csv", by=self.researcher)
        Study.objects.filter(pk=self.study.pk).update(tables=["clients"])
        Worker(name="worker-1").step()
        export.refresh_from_db()
        self.assertEqual(export.state, Export.State.FAILED)
        self.assertIn("Die Studie umfasst sessions, practice_logs nicht.", export.detail)

    def test_a_withdrawn_client_appears_in_the_export_log(self) -> None:
        consent(self.client_b)
        consent(self.client_b, False)
        export = self.make()
        self.assertEqual(export.clients_included, 1)
        self.assertEqual(len(export.withdrawn), 1)
        self.sign_in(self.researcher)
        page = self.client.get(f"/research/studies/{self.study.pk}/")
        self.assertContains(page, "1 client with an open research consent is included.")
        self.assertContains(page, "1 client withdrew consent and is left out.")

    def test_the_status_says_how_far_the_export_is(self) -> None:
        export = actions.request_export(self.study, "csv", by=self.researcher)
        self.sign_in(self.researcher)
        url = f"/research/exports/{export.pk}/status/"
        waiting = self.client.get(url).json()
        self.assertEqual((waiting["state"], waiting["finished"]), ("waiting", False))
        Worker(name="worker-1").step()
        ready = self.client.get(url).json()
        self.assertEqual((ready["state"], ready["finished"]), ("ready", True))
        self.assertEqual(ready["tables_done"], len(TABLES))
        self.sign_in(self.therapist_a)
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_polling_the_status_records_refusals_but_not_each_answered_poll(self) -> None:
        export = actions.request_export(self.study, "csv", by=self.researcher)
        url = f"/research/exports/{export.pk}/status/"
        polls = AccessEvent.objects.filter(
            object_type="study-export", object_id=str(export.pk), action=AccessEvent.Action.VIEW
        )
        self.sign_in(self.researcher)
        for _poll in range(3):
            self.assertEqual(self.client.get(url).status_code, 200)
        self.assertFalse(polls.exists())
        self.sign_in(self.therapist_a)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(list(polls.values_list("allowed", flat=True)), [False])


class TwoWorkersTests(StudyCase):
    def setUp(self) -> None:
        super().setUp()
        self.study = self.make_study()
        consent(self.client_a)
        self.export = actions.request_export(self.study, "csv", by=self.researcher)

    def test_two_workers_do_not_both_make_one_export(self) -> None:
        first = jobs.claim_export("worker-1")
        assert first is not None
        self.assertEqual(first.pk, self.export.pk)
        self.assertIsNone(jobs.claim_export("worker-2"))
        self.assertEqual(Worker(name="worker-2").step(), 0)
        jobs.run_export(first, worker="worker-1")
        self.export.refresh_from_db()
        self.assertEqual((self.export.state, self.export.claimed_by), ("ready", "worker-1"))

    def test_progress_is_recorded_and_renews_the_lease(self) -> None:
        claimed = jobs.claim_export("worker-1", lease=timedelta(seconds=30))
        assert claimed is not None
        report = jobs.reporter(claimed, "worker-1", timedelta(minutes=10))
        report(1, 250)
        self.export.refresh_from_db()
        self.assertEqual((self.export.tables_done, self.export.rows_written), (1, 250))
        assert self.export.lease_until is not None
        self.assertGreater(self.export.lease_until, timezone.now() + timedelta(minutes=9))

    def test_a_dead_workers_export_is_taken_again(self) -> None:
        dead = jobs.claim_export("worker-1")
        assert dead is not None
        Export.objects.filter(pk=dead.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
        again = jobs.claim_export("worker-2")
        assert again is not None
        self.assertEqual((again.pk, again.claimed_by, again.tables_done), (dead.pk, "worker-2", 0))
        # The first worker wakes up: it may neither report progress nor finish the export.
        with self.assertRaises(jobs.LeaseLost):
            jobs.reporter(dead, "worker-1", jobs.EXPORT_LEASE)(1, 10)
        jobs.run_export(dead, worker="worker-1")
        self.export.refresh_from_db()
        self.assertEqual((self.export.state, self.export.claimed_by), ("running", "worker-2"))
        self.assertEqual(list(self.export_dir.iterdir()), [])  # its file was not kept
        jobs.run_export(again, worker="worker-2")
        self.export.refresh_from_db()
        self.assertEqual(self.export.state, Export.State.READY)

    def test_each_step_of_the_export_is_in_the_trail(self) -> None:
        Worker(name="worker-1").step()
        states = [
            event.changes["values"]["state"]
            for event in AccessEvent.objects.filter(object_type="study-export", action="change")
        ]
        self.assertEqual(states, [["waiting", "running"], ["running", "ready"]])
