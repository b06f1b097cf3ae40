"""Reading the trail back: one clinic's events, filtered, a page at a time, and as CSV cells.

The trail grows by every request, so nothing here counts it: pages are keyset pages (newest
first, by time and then id), each found through an index that starts with the filter's most
selective column (client, person, else clinic; see AccessEvent.Meta.indexes).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from bridgework.audit.models import AccessEvent

PAGE_SIZE = 50


@dataclass(frozen=True)
class TrailQuery:
    """Which of a clinic's events to show. `since` is inclusive, `until` exclusive."""

    clinic_id: int
    client_id: int | None = None
    actor_id: int | None = None
    action: str = ""
    allowed: bool | None = None
    since: datetime | None = None
    until: datetime | None = None

    def events(self) -> QuerySet[AccessEvent]:
        events = AccessEvent.objects.filter(clinic_id=self.clinic_id)
        if self.client_id is not None:
            events = events.filter(client_id=self.client_id)
        if self.actor_id is not None:
            events = events.filter(actor_id=self.actor_id)
        if self.action:
            events = events.filter(action=self.action)
        if self.allowed is not None:
            events = events.filter(allowed=self.allowed)
        if self.since is not None:
            events = events.filter(at__gte=self.since)
        if self.until is not None:
            events = events.filter(at__lt=self.until)
        return events

    def newest_first(self) -> QuerySet[AccessEvent]:
        return self.events().order_by("-at", "-id")

    def find(self, event_id: int) -> AccessEvent | None:
        """One of this query's events (a page's edge), or None if it is not among them."""
        return self.events().filter(pk=event_id).first()


@dataclass(frozen=True)
class Page:
    events: list[AccessEvent]
    newer: int | None  # the id to ask for the newer page with (`after`), if there is one
    older: int | None  # the id to ask for the older page with (`before`), if there is one


def page(
    query: TrailQuery,
    *,
    before: AccessEvent | None = None,
    after: AccessEvent | None = None,
    size: int = PAGE_SIZE,
) -> Page:
    """The `size` events just older than `before`, or just newer than `after`, or the newest.

    The extra `at__lte`/`at__gte` bound repeats the keyset condition in a form an index range
    can use; the OR alone would be checked row by row from the newest event on."""
    events = query.events()
    if after is not None:
        rows = list(
            events.filter(
                Q(at__gt=after.at) | Q(at=after.at, id__gt=after.pk), at__gte=after.at
            ).order_by("at", "id")[: size + 1]
        )
        more_newer = len(rows) > size
        rows = rows[:size][::-1]
        return Page(rows, rows[0].pk if more_newer and rows else None, edge(rows, -1))
    if before is not None:
        events = events.filter(
            Q(at__lt=before.at) | Q(at=before.at, id__lt=before.pk), at__lte=before.at
        )
    rows = list(events.order_by("-at", "-id")[: size + 1])
    older = rows[size - 1].pk if len(rows) > size else None
    rows = rows[:size]
    return Page(rows, edge(rows, 0) if before is not None else None, older)


def edge(rows: list[AccessEvent], index: int) -> int | None:
    return rows[index].pk if rows else None


# A spreadsheet runs a cell that starts like a formula (OWASP "CSV injection"): names and ids
# typed by people are written with a leading apostrophe instead, which shows them as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def described(changes: dict[str, Any]) -> list[str]:
    """A row's changes for people: "status: draft → agreed", the fields whose words stay in
    the record, and the action's other facts ("decision: continue")."""
    lines = [
        f"{name}: {shown(old)} → {shown(new)}"
        for name, (old, new) in changes.get("values", {}).items()
    ]
    if changes.get("named"):
        lines.append(_("changed (kept in the record only): %s") % ", ".join(changes["named"]))
    lines += [f"{name}: {shown(value)}" for name, value in changes.get("detail", {}).items()]
    return lines


def shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else "—"
    return str(value).lower() if isinstance(value, bool) else str(value)


def as_json(changes: dict[str, Any]) -> str:
    """A row's changes for a spreadsheet or a script: the JSON its hash covers."""
    return json.dumps(changes, separators=(",", ":"), sort_keys=True) if changes else ""
