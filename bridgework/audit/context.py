"""The id of the request being served, for audit rows written anywhere below the view."""

from __future__ import annotations

from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("request_id", default="")
# How the request being served was made, when not in a signed-in browser: "token:<id>" for the
# REST API with a personal access token (interop.api.auth). Written on its audit rows.
via: ContextVar[str] = ContextVar("via", default="")
