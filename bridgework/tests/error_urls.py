"""A URLconf for the error-page tests only: views that fail in each way Django answers with
an error page, their messages naming things no page may show."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path

SECRET = "client 4711 of clinic 93"


def not_found(request: HttpRequest) -> HttpResponse:
    raise Http404(f"No ActionPlan of {SECRET} matches the given query.")


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied(f"Not on the care team of {SECRET}.")


def bad_request(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation(f"A tampered field about {SECRET}.")


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(f"The export of {SECRET} fell over.")


handler500 = "bridgework.views.server_error"  # as bridgework/urls.py

urlpatterns = [
    path("fails/404/", not_found),
    path("fails/403/", forbidden),
    path("fails/400/", bad_request),
    path("fails/500/", broken),
]
