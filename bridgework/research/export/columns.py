"""The codebook's building blocks: columns for pseudonyms, shifted times, free text and
coded values, written once for every table (research.export.tables)."""

from __future__ import annotations

from django.db.models import TextChoices

from bridgework.research.export.codebook import Column, ColumnType


def codes(choices: type[TextChoices]) -> tuple[str, ...]:
    """The codes of a choice, without the empty one (an empty cell means none)."""
    return tuple(str(value) for value in choices.values if value)


def pseudonym(name: str, of: str, source: str) -> Column:
    return Column(name, "string", f"Study pseudonym of {of}.", source, pseudonym=True)


def client_id(source: str) -> Column:
    return pseudonym("client_id", "the client", source)


def when(name: str, meaning: str, source: str, type: ColumnType = "datetime") -> Column:
    return Column(
        name, type, meaning + " UTC, shifted per client when the study shifts dates.", source
    )


def text(name: str, meaning: str, source: str) -> Column:
    return Column(name, "string", meaning, source, free_text=True)
