"""Cursor pagination for every list of the API.

A list is ordered by (a time, the id), oldest first, and a page ends with `next`: an opaque
cursor, signed (django.core.signing) so a client can neither forge nor edit it, naming the last
row's time and id. Rows added while a client pages appear later in the order or not at all, so
paging never repeats or skips a row, unlike offsets. `since` and `until` (ISO 8601; a time
without an offset is UTC) narrow the list to [since, until)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from django.core import signing
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Schema

from bridgework.interop.api.problems import invalid

M = TypeVar("M", bound=Model)
SALT = "bridgework.interop.api.cursor"
LONGEST_PAGE = 200


class Window(Schema):
    """The query parameters every list takes."""

    cursor: str | None = None
    # The bounds are checked by `checked_limit`, with a message saying them.
    limit: int = Field(50, json_schema_extra={"minimum": 1, "maximum": LONGEST_PAGE})
    since: datetime | None = None
    until: datetime | None = None


def utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def checked_limit(limit: int) -> int:
    if not 1 <= limit <= LONGEST_PAGE:
        raise invalid({"limit": _("Ask for 1 to %(n)d rows a page.") % {"n": LONGEST_PAGE}})
    return limit


def after(cursor: str, listing: str) -> tuple[datetime, int]:
    """Where a cursor points: the time and id of the last row of the page it ended."""
    try:
        name, moment, last = signing.loads(cursor, salt=SALT)
        if name != listing:
            raise ValueError(name)
        return datetime.fromisoformat(moment), int(last)
    except (signing.BadSignature, ValueError, TypeError):
        raise invalid(
            {"cursor": _("This cursor is not one this list gave. Start again without it.")}
        ) from None


def page(rows: QuerySet[M], window: Window, *, at: str, listing: str) -> tuple[list[M], str | None]:
    """One page of `rows` ordered by the time field `at` and the id, and the cursor of the
    next page (None on the last). `listing` names the list, so a cursor of one list is
    refused by another."""
    limit = checked_limit(window.limit)
    since, until = utc(window.since), utc(window.until)
    if since is not None:
        rows = rows.filter(**{f"{at}__gte": since})
    if until is not None:
        rows = rows.filter(**{f"{at}__lt": until})
    if window.cursor:
        moment, last = after(window.cursor, listing)
        rows = rows.filter(Q(**{f"{at}__gt": moment}) | Q(**{at: moment, "pk__gt": last}))
    found = list(rows.order_by(at, "pk")[: limit + 1])
    if len(found) <= limit:
        return found, None
    end = found[limit - 1]
    cursor = signing.dumps([listing, getattr(end, at).isoformat(), end.pk], salt=SALT)
    return found[:limit], cursor


def listed(items: Sequence[Any], cursor: str | None) -> dict[str, Any]:
    return {"items": list(items), "next": cursor}
