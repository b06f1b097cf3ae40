from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import dateformat, timezone

register = template.Library()


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key)


@register.filter
def clock(moment: datetime | None) -> str:
    """A moment in the viewer's time zone: "14:02" today, "Tue 3 Mar, 14:02" on another day."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    same_day = local.date() == timezone.localdate()
    return dateformat.format(local, "H:i" if same_day else "D j M, H:i")
