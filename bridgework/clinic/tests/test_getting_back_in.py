"""The clinic admin helps people back in: reset links, a changed sign-in address, and a lost
authenticator app."""

from __future__ import annotations

import re

from django.core import mail
from django_otp.plugins.otp_totp.models import TOTPDevice

from bridgework.accounts import actions as accounts
from bridgework.accounts.models import PasswordReset
from bridgework.audit.models import AccessEvent
from bridgework.care import actions as care
from bridgework.test import PASSWORD, BaseTestCase, make_staff, send_account_emails, user_of
from bridgework.tests.test_second_factor import code_for

NEW_PASSWORD = "quiet-harbour-lights"
LINK = re.compile(r"http://[^/\s]+(/accounts/password-reset/[A-Za-z0-9_-]{20,}/)")


def audit_row(object_type: str) -> AccessEvent:
    return AccessEvent.objects.filter(object_type=object_type).latest("at")


class AdminSentResetTests(BaseTestCase):
    def setUp(self) -> None:
        self.sign_in(self.admin)

    def use_link(self, password: str = NEW_PASSWORD) -> None:
        match = LINK.search(str(mail.outbox[-1].body))
        assert match is not None
        path = match.group(1)
        self.client.logout()
        self.client.get(path)
        self.client.post(
            "/accounts/password-reset/new/", {"password1": password, "password2": password}
        )

    def test_an_admin_sends_a_staff_member_a_link_to_the_address_on_record(self) -> None:
        response = self.client.post(
            f"/clinic/staff/{self.therapist_a.pk}/send-password-reset/", follow=True
        )
        send_account_emails()
        self.assertContains(response, "A link to choose a new password is on its way")
        self.assertEqual(mail.outbox[0].to, ["therapist_a@example.org"])
        self.assertIn("Northside Therapy has sent you a link", mail.outbox[0].body)
        reset = PasswordReset.objects.get(user=self.therapist_a)
        row = audit_row("password-reset")
        self.assertEqual(
            (row.actor_id, row.action, row.object_id), (self.admin.pk, "create", str(reset.pk))
        )

        self.use_link()
        signed_in = self.client.post(
            "/accounts/sign-in/", {"email": "therapist_a@example.org", "password": NEW_PASSWORD}
        )
        self.assertEqual(signed_in.status_code, 302)

    def test_an_admin_sends_a_client_with_an_account_a_link(self) -> None:
        response = self.client.post(
            f"/clinic/clients/{self.client_a.pk}/send-password-reset/", follow=True
        )
        send_account_emails()
        self.assertContains(response, "A link to choose a new password is on its way")
        self.assertEqual(mail.outbox[0].to, ["client_a@example.org"])
        self.assertNotIn("Client A", mail.outbox[0].body)
        row = audit_row("password-reset")
        self.assertEqual((row.actor_id, row.client_id), (self.admin.pk, self.client_a.pk))
        self.use_link()
        self.client.post(
            "/accounts/sign-in/", {"email": "client_a@example.org", "password": NEW_PASSWORD}
        )
        self.assertEqual(self.client.get("/me/").status_code, 200)

    def test_a_client_without_an_account_gets_an_invitation_not_a_reset(self) -> None:
        newcomer = care.add_client(
            clinic=self.clinic, full_name="Nia Hart", care_team=[self.therapist_a], by=self.admin
        )
        page = self.client.get(f"/clinic/clients/{newcomer.pk}/")
        self.assertNotContains(page, "send-password-reset")
        response = self.client.post(f"/clinic/clients/{newcomer.pk}/send-password-reset/")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(mail.outbox, [])

    def test_no_link_goes_to_someone_whose_sign_in_is_turned_off(self) -> None:
        accounts.set_active(self.researcher, False, by=self.admin)
        response = self.client.post(
            f"/clinic/staff/{self.researcher.pk}/send-password-reset/", follow=True
        )
        self.assertContains(response, "sign-in is turned off. Turn it on first")
        self.assertFalse(PasswordReset.objects.exists())

    def test_another_clinics_admin_cannot_send_links_to_this_clinics_people(self) -> None:
        self.sign_in(self.other_admin)
        for url in (
            f"/clinic/staff/{self.therapist_a.pk}/send-password-reset/",
            f"/clinic/clients/{self.client_a.pk}/send-password-reset/",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.post(url).status_code, 404)
        self.assertFalse(PasswordReset.objects.exists())


class SignInAddressTests(BaseTestCase):
    def setUp(self) -> None:
        self.sign_in(self.admin)

    def change(self, url: str, email: str):
        response = self.client.post(url, {"email": email}, follow=True)
        send_account_emails()
        return response

    def test_changing_a_staff_members_address_is_audited_and_the_old_address_is_told(
        self,
    ) -> None:
        _reset, token = accounts.issue_password_reset(self.therapist_a, by=None)
        response = self.change(f"/clinic/staff/{self.therapist_a.pk}/email/", "Lee.A@Example.org")
        self.assertContains(response, "now signs in with lee.a@example.org")

        notice = mail.outbox[0]
        self.assertEqual(notice.to, ["therapist_a@example.org"])
        self.assertIn("contact Northside Therapy", notice.body)
        self.assertNotIn("lee.a@example.org", notice.body)

        row = audit_row("staff-email")
        self.assertEqual(
            (row.action, row.actor_id, row.object_id),
            ("change", self.admin.pk, str(self.therapist_a.pk)),
        )
        self.assertNotIn("example.org", row.contents())  # the field, never the values

        self.client.logout()
        old = self.client.post(
            "/accounts/sign-in/", {"email": "therapist_a@example.org", "password": PASSWORD}
        )
        self.assertEqual(old.status_code, 200)
        new = self.client.post(
            "/accounts/sign-in/", {"email": "lee.a@example.org", "password": PASSWORD}
        )
        self.assertEqual(new.status_code, 302)
        stale = self.client.get(f"/accounts/password-reset/{token}/", follow=True)
        self.assertContains(stale, "This link was replaced", status_code=410)

    def test_changing_a_clients_address_is_audited_in_their_chain_and_tells_the_old_one(
        self,
    ) -> None:
        client_user = user_of(self.client_a)
        accounts.set_language(client_user, "de", by=client_user)
        self.change(f"/clinic/clients/{self.client_a.pk}/email/", "robin@example.org")
        client_user.refresh_from_db()
        self.assertEqual(client_user.email, "robin@example.org")
        self.assertEqual(mail.outbox[0].to, ["client_a@example.org"])
        self.assertEqual(
            mail.outbox[0].subject, "Ihre Anmeldeadresse bei Bridgework wurde geändert"
        )
        row = audit_row("client-email")
        self.assertEqual((row.client_id, row.object_id), (self.client_a.pk, str(client_user.pk)))

    def test_a_taken_bad_or_unchanged_address_is_refused_and_changes_nothing(self) -> None:
        url = f"/clinic/staff/{self.therapist_a.pk}/email/"
        cases = {
            "therapist_b@example.org": "Someone already signs in with this e-mail address",
            "not an address": "Enter an e-mail address like name@example.org.",
            "": "Enter the new e-mail address.",
            "Therapist_A@example.org": "That is the address on record already",
        }
        for email, message in cases.items():
            with self.subTest(email=email):
                response = self.change(url, email)
                self.assertContains(response, message)
                self.assertContains(response, "therapist_a@example.org")
        self.therapist_a.refresh_from_db()
        self.assertEqual(self.therapist_a.email, "therapist_a@example.org")
        self.assertEqual(mail.outbox, [])
        self.assertFalse(AccessEvent.objects.filter(object_type="staff-email").exists())

    def test_a_clients_refused_address_shows_on_their_roster_page(self) -> None:
        response = self.change(f"/clinic/clients/{self.client_a.pk}/email/", "admin@example.org")
        self.assertContains(response, "Someone already signs in with this e-mail address")
        self.assertContains(response, "Care team")

    def test_another_clinics_admin_cannot_change_this_clinics_addresses(self) -> None:
        self.sign_in(self.other_admin)
        for url in (
            f"/clinic/staff/{self.therapist_a.pk}/email/",
            f"/clinic/clients/{self.client_a.pk}/email/",
        ):
            with self.subTest(url=url):
                self.assertEqual(
                    self.client.post(url, {"email": "mine@example.org"}).status_code, 404
                )
        self.therapist_a.refresh_from_db()
        self.assertEqual(self.therapist_a.email, "therapist_a@example.org")


class AuthenticatorResetTests(BaseTestCase):
    def setUp(self) -> None:
        self.clinic.staff_mfa_required = True
        self.clinic.save()
        self.sign_in(self.admin)
        device = TOTPDevice.objects.create(user=self.admin, name="admin", confirmed=True)
        self.client.post("/accounts/second-factor/", {"code": code_for(device)})

    def test_another_admin_resets_a_lost_app_and_it_is_audited(self) -> None:
        TOTPDevice.objects.create(user=self.therapist_a, name="lost phone", confirmed=True)
        response = self.client.post(
            f"/clinic/staff/{self.therapist_a.pk}/reset-second-factor/", follow=True
        )
        self.assertContains(response, "will set up a new authenticator app")
        self.assertFalse(TOTPDevice.objects.filter(user=self.therapist_a).exists())
        row = audit_row("second-factor")
        self.assertEqual(
            (row.action, row.actor_id, row.object_id),
            ("delete", self.admin.pk, str(self.therapist_a.pk)),
        )

    def test_after_a_reset_they_enrol_a_new_app_at_their_next_sign_in(self) -> None:
        TOTPDevice.objects.create(user=self.therapist_a, name="lost phone", confirmed=True)
        self.client.post(f"/clinic/staff/{self.therapist_a.pk}/reset-second-factor/")
        self.client.logout()
        self.client.post(
            "/accounts/sign-in/", {"email": "therapist_a@example.org", "password": PASSWORD}
        )
        setup = self.client.get("/clients/", follow=True)
        self.assertContains(setup, "Set up your authenticator app")

    def test_no_one_resets_their_own_app(self) -> None:
        page = self.client.get(f"/clinic/staff/{self.admin.pk}/")
        self.assertNotContains(page, "reset-second-factor")
        self.assertContains(page, "Another clinic admin resets your authenticator app")
        response = self.client.post(
            f"/clinic/staff/{self.admin.pk}/reset-second-factor/", follow=True
        )
        self.assertContains(response, "No one resets their own authenticator app")
        self.assertTrue(TOTPDevice.objects.filter(user=self.admin).exists())
        self.assertFalse(
            AccessEvent.objects.filter(object_type="second-factor", action="delete").exists()
        )

    def test_a_second_admin_resets_the_first_admins_app(self) -> None:
        colleague = make_staff(self.clinic, "second_admin", "clinic_admin")
        self.clinic.staff_mfa_required = False
        self.clinic.save()
        self.sign_in(colleague)
        self.client.post(f"/clinic/staff/{self.admin.pk}/reset-second-factor/")
        self.assertFalse(TOTPDevice.objects.filter(user=self.admin).exists())
