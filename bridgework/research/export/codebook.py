"""What a researcher reads about every exported column: the codebook's shape.

The same entries make the Frictionless Data descriptor (datapackage.json) and the readable
codebook page, so the two never disagree.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

ColumnType = Literal["string", "integer", "number", "boolean", "date", "datetime"]


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    meaning: str
    # Where the value comes from in Bridgework (model and field, or how it is derived).
    source: str
    unit: str = ""
    # The values a column may take, as Frictionless constraints: a list of codes (enum), or
    # the bounds of a number (minimum, maximum).
    enum: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    # Free text the client or staff wrote: left out unless the study includes free text.
    free_text: bool = False
    # A study pseudonym (made by the export, "X-…"): never words anyone typed.
    pseudonym: bool = False

    @property
    def may_hold_words(self) -> bool:
        """Text someone other than the export chose: free text, or a name a clinic gave (a
        questionnaire's item, a score's band); not a pseudonym, not one of a list of codes."""
        return self.type == "string" and not self.pseudonym and not self.enum

    def constraints(self) -> dict[str, Any]:
        """The column's Frictionless constraints (datapackage.json)."""
        bounds = {"minimum": self.minimum, "maximum": self.maximum}
        given: dict[str, Any] = {name: v for name, v in bounds.items() if v is not None}
        return given | ({"enum": list(self.enum)} if self.enum else {})

    def allowed_words(self) -> str:
        """The values it may take, in words: "0–10", "a, b, c"."""
        return ", ".join(self.allowed_values())

    def allowed_values(self) -> list[str]:
        """The values it may take one by one (codes), or its range in words as one value: the
        codebook page keeps each on one line and wraps only between them."""
        if self.enum:
            return list(self.enum)
        words = self.range_words()
        return [words] if words else []

    def range_words(self) -> str:
        """A range in words: "0–10", "1 or more", "up to 5"; empty when it has none."""
        if self.minimum is not None and self.maximum is not None:
            return f"{self.minimum}–{self.maximum}"
        if self.minimum is not None:
            return f"{self.minimum} or more"
        return "" if self.maximum is None else f"up to {self.maximum}"


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
