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

import io
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
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


# How much CSV pyarrow parses at a time: a few batches' worth, so memory stays bounded.
BLOCK_BYTES = 1 << 20


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
    using: str,
    sql: str,
    params: Sequence[Any],
    types: Sequence[pa.DataType],
    *,
    group_by: int | None = None,
) -> Iterator[list[Any]]:
    """The rows of a SELECT on PostgreSQL, read by COPY, in batches of BATCH rows, or, with
    `group_by`, a batch for each value of that column (a batch number the query gives)."""
    statement = f"COPY ({sql}) TO STDOUT (FORMAT csv)"
    # psycopg binds the parameters on the client for COPY (it takes none of its own).
    with connections[using].cursor() as cursor, cursor.cursor.copy(statement, params) as copy:
        stream = CopyStream(copy)
        if stream.empty():  # no rows: pyarrow refuses an empty file
            return
        reader = csv_reader(stream, types)
        batches = rebatched(reader, BATCH) if group_by is None else grouped(reader, group_by)
        for batch in batches:
            yield [
                json_values(column) if kind == JSON else column
                for column, kind in zip(batch.columns, types, strict=True)
            ]


def csv_reader(stream: io.RawIOBase, types: Sequence[pa.DataType]) -> pa_csv.CSVStreamingReader:
    """pyarrow's reader of PostgreSQL's CSV, a block at a time, each column of its type."""
    names = [f"c{at}" for at in range(len(types))]
    return pa_csv.open_csv(
        stream,
        read_options=pa_csv.ReadOptions(
            column_names=names, block_size=BLOCK_BYTES, use_threads=False
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


def json_values(column: pa.Array) -> list[Any]:
    """PostgreSQL's text of a jsonb value, read as Django reads it (json.loads)."""
    return [None if text is None else json.loads(text) for text in column.to_pylist()]


def rebatched(batches: Iterable[pa.RecordBatch], size: int) -> Iterator[pa.RecordBatch]:
    """The same rows in batches of exactly `size` (the last one shorter), as the cursor gives
    them: the Parquet files' row groups stay what they were."""
    pending: list[pa.RecordBatch] = []
    count = 0
    for batch in batches:
        pending.append(batch)
        count += batch.num_rows
        if count >= size:
            table = pa.Table.from_batches(pending).combine_chunks()
            cut = count - count % size
            yield from table.slice(0, cut).to_batches(max_chunksize=size)
            pending, count = table.slice(cut).to_batches(), count - cut
    if count:
        yield from pa.Table.from_batches(pending).combine_chunks().to_batches()


def grouped(batches: Iterable[pa.RecordBatch], at: int) -> Iterator[pa.RecordBatch]:
    """The rows in a batch for each run of the same value in column `at` (the value may
    change inside a block of CSV or just between two)."""
    pending: list[pa.RecordBatch] = []
    last: Any = None
    for batch in batches:
        if not batch.num_rows:
            continue
        keys = batch.column(at)
        if pending and keys[0].as_py() != last:
            yield joined(pending)
            pending = []
        start = 0
        for cut in changes(keys):
            yield joined([*pending, batch.slice(start, cut - start)])
            pending, start = [], cut
        pending.append(batch.slice(start))
        last = keys[-1].as_py()
    if pending:
        yield joined(pending)


def changes(keys: pa.Array) -> list[int]:
    """The rows where a column's value differs from the one before."""
    if len(keys) < 2:
        return []
    differs = pc.not_equal(keys.slice(1), keys.slice(0, len(keys) - 1))
    return [at + 1 for at in pc.indices_nonzero(differs).to_pylist()]


def joined(batches: list[pa.RecordBatch]) -> pa.RecordBatch:
    """One batch of the rows of several (some rows in all)."""
    return pa.Table.from_batches(batches).combine_chunks().to_batches()[0]


class CopyStream(io.RawIOBase):
    """The blocks of a COPY TO STDOUT (a row each) as a file pyarrow reads from, a large
    read at a time."""

    def __init__(self, copy: Any) -> None:
        super().__init__()
        self._copy = copy
        self._left = b""

    def readable(self) -> bool:
        return True

    def empty(self) -> bool:
        """Whether the COPY sends no rows at all (it has not been read from yet)."""
        if not self._left:
            self._left = bytes(self._copy.read())
        return not self._left

    def read(self, size: int = -1) -> bytes:
        blocks, have = [self._left], len(self._left)
        while size < 0 or have < size:
            block = self._copy.read()
            if not block:
                break
            blocks.append(bytes(block))  # psycopg may reuse its buffer
            have += len(block)
        data = b"".join(blocks)
        if size < 0:
            size = len(data)
        self._left = data[size:]
        return data[:size]
