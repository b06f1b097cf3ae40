"""Errors as RFC 9457 problem details (application/problem+json): a type, a title, the status,
a detail, and an `errors` list naming each field with its message, in the token owner's
language. Every refusal of the API answers this way, so a client handles one shape."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

TYPE_BASE = "https://bridgework.example/problems/"  # documented in docs/api.md, never fetched
MEDIA_TYPE = "application/problem+json"


class Problem(Exception):
    """A refusal to answer with a problem document."""

    def __init__(
        self,
        status: int,
        kind: str,
        title: str,
        detail: str = "",
        errors: Sequence[Mapping[str, str]] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(title)
        self.status, self.kind, self.title, self.detail = status, kind, title, detail
        self.errors, self.headers = list(errors), dict(headers or {})


def field_errors(
    problems: Mapping[str, str], fields: Mapping[str, str] | None = None
) -> list[dict[str, str]]:
    """An action's problems ({form field: message}) as the `errors` list, with each form
    field under its name in the API (`fields`), and the entry as a whole as "" (the body)."""
    names = fields or {}
    return [
        {"field": "" if name == "__all__" else names.get(name, name), "message": str(message)}
        for name, message in problems.items()
    ]


def form_problems(form: Any, prefix: str = "") -> dict[str, str]:
    """A Django form's errors as problems by API field ("answers.done"; the form as a whole
    under `prefix` alone, or the body)."""
    return {
        (prefix + name if name != "__all__" else prefix.rstrip(".") or "__all__"): " ".join(
            str(error) for error in errors
        )
        for name, errors in form.errors.items()
    }


def invalid(problems: Mapping[str, str], fields: Mapping[str, str] | None = None) -> Problem:
    return Problem(
        422,
        "invalid",
        _("Some of what was sent is not valid."),
        _("Each entry of “errors” names a field and says what is expected."),
        field_errors(problems, fields),
    )


def not_found() -> Problem:
    """What an object outside the owner's access and a missing one both answer."""
    return Problem(404, "not-found", _("There is no such object."))


def answer(problem: Problem) -> HttpResponse:
    body: dict[str, Any] = {
        "type": TYPE_BASE + problem.kind,
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail or problem.title,
        "errors": problem.errors,
    }
    response = JsonResponse(body, status=problem.status, content_type=MEDIA_TYPE)
    for name, value in problem.headers.items():
        response[name] = value
    return response
