from __future__ import annotations

import re
import smtplib
from datetime import timedelta
from unittest import mock

from django.conf import settings
from django.core import mail
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import Client as Browser
from django.test import RequestFactory
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from bridgework.accounts import actions, views
from bridgework.accounts.models import AccountEmail, PasswordReset, ThrottleHit
from bridgework.audit.models import AccessEvent
from bridgework.lib.tokens import token_hash
from bridgework.prompts.models import PushSubscription
from bridgework.test import PASSWORD, BaseTestCase, send_account_emails, user_of

NEW_PASSWORD = "quiet-harbour-lights"
LINK = re.compile(r"http://[^/\s]+(/accounts/password-reset/[A-Za-z0-9_-]{20,}/)")
CSRF = re.compile(r'name="csrf(middlewaretoken|-token)" (value|content)="[^"]+"')


class PasswordResetCase(BaseTestCase):
    def ask(self, email: str, ip: str = "198.51.100.7"):
        """Ask on the page, then let the worker send what was queued."""
        response = self.client.post("/accounts/password-reset/", {"email": email}, REMOTE_ADDR=ip)
        send_account_emails()
        return response

    def link_in_outbox(self) -> str:
        match = LINK.search(str(mail.outbox[-1].body))
        assert match, mail.outbox[-1].body
        return match.group(1)

    def open_link(self, path: str, ip: str = "198.51.100.7"):
        return self.client.get(path, REMOTE_ADDR=ip, follow=True)

    def choose(self, password: str = NEW_PASSWORD, again: str | None = None):
        return self.client.post(
            "/accounts/password-reset/new/",
            {"password1": password, "password2": password if again is None else again},
            REMOTE_ADDR="198.51.100.7",
        )

    def signs_in_with(self, email: str, password: str) -> bool:
        browser = Browser()
        response = browser.post("/accounts/sign-in/", {"email": email, "password": password})
        return response.status_code == 302


class ForgotPasswordTests(PasswordResetCase):
    def test_the_sign_in_page_offers_a_link_for_a_forgotten_password(self) -> None:
        page = self.client.get("/accounts/sign-in/")
        self.assertContains(page, 'href="/accounts/password-reset/"')
        self.assertContains(self.client.get("/accounts/password-reset/"), "Send me a link")

    def test_a_client_chooses_a_new_password_and_signs_in_with_it(self) -> None:
        response = self.ask("Client_A@Example.org")
        self.assertRedirects(response, "/accounts/password-reset/sent/")
        self.assertEqual(mail.outbox[0].to, ["client_a@example.org"])

        page = self.open_link(self.link_in_outbox())
        self.assertEqual(page.redirect_chain, [("/accounts/password-reset/new/", 302)])
        self.assertContains(page, "Choose a new password")
        self.assertContains(page, "client_a@example.org")
        done = self.choose()
        self.assertRedirects(done, "/accounts/sign-in/", fetch_redirect_response=False)
        self.assertContains(self.client.get("/accounts/sign-in/"), "Your new password is set")

        self.assertTrue(self.signs_in_with("client_a@example.org", NEW_PASSWORD))
        self.assertFalse(self.signs_in_with("client_a@example.org", PASSWORD))

    def test_staff_use_the_same_page_and_still_confirm_their_second_factor(self) -> None:
        self.clinic.staff_mfa_required = True
        self.clinic.save()
        TOTPDevice.objects.create(user=self.therapist_a, name="phone", confirmed=True)
        self.ask("therapist_a@example.org")
        self.open_link(self.link_in_outbox())
        self.choose()
        response = self.client.post(
            "/accounts/sign-in/", {"email": "therapist_a@example.org", "password": NEW_PASSWORD}
        )
        self.assertRedirects(
            response, "/accounts/second-factor/?next=%2F", fetch_redirect_response=False
        )
        self.assertEqual(self.client.get("/clients/").status_code, 302)
        self.assertTrue(TOTPDevice.objects.filter(user=self.therapist_a).exists())

    def test_known_and_unknown_addresses_get_the_same_answer_and_only_a_known_one_mail(
        self,
    ) -> None:
        known = self.ask("client_a@example.org")
        unknown = self.ask("nobody@example.org", ip="198.51.100.8")
        self.assertEqual(
            (known.status_code, known["Location"]), (unknown.status_code, unknown["Location"])
        )
        first = self.client.get(known["Location"]).content.decode()
        second = self.client.get(unknown["Location"]).content.decode()
        self.assertEqual(CSRF.sub("", first), CSRF.sub("", second))
        self.assertEqual([message.to for message in mail.outbox], [["client_a@example.org"]])
        self.assertEqual(PasswordReset.objects.count(), 1)

    def test_nothing_but_the_throttle_differs_for_a_known_address_before_the_answer(
        self,
    ) -> None:
        # WSGI servers (gunicorn, runserver, the test client) close a response after its
        # last byte; only then is the link made, audited and its e-mail queued, so the time
        # the answer takes is the same for every address.
        request = RequestFactory().post(
            "/accounts/password-reset/", {"email": "client_a@example.org"}
        )
        audited = AccessEvent.objects.count()
        response = views.forgot_password(request)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(ThrottleHit.objects.count(), 2)  # counted before the answer
        self.assertFalse(PasswordReset.objects.exists())
        self.assertFalse(AccountEmail.objects.exists())
        self.assertEqual(AccessEvent.objects.count(), audited)
        request_finished.disconnect(close_old_connections)  # as the test client does
        try:
            response.close()
        finally:
            request_finished.connect(close_old_connections)
        self.assertEqual(AccountEmail.objects.get().state, AccountEmail.State.WAITING)
        self.assertEqual(mail.outbox, [])  # the worker sends it
        send_account_emails()
        self.assertEqual(mail.outbox[0].to, ["client_a@example.org"])

    def test_an_inactive_account_gets_no_mail_and_the_same_answer(self) -> None:
        actions.set_active(self.researcher, False, by=self.admin)
        response = self.ask("researcher@example.org")
        self.assertRedirects(response, "/accounts/password-reset/sent/")
        self.assertEqual(mail.outbox, [])

    def test_bad_input_says_what_is_expected_and_sends_nothing(self) -> None:
        response = self.ask("not an address")
        self.assertContains(response, "Enter an e-mail address like name@example.org.")
        self.assertContains(self.ask(""), "Enter the e-mail address you sign in with.")
        self.assertEqual((mail.outbox, ThrottleHit.objects.count()), ([], 0))

    def test_the_mail_holds_a_link_and_nothing_about_care(self) -> None:
        self.ask("client_a@example.org")
        message = mail.outbox[0]
        self.assertIn("Northside Therapy", message.body)
        self.assertIn(f"{settings.PASSWORD_RESET_MINUTES} minutes", message.body)
        for care_word in ("Client A", "Therapist A", "plan", "diary"):
            self.assertNotIn(care_word, f"{message.subject}\n{message.body}")

    def test_the_mail_and_the_pages_are_in_the_persons_language(self) -> None:
        actions.set_language(user_of(self.client_a), "de", by=user_of(self.client_a))
        self.ask("client_a@example.org")
        self.assertEqual(mail.outbox[0].subject, "Ein neues Passwort für Bridgework wählen")
        page = self.open_link(self.link_in_outbox())
        self.assertContains(page, "Neues Passwort wählen")
        german = self.client.get("/accounts/password-reset/", HTTP_ACCEPT_LANGUAGE="de")
        self.assertContains(german, "Passwort vergessen?")

    def test_only_the_links_hash_is_stored(self) -> None:
        self.ask("client_a@example.org")
        token = self.link_in_outbox().split("/")[-2]
        reset = PasswordReset.objects.get()
        self.assertEqual(reset.token_hash, token_hash(token))
        stored = [str(value) for value in PasswordReset.objects.values().get().values()]
        stored += [str(value) for value in AccountEmail.objects.values().get().values()]
        self.assertFalse(any(token in value for value in stored))

    def test_a_refused_send_is_logged_without_the_address_and_tried_again_later(
        self,
    ) -> None:
        refused = smtplib.SMTPRecipientsRefused(
            {"client_a@example.org": (550, b"5.1.1 <client_a@example.org>: unknown")}
        )
        with (
            mock.patch(
                "django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=refused
            ),
            self.assertLogs("bridgework", "WARNING") as logs,
        ):
            response = self.ask("client_a@example.org")
        self.assertRedirects(response, "/accounts/password-reset/sent/")
        self.assertEqual(len(logs.records), 1)
        self.assertIn("SMTPRecipientsRefused", logs.output[0])
        self.assertNotIn("client_a", logs.output[0])
        self.assertIsNone(logs.records[0].exc_info)  # no traceback, whose lines hold it
        email = AccountEmail.objects.get()
        self.assertEqual((email.state, email.attempts), (AccountEmail.State.WAITING, 1))
        self.assertNotIn("client_a", email.detail)
        self.assertEqual(mail.outbox, [])

        later = timezone.now() + timedelta(minutes=3)
        with mock.patch("django.utils.timezone.now", return_value=later):
            send_account_emails()
        self.assertEqual(mail.outbox[0].to, ["client_a@example.org"])
        self.open_link(self.link_in_outbox())
        self.assertRedirects(self.choose(), "/accounts/sign-in/", fetch_redirect_response=False)

    def test_a_failure_to_issue_the_link_after_the_answer_is_logged_without_the_address(
        self,
    ) -> None:
        with (
            mock.patch.object(actions, "issue_password_reset", side_effect=RuntimeError),
            self.assertLogs("bridgework.accounts", "WARNING") as logs,
        ):
            response = self.ask("client_a@example.org")
        self.assertRedirects(response, "/accounts/password-reset/sent/")
        self.assertIn("RuntimeError", logs.output[0])
        self.assertNotIn("client_a", logs.output[0])
        self.assertIsNone(logs.records[0].exc_info)

    def test_the_request_and_the_new_password_are_in_the_audit_trail(self) -> None:
        self.ask("client_a@example.org")
        self.open_link(self.link_in_outbox())
        self.choose()
        client_user = user_of(self.client_a)
        reset = PasswordReset.objects.get()
        events = AccessEvent.objects.filter(object_type__in=["password-reset", "password"])
        self.assertEqual(
            [
                (e.action, e.object_type, e.object_id, e.actor_id, e.client_id)
                for e in events.order_by("at")
            ],
            [
                ("create", "password-reset", str(reset.pk), None, self.client_a.pk),
                ("change", "password", str(client_user.pk), client_user.pk, self.client_a.pk),
            ],
        )


class ResetLinkTests(PasswordResetCase):
    def setUp(self) -> None:
        self.reset, token = actions.issue_password_reset(user_of(self.client_a), by=None)
        self.link = f"/accounts/password-reset/{token}/"

    def test_every_link_redirects_at_once_so_its_token_leaves_the_address_bar(self) -> None:
        for path in (self.link, "/accounts/password-reset/not-a-real-token/"):
            with self.subTest(path=path):
                response = self.client.get(path)
                self.assertRedirects(
                    response, "/accounts/password-reset/new/", fetch_redirect_response=False
                )

    def test_a_link_works_once(self) -> None:
        self.open_link(self.link)
        self.choose()
        again = self.open_link(self.link)
        self.assertContains(again, "has been used already", status_code=410)
        self.assertContains(again, 'href="/accounts/password-reset/"', status_code=410)
        self.assertEqual(self.choose("another-long-password").status_code, 410)
        self.assertTrue(self.signs_in_with("client_a@example.org", NEW_PASSWORD))

    def test_two_tabs_on_one_link_set_the_password_once(self) -> None:
        other_tab = Browser()
        self.open_link(self.link)
        other_tab.get(self.link)
        self.choose()
        late = other_tab.post(
            "/accounts/password-reset/new/",
            {"password1": "another-long-password", "password2": "another-long-password"},
        )
        self.assertContains(late, "has been used already", status_code=410)
        self.assertTrue(self.signs_in_with("client_a@example.org", NEW_PASSWORD))

    def test_a_link_expires(self) -> None:
        later = timezone.now() + timedelta(minutes=settings.PASSWORD_RESET_MINUTES, seconds=1)
        with mock.patch("django.utils.timezone.now", return_value=later):
            page = self.open_link(self.link)
        self.assertContains(page, "This link has expired", status_code=410)
        self.assertContains(page, "Ask for a new link", status_code=410)

    def test_a_link_works_until_it_expires(self) -> None:
        nearly = timezone.now() + timedelta(minutes=settings.PASSWORD_RESET_MINUTES - 1)
        with mock.patch("django.utils.timezone.now", return_value=nearly):
            self.open_link(self.link)
            self.assertRedirects(self.choose(), "/accounts/sign-in/", fetch_redirect_response=False)

    def test_a_link_that_expires_while_the_page_is_open_is_refused(self) -> None:
        self.open_link(self.link)
        later = timezone.now() + timedelta(minutes=settings.PASSWORD_RESET_MINUTES, seconds=1)
        with mock.patch("django.utils.timezone.now", return_value=later):
            response = self.choose()
        self.assertContains(response, "This link has expired", status_code=410)
        self.assertFalse(self.signs_in_with("client_a@example.org", NEW_PASSWORD))

    def test_a_newer_link_replaces_the_older_one(self) -> None:
        _newer, token = actions.issue_password_reset(user_of(self.client_a), by=None)
        self.assertContains(self.open_link(self.link), "This link was replaced", status_code=410)
        self.open_link(f"/accounts/password-reset/{token}/")
        self.assertRedirects(self.choose(), "/accounts/sign-in/", fetch_redirect_response=False)

    def test_a_link_stops_working_once_the_password_changes_another_way(self) -> None:
        user = user_of(self.client_a)
        user.set_password("changed-by-an-operator")
        user.save()
        self.assertContains(self.open_link(self.link), "This link was replaced", status_code=410)

    def test_the_new_page_without_a_link_says_how_to_get_one(self) -> None:
        page = self.client.get("/accounts/password-reset/new/")
        self.assertContains(page, "Open it again from the e-mail", status_code=410)

    def test_new_passwords_must_follow_the_password_rules(self) -> None:
        self.open_link(self.link)
        cases = {
            "short": "This password is too short. It must contain at least 10 characters.",
            "password123": "This password is too common.",
            "4829104729": "This password is entirely numeric.",
            "client_a@example.org": "The password is too similar to the e-mail.",
        }
        for password, message in cases.items():
            with self.subTest(password=password):
                self.assertContains(self.choose(password), message)
        self.assertContains(
            self.choose(again="something-else-entirely"), "The two passwords differ"
        )
        self.reset.refresh_from_db()
        self.assertEqual(self.reset.state, PasswordReset.State.OPEN)
        self.assertTrue(self.signs_in_with("client_a@example.org", PASSWORD))

    def test_a_new_password_ends_every_session_of_that_person_and_no_one_elses(self) -> None:
        phone, laptop, someone_else = Browser(), Browser(), Browser()
        phone.force_login(user_of(self.client_a))
        laptop.force_login(user_of(self.client_a))
        someone_else.force_login(user_of(self.client_b))
        self.assertEqual(phone.get("/me/").status_code, 200)

        self.open_link(self.link)
        self.choose()
        self.assertRedirects(phone.get("/me/"), "/accounts/sign-in/?next=/me/")
        self.assertRedirects(laptop.get("/me/"), "/accounts/sign-in/?next=/me/")
        self.assertEqual(someone_else.get("/me/").status_code, 200)

    def test_a_new_password_forgets_the_clients_phones_for_notifications(self) -> None:
        PushSubscription.objects.create(
            client=self.client_a,
            endpoint="https://fcm.googleapis.com/fcm/send/a",
            p256dh="k" * 80,
            auth="a" * 16,
        )
        PushSubscription.objects.create(
            client=self.client_b,
            endpoint="https://fcm.googleapis.com/fcm/send/b",
            p256dh="k" * 80,
            auth="a" * 16,
        )
        self.open_link(self.link)
        self.choose()
        self.assertEqual(
            list(PushSubscription.objects.values_list("client", flat=True)), [self.client_b.pk]
        )
        self.assertContains(
            self.client.get("/accounts/sign-in/"), "turn them on again in My reminders"
        )

    def test_a_new_password_lifts_a_sign_in_pause_on_that_account(self) -> None:
        for n in range(settings.AXES_FAILURE_LIMIT):
            Browser().post(
                "/accounts/sign-in/",
                {"email": "client_a@example.org", "password": "wrong"},
                REMOTE_ADDR=f"203.0.113.{n}",
            )
        self.assertFalse(self.signs_in_with("client_a@example.org", PASSWORD))
        self.open_link(self.link)
        self.choose()
        self.assertTrue(self.signs_in_with("client_a@example.org", NEW_PASSWORD))


class ResetThrottlingTests(PasswordResetCase):
    limit = settings.AXES_FAILURE_LIMIT

    def test_requests_from_one_address_pause_after_the_limit(self) -> None:
        for n in range(self.limit):
            self.assertEqual(self.ask(f"someone{n}@example.org").status_code, 302)
        paused = self.ask("client_a@example.org")
        self.assertContains(paused, "Too many links were asked for", status_code=429)
        self.assertContains(paused, "try again in 15 minutes", status_code=429)
        self.assertEqual(mail.outbox, [])
        self.assertEqual(self.ask("client_a@example.org", ip="192.0.2.1").status_code, 302)

    def test_requests_for_one_address_pause_from_any_address_known_or_not(self) -> None:
        for email in ("client_a@example.org", "nobody@example.org"):
            for n in range(self.limit):
                self.ask(email, ip=f"203.0.113.{n}")
            with self.subTest(email=email):
                response = self.ask(email, ip="192.0.2.1")
                self.assertContains(response, "Too many links", status_code=429)
        self.assertEqual(len(mail.outbox), self.limit)

    def test_a_pause_says_how_many_minutes_are_left_in_the_visitors_language(self) -> None:
        # Never a clock time: a visitor who is not signed in has no time zone of ours.
        for n in range(self.limit):
            self.ask("client_a@example.org", ip=f"203.0.113.{n}")
        later = timezone.now() + timedelta(minutes=14, seconds=30)
        with mock.patch("django.utils.timezone.now", return_value=later):
            german = self.client.post(
                "/accounts/password-reset/",
                {"email": "client_a@example.org"},
                HTTP_ACCEPT_LANGUAGE="de",
            )
            english = self.ask("client_a@example.org")
        self.assertContains(german, "in 1 Minute wieder", status_code=429)
        self.assertContains(english, "try again in 1 minute, or ask", status_code=429)
        self.assertNotRegex(english.content.decode(), r"\d\d:\d\d")

    def test_the_pause_ends_after_the_cool_off(self) -> None:
        for n in range(self.limit):
            self.ask("client_a@example.org", ip=f"203.0.113.{n}")
        later = timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(seconds=1)
        with mock.patch("django.utils.timezone.now", return_value=later):
            self.assertEqual(self.ask("client_a@example.org").status_code, 302)

    def test_wrong_or_used_links_pause_the_address_opening_them_like_sign_in(self) -> None:
        _reset, token = actions.issue_password_reset(user_of(self.client_a), by=None)
        for n in range(self.limit):
            self.open_link(f"/accounts/password-reset/guess-{n:040d}/")
        paused = self.open_link(f"/accounts/password-reset/{token}/")
        self.assertContains(paused, "Too many links that do not work", status_code=429)
        self.assertContains(paused, "try again in 15 minutes.", status_code=429)
        self.assertNotContains(paused, "<form", status_code=429)
        self.assertEqual(self.choose().status_code, 429)

        elsewhere = self.open_link(f"/accounts/password-reset/{token}/", ip="192.0.2.1")
        self.assertContains(elsewhere, "Choose a new password")

    def test_a_link_that_works_does_not_count(self) -> None:
        _reset, token = actions.issue_password_reset(user_of(self.client_a), by=None)
        for _ in range(self.limit + 1):
            page = self.open_link(f"/accounts/password-reset/{token}/")
        self.assertContains(page, "Choose a new password")

    def test_the_throttle_keeps_no_addresses(self) -> None:
        self.ask("client_a@example.org")
        stored = " ".join(str(row) for row in ThrottleHit.objects.values_list("scope", "key"))
        self.assertNotIn("client_a", stored)
        self.assertNotIn("198.51.100.7", stored)
