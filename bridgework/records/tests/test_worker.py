from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from bridgework.audit.trail import verify
from bridgework.care import actions as care
from bridgework.care.models import Client
from bridgework.prompts.signals import worker_housekeeping
from bridgework.records import actions, worker
from bridgework.records.models import ErasureRequest, LegalHold
from bridgework.test import BaseTestCase

YEAR = timedelta(days=366)


class WorkerTests(BaseTestCase):
    def finish(self, client: Client, *, years_ago: int) -> None:
        Client.objects.filter(pk=client.pk).update(created_at=timezone.now() - YEAR * 20)
        client.refresh_from_db()
        day = actions.today_for(client) - YEAR * years_ago
        care.finish_therapy(client, on=day, by=self.admin)

    def hold(self, client: Client) -> LegalHold:
        ends = timezone.localdate() + timedelta(days=60)
        return actions.place_hold(client, reason="Court case", ends_on=ends, by=self.admin)

    def test_retention_erases_the_clients_whose_period_ran_out_and_keeps_the_rest(self) -> None:
        self.finish(self.client_a, years_ago=11)
        self.finish(self.client_b, years_ago=2)
        self.finish(self.other_client, years_ago=11)
        self.hold(self.other_client)
        self.assertEqual(worker.housekeeping(), 1)
        self.assertFalse(Client.objects.filter(pk=self.client_a.pk).exists())
        self.assertTrue(Client.objects.filter(pk=self.client_b.pk).exists())
        self.assertTrue(Client.objects.filter(pk=self.other_client.pk).exists())
        done = ErasureRequest.objects.get(state=ErasureRequest.State.DONE)
        self.assertEqual(done.counts["trigger"], worker.RETENTION)
        self.assertEqual(done.clinic_id, self.clinic.pk)
        self.assertEqual(list(verify()), [])

    def test_a_shorter_policy_erases_sooner(self) -> None:
        self.finish(self.client_b, years_ago=3)
        self.assertEqual(worker.housekeeping(), 0)
        actions.set_retention(self.clinic, 2, by=self.admin)
        self.assertEqual(worker.housekeeping(), 1)
        self.assertFalse(Client.objects.filter(pk=self.client_b.pk).exists())

    def test_the_hold_ends_and_the_worker_erases_what_it_kept(self) -> None:
        self.finish(self.client_a, years_ago=11)
        hold = self.hold(self.client_a)
        actions.record_erasure_request(self.client_a, received_from="client", by=self.admin)
        worker_housekeeping.send(sender=None)  # as the reminder worker does
        self.assertTrue(Client.objects.filter(pk=self.client_a.pk).exists())
        LegalHold.objects.filter(pk=hold.pk).update(ends_on=timezone.localdate() - YEAR)
        worker_housekeeping.send(sender=None)
        self.assertFalse(Client.objects.filter(pk=self.client_a.pk).exists())
        done = ErasureRequest.objects.get(state=ErasureRequest.State.DONE)
        self.assertEqual(done.counts["trigger"], worker.HOLD_ENDED)

    def test_a_request_that_waited_for_the_retention_is_the_one_done(self) -> None:
        self.finish(self.client_a, years_ago=3)
        asked = actions.record_erasure_request(self.client_a, received_from="client", by=self.admin)
        self.assertEqual(worker.housekeeping(), 0)
        actions.set_retention(self.clinic, 2, by=self.admin)
        self.assertEqual(worker.housekeeping(), 1)
        asked.refresh_from_db()
        self.assertEqual((asked.state, asked.client_id), (ErasureRequest.State.DONE, None))
        self.assertEqual(ErasureRequest.objects.count(), 1)
