"""The large tables' rows (practice logs, ratings) read straight into Arrow columns, in batches
of columnar.BATCH rows.

On PostgreSQL the queryset's own SQL (the same rows, on the connection the export reads from,
inside its snapshot) runs as `COPY (…) TO STDOUT (FORMAT csv)` and pyarrow's CSV reader parses
the stream in C: no Python object per value. Reading through the cursor, psycopg parsed every
value and Python transposed the rows, a fifth of an export's time. Elsewhere (SQLite), or when
the context says so (to check that the two ways agree), the rows come through the cursor
(columnar.fetch) and are put into the same arrays.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet

from bridgework.research.export.columnar import BATCH, fetch

INTEGER = pa.int64()
STRING = pa.string()
# A JSON column: Python values (dicts, lists) either way, as Django's JSONField gives them.
# (A type of its own so it can be told apart; PostgreSQL's CSV of it is read as text.)
JSON = pa.large_string()


def arrays(
    rows: QuerySet[Any, Any], types: Sequence[pa.DataType], *, by_copy: bool
) -> Iterator[list[Any]]:
    """A values_list queryset's rows in pk order, a batch of BATCH rows at a time, as one
    array per column of the given type (a list of Python values for a JSON column)."""
    ordered = rows.order_by("pk")
    if by_copy and connections[ordered.db].vendor == "postgresql":
        yield from copied(ordered, types)
        return
    for batch in fetch(ordered, BATCH):
        yield [
            list(values) if kind == JSON else pa.array(values, kind)
            for values, kind in zip(batch, types, strict=True)
        ]


def copied(rows: QuerySet[Any, Any], types: Sequence[pa.DataType]) -> Iterator[list[Any]]:
    try:
        sql, params = rows.query.get_compiler(rows.db).as_sql()
    except EmptyResultSet:
        return
    yield from by_query(rows.db, sql, params, types)


def by_query(
    using: str, sql: str, params: Sequence[Any], types: Sequence[pa.DataType]
) -> Iterator[list[Any]]:
    """The rows of a SELECT on PostgreSQL, read by COPY, in batches of BATCH rows."""
    statement = f"COPY ({sql}) TO STDOUT (FORMAT csv)"
    # psycopg binds the parameters on the client for COPY (it takes none of its own).
    with connections[using].cursor() as cursor, cursor.cursor.copy(statement, params) as copy:
        for chunk in csv_chunks(copy, BATCH):
            batch = parse(chunk, types)
            yield [
                json_values(column) if kind == JSON else column
                for column, kind in zip(batch.columns, types, strict=True)
            ]


def csv_chunks(copy: Any, rows: int) -> Iterator[bytes]:
    """The CSV of `rows` rows at a time: PostgreSQL sends each row in a message of its own
    (a line break inside a quoted cell included), so memory holds one batch of text."""
    chunk: list[bytes] = []
    while block := copy.read():
        chunk.append(bytes(block))  # psycopg may reuse its buffer
        if len(chunk) == rows:
            yield b"".join(chunk)
            chunk = []
    if chunk:
        yield b"".join(chunk)


def parse(chunk: bytes, types: Sequence[pa.DataType]) -> pa.RecordBatch:
    """PostgreSQL's CSV of some rows as one batch, each column of its type (by pyarrow, in C)."""
    names = [f"c{at}" for at in range(len(types))]
    table = pa_csv.read_csv(
        pa.py_buffer(chunk),
        read_options=pa_csv.ReadOptions(
            column_names=names, block_size=len(chunk) + 1, use_threads=False
        ),
        parse_options=pa_csv.ParseOptions(newlines_in_values=True),
        convert_options=pa_csv.ConvertOptions(
            column_types=dict(zip(names, types, strict=True)),
            # PostgreSQL writes NULL as an empty cell and an empty text as "": only the first
            # is missing (never "NA", "null" or the other words pyarrow knows by default).
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        ),
    )
    return table.combine_chunks().to_batches()[0]


def json_values(column: pa.Array) -> list[Any]:
    """PostgreSQL's texts of jsonb values, read as Django reads each (json.loads): as one JSON
    list, a call for the batch instead of one a row (a missing value is JSON's null)."""
    texts = ("null" if text is None else text for text in column.to_pylist())
    values: list[Any] = json.loads("[" + ",".join(texts) + "]")
    return values
