"""The front door (where each person lands), the health check, the answer to an error no view
caught, and the page for a form whose CSRF token was refused."""

from __future__ import annotations

import sqlite3
import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.views import defaults

from bridgework.accounts.http import AuthenticatedHttpRequest, signed_in


@signed_in
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if user.is_client:
        return redirect("/me/")
    if user.is_therapist or user.is_supervisor:
        return redirect("/clients/")
    if user.is_clinic_admin:
        return redirect("/clinic/")
    if user.is_researcher:
        return redirect("/research/")
    # A staff account with no role yet (an admin took the last one away).
    return render(request, "no_role.html")


def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


# Seconds a client (or the phone's outbox) is asked to wait before trying again.
RETRY_AFTER_SECONDS = 10


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500, for any exception a view or middleware did not catch. When the database
    could not be reached (stopped, restarting, failing over) the answer is 503 with
    Retry-After, not 500: nothing is wrong with the request, the phone's outbox keeps the
    entry and sends it again, and a monitor tells an outage from a bug (bench/load.py restarts
    PostgreSQL under load). Anything else gets Django's 500 page (templates/500.html)."""
    if database_unreachable(sys.exc_info()[1]):
        page = loader.get_template("503.html").render({})
        response = HttpResponse(page, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return defaults.server_error(request)


# PostgreSQL's SQLSTATEs for a server that cannot be reached or is going away: class 08
# (connection exception) and 57P01–57P03 (shut down by an admin, crash, cannot connect now).
UNREACHABLE_STATES = ("08", "57P01", "57P02", "57P03")


def database_unreachable(error: BaseException | None) -> bool:
    """An outage rather than a bug: a deadlock, a statement timeout or a missing column is an
    OperationalError too, and must still answer 500 (and be reported)."""
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    if isinstance(cause, sqlite3.Error):  # SQLite has no server: only its file can be away
        return any(sign in str(cause) for sign in ("database is locked", "unable to open"))
    state = getattr(cause, "sqlstate", None)
    # No SQLSTATE: the server never answered (refused, reset, gone mid-query).
    return state is None or str(state).startswith(UNREACHABLE_STATES)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django's CSRF_FAILURE_VIEW: a form sent with a token the session no longer holds (a
    page left open across a sign-in or sign-out, an expired session, cookies blocked). The
    page says what to do next; `reason` stays out of it (Django has logged it already)."""
    return render(request, "403_csrf.html", status=403)
