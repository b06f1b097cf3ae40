"""What the server log may hold: no link secrets, no request bodies, no tracebacks for a client
sending too much.

Some links carry a secret in their path (an invitation, the calendar feed): whoever reads the
log could use them. Every log line, the access log included, passes `redact_secret_paths`,
which keeps the start of such a path and drops the rest.
"""

from __future__ import annotations

import logging
import re

# Every path that carries a secret, by its first segments. The whole rest of the path (and any
# query string) is dropped, so a route with more segments after the prefix is covered too.
# bridgework/tests/test_logging.py fails for a route with a secret-looking parameter (token,
# uidb64, key, secret) that no prefix covers.
SECRET_PATH_PREFIXES: tuple[str, ...] = ("/invitations/", "/calendar/", "/accounts/password-reset/")

REDACTED = "[redacted]"

# A prefix counts only where a path starts: at the start of the text, after a space, a quote,
# an equals sign or a bracket, or after a URL's host ("https://host/invitations/…" in a
# Referer). So /clinic/invitations/12/revoke/ keeps its (harmless) id.
_SECRET_PATH = re.compile(
    r"(?P<start>^|[\s\"'=(\[]|://[^/\s\"']+)"
    r"(?P<prefix>" + "|".join(re.escape(prefix) for prefix in SECRET_PATH_PREFIXES) + r")"
    r"[^\s\"']*"
)

# Django's refusals of a request that sends too much: the client's doing, not a fault of ours,
# so a short warning rather than a traceback at ERROR.
TOO_MUCH = {
    f"django.security.{name}"
    for name in ("RequestDataTooBig", "TooManyFieldsSent", "TooManyFilesSent")
}


def redact_secret_paths(text: str) -> str:
    return _SECRET_PATH.sub(rf"\g<start>\g<prefix>{REDACTED}", text)


class SafeRecords(logging.Filter):
    """On every handler of the app's log (settings.LOGGING): drops link secrets from each line,
    and turns a refused too-large request into one short WARNING without its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name in TOO_MUCH and not getattr(record, "shortened", False):
            shorten_too_much(record)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True  # a malformed call: the handler reports it (logging.Handler.handleError)
        redacted = redact_secret_paths(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def shorten_too_much(record: logging.LogRecord) -> None:
    request = getattr(record, "request", None)
    # Escaped as Django escapes the paths it logs: a newline in a path makes no second line.
    method, path = (
        str(getattr(request, name, "") or "").encode("unicode_escape").decode("ascii")
        for name in ("method", "path")
    )
    request_id = getattr(request, "request_id", "")
    reason = str(record.msg).rstrip(".")
    record.msg = "%s %s refused with 400: %s (request %s)"
    record.args = (method, path, reason, request_id or "-")
    record.levelno, record.levelname = logging.WARNING, logging.getLevelName(logging.WARNING)
    record.exc_info, record.exc_text, record.stack_info = None, None, None
    record.shortened = True  # a second handler leaves it as it is
