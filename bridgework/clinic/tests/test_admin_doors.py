"""The clinic admin's pages read the clinic's invitations (names and addresses of people not
yet signed up) and its staff through doors, which record who looked and who was turned
away."""

from __future__ import annotations

from bridgework.audit.models import AccessEvent
from bridgework.care import actions as care
from bridgework.test import BaseTestCase


class InvitationDoorTests(BaseTestCase):
    def setUp(self) -> None:
        self.newcomer = care.add_client(
            clinic=self.clinic, full_name="New Client", care_team=[self.therapist_a], by=None
        )
        self.invitation, _token = self.open_invitation(self.newcomer, "newcomer@example.org")

    def test_the_overview_lists_the_clinics_invitations_under_a_listing_event(self) -> None:
        self.sign_in(self.admin)
        page = self.client.get("/clinic/")
        self.assertContains(page, "newcomer@example.org")
        listing = AccessEvent.objects.get(object_type="invitations")
        self.assertEqual(
            (listing.actor_id, listing.action, listing.clinic_id, listing.allowed),
            (self.admin.pk, "list", self.clinic.pk, True),
        )

    def test_withdrawing_a_clients_invitation_joins_that_clients_trail(self) -> None:
        self.sign_in(self.admin)
        response = self.client.post(f"/clinic/invitations/{self.invitation.pk}/revoke/")
        self.assertEqual(response.status_code, 302)
        # The door's event, beside the withdrawal's own audit row.
        opened = AccessEvent.objects.get(
            object_type="invitation", action="change", chain=f"client:{self.newcomer.pk}"
        )
        self.assertEqual(
            (opened.object_id, opened.action, opened.actor_id, opened.allowed),
            (str(self.invitation.pk), "change", self.admin.pk, True),
        )

    def test_another_clinics_admin_is_refused_on_the_record_and_changes_nothing(self) -> None:
        self.sign_in(self.other_admin)
        for action in ("revoke", "reissue"):
            with self.subTest(action=action):
                url = f"/clinic/invitations/{self.invitation.pk}/{action}/"
                self.assertEqual(self.client.post(url).status_code, 404)
        refused = AccessEvent.objects.filter(object_type="invitation", allowed=False)
        self.assertEqual(refused.count(), 2)
        # Another clinic's refusal names no client of this one.
        self.assertEqual(set(refused.values_list("client_id", flat=True)), {None})
        self.invitation.refresh_from_db()
        self.assertIsNone(self.invitation.revoked_at)
        self.assertEqual(self.newcomer.invitations.count(), 1)

    def test_staff_who_are_not_admins_are_refused_the_overview_on_the_record(self) -> None:
        self.sign_in(self.therapist_a)
        self.assertEqual(self.client.get("/clinic/").status_code, 404)
        refusal = AccessEvent.objects.get(allowed=False)
        self.assertEqual(
            (refusal.actor_id, refusal.object_type, refusal.action),
            (self.therapist_a.pk, "clinic-admin-pages", "view"),
        )
        self.assertFalse(AccessEvent.objects.filter(object_type="invitations").exists())


class StaffDoorTests(BaseTestCase):
    def test_an_admin_opens_their_clinics_staff_on_the_record(self) -> None:
        self.sign_in(self.admin)
        self.assertEqual(self.client.get(f"/clinic/staff/{self.therapist_a.pk}/").status_code, 200)
        opened = AccessEvent.objects.get(object_type="staff", actor_id=self.admin.pk)
        self.assertEqual(
            (opened.actor_id, opened.action, opened.object_id, opened.allowed),
            (self.admin.pk, "view", str(self.therapist_a.pk), True),
        )

    def test_another_clinics_admin_is_refused_their_staff_on_the_record(self) -> None:
        self.sign_in(self.other_admin)
        url = f"/clinic/staff/{self.therapist_a.pk}/email/"
        self.assertEqual(self.client.post(url, {"email": "x@example.org"}).status_code, 404)
        refused = AccessEvent.objects.get(object_type="staff", actor_id=self.other_admin.pk)
        self.assertEqual(
            (refused.actor_id, refused.action, refused.allowed, refused.clinic_id),
            (self.other_admin.pk, "change", False, self.other_clinic.pk),
        )
        self.therapist_a.refresh_from_db()
        self.assertEqual(self.therapist_a.email, "therapist_a@example.org")
