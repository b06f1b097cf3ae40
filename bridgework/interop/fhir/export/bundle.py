"""One client's record as a FHIR Bundle of type `collection`, read through every area's door.

A `collection`, not a `document`: a document is a Composition's signed, attested narrative,
while a record handed to another clinic or a research pipeline is a set of resources to be
taken up one by one (docs/fhir.md). A fixed number of queries however long the history."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from bridgework.care.access import get_client_for_user, record_export
from bridgework.care.models import Client
from bridgework.interop.fhir.export import care, flags, patient, plans, questionnaires, ratings
from bridgework.interop.fhir.export.context import Context, Mode, Resource
from bridgework.interop.fhir.export.provenance import provenance
from bridgework.measures.access import flags_of, responses_of
from bridgework.measures.models import Instrument, Response
from bridgework.plans.access import plans_of
from bridgework.plans.models import ActionPlan
from bridgework.practice.access import check_ins_of


def everything(request: HttpRequest, client_id: int, mode: Mode | str) -> dict[str, Any]:
    """The record of client `client_id` as the person asking may read it on the clinicians'
    pages (404 for anyone else), recorded as an export. `mode`: identified (another clinic
    takes the client on) or pseudonymised (research)."""
    client = get_client_for_user(request, client_id, staff_view=True)
    record_export(request, client, "fhir-record")
    ctx = Context(client, Mode(mode))
    return bundle(resources(request, ctx))


def bundle(resources: list[Resource]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{uuid.uuid4()}"},
        "type": "collection",
        "timestamp": timezone.now().isoformat(),
        "entry": [
            {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}
            for resource in resources
        ],
    }


def resources(request: HttpRequest, ctx: Context) -> list[Resource]:
    client = ctx.client
    goals = list(client.goals.select_related("created_by").order_by("created_at", "id"))
    sessions = client.sessions.select_related("therapist").order_by("starts_at", "id")
    found = [patient.patient(ctx), *patient.consents(ctx, client.consents.order_by("given_at"))]
    found += care.goals(ctx, goals)
    found += care.encounters(ctx, sessions)
    found += plan_resources(ctx, list_plans(request, client))
    found += response_resources(request, ctx)
    found += ratings.ratings(ctx, check_ins_of(request, client).order_by("answered_at", "id"))
    found += flags.flags(ctx, flags_of(request, client).order_by("raised_at", "id"))
    found += authored(ctx, "goal", [(g.pk, g.created_by, g.created_at) for g in goals])
    return found


def list_plans(request: HttpRequest, client: Client) -> list[ActionPlan]:
    listed = plans_of(request, client).select_related("created_by")
    return list(listed.prefetch_related("goals", "obstacles").order_by("created_at", "id"))


def plan_resources(ctx: Context, listed: list[ActionPlan]) -> list[Resource]:
    found = plans.care_plans(ctx, listed)
    return found + authored(ctx, "plan", [(p.pk, p.created_by, p.created_at) for p in listed])


def response_resources(request: HttpRequest, ctx: Context) -> list[Resource]:
    answered = list(
        responses_of(request, ctx.client)
        .select_related("entered_by", "review")
        .order_by("completed_at", "id")
    )
    # The definitions of the versions answered (one query): scoring codes, item types, and
    # the shipped questionnaires themselves.
    ids = {response.instrument_id for response in answered}
    instruments = {one.pk: one for one in Instrument.objects.filter(pk__in=ids).order_by("pk")}
    found = questionnaires.questionnaires(ctx, instruments.values())
    found += questionnaires.responses(ctx, answered, instruments)
    return found + authored(ctx, "response", [entered(r) for r in answered])


def entered(response: Response) -> tuple[int, Any, Any]:
    return response.pk, response.entered_by, response.completed_at


def authored(ctx: Context, kind: str, records: list[tuple[int, Any, Any]]) -> list[Resource]:
    made = (provenance(ctx, kind, pk, by, at) for pk, by, at in records)
    return [one for one in made if one is not None]
