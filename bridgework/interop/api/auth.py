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

from bridgework.accounts.http import AuthenticatedHttpRequest, action_of
from bridgework.audit import context, trail
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
        context.via.set(f"token:{found.pk}")
        if not found.reaches(self.area, write=request.method not in READING):
            refused(found, request)
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
        if found.owner.language:
            translation.activate(found.owner.language)
        return found


def refused(token: AccessToken, request: HttpRequest) -> None:
    """A token used beyond its areas or access: a refusal in the owner's trail, on the
    clinic's chain (no client's record was opened)."""
    trail.record(
        actor_id=token.owner_id,
        actor_role=token.owner.kind,
        action=action_of(request),
        object_type="access-token",
        object_id=token.pk,
        clinic_id=token.clinic_id,
        allowed=False,
        defer=True,
    )
