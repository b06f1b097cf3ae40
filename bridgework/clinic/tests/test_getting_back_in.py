"""The clinic admin helps people back in: reset links, a changed sign-in address, and a lost
authenticator app."""

from __future__ import annotations

import re
import smtplib
from datetime import timedelta
from unittest import mock

from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from bridgework.accounts import actions as accounts
from bridgework.accounts.models import AccountEmail, PasswordReset
from bridgework.audit.models import AccessEvent
from bridgework.care import actions as care
from bridgework.test import PASSWORD, BaseTestCase, make_staff, send_account_emails, user_of
from bridgework.tests.test_second_factor import code_for

NEW_PASSWORD = "quiet-harbour-lights"
LINK = re.compile(r"http://[^/\s]+(/accounts/password-reset/[A-Za-z0-9_-]{20,}/)")
DOWN = smtplib.SMTPConnectError(421, b"mail.example.org: try again later")
HOUR = timedelta(hours=1)


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


def in_days(days: float):
    later = timezone.now() + timedelta(days=days)
    return mock.patch("django.utils.timezone.now", return_value=later)


class OneAdminTakeOverTests(BaseTestCase):
    """An admin may change an address, send a reset link and reset an authenticator app; one
    admin alone doing all three would hold the account, second factor included."""

    def setUp(self) -> None:
        self.colleague = make_staff(self.clinic, "second_admin", "clinic_admin")
        TOTPDevice.objects.create(user=self.therapist_a, name="phone", confirmed=True)
        self.sign_in(self.admin)
        self.page = f"/clinic/staff/{self.therapist_a.pk}/"

    def move_address(self, email: str = "mine@example.org"):
        return self.client.post(f"{self.page}email/", {"email": email}, follow=True)

    def reset_app(self):
        return self.client.post(f"{self.page}reset-second-factor/", follow=True)

    def app_kept(self) -> bool:
        return TOTPDevice.objects.filter(user=self.therapist_a, confirmed=True).exists()

    def test_the_admin_who_moved_the_address_and_sent_a_link_cannot_reset_the_app(self) -> None:
        self.move_address()
        self.client.post(f"{self.page}send-password-reset/")
        response = self.reset_app()
        self.assertContains(response, "so another clinic admin must reset their authenticator")
        self.assertTrue(self.app_kept())
        self.assertFalse(
            AccessEvent.objects.filter(object_type="second-factor", action="delete").exists()
        )

    def test_a_reset_link_sent_by_the_admin_is_enough_to_refuse(self) -> None:
        self.client.post(f"{self.page}send-password-reset/")
        self.assertContains(self.reset_app(), "another clinic admin must reset")
        self.assertTrue(self.app_kept())

    def test_another_admin_resets_it_and_both_recent_addresses_are_told(self) -> None:
        self.move_address("lee.new@example.org")
        send_account_emails()
        self.sign_in(self.colleague)
        response = self.reset_app()
        self.assertContains(response, "An e-mail telling them is on its way.")
        self.assertFalse(self.app_kept())
        send_account_emails()
        told = [m for m in mail.outbox if "authenticator" in m.subject]
        self.assertEqual(
            sorted(m.to[0] for m in told), ["lee.new@example.org", "therapist_a@example.org"]
        )
        for message in told:
            self.assertIn("Northside Therapy has reset the authenticator app", message.body)
            self.assertNotIn("example.org", message.body)  # never the other address

    def test_the_same_admin_may_reset_it_once_the_window_has_passed(self) -> None:
        self.move_address("lee.new@example.org")
        with in_days(8):
            self.sign_in(self.admin)  # (a week's idle session has ended)
            self.reset_app()
            self.assertFalse(self.app_kept())
            send_account_emails()
        # The old address is told only within the window.
        told = [m.to for m in mail.outbox if "authenticator" in m.subject]
        self.assertEqual(told, [["lee.new@example.org"]])

    def test_the_admin_who_reset_the_app_cannot_also_move_the_address(self) -> None:
        self.reset_app()
        response = self.move_address()
        self.assertContains(response, "so another clinic admin must change their sign-in address")
        self.therapist_a.refresh_from_db()
        self.assertEqual(self.therapist_a.email, "therapist_a@example.org")
        self.sign_in(self.colleague)
        self.move_address()
        self.therapist_a.refresh_from_db()
        self.assertEqual(self.therapist_a.email, "mine@example.org")

    def test_once_a_new_app_is_set_up_the_admin_who_reset_it_may_move_the_address(self) -> None:
        self.reset_app()
        TOTPDevice.objects.create(user=self.therapist_a, name="new phone", confirmed=True)
        self.assertContains(self.move_address(), "now signs in with mine@example.org")

    def test_an_app_never_set_up_is_reset_without_telling_anyone(self) -> None:
        TOTPDevice.objects.filter(user=self.therapist_a).update(confirmed=False)
        self.reset_app()
        self.assertFalse(TOTPDevice.objects.filter(user=self.therapist_a).exists())
        self.assertFalse(AccountEmail.objects.exists())
        self.assertContains(self.move_address(), "now signs in with mine@example.org")


class MailServerDownTests(BaseTestCase):
    """The admin's change is made, and its message waits for the mail server."""

    def setUp(self) -> None:
        self.sign_in(self.admin)

    def test_the_address_changes_and_the_link_is_issued_while_the_mail_server_is_down(
        self,
    ) -> None:
        with (
            mock.patch("django.core.mail.EmailMessage.send", side_effect=DOWN),
            self.assertLogs("bridgework", "WARNING") as logs,
        ):
            moved = self.client.post(
                f"/clinic/clients/{self.client_a.pk}/email/", {"email": "robin@example.org"}
            )
            linked = self.client.post(f"/clinic/clients/{self.client_a.pk}/send-password-reset/")
            send_account_emails()
        self.assertEqual((moved.status_code, linked.status_code), (302, 302))
        self.assertEqual(user_of(self.client_a).email, "robin@example.org")
        self.assertTrue(PasswordReset.objects.filter(user=user_of(self.client_a)).exists())
        self.assertNotIn("example.org", "\n".join(logs.output))
        page = self.client.get(f"/clinic/clients/{self.client_a.pk}/")
        self.assertContains(page, "Notice to the old address")
        self.assertContains(page, "not accepted yet (E-mail not accepted: SMTPConnectError)")

        with mock.patch("django.utils.timezone.now", return_value=timezone.now() + HOUR):
            send_account_emails()
        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox), ["client_a@example.org", "robin@example.org"]
        )
        page = self.client.get(f"/clinic/clients/{self.client_a.pk}/")
        self.assertNotContains(page, "not accepted yet")
        self.assertContains(page, ": sent ")

    @override_settings(PROMPT_MAX_ATTEMPTS=1)
    def test_a_message_that_could_not_be_sent_shows_on_the_staff_page(self) -> None:
        self.client.post(f"/clinic/staff/{self.therapist_a.pk}/send-password-reset/")
        with (
            mock.patch("django.core.mail.EmailMessage.send", side_effect=DOWN),
            self.assertLogs("bridgework.worker", "WARNING"),
        ):
            send_account_emails()
        page = self.client.get(f"/clinic/staff/{self.therapist_a.pk}/")
        self.assertContains(page, "could not be sent after 1 tries (E-mail not accepted")


class AddressRuleTests(BaseTestCase):
    def setUp(self) -> None:
        self.sign_in(self.admin)

    def test_an_address_longer_than_the_column_is_refused_with_a_message(self) -> None:
        long = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".org"  # 308 characters
        newcomer = care.add_client(
            clinic=self.clinic, full_name="Nia Hart", care_team=[self.therapist_a], by=self.admin
        )
        expected = "Enter an address of at most 254 characters."
        for url, data in (
            (f"/clinic/staff/{self.therapist_a.pk}/email/", {"email": long}),
            ("/clinic/clients/new/", {"email": long, "full_name": "Sam Reed"}),
            (f"/clinic/clients/{self.client_a.pk}/email/", {"email": long}),
            ("/clinic/staff/invite/", {"email": long, "roles": ["therapist"]}),
            (f"/clinic/clients/{newcomer.pk}/", {"email": long}),
        ):
            with self.subTest(url=url):
                self.assertContains(self.client.post(url, data, follow=True), expected)
        self.client.logout()
        self.assertContains(
            self.client.post("/accounts/password-reset/", {"email": long}), expected
        )
        self.assertFalse(AccessEvent.objects.filter(object_type__endswith="-email").exists())
        self.assertFalse(newcomer.invitations.exists())
        with self.assertRaises(ValidationError):
            accounts.change_email(self.therapist_a, long, by=self.admin)

    def test_an_address_with_an_open_invitation_is_not_taken_by_an_address_change(self) -> None:
        self.open_invitation(email="invited@example.org")
        response = self.client.post(
            f"/clinic/staff/{self.therapist_a.pk}/email/", {"email": "Invited@example.org"}
        )
        self.assertContains(response, "This address has an open invitation already.")
        self.therapist_a.refresh_from_db()
        self.assertEqual(self.therapist_a.email, "therapist_a@example.org")
