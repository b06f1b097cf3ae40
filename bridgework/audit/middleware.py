from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from bridgework.audit import context, trail

# A proxy's id is trusted only when it looks like an id; anything else could smuggle text
# into the audit trail.
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Gives every request an id, echoed in X-Request-ID and written on its audit rows, and
    writes the request's door events in one go once the response is ready."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.headers.get("X-Request-ID", "")
        rid = offered if VALID_REQUEST_ID.match(offered) else uuid.uuid4().hex
        token = context.request_id.set(rid)
        how = context.via.set("")
        batch = trail.pending.set([])
        request.request_id = rid  # type: ignore[attr-defined]
        try:
            response = self.get_response(request)
        finally:
            # Written even when the view failed: a refused look is recorded like any other.
            trail.flush()
            trail.pending.reset(batch)
            context.via.reset(how)
            context.request_id.reset(token)
        response["X-Request-ID"] = rid
        return response
