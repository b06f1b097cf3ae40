"""Accounts' e-mails wait in a queue the worker sends: a change and its message commit together,
a refused message is tried again, and each outcome is recorded once and audited."""

from __future__ import annotations

import smtplib
from datetime import timedelta
from unittest import mock

from django.conf import settings
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from bridgework.accounts import actions
from bridgework.accounts import mail as account_mail
from bridgework.accounts.models import AccountEmail, PasswordReset
from bridgework.audit.models import AccessEvent
from bridgework.lib import leases
from bridgework.lib.tokens import token_hash
from bridgework.test import BaseTestCase, send_account_emails, user_of

LEASE = timedelta(minutes=2)
DOWN = smtplib.SMTPConnectError(421, b"mail.example.org: try again later")


def mail_server_down():
    return mock.patch("django.core.mail.EmailMessage.send", side_effect=DOWN)


def in_minutes(minutes: float):
    later = timezone.now() + timedelta(minutes=minutes)
    return mock.patch("django.utils.timezone.now", return_value=later)


class AccountEmailTests(BaseTestCase):
    def test_a_message_waits_in_the_queue_until_the_worker_sends_it(self) -> None:
        actions.send_password_reset(self.therapist_a, by=self.admin)
        email = AccountEmail.objects.get()
        self.assertEqual(
            (email.kind, email.state, email.to, email.user),
            ("password-reset", "waiting", "therapist_a@example.org", self.therapist_a),
        )
        self.assertEqual(mail.outbox, [])
        self.assertEqual(send_account_emails(), 1)
        self.assertEqual(mail.outbox[0].to, ["therapist_a@example.org"])
        email.refresh_from_db()
        self.assertEqual(email.state, "sent")
        self.assertIsNotNone(email.sent_at)
        self.assertEqual(email.to, "")  # nothing more goes to it: forgotten

    def test_the_link_is_made_when_the_message_goes_and_only_its_hash_is_kept(self) -> None:
        reset = actions.send_password_reset(self.therapist_a, by=self.admin)
        queued_hash = reset.token_hash
        with in_minutes(50):
            send_account_emails()
            sent = mail.outbox[0].body.split("/accounts/password-reset/")[1].split("/")[0]
            reset.refresh_from_db()
            self.assertNotEqual(reset.token_hash, queued_hash)
            self.assertEqual(reset.token_hash, token_hash(sent))
            # The link's time counts from when it went, not from when it was asked for.
            self.assertEqual(
                reset.expires_at,
                timezone.now() + timedelta(minutes=settings.PASSWORD_RESET_MINUTES),
            )
        stored = " ".join(str(v) for v in AccountEmail.objects.values().get().values())
        self.assertNotIn(sent, stored)

    def test_a_link_replaced_before_it_went_is_not_sent(self) -> None:
        actions.send_password_reset(self.therapist_a, by=self.admin)
        actions.send_password_reset(self.therapist_a, by=self.admin)
        send_account_emails()
        self.assertEqual(len(mail.outbox), 1)
        first, newest = AccountEmail.objects.order_by("pk")
        self.assertEqual((first.state, newest.state), ("cancelled", "sent"))
        self.assertEqual(first.detail, "the link was used or replaced before it went")

    def test_an_invitation_withdrawn_before_it_went_is_not_sent(self) -> None:
        invitation, _token = actions.invite(
            clinic=self.clinic, email="new@example.org", kind="staff", by=self.admin, roles=[]
        )
        actions.revoke_invitation(invitation, by=self.admin)
        send_account_emails()
        self.assertEqual(mail.outbox, [])
        self.assertEqual(AccountEmail.objects.get().state, "cancelled")

    def test_a_refused_message_comes_back_after_a_growing_pause(self) -> None:
        actions.change_email(user_of(self.client_a), "robin@example.org", by=self.admin)
        email = AccountEmail.objects.get()
        with mail_server_down(), self.assertLogs("bridgework.worker", "WARNING") as logs:
            send_account_emails()
        email.refresh_from_db()
        self.assertEqual((email.state, email.attempts), ("waiting", 1))
        self.assertEqual(email.detail, "E-mail not accepted: SMTPConnectError")
        self.assertGreater(email.next_attempt_at, timezone.now() + timedelta(minutes=1))
        self.assertEqual(email.to, "client_a@example.org")  # still to be told
        self.assertNotIn("example.org", " ".join(logs.output))
        self.assertEqual(send_account_emails(), 0)  # not yet
        with in_minutes(3):
            send_account_emails()
        self.assertEqual(mail.outbox[0].to, ["client_a@example.org"])

    @override_settings(PROMPT_MAX_ATTEMPTS=3)
    def test_a_message_refused_every_time_fails_after_the_last_try_and_is_audited(self) -> None:
        actions.change_email(user_of(self.client_a), "robin@example.org", by=self.admin)
        email = AccountEmail.objects.get()
        with mail_server_down(), self.assertLogs("bridgework.worker", "WARNING"):
            for minutes in (0, 3, 8):
                with in_minutes(minutes):
                    send_account_emails()
        email.refresh_from_db()
        self.assertEqual((email.state, email.attempts, email.to), ("failed", 3, ""))
        row = AccessEvent.objects.get(object_type="account-email")
        self.assertEqual(
            (row.actor_id, row.action, row.object_id, row.client_id),
            (None, "change", str(email.pk), self.client_a.pk),
        )
        with in_minutes(60):
            self.assertEqual(send_account_emails(), 0)  # failed for good

    def test_a_sent_message_is_audited_on_the_clinics_chain_for_staff(self) -> None:
        actions.send_password_reset(self.therapist_a, by=self.admin)
        send_account_emails()
        row = AccessEvent.objects.get(object_type="account-email")
        self.assertEqual((row.client_id, row.chain), (None, f"clinic:{self.clinic.pk}"))

    def test_a_message_held_by_one_worker_is_not_sent_by_another(self) -> None:
        actions.send_password_reset(self.therapist_a, by=self.admin)
        held = leases.claim(
            AccountEmail.objects.all(),
            worker="w1",
            until=timezone.now() + LEASE,
            batch=5,
            state=AccountEmail.State.SENDING,
        )
        self.assertEqual(account_mail.send_due("w2", lease=LEASE), 0)
        with in_minutes(3):  # w1 died: its lease ran out
            self.assertEqual(account_mail.send_due("w2", lease=LEASE), 1)
        email = AccountEmail.objects.get(pk=held[0])
        self.assertEqual((email.state, email.claimed_by), ("sent", "w2"))
        self.assertFalse(account_mail.finish("w1", email, "failed", "too late", timezone.now()))
        self.assertEqual(AccountEmail.objects.get(pk=email.pk).state, "sent")

    def test_messages_are_in_the_persons_language(self) -> None:
        client_user = user_of(self.client_a)
        actions.set_language(client_user, "de", by=client_user)
        actions.send_password_reset(client_user, by=self.admin)
        send_account_emails()
        self.assertEqual(mail.outbox[0].subject, "Ein neues Passwort für Bridgework wählen")

    def test_a_reset_for_an_account_turned_off_before_it_went_is_not_sent(self) -> None:
        actions.send_password_reset(self.therapist_a, by=self.admin)
        actions.set_active(self.therapist_a, False, by=self.admin)
        send_account_emails()
        self.assertEqual(mail.outbox, [])
        self.assertEqual(PasswordReset.objects.get().state, PasswordReset.State.WITHDRAWN)
