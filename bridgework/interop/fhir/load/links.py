"""Finding the record a resource names by its identifiers, and remembering the identifiers a
new record arrived with.

This clinic's own identifiers (its system on this installation, codes.clinic_system) name
its records directly. Anyone else's — another clinic, here or elsewhere — name a record only
through a `Link` this clinic made when it imported that identifier before: so another
clinic's "client 12" never reaches this clinic's client 12, and importing the same Bundle
twice finds the records the first import made."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet

from bridgework.audit.models import AccessEvent
from bridgework.audit.trail import changed
from bridgework.interop.fhir import codes
from bridgework.interop.fhir.load.intake import Intake, Resource
from bridgework.interop.fhir.models import Link

M = TypeVar("M", bound=Model)


class ForeignRecord(ValueError):
    """The identifier names a record of another client of this clinic."""


def identifiers(resource: Resource) -> list[tuple[str, str]]:
    found = resource.get("identifier") or []
    found = [found] if isinstance(found, dict) else found
    return [
        (str(one["system"]), str(one["value"]))
        for one in found
        if isinstance(one, dict) and one.get("system") and one.get("value")
    ]


def find(intake: Intake, kind: str, resource: Resource, model: type[M]) -> M | None:
    """The record of this clinic (and, below a client, of the client) the resource names."""
    for system, value in identifiers(resource):
        own = codes.own_kind(system, intake.clinic.pk)
        if own == kind and value.isdigit():
            found = scoped(intake, model).filter(pk=int(value)).first()
        elif own is None:
            found = linked(intake, kind, system, value, model)
        else:
            found = None
        if found is not None:
            return found
    return None


def scoped(intake: Intake, model: type[M]) -> QuerySet[M]:
    if intake.client is None:  # the client itself: this clinic's real clients only
        return model._default_manager.filter(clinic=intake.clinic, is_training=False)
    return model._default_manager.filter(client=intake.client)


def linked(intake: Intake, kind: str, system: str, value: str, model: type[M]) -> M | None:
    link = Link.objects.filter(clinic=intake.clinic, kind=kind, system=system, value=value).first()
    if link is None:
        return None
    if intake.client is not None and link.client_id != intake.client.pk:
        raise ForeignRecord(system, value)
    found: M | None = scoped(intake, model).filter(pk=link.object_id).first()
    return found


def remember(intake: Intake, kind: str, resource: Resource, record: Model) -> None:
    """Link the new record to every identifier of someone else's it arrived with."""
    assert intake.client is not None
    for system, value in identifiers(resource):
        if (
            codes.own_kind(system, intake.clinic.pk) is not None
            or len(value) > 64
            or len(system) > 255
        ):
            continue
        link, made = Link.objects.get_or_create(
            clinic=intake.clinic,
            kind=kind,
            system=system,
            value=value,
            defaults={"client": intake.client, "object_id": record.pk},
        )
        if made:
            changed(intake.by, AccessEvent.Action.CREATE, link)
