from __future__ import annotations

import smtplib
from datetime import timedelta
from unittest import mock

from django.core import mail
from django.utils import timezone

from bridgework.accounts import actions
from bridgework.accounts.models import Invitation, User
from bridgework.care import actions as care
from bridgework.lib.tokens import token_hash
from bridgework.test import BaseTestCase, send_account_emails

NEW_PASSWORD = "quiet-harbour-lights"


class InvitationTests(BaseTestCase):
    def accept(self, token: str, **extra: str):
        data = {"full_name": "Nia Hart", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        return self.client.post(f"/invitations/{token}/", {**data, **extra})

    def new_client(self) -> tuple[Invitation, str]:
        client = care.add_client(
            clinic=self.clinic, full_name="Nia Hart", care_team=[self.therapist_a], by=self.admin
        )
        return self.open_invitation(client, email="nia@example.org")

    def test_a_client_accepts_and_is_signed_in_to_their_own_record(self) -> None:
        invitation, token = self.new_client()
        response = self.accept(token)
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        user = User.objects.get(email="nia@example.org")
        self.assertEqual(
            (user.kind, invitation.client.user_id if invitation.client else None), ("client", None)
        )
        invitation.refresh_from_db()
        self.assertEqual(invitation.client.user, user)  # type: ignore[union-attr]
        self.assertEqual(self.client.get("/me/").status_code, 200)

    def test_a_staff_invitation_grants_its_roles(self) -> None:
        _invitation, token = self.open_invitation(email="new.therapist@example.org")
        self.accept(token)
        user = User.objects.get(email="new.therapist@example.org")
        self.assertEqual((user.full_name, user.roles), ("Nia Hart", ["therapist"]))

    def test_an_invitation_works_once(self) -> None:
        _invitation, token = self.new_client()
        self.accept(token)
        self.client.logout()
        response = self.client.get(f"/invitations/{token}/")
        self.assertContains(response, "has been used already", status_code=410)
        self.assertEqual(User.objects.filter(email="nia@example.org").count(), 1)

    def test_an_expired_invitation_offers_to_ask_for_a_new_one(self) -> None:
        invitation, token = self.new_client()
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
        response = self.accept(token)
        self.assertContains(response, "has expired", status_code=410)
        self.assertFalse(User.objects.filter(email="nia@example.org").exists())
        asked = self.client.post(f"/invitations/{token}/", {"ask": "1"})
        self.assertContains(asked, "We have asked the clinic", status_code=410)
        invitation.refresh_from_db()
        self.assertIsNotNone(invitation.renewal_requested_at)
        self.sign_in(self.admin)
        self.assertContains(self.client.get("/clinic/"), "asked for a new link")

    def test_a_withdrawn_invitation_no_longer_works(self) -> None:
        invitation, token = self.new_client()
        actions.revoke_invitation(invitation, by=self.admin)
        response = self.accept(token)
        self.assertContains(response, "was withdrawn", status_code=410)
        self.assertFalse(User.objects.filter(email="nia@example.org").exists())

    def test_an_unknown_link_is_not_found(self) -> None:
        self.assertEqual(self.client.get("/invitations/not-a-real-token/").status_code, 404)

    def test_mismatched_or_weak_passwords_are_refused_with_reasons(self) -> None:
        _invitation, token = self.new_client()
        response = self.accept(token, password2="something-else-entirely")
        self.assertContains(response, "The two passwords differ")
        response = self.accept(token, password1="12345678", password2="12345678")
        self.assertContains(response, "too short")
        self.assertFalse(User.objects.filter(email="nia@example.org").exists())

    def test_the_email_holds_the_link_and_nothing_about_care(self) -> None:
        client = care.add_client(
            clinic=self.clinic, full_name="Nia Hart", care_team=[self.therapist_a], by=self.admin
        )
        invitation, token = actions.invite(
            clinic=self.clinic,
            email="nia@example.org",
            kind="client",
            by=self.admin,
            client=client,
        )
        self.assertEqual(token, "")  # only the e-mail will hold the link
        send_account_emails()
        self.assertEqual(mail.outbox[0].to, ["nia@example.org"])
        body = mail.outbox[0].body
        self.assertNotIn("Nia Hart", body)
        self.assertNotIn(self.therapist_a.full_name, body)
        sent = body.split("/invitations/")[1].split("/")[0]
        invitation.refresh_from_db()
        self.assertEqual(invitation.token_hash, token_hash(sent))
        self.assertContains(self.client.get(f"/invitations/{sent}/"), "Create my account")

    def test_an_invitation_is_on_its_way_while_the_mail_server_is_down(self) -> None:
        client = care.add_client(
            clinic=self.clinic, full_name="Nia Hart", care_team=[self.therapist_a], by=self.admin
        )
        self.sign_in(self.admin)
        down = smtplib.SMTPConnectError(421, b"try later")
        with mock.patch("django.core.mail.EmailMessage.send", side_effect=down):
            response = self.client.post(
                f"/clinic/clients/{client.pk}/", {"email": "nia@example.org"}, follow=True
            )
            send_account_emails()
        self.assertContains(response, "Invitation on its way.")
        page = self.client.get("/clinic/")
        self.assertContains(page, "not accepted yet (E-mail not accepted: SMTPConnectError)")
        later = timezone.now() + timedelta(minutes=3)
        with mock.patch("django.utils.timezone.now", return_value=later):
            send_account_emails()
        self.assertEqual(mail.outbox[0].to, ["nia@example.org"])
        self.assertContains(self.client.get("/clinic/"), "e-mail sent")

    def test_only_the_hash_of_the_token_is_stored(self) -> None:
        invitation, token = self.new_client()
        self.assertNotIn(token, invitation.token_hash)
        self.assertEqual(len(invitation.token_hash), 64)

    def test_an_admin_reissues_a_link_and_the_old_one_stops_working(self) -> None:
        invitation, token = self.new_client()
        self.sign_in(self.admin)
        self.client.post(f"/clinic/invitations/{invitation.pk}/reissue/")
        send_account_emails()
        self.assertEqual(len(mail.outbox), 1)
        self.client.logout()
        self.assertEqual(self.client.get(f"/invitations/{token}/").status_code, 410)
        new_token = mail.outbox[0].body.split("/invitations/")[1].split("/")[0]
        self.assertEqual(self.client.get(f"/invitations/{new_token}/").status_code, 200)

    def test_a_client_with_an_account_is_not_invited_again(self) -> None:
        # An invitation for a client who has an account would hand their record, private
        # diary included, to whoever accepts it.
        self.sign_in(self.admin)
        response = self.client.post(
            f"/clinic/clients/{self.client_a.pk}/", {"email": "admin.own@example.org"}
        )
        self.assertRedirects(
            response, f"/clinic/clients/{self.client_a.pk}/", fetch_redirect_response=False
        )
        self.assertFalse(Invitation.objects.filter(email="admin.own@example.org").exists())
        with self.assertRaises(actions.ClientHasAccount):
            actions.invite(
                clinic=self.clinic,
                email="x@example.org",
                kind="client",
                by=None,
                client=self.client_a,
            )

    def test_a_training_client_of_a_role_play_is_never_invited(self) -> None:
        training = care.add_client(
            clinic=self.clinic,
            full_name="Role-play: About a three · attempt 1",
            care_team=[self.therapist_a],
            by=self.therapist_a,
            is_training=True,
        )
        self.sign_in(self.admin)
        response = self.client.post(
            f"/clinic/clients/{training.pk}/", {"email": "someone@example.org"}, follow=True
        )
        self.assertContains(response, "is a training client for a role-play, not a person")
        self.assertFalse(Invitation.objects.filter(client=training).exists())

    def test_signing_up_withdraws_the_clients_other_links(self) -> None:
        first, first_token = self.new_client()
        assert first.client is not None
        _second, second_token = self.open_invitation(first.client, email="nia.work@example.org")
        self.accept(second_token)
        self.client.logout()
        response = self.accept(first_token, full_name="Someone Else")
        self.assertEqual(response.status_code, 410)
        first.client.refresh_from_db()
        self.assertEqual(first.client.user.email, "nia.work@example.org")  # type: ignore[union-attr]
        self.assertFalse(User.objects.filter(email="nia@example.org").exists())
