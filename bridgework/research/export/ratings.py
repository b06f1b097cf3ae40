"""The ratings table, in batches of Arrow columns (research.export.arrow_read): check-ins'
ratings on their scales, then the 0–100 fields of the practice logs' worksheets (two streams,
one table).

A log's ratings are in its entries (JSON). Read through the cursor (SQLite), Python takes them
out of each log's entries; on PostgreSQL the database does, in the same COPY that reads the
rows (`logged_ratings_sql`), so no log's JSON reaches Python. Both give the same rows in the
same order and the same batches (the ratings of BATCH logs at a time), which the tests compare.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from typing import Any

import pyarrow as pa
from django.db.models import QuerySet

from bridgework.practice import worksheets
from bridgework.practice.models import Rating
from bridgework.research.export.arrow_build import optional_integers, repeated, strings
from bridgework.research.export.arrow_read import INTEGER, JSON, STRING, arrays, by_query
from bridgework.research.export.columnar import BATCH, Batch, Seconds
from bridgework.research.export.context import Context
from bridgework.research.export.digests import digest_sql
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
            ctx.own_id("rating"),
            ctx.own_id("check-in", "check_in_id"),
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
            ctx.own_pseudonyms("rating", pk),
            ps.column("client", client),
            ctx.own_pseudonyms("check-in", check_in),
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
    if ctx.reads_by_copy():
        found = ratings_by_database(logged, ctx.study.pk)
    else:
        found = ratings_by_python(logged)
    for ids, client, log, scale, position, rated, value in found:
        yield [
            ctx.own_pseudonyms("rating", ids),
            ctx.pseudonyms.column("client", client),
            pa.nulls(len(ids), STRING),
            ctx.own_pseudonyms("practice-log", log),
            repeated("practice-log", len(ids)),
            pa.nulls(len(ids), STRING),
            scale,
            position,
            ctx.shifts.times(client, rated),
            value,
        ]


def ratings_by_python(logged: Any) -> Iterator[list[pa.Array]]:
    """(id, client, log, scale, position, time, value) columns: the logs read through the
    cursor, their ratings taken out of the entries here."""
    types = [INTEGER, INTEGER, STRING, INTEGER, INTEGER, JSON]
    for batch in arrays(logged, types, by_copy=False):
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


def ratings_by_database(logged: QuerySet[Any, Any], study: int) -> Iterator[list[pa.Array]]:
    """The same columns, taken out of the entries by PostgreSQL (LOGGED_RATINGS), the id and
    the log as their pseudonyms' digests (research.export.digests)."""
    sql, params = logged.order_by().query.get_compiler(logged.db).as_sql()
    query = LOGGED_RATINGS.format(
        batch=BATCH,
        rating=digest_sql("rating", RATING_ID),
        log=digest_sql("practice-log", "logs.pk"),
        logs=sql,
    )
    fields = json.dumps(every_rating_field(), sort_keys=True)
    types = [INTEGER] * 4 + [STRING] + [INTEGER] * 3
    for batch in by_query(logged.db, query, [*[study] * 4, *params, fields], types, group_by=0):
        yield batch[1:]


# A log's rating's id, as ratings_by_python writes it: log:<pk>:<scale>:<position or None>.
RATING_ID = """'log:' || logs.pk || ':' || (field.spec ->> 'scale') || ':'
    || coalesce(found.position::text, 'None')"""


def every_rating_field() -> dict[str, list[dict[str, str | None]]]:
    """The 0–100 fields of every worksheet version ("slug:version"), in rating_fields' order:
    the field, the list's column (or none) and the scale, "list.column" for a list's column
    as worksheet_ratings names it."""
    return {
        f"{slug}:{version}": [
            {
                "name": name,
                "column": column,
                "scale": name if column is None else f"{name}.{column}",
            }
            for name, column in rating_fields(slug, version)
        ]
        for slug, version in sorted(worksheets.all_versions())
    }


# The ratings of the logs a query selects (client, pk, worksheet, version, time, entries), a
# row each, as worksheet_ratings finds them: a top-level field or a list's column holding a
# whole number (JSON's text of an integer: no point, no exponent; jsonb writes 1e2 as 100, and
# json.loads reads that text too), in the logs' order, then the fields', then the list's. Each
# is numbered by the BATCH of logs it comes from, so the batches are the cursor's. The fields
# are a parameter (every_rating_field) looked up by each log's worksheet: a lookup per log
# keeps the logs' order, so PostgreSQL sorts only each log's few ratings.
LOGGED_RATINGS = """
SELECT (logs.n - 1) / {batch}, {rating},
       logs.client, {log}, field.spec ->> 'scale', found.position, logs.practiced,
       (found.value #>> '{{}}')::bigint
FROM (
    SELECT logged.*, row_number() OVER (ORDER BY logged.pk) AS n
    FROM ({logs}) AS logged (client, pk, worksheet, version, practiced, entries)
) AS logs
CROSS JOIN LATERAL jsonb_array_elements(
    %s::jsonb -> (logs.worksheet || ':' || logs.version)
) WITH ORDINALITY AS field (spec, field_order)
CROSS JOIN LATERAL (
    -- A top-level field is its value alone; a list's column, one value per row of the list.
    SELECT CASE WHEN field.spec ->> 'column' IS NOT NULL THEN item.at - 1 END AS position,
           CASE WHEN field.spec ->> 'column' IS NULL THEN item.row
                ELSE item.row -> (field.spec ->> 'column') END AS value
    FROM jsonb_array_elements(
        CASE WHEN field.spec ->> 'column' IS NULL
                 THEN jsonb_build_array(logs.entries -> (field.spec ->> 'name'))
             WHEN jsonb_typeof(logs.entries -> (field.spec ->> 'name')) = 'array'
                 THEN logs.entries -> (field.spec ->> 'name') END
    ) WITH ORDINALITY AS item (row, at)
) AS found
WHERE jsonb_typeof(found.value) = 'number' AND found.value #>> '{{}}' ~ '^-?[0-9]+$'
ORDER BY logs.pk, field.field_order, found.position
"""
