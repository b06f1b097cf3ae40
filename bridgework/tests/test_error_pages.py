"""The error pages: the app's own look and words for staff and clients, a way home, German
where the request's language is known, and nothing of the error's details."""

from __future__ import annotations

import sqlite3
from unittest import mock

from django.contrib.staticfiles import finders
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.test import Client, RequestFactory, SimpleTestCase, override_settings
from django.views.defaults import server_error

from bridgework.accounts import actions as accounts
from bridgework.accounts.models import User
from bridgework.practice.outbox import owner_of
from bridgework.test import BaseTestCase, user_of
from bridgework.tests.error_urls import SECRET
from bridgework.views import database_unreachable

HOME_LINK = '<a class="button" href="/">'


@override_settings(DEBUG=False)
class NotFoundTests(BaseTestCase):
    def test_an_unknown_address_gets_the_apps_page_with_a_way_home(self) -> None:
        self.sign_in(self.therapist_a)
        response = self.client.get("/no-such-page/")
        self.assertEqual(response.status_code, 404)
        self.assertTemplateUsed(response, "404.html")
        self.assertContains(response, "<h1>Page not found</h1>", status_code=404)
        self.assertContains(response, "staff can ask their clinic's admin", status_code=404)
        self.assertContains(response, HOME_LINK, status_code=404)
        self.assertContains(response, 'aria-label="Main"', status_code=404)  # the app's header

    def test_a_refused_record_looks_like_any_missing_page(self) -> None:
        self.sign_in(self.therapist_b)
        response = self.client.get(f"/clients/{self.client_a.pk}/")
        self.assertContains(response, "<h1>Page not found</h1>", status_code=404)
        self.assertNotContains(response, self.client_a.full_name, status_code=404)

    @override_settings(ROOT_URLCONF="bridgework.tests.error_urls")
    def test_the_exceptions_message_is_never_shown(self) -> None:
        response = self.client.get("/fails/404/")
        self.assertContains(response, "Page not found", status_code=404)
        self.assertNotContains(response, "4711", status_code=404)
        self.assertNotContains(response, "ActionPlan", status_code=404)

    def test_a_client_reads_it_in_their_language(self) -> None:
        accounts.set_language(user_of(self.client_a), "de", by=user_of(self.client_a))
        self.sign_in(self.client_a)
        response = self.client.get("/me/no-such-page/")
        self.assertContains(response, "<h1>Seite nicht gefunden</h1>", status_code=404)
        self.assertContains(response, "Zu Ihrer Startseite", status_code=404)


@override_settings(DEBUG=False, ROOT_URLCONF="bridgework.tests.error_urls")
class OtherErrorTests(BaseTestCase):
    def test_a_refusal_gets_the_403_page_without_its_reason(self) -> None:
        self.sign_in(self.client_a)
        response = self.client.get("/fails/403/")
        self.assertTemplateUsed(response, "403.html")
        self.assertContains(response, "<h1>Not allowed</h1>", status_code=403)
        self.assertContains(response, HOME_LINK, status_code=403)
        self.assertNotContains(response, SECRET, status_code=403)

    def test_a_bad_request_gets_the_400_page_without_its_reason(self) -> None:
        response = self.client.get("/fails/400/")
        self.assertTemplateUsed(response, "400.html")
        self.assertContains(response, "Something in the request was wrong", status_code=400)
        self.assertContains(response, HOME_LINK, status_code=400)
        self.assertNotContains(response, SECRET, status_code=400)

    def test_the_403_and_400_pages_speak_german(self) -> None:
        accounts.set_language(user_of(self.client_a), "de", by=user_of(self.client_a))
        self.sign_in(self.client_a)
        self.assertContains(self.client.get("/fails/403/"), "Nicht erlaubt", status_code=403)
        self.assertContains(
            self.client.get("/fails/400/"), "Etwas an der Anfrage stimmte nicht", status_code=400
        )

    def test_a_crash_gets_the_500_page_in_both_languages_without_its_details(self) -> None:
        browser = Client(raise_request_exception=False)
        browser.force_login(user_of(self.client_a))
        response = browser.get("/fails/500/")
        self.assertEqual(response.status_code, 500)
        self.assertContains(response, "Something went wrong", status_code=500)
        self.assertContains(response, "Etwas ist schiefgegangen", status_code=500)
        self.assertContains(response, HOME_LINK, status_code=500)
        self.assertNotContains(response, SECRET, status_code=500)
        self.assertNotContains(response, "RuntimeError", status_code=500)


@override_settings(DEBUG=False)
class DatabaseUnavailableTests(BaseTestCase):
    """bench/load.py restarts PostgreSQL under load: every request in between failed with 500,
    which the outbox and a monitor read as a bug, not an outage."""

    def test_a_request_the_database_fails_gets_503_with_retry_after_in_both_languages(
        self,
    ) -> None:
        browser = Client(raise_request_exception=False)
        browser.force_login(user_of(self.client_a))
        lost = OperationalError(f"connection failed for {SECRET}")
        owner = owner_of(user_of(self.client_a))
        with mock.patch("bridgework.practice.views.entries.practice_from", side_effect=lost):
            response = browser.post(
                "/me/sync/",
                {"kind": "practice", "owner": owner, "form": {}},
                content_type="application/json",
            )
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response["Retry-After"], "10")
        self.assertEqual(response["Cache-Control"], "no-store")
        self.assertContains(response, "Briefly unavailable", status_code=503)
        self.assertContains(response, "Kurz nicht erreichbar", status_code=503)
        self.assertNotContains(response, SECRET, status_code=503)
        self.assertNotContains(response, "OperationalError", status_code=503)


class OutageOrBugTests(SimpleTestCase):
    """Only an unreachable database answers 503: a deadlock or a missing column is a bug to
    report (500), though the driver calls it an OperationalError too."""

    def wrapped(self, cause: BaseException) -> OperationalError:
        error = OperationalError(str(cause))
        error.__cause__ = cause
        return error

    def test_what_counts_as_the_database_being_away(self) -> None:
        class DriverError(Exception):
            def __init__(self, sqlstate: str | None) -> None:
                super().__init__("driver")
                self.sqlstate = sqlstate

        away: dict[str, BaseException] = {
            "refused, no answer": self.wrapped(DriverError(None)),
            "connection failure": self.wrapped(DriverError("08006")),
            "admin shutdown": self.wrapped(DriverError("57P01")),
            "cannot connect now": self.wrapped(DriverError("57P03")),
            "SQLite locked": self.wrapped(sqlite3.OperationalError("database is locked")),
            "a bare interface error": InterfaceError("connection already closed"),
        }
        bugs: dict[str, BaseException] = {
            "deadlock": self.wrapped(DriverError("40P01")),
            "statement timeout": self.wrapped(DriverError("57014")),
            "SQLite missing column": self.wrapped(sqlite3.OperationalError("no such column: x")),
            "not a database error": ValueError("x"),
        }
        for name, error in away.items():
            with self.subTest(name):
                self.assertTrue(database_unreachable(error))
        for name, error in bugs.items():
            with self.subTest(name):
                self.assertFalse(database_unreachable(error))


STALE_TOKEN = "x" * 64  # a well-formed token the browser's cookie does not match


@override_settings(DEBUG=False)
class CsrfFailureTests(BaseTestCase):
    """A form sent with a token the browser's session no longer holds (a page left open
    across a sign-in or sign-out in another tab)."""

    def browser_of(self, user: User | None, page: str) -> Client:
        """A browser that opened `page` (with a form on it, so it holds the CSRF cookie)."""
        browser = Client(enforce_csrf_checks=True)
        if user is not None:
            browser.force_login(user)
        self.assertIn("csrftoken", browser.get(page).cookies)
        return browser

    def main_of(self, response: HttpResponseBase) -> str:
        assert isinstance(response, HttpResponse)
        return response.content.decode().split('<main id="main"', 1)[1]

    def test_a_stale_form_gets_the_apps_page_and_changes_nothing(self) -> None:
        browser = self.browser_of(self.therapist_a, "/clients/")
        response = browser.post("/accounts/sign-out/", {"csrfmiddlewaretoken": STALE_TOKEN})
        self.assertEqual(response.status_code, 403)
        self.assertTemplateUsed(response, "403_csrf.html")
        self.assertContains(response, "<h1>This form has expired</h1>", status_code=403)
        self.assertContains(response, "Go back, reload the page", status_code=403)
        self.assertContains(response, HOME_LINK, status_code=403)
        self.assertContains(response, 'aria-label="Main"', status_code=403)  # the app's header
        self.assertEqual(browser.get("/clients/").status_code, 200)  # still signed in

    def test_it_never_shows_djangos_reason(self) -> None:
        browser = self.browser_of(self.therapist_a, "/clients/")
        stale = browser.post("/accounts/sign-out/", {"csrfmiddlewaretoken": STALE_TOKEN})
        missing = Client(enforce_csrf_checks=True).post("/accounts/sign-in/", {})
        for response in (stale, missing):
            self.assertEqual(response.status_code, 403)
            self.assertTemplateUsed(response, "403_csrf.html")
            main = self.main_of(response)
            for words in ("CSRF", "incorrect", "cookie not set", "Referer", "token"):
                self.assertNotIn(words, main)

    def test_a_visitor_is_asked_to_sign_in_again(self) -> None:
        response = self.browser_of(None, "/accounts/sign-in/").post(
            "/accounts/sign-in/", {"csrfmiddlewaretoken": STALE_TOKEN}
        )
        self.assertContains(response, "You are signed out. Sign in again", status_code=403)
        self.assertContains(
            response, '<a class="button" href="/accounts/sign-in/">', status_code=403
        )

    def test_a_client_reads_it_in_german_and_their_choice_is_not_changed(self) -> None:
        user = user_of(self.client_a)
        accounts.set_language(user, "de", by=user)
        browser = self.browser_of(user, "/me/")
        response = browser.post(
            "/me/consents/", {"csrfmiddlewaretoken": STALE_TOKEN, "language": "en"}
        )
        self.assertContains(response, "<h1>Dieses Formular ist abgelaufen</h1>", status_code=403)
        self.assertContains(response, "Nichts wurde geändert.", status_code=403)
        self.assertContains(response, "laden Sie die Seite neu", status_code=403)
        user.refresh_from_db()
        self.assertEqual(user.language, "de")


class ServerErrorPageTests(BaseTestCase):
    # The manifest of hashed static names is missing here (collectstatic never ran), as it
    # may be when the error is that very thing: the page must render all the same.
    @override_settings(
        STORAGES={
            "staticfiles": {
                "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
            }
        }
    )
    def test_the_500_page_needs_no_request_context_database_or_manifest(self) -> None:
        with self.assertNumQueries(0):
            response = server_error(RequestFactory().get("/me/"))
        self.assertEqual(response.status_code, 500)
        page = response.content.decode()
        self.assertIn('<link rel="stylesheet" href="/static/css/bridgework.css">', page)
        self.assertIn('<section lang="de" aria-label="Deutsch">', page)

    def test_the_stylesheet_it_links_is_a_static_file_of_the_app(self) -> None:
        self.assertIsNotNone(finders.find("css/bridgework.css"))
