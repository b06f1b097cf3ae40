"""The front door (where each person lands), the health check, and the page for a form whose
CSRF token was refused."""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

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


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django's CSRF_FAILURE_VIEW: a form sent with a token the session no longer holds (a
    page left open across a sign-in or sign-out, an expired session, cookies blocked). The
    page says what to do next; `reason` stays out of it (Django has logged it already)."""
    return render(request, "403_csrf.html", status=403)
