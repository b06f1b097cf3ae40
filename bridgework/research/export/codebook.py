"""What a researcher reads about every exported column: the codebook's shape.

The same entries make the Frictionless Data descriptor (datapackage.json) and the readable
codebook page, so the two never disagree.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal["string", "integer", "number", "boolean", "date", "datetime"]


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    meaning: str
    # Where the value comes from in Bridgework (model and field, or how it is derived).
    source: str
    unit: str = ""
    # The values a column may take: a list of codes, or words such as "0–100".
    allowed: tuple[str, ...] | str = ""
    # Free text the client or staff wrote: left out unless the study includes free text.
    free_text: bool = False


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    description: str
    columns: tuple[Column, ...] = field(default_factory=tuple)
    # The columns that identify a row, and those that join to other tables' keys.
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[tuple[str, str, str], ...] = ()  # (column, other table, its column)
    # Keys of more than one column: (columns, other table, its columns), e.g. a plan's
    # version as (plan_id, version) in plan_versions.
    compound_keys: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = ()

    def references(self) -> Iterator[tuple[tuple[str, ...], str, tuple[str, ...]]]:
        """Every foreign key as (columns, other table, its columns)."""
        for column, other, key in self.foreign_keys:
            yield (column,), other, (key,)
        yield from self.compound_keys
