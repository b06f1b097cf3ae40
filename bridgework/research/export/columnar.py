"""Rows in columns, a batch at a time: how the large tables (practice logs, ratings) are read
and how every table reaches the writers.

A batch is a list of columns (one sequence per codebook column of the table, in its order)
of up to BATCH rows. The large tables build their batches as Arrow arrays, column by column
(research.export.arrow_read): times come from the database as whole seconds since 1970
(`Seconds`, so no Python parses a timestamp), are shifted by adding seconds, and the pseudonyms
of a column are made once per distinct id. The other tables still yield rows; `batches_of_rows`
turns them into batches of Python values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import islice
from typing import Any, TypeVar

import pyarrow as pa
from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Func, QuerySet
from django.db.models.sql.compiler import SQLCompiler

BATCH = 4000

Row = tuple[Any, ...]
# A column of a batch: Python values, or an Arrow array (the large tables, arrow_read).
Batch = list[Sequence[Any] | pa.Array]
C = TypeVar("C")


def as_given(value: Any, _expression: Any, _connection: Any) -> Any:
    """A value from the database as it came (an integer already)."""
    return value


class Seconds(Func):
    """A date and time as whole seconds since 1970 (UTC), the fraction of a second dropped (as
    the exports always did): the database does the work the Python datetime parsing did."""

    output_field = models.BigIntegerField()

    @property
    def convert_value(self) -> Callable[..., Any]:
        # The database gives an integer already: no int() per value on the way out.
        return as_given

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, Any]:
        return self.as_sql(
            compiler, connection, template="floor(extract(epoch from %(expressions)s))::bigint"
        )

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, Any]:
        # Django keeps SQLite's times as UTC text; strftime('%s') reads them in whole seconds.
        return self.as_sql(
            compiler, connection, template="CAST(strftime('%%%%s', %(expressions)s) AS INTEGER)"
        )


def in_batches(rows: Iterable[Row], size: int = BATCH) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def columns(batch: list[Row]) -> list[tuple[Any, ...]]:
    """A batch of rows as its columns (a transpose in C)."""
    return list(zip(*batch, strict=True))


def fetch(rows: QuerySet[Any, Any], size: int = BATCH) -> Iterator[list[Sequence[Any]]]:
    """A values_list queryset's rows in pk order as batches of columns, read straight from a
    cursor of the queryset's database (on PostgreSQL a server-side one, in the export's
    snapshot) with fetchmany: Django's iterator converts row by row, and that was a third of
    an export's time. The columns that need converting (JSON) are converted a column at a
    time with the same converters Django uses, so the values are the same."""
    ordered = rows.order_by("pk")
    connection = connections[ordered.db]
    compiler = ordered.query.get_compiler(ordered.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return
    fields = [selected[0] for selected in compiler.select[: compiler.col_count]]
    converters = compiler.get_converters(fields)
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(size):
            batch_columns: list[Sequence[Any]] = list(columns(batch))
            for at, (convert, expression) in converters.items():
                values: Sequence[Any] = batch_columns[at]
                for converter in convert:
                    if converter is not as_given:
                        values = [converter(v, expression, connection) for v in values]
                batch_columns[at] = values
            yield batch_columns


def batches_of_rows(rows: Iterable[Row], size: int = BATCH) -> Iterator[Batch]:
    """A table that yields rows, as batches of columns."""
    for batch in in_batches(rows, size):
        yield list(columns(batch))


def python_values(column: Sequence[Any] | pa.Array) -> Sequence[Any]:
    """A column of a batch as Python values; an Arrow column of times as datetimes in UTC
    (whole seconds, as the rows of the other tables hold them)."""
    if not isinstance(column, pa.Array):
        return column
    if pa.types.is_timestamp(column.type):
        seconds = column.cast(pa.int64()).to_pylist()
        return [None if v is None else datetime.fromtimestamp(v, UTC) for v in seconds]
    values: list[Any] = column.to_pylist()
    return values


def rows_of_batches(read: Callable[[C], Iterator[Batch]]) -> Callable[[C], Iterator[Row]]:
    """A table read in batches, as rows again (times as datetimes), for reading it into
    data frames (research.analyses) as the other tables are."""

    def rows(ctx: C) -> Iterator[Row]:
        for batch in read(ctx):
            yield from zip(*map(python_values, batch), strict=True)

    return rows
