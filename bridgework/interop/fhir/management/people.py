"""Who a FHIR command acts as: a person of the clinic, named by their sign-in address, so the
doors decide and the trail records them exactly as for the pages."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.http import HttpRequest

from bridgework.accounts.models import User


def person(email: str) -> User:
    found = User.objects.select_related("clinic").filter(email__iexact=email, is_active=True)
    user = found.first()
    if user is None:
        raise CommandError(f"No active account signs in as {email}.")
    return user


def request_as(user: User) -> HttpRequest:
    """A request by `user` for the doors (their events are written at once, outside a
    request's response)."""
    request = HttpRequest()
    request.method = "GET"
    request.user = user
    return request
