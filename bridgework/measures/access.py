"""The doors for responses and flags (see care.access)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from bridgework.care.access import Need, open_object, record_listing
from bridgework.care.models import Client
from bridgework.measures.models import Baseline, Flag, Response


def get_flag_for_user(request: HttpRequest, flag_id: int, *, need: Need = Need.READ) -> Flag:
    flag = Flag.objects.select_related("client").filter(pk=flag_id).first()
    return open_object(request, "flag", flag_id, flag, flag.client if flag else None, need, True)


def get_response_for_user(
    request: HttpRequest, response_id: int, *, need: Need = Need.READ
) -> Response:
    """A response, for the clinicians' pages (marking a baseline); the client's own answers
    reach them on their pages, not through this door."""
    response = (
        Response.objects.select_related("client__clinic", "instrument")
        .defer("instrument__definition")
        .filter(pk=response_id)
        .first()
    )
    client = response.client if response else None
    return open_object(request, "response", response_id, response, client, need, True)


def baselines_of(request: HttpRequest, client: Client) -> QuerySet[Baseline]:
    """The baselines the client's therapists marked, one per questionnaire at most."""
    record_listing(request, client, "baselines")
    return (
        Baseline.objects.filter(client=client)
        .select_related("response__instrument")
        .defer("response__instrument__definition")
    )


def responses_of(request: HttpRequest, client: Client) -> QuerySet[Response]:
    record_listing(request, client, "responses")
    # Lists need the instrument's name, not its definition: with its translations a
    # definition is tens of kilobytes of JSON to decode per row.
    return (
        Response.objects.filter(client=client)
        .select_related("instrument")
        .defer("instrument__definition")
    )


def open_flags_of(request: HttpRequest, client: Client) -> QuerySet[Flag]:
    """Flags are for clinicians: a client never sees them (nor the non-engagement flag's
    wording), so this door admits staff only."""
    role = record_listing(request, client, "flags")
    flags = Flag.objects.filter(client=client, acknowledged_at=None)
    return flags.none() if role == "client" else flags


def flags_of(request: HttpRequest, client: Client) -> QuerySet[Flag]:
    """Every flag of the client, open and acknowledged, newest first: the flag history. For
    clinicians only, like the open flags."""
    role = record_listing(request, client, "flags")
    # Who acknowledged each, and who was told (the notices): three queries a page, however
    # many flags it holds.
    flags = Flag.objects.filter(client=client).select_related("acknowledged_by")
    return flags.none() if role == "client" else flags.prefetch_related("notices")
