from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.formats import date_format

from bridgework.care import actions as care
from bridgework.records import actions
from bridgework.records.models import ErasureRequest, LegalHold, RetentionPolicy
from bridgework.test import BaseTestCase


class RetentionPolicyTests(BaseTestCase):
    def test_a_clinic_keeps_records_ten_years_until_its_admin_sets_otherwise(self) -> None:
        self.assertEqual(actions.retention_years(self.clinic), 10)
        self.sign_in(self.admin)
        self.assertContains(self.client.get("/records/policy/"), 'value="10"')
        response = self.client.post("/records/policy/", {"years_after_therapy": "15"})
        self.assertRedirects(response, "/records/policy/", fetch_redirect_response=False)
        self.assertEqual(actions.retention_years(self.clinic), 15)
        self.assertEqual(actions.retention_years(self.other_clinic), 10)

    def test_a_policy_of_no_years_is_refused_saying_the_least(self) -> None:
        self.sign_in(self.admin)
        response = self.client.post("/records/policy/", {"years_after_therapy": "0"})
        self.assertContains(response, "at least 1 year")
        self.assertFalse(RetentionPolicy.objects.exists())


class LegalHoldTests(BaseTestCase):
    url = "/records/clients/{}/holds/"

    def test_a_hold_without_reason_or_end_is_refused_naming_both_fields(self) -> None:
        self.sign_in(self.admin)
        page = self.client.post(
            self.url.format(self.client_a.pk), {"reason": " ", "ends_on": ""}, follow=True
        )
        self.assertContains(page, "Reason: say why")
        self.assertContains(page, "Kept until: enter the day")
        self.assertFalse(LegalHold.objects.exists())

    def test_a_hold_that_ended_already_is_refused(self) -> None:
        with self.assertRaisesMessage(actions.Refused, "today or later"):
            actions.place_hold(
                self.client_a,
                reason="Court case",
                ends_on=timezone.localdate() - timedelta(days=2),
                by=self.admin,
            )

    def test_the_admin_places_and_releases_a_hold(self) -> None:
        self.sign_in(self.admin)
        ends = (timezone.localdate() + timedelta(days=400)).isoformat()
        self.client.post(
            self.url.format(self.client_a.pk), {"reason": "Insurer's claim", "ends_on": ends}
        )
        hold = LegalHold.objects.get(client=self.client_a)
        page = self.client.get(f"/records/clients/{self.client_a.pk}/")
        self.assertContains(page, "Insurer&#x27;s claim")
        self.client.post(f"/records/holds/{hold.pk}/release/")
        hold.refresh_from_db()
        self.assertIsNotNone(hold.released_at)
        self.assertEqual(actions.holds_in_force(self.client_a), [])


class ErasureRefusalTests(BaseTestCase):
    def finish(self, years_ago: int) -> None:
        self.client_a.created_at = timezone.now() - timedelta(days=366 * (years_ago + 1))
        self.client_a.save(update_fields=["created_at"])
        day = actions.today_for(self.client_a) - timedelta(days=366 * years_ago)
        care.finish_therapy(self.client_a, on=day, by=self.therapist_a)

    def test_a_client_in_therapy_may_not_be_erased(self) -> None:
        with self.assertRaisesMessage(actions.Refused, "still in therapy"):
            actions.check_erasable(self.client_a)

    def test_within_the_retention_period_the_refusal_names_the_day_it_ends(self) -> None:
        self.finish(years_ago=2)
        ends = actions.retention_ends(self.client_a)
        assert ends is not None
        with self.assertRaisesMessage(actions.Refused, f"until {date_format(ends)}."):
            actions.check_erasable(self.client_a)
        self.assertEqual(ends.year, actions.today_for(self.client_a).year + 8)

    def test_under_a_hold_the_refusal_names_the_hold(self) -> None:
        self.finish(years_ago=11)
        ends = timezone.localdate() + timedelta(days=30)
        actions.place_hold(
            self.client_a, reason="Court case 4 O 12/26", ends_on=ends, by=self.admin
        )
        with self.assertRaisesMessage(actions.Refused, "Court case 4 O 12/26"):
            actions.check_erasable(self.client_a)
        actions.check_erasable(self.client_a, on=ends + timedelta(days=1))  # after it: nothing

    def test_the_admin_records_a_request_and_the_page_offers_the_clients_copy(self) -> None:
        self.sign_in(self.admin)
        url = f"/records/clients/{self.client_a.pk}/erasure-requests/"
        self.client.post(url, {"received_from": "client"})
        request = ErasureRequest.objects.get(client=self.client_a)
        self.assertEqual(request.state, ErasureRequest.State.WAITING)
        page = self.client.get(f"/records/clients/{self.client_a.pk}/")
        self.assertContains(page, "/me/consents/")
        self.assertContains(page, "still in therapy")

    def test_a_request_without_who_asked_is_refused(self) -> None:
        self.sign_in(self.admin)
        url = f"/records/clients/{self.client_a.pk}/erasure-requests/"
        page = self.client.post(url, {"received_from": "neighbour"}, follow=True)
        self.assertContains(page, "Say who asked for the erasure")
        self.assertFalse(ErasureRequest.objects.exists())
