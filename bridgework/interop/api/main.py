"""The API itself: one NinjaAPI at /api/v1/, its routers, and every error as a problem
document (interop.api.problems)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema

from bridgework.audit.readonly import KeptReadOnly
from bridgework.interop.api import care, measures, plans, practice, prompts, records
from bridgework.interop.api.openapi import with_problems
from bridgework.interop.api.problems import Problem, answer, not_found


class BridgeworkAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        with_problems(schema)
        return schema


api = BridgeworkAPI(
    title="Bridgework API",
    version="1",
    description=(
        "Read and change what the token's owner may see and do on their pages, through the "
        "same access rules and checks. Authenticate with a personal access token: "
        "`Authorization: Bearer bw_pat_…` (make one at /tokens/). See docs/api.md."
    ),
    urls_namespace="api-v1",
)
for router in (
    care.router,
    plans.router,
    practice.router,
    measures.router,
    measures.flags_router,
    prompts.router,
    records.router,
):
    api.add_router("", router)


def field_of(location: tuple[Any, ...] | list[Any]) -> str:
    """Where a value the API refused sits, as a client names it: "note", "entries.situation",
    "limit" (not ninja's ["body", "body", "note"])."""
    parts = [str(part) for part in location]
    if parts and parts[0] == "body":
        parts = parts[2:]
    elif parts:
        parts = parts[1:]
    return ".".join(parts)


def message_of(error: dict[str, Any]) -> str:
    """A message for one of pydantic's errors in the owner's language: ours where the text
    rule refused (it already says what and where), else by the error's type."""
    kind = str(error.get("type", ""))
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error.get("msg", "")))
    if kind == "missing":
        return _("This field is required.")
    if kind == "literal_error":  # ctx: "'identified' or 'pseudonymised'"
        return _("Choose one of %(choices)s.") % {"choices": error.get("ctx", {}).get("expected")}
    if kind.startswith("int"):
        return _("Enter a whole number.")
    if kind.startswith("datetime"):
        return _("Enter a date and time in ISO 8601, like 2026-11-24T18:30:00Z.")
    if kind.startswith("uuid"):
        return _("Enter a UUID, like 0b6e7c0e-5a3c-4f43-9d1e-2f7c1a2b3c4d.")
    if kind.startswith(("string", "dict", "list", "bool", "float", "model")):
        return _("This value has the wrong type; the OpenAPI description says which is expected.")
    return _("This value is not valid here.")


@api.exception_handler(ValidationError)
def invalid_input(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [{"field": field_of(e.get("loc", ())), "message": message_of(e)} for e in exc.errors]
    return answer(
        Problem(
            422,
            "invalid",
            _("Some of what was sent is not valid."),
            _("Each entry of “errors” names a field and says what is expected."),
            errors,
        )
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    # The same answer for a missing, wrong, expired or revoked token, whatever the URL: it
    # tells nothing about what exists.
    problem = Problem(
        401,
        "unauthenticated",
        _("A valid access token is needed."),
        _(
            "Send “Authorization: Bearer bw_pat_…” with a token that is neither expired "
            "nor revoked."
        ),
        headers={"WWW-Authenticate": 'Bearer realm="bridgework"'},
    )
    return answer(problem)


@api.exception_handler(HttpError)
def refused(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:  # ninja: the body is not JSON
        return answer(
            Problem(
                400,
                "malformed",
                _("The body could not be read."),
                _("Send a JSON object in UTF-8 with Content-Type: application/json."),
                [{"field": "", "message": _("This is not valid JSON.")}],
            )
        )
    return answer(Problem(exc.status_code, "refused", str(exc)))


@api.exception_handler(Http404)
def missing(request: HttpRequest, exc: Http404) -> HttpResponse:
    return answer(not_found())


@api.exception_handler(Problem)
def problem(request: HttpRequest, exc: Problem) -> HttpResponse:
    return answer(exc)


@api.exception_handler(KeptReadOnly)
def read_only(request: HttpRequest, exc: KeptReadOnly) -> HttpResponse:
    # The client's record is kept as it is (a legal hold, an erasure request waiting): the
    # same message as the pages, nothing changed (docs/erasure.md).
    return answer(
        Problem(409, "read-only", exc.message, errors=[{"field": "", "message": exc.message}])
    )
