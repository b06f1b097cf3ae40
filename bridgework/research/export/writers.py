"""Writing a table's row stream to CSV or Parquet, and the package's datapackage.json.

Both writers take the same batches of columns (research.export.columnar) and the same
codebook columns, so the two formats hold the same values: CSV as UTF-8 text with a header row,
ISO-8601 dates and times ("2025-03-01T09:30:00Z") and an empty cell for a missing value;
Parquet with a schema made from the codebook's types, written a batch at a time. The one
difference: a CSV cell of words that starts like a spreadsheet formula gets a leading single
quote (csv_safe).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from bridgework.research.export.codebook import Column, ColumnType, Table
from bridgework.research.export.columnar import Batch

FORMATS = ("csv", "parquet")
MEDIA_TYPES = {"csv": "text/csv", "parquet": "application/vnd.apache.parquet"}
ARROW_TYPES: dict[ColumnType, pa.DataType] = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "datetime": pa.timestamp("s", tz="UTC"),
}

Progress = Callable[[int], None]  # rows written so far in this table


def kept(table: Table, columns: tuple[Column, ...]) -> list[int]:
    """Which of the table's columns are written (free text drops out)."""
    return [i for i, column in enumerate(table.columns) if column in columns]


def csv_time(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.utcoffset():
        value = value.astimezone(UTC)
    return value.isoformat(timespec="seconds")[:19] + "Z"


def csv_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def csv_boolean(value: bool | None) -> str | None:
    return None if value is None else ("true" if value else "false")


def csv_times(values: pa.Array) -> pa.Array:
    """An Arrow column of times as ISO-8601 UTC ("2025-03-01T09:30:00Z"), written by Arrow in C:
    the same text csv_time gives a datetime. Arrow writes a time without a zone as
    "2025-03-01 09:30:00", several times faster than its strftime; the T and the Z go in by
    position (every time of a year from 1000 to 9999 has the same 19 characters)."""
    text = pc.cast(values.cast(pa.timestamp("s")), pa.string())
    text = pc.binary_replace_slice(text, start=10, stop=11, replacement="T")
    return pc.binary_replace_slice(text, start=19, stop=19, replacement="Z")


# A spreadsheet runs a cell starting with one of these as a formula (CSV injection, OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """Words starting like a formula, with a single quote before them so a spreadsheet shows
    them as text: in CSV only (Parquet keeps the words as written, since no reader of it
    evaluates formulas), so the two formats differ only there."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


CSV_TEXT: dict[ColumnType, Callable[[Any], Any]] = {
    "datetime": csv_time,
    "date": csv_date,
    "boolean": csv_boolean,
}


def csv_column(values: Sequence[Any] | pa.Array, column: Column) -> Sequence[Any] | pa.Array:
    """A column as CSV cells: only times, dates and booleans need writing out (the csv module
    writes None as an empty cell and numbers as they are), and words that start like a
    formula get their quote."""
    if isinstance(values, pa.Array):
        return csv_arrow_column(values, column)
    if column.may_hold_words:
        return [csv_safe(v) for v in values]
    text = CSV_TEXT.get(column.type)
    return values if text is None else [text(v) for v in values]


# Where csv_safe adds its quote, in Arrow's regular expressions (RE2).
LIKE_A_FORMULA = "^[=+\\-@\t\r]"


def csv_arrow_column(values: pa.Array, column: Column) -> Sequence[Any] | pa.Array:
    """An Arrow column (the large tables) as CSV cells, in C unless a cell needs csv_safe's
    quote (rare: then as for a list)."""
    if pa.types.is_timestamp(values.type):
        return csv_times(values)
    if column.may_hold_words:
        if pc.any(pc.match_substring_regex(values, LIKE_A_FORMULA)).as_py():
            return [csv_safe(v) for v in values.to_pylist()]
        return values
    if column.type in CSV_TEXT:
        return csv_column(values.to_pylist(), column)
    return values


def plain(values: Sequence[Any] | pa.Array) -> Sequence[Any]:
    """Python values for the csv module."""
    return values.to_pylist() if isinstance(values, pa.Array) else values


def write_csv(
    path: Path, table: Table, columns: tuple[Column, ...], rows: Iterable[Batch], progress: Progress
) -> int:
    written, keep = 0, kept(table, columns)
    with path.open("wb") as file:
        file.write(csv_text([[column.name for column in columns]]))
        for batch in rows:
            cells = [csv_column(batch[i], column) for i, column in zip(keep, columns, strict=True)]
            file.write(csv_block(cells, columns))
            written += len(batch[0])
            progress(written)
    return written


def csv_text(rows: Iterable[Sequence[Any]]) -> bytes:
    """Rows as the csv module writes them (quoting a cell only where it must), in UTF-8."""
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    return text.getvalue().encode("utf-8")


def csv_block(cells: list[Sequence[Any] | pa.Array], columns: tuple[Column, ...]) -> bytes:
    """A batch of CSV cells, written by pyarrow (in C, many times faster) when no cell needs
    quoting: unquoted, pyarrow writes the very bytes the csv module does. A batch with a cell
    that needs quotes (a comma, a quote, a line break) is written by the csv module, which
    quotes only those cells, as it always did."""
    if len(cells) < 2:  # the csv module quotes a row's only cell when it is empty
        return csv_text(zip(*map(plain, cells), strict=True))
    try:
        arrays = [csv_array(values, column) for values, column in zip(cells, columns, strict=True)]
        block = pa.BufferOutputStream()
        pa_csv.write_csv(
            pa.Table.from_arrays(arrays, names=[str(i) for i in range(len(arrays))]),
            block,
            pa_csv.WriteOptions(include_header=False, quoting_style="none"),
        )
        return bytes(block.getvalue().to_pybytes())
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
        return csv_text(zip(*map(plain, cells), strict=True))


def csv_array(values: Sequence[Any] | pa.Array, column: Column) -> pa.Array:
    """A column of cells for pyarrow: integers as integers, the rest as the text the csv module
    writes for them. The type is what pyarrow finds in the values, not what it is told (told,
    it would write 2.0 as 2): anything but Python integers or text raises, and the batch goes to
    the csv module."""
    if column.type == "number":
        values = [None if v is None else str(v) for v in plain(values)]
    array = values if isinstance(values, pa.Array) else pa.array(values)
    if pa.types.is_null(array.type) or pa.types.is_string(array.type):
        return array
    if column.type == "integer" and pa.types.is_int64(array.type):
        return array
    raise TypeError(f"{array.type} cells are written by the csv module")


def arrow_schema(columns: tuple[Column, ...]) -> pa.Schema:
    return pa.schema(
        [
            pa.field(c.name, ARROW_TYPES[c.type], metadata={"description": c.meaning})
            for c in columns
        ]
    )


def arrow_column(values: Sequence[Any] | pa.Array, field: pa.Field) -> pa.Array:
    if isinstance(values, pa.Array):
        array = values if values.type == field.type else values.cast(field.type)
    else:
        array = pa.array(values, type=field.type)
    if field.type == pa.string():
        # CSV cannot tell an empty text from a missing one: Parquet says missing for both.
        # (Emptiness from the lengths, nothing from a Python value: see arrow_build.)
        empty = pc.invert(pc.cast(pc.binary_length(array), pa.bool_()))
        return pc.if_else(empty, pa.nulls(len(array), pa.string()), array)
    return array


def write_parquet(
    path: Path, table: Table, columns: tuple[Column, ...], rows: Iterable[Batch], progress: Progress
) -> int:
    keep, written, schema = kept(table, columns), 0, arrow_schema(columns)
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for batch in rows:
            arrays = [arrow_column(batch[i], field) for i, field in zip(keep, schema, strict=True)]
            writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=schema))
            written += len(batch[0])
            progress(written)
    return written


WRITERS = {"csv": write_csv, "parquet": write_parquet}


def field_descriptor(column: Column) -> dict[str, Any]:
    field: dict[str, Any] = {
        "name": column.name,
        "type": column.type,
        "description": column.meaning,
        "source": column.source,
    }
    if column.unit:
        field["unit"] = column.unit
    if column.constraints():
        field["constraints"] = column.constraints()
    if column.free_text:
        field["free_text"] = True
    return field


def resource_descriptor(
    table: Table, columns: tuple[Column, ...], fmt: str, names: set[str]
) -> dict[str, Any]:
    """One table's resource; its foreign keys only to tables in the same package."""
    schema: dict[str, Any] = {
        "fields": [field_descriptor(column) for column in columns],
        "primaryKey": list(table.primary_key),
    }
    keys = [
        {"fields": list(columns), "reference": {"resource": other, "fields": list(key)}}
        for columns, other, key in table.references()
        if other in names
    ]
    if keys:
        schema["foreignKeys"] = keys
    resource: dict[str, Any] = {
        "name": table.name,
        "title": table.title,
        "description": table.description,
        "path": f"{table.name}.{fmt}",
        "profile": "tabular-data-resource",
        "format": fmt,
        "mediatype": MEDIA_TYPES[fmt],
        "schema": schema,
    }
    if fmt == "csv":
        resource["encoding"] = "utf-8"
    return resource


def write_descriptor(path: Path, package: dict[str, Any]) -> None:
    path.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
