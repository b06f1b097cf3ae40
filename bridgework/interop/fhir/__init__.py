"""FHIR R4 records of one client: the export (`everything`) and the import (`import_bundle`).

Django imports this package while it loads the apps (it is an app, for `models.Link`), before
any model can be imported, so the two entry points import their modules when called."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest

    from bridgework.accounts.models import Clinic, User
    from bridgework.interop.fhir.load.report import ImportReport


def everything(request: HttpRequest, client_id: int, mode: str) -> dict[str, Any]:
    """Client `client_id`'s record as a FHIR Bundle (a dict), read through the doors as
    `request.user`; `mode` is "identified" or "pseudonymised". 404 for anyone who may not
    read the client on the clinicians' pages."""
    from bridgework.interop.fhir.export.bundle import everything as export

    return export(request, client_id, mode)


def import_bundle(data: object, *, clinic: Clinic, by: User, therapist: User) -> ImportReport:
    """Take a Bundle (parsed JSON) into `clinic`, as `by`, the client joining `therapist`'s
    caseload. Raises `load.validation.InvalidBundle` naming each resource and element wrong."""
    from bridgework.interop.fhir.load.bundle import import_bundle as load

    return load(data, clinic=clinic, by=by, therapist=therapist)
