"""The door to legal holds and erasure requests: a clinic admin of the client's clinic only,
every look recorded (care.access.open_object), 404 for anyone else."""

from __future__ import annotations

from django.db.models import QuerySet

from bridgework.accounts.http import AuthenticatedHttpRequest
from bridgework.care.access import Need, admin_listing, get_client_for_user, open_object
from bridgework.care.models import Client
from bridgework.records.models import ErasureRequest, LegalHold


def client_for_admin(request: AuthenticatedHttpRequest, client_id: int) -> Client:
    return get_client_for_user(request, client_id, need=Need.ROSTER)


def get_hold_for_admin(request: AuthenticatedHttpRequest, hold_id: int) -> LegalHold:
    hold = LegalHold.objects.select_related("client__clinic").filter(pk=hold_id).first()
    client = hold.client if hold is not None else None
    return open_object(request, "legal-hold", hold_id, hold, client, Need.ROSTER, False)


def erasures_for_admin(request: AuthenticatedHttpRequest) -> QuerySet[ErasureRequest]:
    """The clinic's erasure requests, for its report: numbers and days, no names."""
    return ErasureRequest.objects.filter(clinic=admin_listing(request, "erasures").clinic)


def get_request_for_admin(request: AuthenticatedHttpRequest, request_id: int) -> ErasureRequest:
    """A waiting erasure request of the admin's clinic (a done one has no client left)."""
    found = ErasureRequest.objects.select_related("client__clinic").filter(pk=request_id).first()
    client = found.client if found is not None else None
    return open_object(request, "erasure-request", request_id, found, client, Need.ROSTER, False)
