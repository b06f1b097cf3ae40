from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from bridgework.audit.models import AccessEvent
from bridgework.care import actions
from bridgework.care.models import Client
from bridgework.test import BaseTestCase

URL = "/clients/{}/end-of-therapy/"
DAYS_30 = timedelta(days=30)


class EndOfTherapyTests(BaseTestCase):
    def setUp(self) -> None:
        Client.objects.filter(pk=self.client_a.pk).update(created_at=timezone.now() - DAYS_30)

    def today(self) -> date:
        return actions.local_today(self.client_a)

    def finished_on(self, client: Client) -> str | None:
        client.refresh_from_db()
        if client.discharged_at is None:
            return None
        return (
            timezone.localtime(client.discharged_at, ZoneInfo(client.local_time_zone))
            .date()
            .isoformat()
        )

    def test_the_clients_therapist_marks_the_end_of_therapy_and_the_client_leaves_the_caseload(
        self,
    ) -> None:
        self.sign_in(self.therapist_a)
        day = (self.today() - timedelta(days=1)).isoformat()
        response = self.client.post(URL.format(self.client_a.pk), {"finished_on": day})
        self.assertRedirects(
            response, f"/clients/{self.client_a.pk}/#end-of-therapy", fetch_redirect_response=False
        )
        self.assertEqual(self.finished_on(self.client_a), day)
        self.assertNotContains(self.client.get("/clients/"), self.client_a.full_name)
        self.assertContains(self.client.get(f"/clients/{self.client_a.pk}/"), "Undo")
        event = AccessEvent.objects.filter(object_type="client", action="change").last()
        assert event is not None
        self.assertEqual(event.client_id, self.client_a.pk)
        self.assertIn("discharged_at", event.changes["values"])

    def test_the_clinic_admin_marks_it_from_the_roster_and_undoes_it(self) -> None:
        self.sign_in(self.admin)
        today = self.today().isoformat()
        response = self.client.post(URL.format(self.client_a.pk), {"finished_on": today})
        self.assertRedirects(
            response,
            f"/clinic/clients/{self.client_a.pk}/#end-of-therapy",
            fetch_redirect_response=False,
        )
        self.assertEqual(self.finished_on(self.client_a), today)
        self.assertContains(self.client.get(f"/clinic/clients/{self.client_a.pk}/"), "Finished")
        self.client.post(URL.format(self.client_a.pk), {"resume": "1"})
        self.assertIsNone(self.finished_on(self.client_a))

    def test_a_day_to_come_is_refused_saying_what_is_expected(self) -> None:
        self.sign_in(self.therapist_a)
        day = (self.today() + timedelta(days=3)).isoformat()
        response = self.client.post(URL.format(self.client_a.pk), {"finished_on": day}, follow=True)
        self.assertContains(response, "cannot lie in the future")
        self.assertIsNone(self.finished_on(self.client_a))

    def test_a_day_before_the_client_was_added_is_refused_naming_that_day(self) -> None:
        self.client_a.refresh_from_db()
        began = self.today() - DAYS_30
        self.sign_in(self.therapist_a)
        day = (began - timedelta(days=1)).isoformat()
        response = self.client.post(URL.format(self.client_a.pk), {"finished_on": day}, follow=True)
        self.assertContains(response, "before the client was added")
        self.assertIsNone(self.finished_on(self.client_a))

    def test_a_missing_or_malformed_day_is_refused(self) -> None:
        self.sign_in(self.therapist_a)
        for value, message in (("", "Enter the day"), ("24.11.", "as a date like")):
            response = self.client.post(
                URL.format(self.client_a.pk), {"finished_on": value}, follow=True
            )
            self.assertContains(response, message)
        self.assertIsNone(self.finished_on(self.client_a))

    def test_a_supervisor_and_another_therapist_get_404_and_change_nothing(self) -> None:
        for outsider in (self.supervisor, self.therapist_b, self.other_admin):
            self.sign_in(outsider)
            day = self.today().isoformat()
            response = self.client.post(URL.format(self.client_a.pk), {"finished_on": day})
            self.assertEqual(response.status_code, 404)
        self.assertIsNone(self.finished_on(self.client_a))

    def test_undoing_a_client_in_therapy_changes_nothing_and_audits_nothing(self) -> None:
        before = AccessEvent.objects.filter(action="change").count()
        actions.resume_therapy(self.client_a, by=self.therapist_a)
        self.assertEqual(AccessEvent.objects.filter(action="change").count(), before)
