"""The problem documents in the OpenAPI description: every operation may answer 401, 403, 404,
422 and 429 (and 400 when it reads a body) as application/problem+json, so a generated client
knows the shape, and schemathesis checks our refusals against it too."""

from __future__ import annotations

from typing import Any

from ninja import Schema

from bridgework.interop.api.problems import MEDIA_TYPE


class FieldError(Schema):
    field: str  # "" for the body as a whole
    message: str


class ProblemDocument(Schema):
    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError]


# By status as ninja keys its own responses (numbers), so none is described twice.
REFUSALS = {
    401: "No valid token: missing, wrong, expired or revoked",
    403: "The token lacks this route's area, or write access",
    404: "No such object, or one outside the token owner's access",
    422: "A field is not valid; `errors` names each",
    429: "Too many requests with this token; see Retry-After",
}
MALFORMED = {400: "The body is not JSON"}


def with_problems(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    document = ProblemDocument.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(document.pop("$defs", {}))
    components["ProblemDocument"] = document
    answer = {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemDocument"}}}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            refusals = REFUSALS | (MALFORMED if "requestBody" in operation else {})
            for status, description in refusals.items():
                operation["responses"].setdefault(
                    status, {"description": description, "content": answer}
                )
    return schema
