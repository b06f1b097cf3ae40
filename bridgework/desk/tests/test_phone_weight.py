"""What keeps the client's pages light on a slow phone network (bench/phone.py measures it):
pages gzipped yet never stored, no htmx where nothing uses it, and the progress page's first
picture inside the page."""

from __future__ import annotations

import gzip
from urllib.parse import unquote

from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.test import RequestFactory

from bridgework.desk.tests.test_pictures import PicturesTestCase
from bridgework.middleware import CompressPagesMiddleware
from bridgework.test import BaseTestCase, make_staff


class CompressionTests(BaseTestCase):
    def test_a_page_comes_gzipped_to_a_browser_that_asks_and_is_still_never_stored(self) -> None:
        self.sign_in(self.client_a)
        response = self.client.get("/me/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        self.assertEqual(response["Content-Encoding"], "gzip")
        self.assertEqual(response["Cache-Control"], "no-store")
        self.assertIn(self.client_a.full_name, gzip.decompress(response.content).decode())

    def test_a_streamed_download_is_left_as_it_is(self) -> None:
        streamed = StreamingHttpResponse(iter([b"a,b\n" * 500]), content_type="text/csv")
        self.assertFalse(self.compressed(streamed).has_header("Content-Encoding"))

    def test_a_tiny_response_is_left_uncompressed(self) -> None:
        self.assertFalse(self.compressed(HttpResponse(b"ok")).has_header("Content-Encoding"))

    def test_a_whole_page_is_compressed(self) -> None:
        page = self.compressed(HttpResponse(b"<p>Practice</p>" * 100))
        self.assertEqual(page["Content-Encoding"], "gzip")

    def test_pages_that_show_a_secret_are_never_compressed(self) -> None:
        # BREACH: a secret compressed beside what an attacker can reflect into the same page
        # leaks through the page's size.
        newcomer = make_staff(self.clinic, "newcomer", "therapist")
        self.sign_in(newcomer)
        setup = self.client.get("/accounts/second-factor/setup/", HTTP_ACCEPT_ENCODING="gzip")
        self.assertEqual(setup.status_code, 200)
        self.assertFalse(setup.has_header("Content-Encoding"))
        self.sign_in(self.therapist_a)
        tokens = self.client.get("/tokens/", HTTP_ACCEPT_ENCODING="gzip")
        self.assertEqual(tokens.status_code, 200)
        self.assertFalse(tokens.has_header("Content-Encoding"))

    def compressed(self, response: HttpResponseBase) -> HttpResponseBase:
        request = RequestFactory().get("/", HTTP_ACCEPT_ENCODING="gzip")
        return CompressPagesMiddleware(lambda request: response).process_response(request, response)


class ScriptTests(BaseTestCase):
    def test_the_clients_pages_load_no_htmx(self) -> None:
        self.sign_in(self.client_a)
        for url in ("/me/", "/me/progress/", "/me/history/"):
            with self.subTest(url=url):
                self.assertNotIn("htmx.min.js", self.client.get(url).content.decode())

    def test_the_template_library_that_filters_with_htmx_loads_it(self) -> None:
        self.sign_in(self.therapist_a)
        page = self.client.get("/plans/templates/").content.decode()
        self.assertIn("hx-get", page)
        self.assertIn("/static/vendor/htmx.min.js", page)

    def test_the_service_worker_keeps_no_htmx_for_the_phone(self) -> None:
        self.assertNotIn("htmx.min.js", self.client.get("/sw.js").content.decode())


class FirstPictureTests(PicturesTestCase):
    def test_the_first_picture_comes_inside_the_page_and_the_others_when_scrolled_to(self) -> None:
        self.sign_in(self.client_a)
        page = self.client.get("/me/progress/").content.decode()
        sources = [
            line.split('src="', 1)[1].split('"', 1)[0]
            for line in page.splitlines()
            if "<img " in line
        ]
        self.assertGreaterEqual(len(sources), 2)
        first, *others = sources
        self.assertTrue(first.startswith("data:image/svg+xml,"))
        self.assertIn("</svg>", unquote(first))
        for source in others:
            self.assertRegex(source, r"^/me/progress/[\w-]+\.svg$")
        self.assertEqual(page.count('loading="lazy"'), len(others))


class ServiceWorkerTests(BaseTestCase):
    def test_the_service_worker_fetches_a_page_while_it_starts_and_still_never_stores_it(
        self,
    ) -> None:
        body = self.client.get("/sw.js").content.decode()
        self.assertIn("navigationPreload.enable()", body)
        self.assertIn("event.preloadResponse", body)
        self.assertNotIn("cache.put", body)
