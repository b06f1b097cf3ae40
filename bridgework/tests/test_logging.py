"""What the server log shows: no link secrets, no request bodies, no per-font chatter.

These tests read what the configured handlers really write (settings.LOGGING, filters and
formatters included), not the records a test handler would see before the filters ran.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from types import SimpleNamespace

from django.test import override_settings
from gunicorn.config import Config

from bridgework.accounts import actions as accounts
from bridgework.lib.gunicorn_logging import Logger as GunicornLogger
from bridgework.lib.logs import SECRET_PATH_PREFIXES, redact_secret_paths
from bridgework.plans import actions as plans
from bridgework.plans.models import PlanTemplate
from bridgework.test import BaseTestCase, routes

# Route parameters that name a secret (Django's password reset uses uidb64 and token).
# A whole number is never a secret (an access token's id names the row, not its secret).
SECRET_PARAMETER = re.compile(r"<(?!int:)(?:\w+:)?(\w*(?:token|secret|key)\w*|uidb64)>")


@contextmanager
def server_log(*logger_names: str) -> Iterator[io.StringIO]:
    """Everything the app's log handlers (on the root logger, or on the named loggers) write
    while the block runs."""
    written = io.StringIO()
    handlers = [
        handler
        for name in (logger_names or ("",))
        for handler in logging.getLogger(name or None).handlers
        if handler.name in ("console", "django.server") or name.startswith("gunicorn")
    ]
    assert handlers, "no configured log handler found"
    streams = [handler.setStream(written) for handler in handlers]  # type: ignore[attr-defined]
    try:
        yield written
    finally:
        for handler, stream in zip(handlers, streams, strict=True):
            handler.setStream(stream)  # type: ignore[attr-defined]


class SecretPathTests(BaseTestCase):
    def test_every_route_with_a_secret_in_its_path_is_redacted_in_logs(self) -> None:
        secret_routes = [route for route in routes(prefix="/") if SECRET_PARAMETER.search(route)]
        self.assertIn("/invitations/<str:token>/", secret_routes)
        for route in secret_routes:
            with self.subTest(route=route):
                self.assertTrue(route.startswith(SECRET_PATH_PREFIXES), "add it to the prefixes")

    def test_every_prefix_still_names_a_route(self) -> None:
        served = list(routes(prefix="/"))
        for prefix in SECRET_PATH_PREFIXES:
            with self.subTest(prefix=prefix):
                self.assertTrue(any(route.startswith(prefix) for route in served))

    def test_it_drops_the_secret_but_keeps_where_the_path_went(self) -> None:
        self.assertEqual(
            redact_secret_paths("Not Found: /invitations/abc123-XYZ_def/"),
            "Not Found: /invitations/[redacted]",
        )
        self.assertEqual(
            redact_secret_paths('"GET /calendar/s3cr3t.ics?x=1 HTTP/1.1" 404 179'),
            '"GET /calendar/[redacted] HTTP/1.1" 404 179',
        )

    def test_it_drops_a_secret_inside_a_full_address(self) -> None:
        self.assertEqual(
            redact_secret_paths("referer=https://clinic.example/invitations/abc/ ok"),
            "referer=https://clinic.example/invitations/[redacted] ok",
        )

    def test_it_keeps_paths_that_only_contain_a_prefix_further_in(self) -> None:
        for harmless in ("/clinic/invitations/12/revoke/", "/me/reminders/calendar/"):
            with self.subTest(path=harmless):
                self.assertEqual(
                    redact_secret_paths(f"Not Found: {harmless}"), f"Not Found: {harmless}"
                )


class RequestLogTests(BaseTestCase):
    def test_a_404_on_an_invitation_path_logs_no_token(self) -> None:
        with server_log() as log:
            response = self.client.get("/invitations/not-a-real-token-but-secret-looking/")
        self.assertEqual(response.status_code, 404)
        self.assertIn("WARNING django.request: Not Found: /invitations/[redacted]", log.getvalue())
        self.assertNotIn("secret-looking", log.getvalue())

    def test_a_410_on_a_used_invitation_logs_no_token(self) -> None:
        invitation, token = self.open_invitation()
        accounts.revoke_invitation(invitation, by=self.admin)
        with server_log() as log:
            response = self.client.get(f"/invitations/{token}/")
        self.assertEqual(response.status_code, 410)
        self.assertIn("Gone: /invitations/[redacted]", log.getvalue())
        self.assertNotIn(token, log.getvalue())

    def test_a_404_on_a_calendar_feed_logs_no_token(self) -> None:
        with server_log() as log:
            response = self.client.get("/calendar/feed-secret-1234567890.ics")
        self.assertEqual(response.status_code, 404)
        self.assertIn("Not Found: /calendar/[redacted]", log.getvalue())
        self.assertNotIn("feed-secret", log.getvalue())

    def test_a_refused_csrf_post_on_an_invitation_logs_no_token(self) -> None:
        _invitation, token = self.open_invitation()
        self.client = self.client_class(enforce_csrf_checks=True)
        with server_log() as log:
            response = self.client.post(f"/invitations/{token}/", {"password1": "x"})
        self.assertEqual(response.status_code, 403)
        self.assertIn("/invitations/[redacted]", log.getvalue())
        self.assertNotIn(token, log.getvalue())

    def test_the_development_servers_request_lines_log_no_token(self) -> None:
        with server_log("django.server") as log:
            logging.getLogger("django.server").info(
                '"%s" %s %s', "GET /invitations/dev-secret-token/ HTTP/1.1", "404", "179"
            )
        self.assertIn('"GET /invitations/[redacted] HTTP/1.1" 404 179', log.getvalue())
        self.assertNotIn("dev-secret-token", log.getvalue())

    def test_gunicorns_access_log_shows_paths_but_no_token(self) -> None:
        config = Config()
        config.set("accesslog", "-")
        config.set("access_log_format", '%(m)s %(U)s %(s)s "%(f)s"')
        gunicorn_log = GunicornLogger(config)
        environ = {
            "REQUEST_METHOD": "GET",
            "RAW_URI": "/static/app.css",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "PATH_INFO": "/static/app.css",
            "HTTP_REFERER": "https://clinic.example/invitations/gunicorn-secret/",
        }
        response = SimpleNamespace(status="200 OK", sent=10, headers=[])
        with server_log("gunicorn.access") as log:
            gunicorn_log.access(response, SimpleNamespace(headers=[]), environ, timedelta())
            environ.update(PATH_INFO="/invitations/gunicorn-secret/", HTTP_REFERER="-")
            gunicorn_log.access(response, SimpleNamespace(headers=[]), environ, timedelta())
        lines = log.getvalue().splitlines()
        self.assertEqual(
            lines,
            [
                'GET /static/app.css 200 "https://clinic.example/invitations/[redacted]"',
                'GET /invitations/[redacted] 200 "-"',
            ],
        )


class TooLargeRequestTests(BaseTestCase):
    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
    def test_a_too_large_body_is_a_400_with_one_short_warning(self) -> None:
        body = "email=client%40example.org&note=" + "I+felt+hopeless+all+week+" * 80
        with server_log() as log:
            response = self.client.post(
                "/accounts/sign-in/", body, content_type="application/x-www-form-urlencoded"
            )
        self.assertEqual(response.status_code, 400)
        lines = log.getvalue().splitlines()
        self.assertEqual(len(lines), 1, lines)
        self.assertRegex(
            lines[0],
            r"^WARNING django\.security\.RequestDataTooBig: POST /accounts/sign-in/ refused "
            r"with 400: Request body exceeded settings\.DATA_UPLOAD_MAX_MEMORY_SIZE "
            r"\(request [0-9a-f]{32}\)$",
        )
        self.assertNotIn("hopeless", log.getvalue())
        self.assertNotIn("Traceback", log.getvalue())

    @override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=5)
    def test_too_many_fields_is_a_400_with_one_short_warning(self) -> None:
        body = "&".join(f"field{n}=low+mood" for n in range(10))
        with server_log() as log:
            response = self.client.post(
                "/accounts/sign-in/", body, content_type="application/x-www-form-urlencoded"
            )
        self.assertEqual(response.status_code, 400)
        lines = log.getvalue().splitlines()
        self.assertEqual(len(lines), 1, lines)
        self.assertTrue(lines[0].startswith("WARNING django.security.TooManyFieldsSent: POST"))
        self.assertNotIn("low+mood", log.getvalue())


class PdfLogTests(BaseTestCase):
    def test_generating_a_plan_pdf_logs_no_font_lines(self) -> None:
        plan = plans.start_plan(
            self.client_a, by=self.therapist_a, template=PlanTemplate.objects.first()
        )
        plans.agree(plan, by=self.therapist_a)
        self.sign_in(self.therapist_a)
        with server_log() as log:
            response = self.client.get(f"/plans/{plan.pk}/summary.pdf")
        self.assertEqual(response["Content-Type"], "application/pdf")
        # fontTools would list every table it prunes and the glyphs the text used.
        self.assertEqual(log.getvalue(), "")
