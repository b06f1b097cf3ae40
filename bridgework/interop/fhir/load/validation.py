"""Is this a Bundle FHIR's structure allows? fhir.resources' R4B models decide (they read
every element an R4 record of Bridgework uses the same way); their errors are said again as
"Bundle.entry[3].resource (Goal/g1): lifecycleStatus: …", naming the resource and element."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pydantic
from django.utils.translation import gettext as _
from fhir.resources.R4B.bundle import Bundle

from bridgework.lib import text

MISSING = ("missing", "model_field_validation.missing")


class InvalidBundle(ValueError):
    """The Bundle was refused and nothing imported; `problems` say where and what."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def checked(data: object) -> dict[str, Any]:
    """`data` itself, once FHIR's structure allows it; InvalidBundle saying where not."""
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        raise InvalidBundle(
            [_('This is not a FHIR Bundle: expected a JSON object with "resourceType": "Bundle".')]
        )
    refused = text.first_refused(data)
    if refused is not None:
        path, refusal = refused
        raise InvalidBundle([refusal.message(f"Bundle/{path}")])
    try:
        Bundle.model_validate(data)
    except pydantic.ValidationError as error:
        raise InvalidBundle([said(data, problem) for problem in error.errors()]) from None
    return data


def said(data: dict[str, Any], problem: Any) -> str:
    """One error as a person reads it: where, in which resource, and what is wrong."""
    where, resource = located(data, problem["loc"])
    what = _("required, but missing") if problem["type"] in MISSING else problem["msg"]
    return f"{where}: {what}" if not resource else f"{resource}: {where}: {what}"


def located(data: dict[str, Any], loc: Sequence[str | int]) -> tuple[str, str]:
    """("Bundle.entry[3].resource (Goal/g1)", "lifecycleStatus") for a path into an entry's
    resource; the element's path alone elsewhere."""
    if len(loc) >= 3 and loc[0] == "entry" and isinstance(loc[1], int) and loc[2] == "resource":
        resource = entry_resource(data, loc[1])
        named = f"{resource.get('resourceType', '?')}/{resource.get('id', '?')}"
        element = path(loc[3:]) or _("(the resource)")
        return element, f"Bundle.entry[{loc[1]}].resource ({named})"
    return "Bundle." + path(loc) if loc else "Bundle", ""


def entry_resource(data: dict[str, Any], index: int) -> dict[str, Any]:
    entries = data.get("entry")
    entry = entries[index] if isinstance(entries, list) and index < len(entries) else {}
    resource = entry.get("resource") if isinstance(entry, dict) else None
    return resource if isinstance(resource, dict) else {}


def path(loc: Sequence[str | int]) -> str:
    found = ""
    for part in loc:
        found += f"[{part}]" if isinstance(part, int) else (f".{part}" if found else str(part))
    return found
