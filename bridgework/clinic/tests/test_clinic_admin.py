from __future__ import annotations

from django.core import mail

from bridgework.accounts import actions as accounts
from bridgework.accounts.models import Invitation, Supervision
from bridgework.care.models import Client
from bridgework.test import BaseTestCase, make_staff, send_account_emails


class ClinicAdminTests(BaseTestCase):
    def setUp(self) -> None:
        self.sign_in(self.admin)

    def test_an_admin_invites_staff_with_roles(self) -> None:
        response = self.client.post(
            "/clinic/staff/invite/",
            {
                "email": "Lee@Example.org",
                "roles": ["therapist", "supervisor"],
            },
        )
        send_account_emails()
        self.assertRedirects(response, "/clinic/", fetch_redirect_response=False)
        invitation = Invitation.objects.get(email="lee@example.org")
        self.assertEqual(invitation.roles, ["therapist", "supervisor"])
        self.assertEqual(mail.outbox[0].to, ["lee@example.org"])

    def test_inviting_an_address_already_in_use_says_so(self) -> None:
        response = self.client.post(
            "/clinic/staff/invite/",
            {
                "email": "therapist_a@example.org",
                "roles": ["therapist"],
            },
        )
        self.assertContains(response, "Someone already signs in with this e-mail address")
        response = self.client.post("/clinic/staff/invite/", {"email": "x@example.org"})
        self.assertContains(response, "Pick at least one role.")

    def test_an_admin_adds_a_client_with_a_care_team_and_an_invitation(self) -> None:
        self.client.post(
            "/clinic/clients/new/",
            {
                "full_name": "Nia Hart",
                "email": "nia@example.org",
                "care_team": [self.therapist_a.pk],
                "time_zone": "",
            },
        )
        send_account_emails()
        client = Client.objects.get(full_name="Nia Hart")
        self.assertEqual(list(client.care_team.all()), [self.therapist_a])
        self.assertEqual(client.invitations.get().email, "nia@example.org")
        self.assertEqual(len(mail.outbox), 1)

    def test_a_care_team_needs_a_therapist(self) -> None:
        response = self.client.post(
            f"/clinic/clients/{self.client_a.pk}/", {"care_team": [self.supervisor.pk]}
        )
        self.assertContains(response, "A care team needs at least one therapist.")
        self.assertEqual(list(self.client_a.care_team.all()), [self.therapist_a])

    def test_changing_the_care_team_changes_who_sees_the_client(self) -> None:
        self.client.post(
            f"/clinic/clients/{self.client_a.pk}/", {"care_team": [self.therapist_b.pk]}
        )
        self.sign_in(self.therapist_b)
        self.assertEqual(self.client.get(f"/clients/{self.client_a.pk}/").status_code, 200)
        self.sign_in(self.therapist_a)
        self.assertEqual(self.client.get(f"/clients/{self.client_a.pk}/").status_code, 404)

    def test_an_admin_sets_roles_and_supervisees(self) -> None:
        self.client.post(
            f"/clinic/staff/{self.therapist_b.pk}/",
            {
                "roles": ["therapist", "supervisor"],
                "approach": "cbt",
                "supervisees": [self.therapist_a.pk],
                "is_active": "on",
            },
        )
        self.therapist_b.refresh_from_db()
        self.assertEqual(self.therapist_b.roles, ["therapist", "supervisor"])
        self.assertTrue(
            Supervision.objects.filter(
                supervisor=self.therapist_b, supervisee=self.therapist_a
            ).exists()
        )

    def test_an_admin_cannot_give_themselves_a_role_that_reads_records(self) -> None:
        # Their admin role keeps them away from clinical content; widening that takes another
        # admin (every change is in the audit trail either way).
        response = self.client.post(
            f"/clinic/staff/{self.admin.pk}/",
            {"roles": ["clinic_admin", "therapist"], "approach": "cbt", "is_active": "on"},
        )
        self.assertContains(response, "No one gives themselves a role that reads")
        self.admin.refresh_from_db()
        self.assertFalse(self.admin.is_therapist)
        colleague = make_staff(self.clinic, "second_admin", "clinic_admin")
        accounts.set_roles(self.admin, ["clinic_admin", "therapist"], by=colleague)
        self.admin.refresh_from_db()
        self.assertTrue(self.admin.is_therapist)

    def test_an_admin_who_supervises_cannot_add_supervisees_to_themselves(self) -> None:
        colleague = make_staff(self.clinic, "second_admin", "clinic_admin")
        accounts.set_roles(self.admin, ["clinic_admin", "supervisor"], by=colleague)
        response = self.client.post(
            f"/clinic/staff/{self.admin.pk}/",
            {
                "roles": ["clinic_admin", "supervisor"],
                "supervisees": [self.therapist_b.pk],
                "is_active": "on",
            },
        )
        self.assertContains(response, "No one adds supervisees to themselves")
        self.assertFalse(Supervision.objects.filter(supervisor=self.admin).exists())

    def test_an_admin_cannot_remove_their_own_admin_role(self) -> None:
        response = self.client.post(
            f"/clinic/staff/{self.admin.pk}/",
            {
                "roles": ["therapist"],
                "is_active": "on",
            },
        )
        self.assertContains(response, "cannot remove your own admin role")
        self.admin.refresh_from_db()
        self.assertTrue(self.admin.is_clinic_admin)

    def test_clinic_settings_refuse_bad_values_and_change_nothing(self) -> None:
        response = self.client.post(
            "/clinic/settings/",
            {
                "name": "Northside Therapy",
                "time_zone": "Mars/Olympus",
                "action_plan_word": "task",
                "action_plan_word_plural": "tasks",
                "idle_timeout_minutes": "2",
            },
        )
        self.assertContains(response, "Select a valid choice")
        self.assertContains(response, "Ensure this value is greater than or equal to 5")
        self.clinic.refresh_from_db()
        self.assertEqual(self.clinic.action_plan_word, "")

    def test_the_clinics_word_for_action_plan_reaches_the_client(self) -> None:
        self.client.post(
            "/clinic/settings/",
            {
                "name": "Northside Therapy",
                "time_zone": "Europe/Dublin",
                "action_plan_word": "practice task",
                "action_plan_word_plural": "practice tasks",
                "idle_timeout_minutes": "20",
                "crisis_resources": "Call 999.",
                "non_engagement_reviews": "2",
                "silence_days": "5",
                "risk_escalation_hours": "4",
                "duty_contact_email": "",
                "staff_mfa_required": "",
                "default_language": "en",
            },
        )
        self.sign_in(self.client_a)
        self.assertContains(self.client.get("/me/"), "Your practice tasks")
