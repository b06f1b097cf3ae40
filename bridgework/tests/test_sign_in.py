from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from bridgework.accounts.middleware import LAST_SEEN
from bridgework.test import PASSWORD, BaseTestCase


class SignInTests(BaseTestCase):
    def sign_in_with(self, email: str, password: str, ip: str = "198.51.100.7"):
        return self.client.post(
            "/accounts/sign-in/", {"email": email, "password": password}, REMOTE_ADDR=ip
        )

    def last_active(self, ago: timedelta) -> None:
        """Pretend the signed-in person's last request was `ago`."""
        session = self.client.session
        session[LAST_SEEN] = (timezone.now() - ago).isoformat()
        session.save()

    def test_staff_sign_in_with_email_and_password(self) -> None:
        response = self.sign_in_with("Therapist_A@Example.org", PASSWORD)
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.assertEqual(self.client.get("/clients/").status_code, 200)

    def test_a_wrong_password_says_what_to_do(self) -> None:
        response = self.sign_in_with("therapist_a@example.org", "not-it")
        self.assertContains(response, "do not match an account")

    def test_a_staff_session_lasts_the_idle_timeout_and_a_clients_lasts_months(self) -> None:
        self.sign_in_with("therapist_a@example.org", PASSWORD)
        self.assertEqual(self.client.session.get_expiry_age(), 30 * 60)
        self.client.logout()
        self.sign_in_with("client_a@example.org", PASSWORD)
        self.assertEqual(
            self.client.session.get_expiry_age(), settings.CLIENT_SESSION_AGE.total_seconds()
        )

    def test_an_idle_staff_member_is_signed_out_after_the_clinics_timeout(self) -> None:
        self.sign_in_with("therapist_a@example.org", PASSWORD)
        self.last_active(timedelta(minutes=31))
        response = self.client.get("/clients/")
        self.assertRedirects(
            response, "/accounts/sign-in/?next=%2Fclients%2F", fetch_redirect_response=False
        )
        follow = self.client.get("/accounts/sign-in/")
        self.assertContains(follow, "signed out after 30 minutes without activity")
        self.assertEqual(self.client.get("/clients/").status_code, 302)

    def test_activity_within_the_timeout_keeps_staff_signed_in(self) -> None:
        self.sign_in_with("therapist_a@example.org", PASSWORD)
        self.last_active(timedelta(minutes=29))
        self.assertEqual(self.client.get("/clients/").status_code, 200)

    def test_the_idle_timeout_is_the_clinics_setting(self) -> None:
        self.clinic.idle_timeout_minutes = 10
        self.clinic.save()
        self.sign_in_with("therapist_a@example.org", PASSWORD)
        self.last_active(timedelta(minutes=11))
        self.assertEqual(self.client.get("/clients/").status_code, 302)

    def test_clients_are_not_signed_out_when_idle(self) -> None:
        self.sign_in_with("client_a@example.org", PASSWORD)
        self.last_active(timedelta(days=3))
        self.assertEqual(self.client.get("/me/").status_code, 200)

    def test_sign_out_ends_the_session(self) -> None:
        self.sign_in_with("therapist_a@example.org", PASSWORD)
        self.client.post("/accounts/sign-out/")
        self.assertEqual(self.client.get("/clients/").status_code, 302)

    def test_pages_are_never_cached(self) -> None:
        self.sign_in(self.therapist_a)
        response = self.client.get(f"/clients/{self.client_a.pk}/")
        self.assertEqual(response["Cache-Control"], "no-store")
        self.assertIn("script-src 'self'", response["Content-Security-Policy"])


class ThrottlingTests(BaseTestCase):
    def attempt(self, email: str, password: str = "wrong-password", ip: str = "198.51.100.7"):
        return self.client.post(
            "/accounts/sign-in/", {"email": email, "password": password}, REMOTE_ADDR=ip
        )

    def test_it_pauses_an_account_after_repeated_failures_from_many_addresses(self) -> None:
        for n in range(settings.AXES_FAILURE_LIMIT):
            self.attempt("therapist_a@example.org", ip=f"203.0.113.{n}")
        response = self.attempt("therapist_a@example.org", PASSWORD, ip="192.0.2.99")
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "Too many failed sign-ins", status_code=429)
        self.assertContains(response, "try again in 15 minutes.", status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_the_pause_says_how_many_minutes_are_left_never_a_clock_time(self) -> None:
        # A visitor who is not signed in has no time zone of ours: a time would be UTC.
        for n in range(settings.AXES_FAILURE_LIMIT):
            self.attempt("therapist_a@example.org", ip=f"203.0.113.{n}")
        german = self.client.post(
            "/accounts/sign-in/",
            {"email": "therapist_a@example.org", "password": PASSWORD},
            HTTP_ACCEPT_LANGUAGE="de",
        )
        self.assertContains(german, "Versuchen Sie es in 15 Minuten wieder.", status_code=429)
        self.assertNotRegex(german.content.decode(), r"\d\d:\d\d")

    @override_settings(AXES_COOLOFF_TIME=timedelta(minutes=1))
    def test_a_pause_of_one_minute_says_so_in_the_singular(self) -> None:
        for n in range(settings.AXES_FAILURE_LIMIT):
            self.attempt("therapist_a@example.org", ip=f"203.0.113.{n}")
        response = self.attempt("therapist_a@example.org", PASSWORD, ip="192.0.2.99")
        self.assertContains(response, "try again in 1 minute.", status_code=429)

    def test_it_pauses_an_address_that_tries_many_accounts(self) -> None:
        for n in range(settings.AXES_FAILURE_LIMIT):
            self.attempt(f"someone{n}@example.org")
        response = self.attempt("therapist_b@example.org", PASSWORD)
        self.assertEqual(response.status_code, 429)

    def test_other_accounts_and_addresses_are_not_paused(self) -> None:
        for n in range(settings.AXES_FAILURE_LIMIT):
            self.attempt("therapist_a@example.org", ip=f"203.0.113.{n}")
        response = self.attempt("therapist_b@example.org", PASSWORD, ip="192.0.2.50")
        self.assertEqual(response.status_code, 302)

    def test_a_success_before_the_limit_clears_the_count(self) -> None:
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            self.attempt("therapist_a@example.org")
        self.assertEqual(self.attempt("therapist_a@example.org", PASSWORD).status_code, 302)
        self.client.logout()
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            self.attempt("therapist_a@example.org")
        self.assertEqual(self.attempt("therapist_a@example.org", PASSWORD).status_code, 302)
