"""The ratings table, in batches of Arrow columns (research.export.arrow_read): check-ins'
ratings on their scales, then the 0–100 fields of the practice logs' worksheets (two streams,
one table).

A log's ratings are in its entries (JSON), taken out by Python a batch of logs at a time,
whichever way the logs are read. (Taking them out in PostgreSQL, with a lateral lookup of each
worksheet's fields, was tried: it took twice as long as reading the entries here.)
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

import pyarrow as pa
from django.db.models import QuerySet

from bridgework.practice import worksheets
from bridgework.practice.models import Rating
from bridgework.research.export.arrow_build import optional_integers, repeated, strings
from bridgework.research.export.arrow_read import INTEGER, JSON, STRING, arrays
from bridgework.research.export.columnar import Batch, Seconds
from bridgework.research.export.context import Context
from bridgework.research.export.rows import logs_in_export

Fields = tuple[tuple[str, str | None], ...]


def is_rating(spec: dict[str, Any]) -> bool:
    return spec.get("type") == "integer" and (spec.get("minimum"), spec.get("maximum")) == (0, 100)


@cache  # one entry per worksheet version shipped: a handful
def rating_fields(slug: str, version: int) -> Fields:
    """A worksheet's 0–100 fields: (field, None) at the top, (list, column) inside a list."""
    sheet = worksheets.all_versions().get((slug, version))
    if sheet is None:
        return ()
    fields: list[tuple[str, str | None]] = []
    for name, spec in sheet.properties.items():
        if is_rating(spec):
            fields.append((name, None))
        elif spec.get("type") == "array":
            columns = spec.get("items", {}).get("properties", {})
            fields.extend((name, column) for column, inner in columns.items() if is_rating(inner))
    return tuple(fields)


def worksheet_ratings(
    entries: dict[str, Any], fields: Fields
) -> Iterator[tuple[str, int | None, int]]:
    """(scale, position in the list, value) for every 0–100 value the entries hold."""
    for name, column in fields:
        value = entries.get(name)
        if column is None and isinstance(value, int) and not isinstance(value, bool):
            yield name, None, value
        elif column is not None and isinstance(value, list):
            for position, row in enumerate(value):
                inner = row.get(column) if isinstance(row, dict) else None
                if isinstance(inner, int) and not isinstance(inner, bool):
                    yield f"{name}.{column}", position, inner


def ratings(ctx: Context) -> Iterator[Batch]:
    yield from checkin_ratings(ctx)
    yield from log_ratings(ctx)


def checkin_ratings(ctx: Context) -> Iterator[Batch]:
    ps = ctx.pseudonyms
    given = (
        Rating.objects.using(ctx.using)
        .filter(check_in__client_id__in=ctx.client_ids())
        .filter(ctx.period.during("check_in__answered_at", client="check_in__client_id"))
        .values_list(
            "check_in__client_id",
            "pk",
            "check_in_id",
            "scale_id",
            # The therapist names a client's scale (free text: it could name a person); the
            # scale_id tells the scales apart without it.
            ctx.text("scale__name"),
            Seconds("check_in__answered_at"),
            "value",
        )
    )
    types = [INTEGER] * 4 + [STRING] + [INTEGER] * 2
    for client, pk, check_in, scale, name, answered, value in arrays(
        given, types, by_copy=ctx.by_copy
    ):
        yield [
            ps.column("rating", pk),
            ps.column("client", client),
            ps.column("check-in", check_in),
            pa.nulls(len(pk), STRING),
            repeated("check-in", len(pk)),
            ps.column("check-in-scale", scale),
            name,
            pa.nulls(len(pk), INTEGER),
            ctx.shifts.times(client, answered),
            value,
        ]


def log_ratings(ctx: Context) -> Iterator[Batch]:
    """Every 0–100 value of the logs' entries, a rating each; the ratings of BATCH logs at a
    time."""
    logged = logs_in_export(ctx).values_list(
        "client_id", "pk", "worksheet", "worksheet_version", Seconds("practiced_at"), "entries"
    )
    for ids, client, log, scale, position, rated, value in ratings_of_logs(logged, ctx.by_copy):
        yield [
            ctx.pseudonyms.column("rating", ids),
            ctx.pseudonyms.column("client", client),
            pa.nulls(len(ids), STRING),
            ctx.pseudonyms.column("practice-log", log),
            repeated("practice-log", len(ids)),
            pa.nulls(len(ids), STRING),
            scale,
            position,
            ctx.shifts.times(client, rated),
            value,
        ]


def ratings_of_logs(logged: QuerySet[Any, Any], by_copy: bool) -> Iterator[list[pa.Array]]:
    """(id, client, log, scale, position, time, value) columns of the logs' ratings, taken
    out of each log's entries (a dict, whichever way the logs are read)."""
    types = [INTEGER, INTEGER, STRING, INTEGER, INTEGER, JSON]
    for batch in arrays(logged, types, by_copy=by_copy):
        client, pk, sheet, version, practiced = (c.to_pylist() for c in batch[:5])
        found = [
            (f"log:{log}:{name}:{at}", owner, log, name, at, when, value)
            for owner, log, slug, number, when, entries in zip(
                client, pk, sheet, version, practiced, batch[5], strict=True
            )
            for name, at, value in worksheet_ratings(entries or {}, rating_fields(slug, number))
        ]
        if found:
            ids, owners, logs, names, at, when, values = zip(*found, strict=True)
            yield [
                strings(ids),
                optional_integers(owners),
                optional_integers(logs),
                strings(names),
                optional_integers(at),
                optional_integers(when),
                optional_integers(values),
            ]
