"""The one rule for text that enters Bridgework: forms, the phone's sync, imported definitions.

Refused: control characters other than tab and line breaks (NUL among them: PostgreSQL cannot
store it, SQLite can, so the same entry would behave differently on each), and lone UTF-16
surrogates (half of an emoji, left by a cut or a bad copy; they can be stored on SQLite but
never encoded again, so every page that shows them would fail). Everything else is welcome:
letters of every script, emoji, joiners and direction marks.

Line ends: browsers send a textarea's line breaks as CRLF, the phone's queue sends what the
field holds (LF). `normalise` makes both LF before anything is counted or stored, so a note
typed on a page and the same note sent later from the phone are the same text, and a length
limit counts a line break once, as the browser's own counter does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

# C0 controls but tab (09), LF (0a) and CR (0d); DEL; C1 controls; the surrogate range. A
# Python str holds a surrogate only when it is alone: a proper pair is one code point.
REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


@dataclass(frozen=True)
class Refusal:
    """The first character of a text that no record may hold."""

    character: str
    position: int

    @property
    def code(self) -> str:
        return f"U+{ord(self.character):04X}"

    @property
    def broken(self) -> bool:
        """Half of a surrogate pair, rather than a control character."""
        return "\ud800" <= self.character <= "\udfff"

    def explanation(self) -> str:
        """What is wrong and what to do, to follow the field's name."""
        if self.broken:
            return _(
                "contains a broken character (%(code)s: half of an emoji or symbol). "
                "Please delete it and type it again."
            ) % {"code": self.code}
        return _(
            "contains an invisible control character (%(code)s) that cannot be stored. "
            "Please delete it; tabs and line breaks are fine."
        ) % {"code": self.code}

    def message(self, label: object) -> str:
        return _("“%(label)s” %(problem)s") % {"label": label, "problem": self.explanation()}


class TextRefused(ValueError):
    def __init__(self, refusal: Refusal, label: object) -> None:
        super().__init__(refusal.message(label))
        self.refusal = refusal


def normalise(text: str) -> str:
    """Line ends as LF: CRLF (browsers' textareas) and a lone CR (old Macs) alike."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def refused_in(text: str) -> Refusal | None:
    found = REFUSED.search(text)
    return Refusal(found.group(), found.start()) if found else None


def clean(text: str, label: object) -> str:
    """`text` with its line ends normalised; TextRefused (naming `label`) if it holds a
    character the rule refuses."""
    refusal = refused_in(text)
    if refusal is not None:
        raise TextRefused(refusal, label)
    return normalise(text)


def first_refused(data: Any) -> tuple[str, Refusal] | None:
    """In JSON-like data (dicts, lists, strings), where the first refused character is: the
    path ("item/3/text") and the refusal. Keys count too: they are stored with the data."""
    for path, text in strings_in(data, ""):
        refusal = refused_in(text)
        if refusal is not None:
            return path or "(the whole value)", refusal
    return None


def strings_in(data: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            # A name is checked before anything is said about it: a path never quotes a
            # refused character.
            yield from strings_in(key, f"{path} (a name in it)" if path else "(a name)")
            yield from strings_in(value, f"{path}/{key}" if path else str(key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from strings_in(value, f"{path}/{index}" if path else str(index))
