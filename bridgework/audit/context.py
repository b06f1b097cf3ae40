"""The id of the request being served, for audit rows written anywhere below the view."""

from __future__ import annotations

from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("request_id", default="")
