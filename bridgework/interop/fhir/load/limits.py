"""How long a text a record holds: a longer one is refused with its element named, never cut
(nothing a client or therapist wrote is lost on the way)."""

from __future__ import annotations

from django.db.models import Field, Model
from django.utils.translation import gettext as _


class TooLong(ValueError):
    """The text is longer than the record's field holds; the message names the element."""


def fitting(text: str, model: type[Model], field: str, element: str) -> str:
    found = model._meta.get_field(field)
    limit = found.max_length if isinstance(found, Field) else None
    if limit is not None and len(text) > limit:
        raise TooLong(
            _("%(element)s is %(length)d characters long; at most %(limit)d fit.")
            % {"element": element, "length": len(text), "limit": limit}
        )
    return text
