from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from bridgework.audit.readonly import KeptReadOnly

# Everything the app loads comes from its own origin: no CDN, no inline script.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'none'; object-src 'none'"
)


class PrivacyHeadersMiddleware:
    """Keeps pages out of browser and proxy caches, and pins where scripts may come from.

    Any page may hold client data, so every response that is not a static file is no-store:
    a shared family tablet's back button or disk cache must not show a client's record.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response["Cache-Control"] = "no-store"
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class ReadOnlyMiddleware:
    """A form posted to a client whose record is kept read-only (a legal hold, an erasure
    request waiting; audit/readonly.py) gets the refusal's message, not a server error. The
    action's transaction has rolled the change back already. The API and the phone's sync
    answer it themselves (409; a refusal the outbox shows)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, KeptReadOnly):
            return None
        back = request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = "/"
        context = {"message": exception.message, "back": back}
        return render(request, "read_only.html", context, status=409)


class CompressPagesMiddleware(GZipMiddleware):
    """Gzips pages, charts and JSON on the fly: on a slow phone network a page comes in a fifth
    of its bytes (static files come compressed ahead of time from WhiteNoise, above this).

    Streamed responses (downloads, exports: mostly zip and Parquet already) are left alone, so
    they keep their Content-Length and cost no CPU twice. BREACH: Django masks the CSRF token
    anew on every response and GZipMiddleware pads the gzip header with random bytes; a page
    that shows a secret (a second factor's key, a new token's secret) is never compressed
    (lib.web.never_compressed).
    """

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if response.streaming or getattr(response, "never_compressed", False):
            return response
        return super().process_response(request, response)
