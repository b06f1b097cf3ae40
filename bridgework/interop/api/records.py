"""Whole records as FHIR R4: a client's record out (`Patient/{id}/$everything`, FHIR's own
name for the operation) and a record in (`POST /fhir/Bundle`, a clinic admin's import).

Both call interop.fhir's public functions, the very ones the clinic's download and import
pages call, so the doors, the export's access event, the import's rules and its report are
the same. Errors are the API's problem documents, not FHIR OperationOutcomes: one shape for
every refusal of the API (docs/api.md)."""

from __future__ import annotations

import json
from typing import Any, Literal, NoReturn

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from bridgework.accounts.http import AuthenticatedHttpRequest, record_refusal
from bridgework.accounts.models import User
from bridgework.audit import trail
from bridgework.audit.models import AccessEvent
from bridgework.interop import fhir
from bridgework.interop.api.auth import TokenAuth, signed
from bridgework.interop.api.problems import MEDIA_TYPE, Problem, invalid
from bridgework.interop.fhir import codes
from bridgework.interop.fhir.forms import MAX_BYTES
from bridgework.interop.fhir.load.report import ImportReport
from bridgework.interop.fhir.load.validation import InvalidBundle
from bridgework.interop.models import Area

router = Router(auth=TokenAuth(Area.RECORDS), tags=["fhir"])

FHIR_JSON = "application/fhir+json"
JSON_TYPES = (FHIR_JSON, "application/json")
# A Bundle's shape is FHIR's (hl7.org/fhir/R4/bundle.html), checked on import by
# fhir.resources' R4B models; the description names only what tells a Bundle apart.
BUNDLE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A FHIR R4 (4.0.1) Bundle of type collection: one client's record.",
    "properties": {"resourceType": {"type": "string", "enum": ["Bundle"]}},
    "required": ["resourceType"],
    "additionalProperties": True,
}
PROBLEM_REF = {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemDocument"}}}


class NotImportedOut(Schema):
    resource: str  # "AllergyIntolerance/a1": its type and its id in the Bundle
    reason: str


class ImportReportOut(Schema):
    client_id: int
    created: list[str]  # "Goal/<id in the Bundle>"
    changed: list[str]
    unchanged: list[str]
    derived: list[str]  # score Observations, computed again here from the answers
    not_imported: list[NotImportedOut]


@router.get(
    "/fhir/Patient/{client_id}/$everything",
    summary="A client's record as a FHIR R4 Bundle (identified, or pseudonymised for research)",
    openapi_extra={
        "responses": {
            200: {
                "description": "The Bundle, as application/fhir+json; fhirVersion=4.0",
                "content": {FHIR_JSON: {"schema": BUNDLE_SCHEMA}},
            }
        }
    },
)
def everything(
    request: HttpRequest,
    client_id: int,
    mode: Literal["identified", "pseudonymised"] = "identified",
) -> HttpResponse:
    bundle = fhir.everything(request, client_id, mode)
    return HttpResponse(json.dumps(bundle, ensure_ascii=False), content_type=codes.MEDIA_TYPE)


@router.post(
    "/fhir/Bundle",
    response={200: ImportReportOut, 201: ImportReportOut},
    summary="Import a client's record (a FHIR Bundle) into the clinic: clinic admins only; "
    "the same Bundle again changes nothing",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {kind: {"schema": BUNDLE_SCHEMA} for kind in JSON_TYPES},
        },
        "responses": {
            201: {"description": "The client's record was made here; Location names it"},
            200: {"description": "The client was here already: their records brought up to date"},
            400: {"description": "The body is not a JSON object", "content": PROBLEM_REF},
            413: {"description": "The Bundle is larger than 10 MB", "content": PROBLEM_REF},
            415: {"description": "The body is not JSON", "content": PROBLEM_REF},
            422: {
                "description": "`therapist` is none of the clinic's therapists, or the Bundle "
                "is invalid: each of `errors` names a resource and its element",
                "content": PROBLEM_REF,
            },
        },
    },
)
def import_record(request: HttpRequest, response: HttpResponse, therapist: int) -> Status[Any]:
    admin = importer(signed(request))
    receiving = therapist_of(admin, therapist)
    bundle = body_of(request)
    try:
        report = fhir.import_bundle(bundle, clinic=admin.clinic, by=admin, therapist=receiving)
    except InvalidBundle as refused:
        refuse_bundle(refused.problems)
    made = any(label.startswith("Patient/") for label in report.created)
    if made:
        response["Location"] = f"/api/v1/clients/{report.client_id}"
    return Status(201 if made else 200, report_of(report))


def importer(request: AuthenticatedHttpRequest) -> User:
    """The clinic admin importing, their attempt recorded in the clinic's trail (an import
    that changes nothing leaves no audit row of its own); 404 and a refusal for anyone
    else, as the import page answers."""
    user = request.user
    if not (user.is_active and user.is_clinic_admin):
        record_refusal(request, "fhir-import", None)
        raise Http404
    trail.record(
        actor_id=user.pk,
        actor_role="clinic_admin",
        action=AccessEvent.Action.CHANGE,
        object_type="fhir-import",
        clinic_id=user.clinic_id,
        defer=True,
    )
    return user


def therapist_of(admin: User, therapist_id: int) -> User:
    """The therapist whose caseload the client joins: an active one of the admin's clinic,
    as the import page's choice offers."""
    found = User.objects.filter(
        pk=therapist_id, clinic_id=admin.clinic_id, is_active=True, is_therapist=True
    ).first()
    if found is None:
        raise invalid({"therapist": _("Choose one of your clinic's therapists.")})
    return found


def body_of(request: HttpRequest) -> dict[str, Any]:
    """The Bundle sent, parsed. Read from the stream rather than `request.body`, whose cap
    (DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB) is for form posts: a record may be as large as
    the import page takes."""
    kind = request.content_type or ""
    if kind not in JSON_TYPES:
        raise Problem(
            415,
            "unsupported-media-type",
            _("The body is not a FHIR Bundle in JSON."),
            _("Send the Bundle with Content-Type: application/fhir+json (or application/json)."),
        )
    raw = request.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise Problem(
            413,
            "too-large",
            _("The body is too large."),
            _("The file is larger than 10 MB: export one client's record."),
        )
    return parsed(raw)


def parsed(raw: bytes) -> dict[str, Any]:
    try:
        # NaN and Infinity are no JSON (RFC 8259), and no value a record could hold.
        data = json.loads(raw.decode("utf-8"), parse_constant=not_json)
    except (UnicodeDecodeError, ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        raise Problem(
            400,
            "malformed",
            _("The body could not be read."),
            _("Send one FHIR Bundle: a JSON object in UTF-8."),
            [{"field": "", "message": _("This is not a JSON object.")}],
        )
    return data


def not_json(constant: str) -> NoReturn:
    raise ValueError(constant)


def refuse_bundle(problems: list[str]) -> NoReturn:
    """An invalid Bundle: nothing was imported. Each of the import's lines names the
    resource (`Bundle.entry[3].resource (Goal/g1)`) and the element, so each is an entry of
    `errors` about the body as a whole."""
    raise Problem(
        422,
        "invalid-bundle",
        _("The Bundle was not imported."),
        _(
            "Each entry of “errors” names a resource of the Bundle and its element, and says what "
            "is wrong. Nothing was imported."
        ),
        [{"field": "", "message": problem} for problem in problems],
    )


def report_of(report: ImportReport) -> dict[str, Any]:
    return {
        "client_id": report.client_id,
        "created": report.created,
        "changed": report.changed,
        "unchanged": report.unchanged,
        "derived": report.derived,
        "not_imported": [
            {"resource": f"{n.resource_type}/{n.resource_id}", "reason": n.reason}
            for n in report.not_imported
        ],
    }
