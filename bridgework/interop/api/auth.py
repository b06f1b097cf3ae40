"""Who is asking: the personal access token in `Authorization: Bearer bw_pat_…`, and nothing
else. The API takes no session cookie, so a page in a browser can never make it act for the
person signed in there, and CSRF has nothing to forge (docs/api.md).

A valid token makes its owner the request's user, so the doors decide and record as they do
for that person's pages, and every audit row of the request says it came via the token. Each
route belongs to one area (interop.models.Area); a token reaches it when it names the area and,
for a change, may write."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from bridgework.accounts.http import AuthenticatedHttpRequest
from bridgework.audit import context
from bridgework.interop import actions
from bridgework.interop.api.problems import Problem
from bridgework.interop.models import AccessToken

READING = ("GET", "HEAD", "OPTIONS")


def signed(request: HttpRequest) -> AuthenticatedHttpRequest:
    """The request of a route behind TokenAuth, typed: its user is the token's owner."""
    return cast(AuthenticatedHttpRequest, request)


class TokenAuth(HttpBearer):
    openapi_bearerFormat = "bw_pat_…"

    def __init__(self, area: str) -> None:
        super().__init__()
        self.area = area

    def authenticate(self, request: HttpRequest, token: str) -> AccessToken | None:
        now = timezone.now()
        found = actions.token_for_secret(token, now)
        if found is None:
            return None  # 401, the same for a wrong, expired or revoked token
        wait = actions.count_request(found, now)
        if wait is not None:
            raise Problem(
                429,
                "rate-limited",
                _("Too many requests with this token."),
                _("At most %(n)d requests a minute; try again in %(s)d seconds.")
                % {"n": settings.API_REQUESTS_A_MINUTE, "s": wait},
                headers={"Retry-After": str(wait)},
            )
        if not found.reaches(self.area, write=request.method not in READING):
            raise Problem(
                403,
                "scope",
                _("This token may not do that."),
                _("It needs the area “%(area)s” with %(access)s access. Make a token that has it.")
                % {
                    "area": self.area,
                    "access": _("read") if request.method in READING else _("read and change"),
                },
            )
        actions.note_use(found, now)
        request.user = found.owner
        context.via.set(f"token:{found.pk}")
        if found.owner.language:
            translation.activate(found.owner.language)
        return found
