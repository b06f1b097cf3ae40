"""Tell an erased client's phone to forget (records.forget): a request carrying one of their
sessions is answered with Clear-Site-Data (the browser deletes the site's caches, IndexedDB,
localStorage and service worker), and the phone's sync with a body its outbox understands
(`"forget": true`: delete every stored entry, go to the sign-in page), for browsers that
ignore the header. The marker is used up by that answer."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from bridgework.records import forget

SYNC = "/me/sync/"


class ForgetErasedPhonesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        # One read for a request with a session cookie but no one signed in (signed-in: none).
        if not key or request.user.is_authenticated or not forget.take_marker(key):
            return self.get_response(request)
        if request.path == SYNC:
            message = _("You are signed out, and this phone no longer keeps your entries.")
            response: HttpResponse = JsonResponse(
                {"forget": True, "errors": {"__all__": message}}, status=410
            )
        else:
            response = self.get_response(request)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response
