from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import template
from django.utils.translation import gettext as _

from bridgework.accounts.models import User
from bridgework.practice import outbox
from bridgework.practice.worksheets import Field, Group

register = template.Library()


@register.inclusion_tag("practice/_sheet_field.html")
def sheet_field(
    field: Field, values: Mapping[str, Any], problems: Mapping[str, str], prefix: str = "entries."
) -> dict[str, Any]:
    name = prefix + field.name
    return {
        "field": field,
        "name": name,
        "id": "f-" + name.replace(".", "-"),
        "value": values.get(name, ""),
        "error": problems.get(name, ""),
    }


@register.filter
def is_group(part: Field | Group) -> bool:
    return isinstance(part, Group)


@register.filter
def get(mapping: Mapping[str, Any], key: str) -> Any:
    return mapping.get(key, "") if mapping else ""


@register.filter
def readings(series: Sequence[tuple[int, int]]) -> str:
    """An exposure's readings as text ("0 min: 60 · 5 min: 45"), the wording read once."""
    each = _("%(minute)s min: %(distress)s")
    return " · ".join(
        each % {"minute": minute, "distress": distress} for minute, distress in series
    )


@register.simple_tag
def outbox_owner(user: User) -> str:
    """Who is signed in, for the phone's outbox (practice.outbox)."""
    return outbox.owner_of(user)
