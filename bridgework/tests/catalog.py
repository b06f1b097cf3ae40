"""A small reader for gettext .po files, for the translation checks (neither polib nor babel is
a dependency, and the checks need only each entry's context, ids, strings and flags)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)
    line: int = 0
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def untranslated(self) -> bool:
        return not self.msgstr or any(not text for text in self.msgstr.values())


def read(path: Path) -> list[Entry]:
    """Every entry but the header, in the file's order; obsolete (#~) entries are marked so."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None

    def finish() -> None:
        nonlocal current
        if current is not None and (current.msgid or current.msgctxt is not None):
            entries.append(current)
        current = None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            finish()
            target = None
            continue
        if line.startswith("#"):
            if current is not None and target is not None:
                finish()  # a comment after strings starts the next entry
                target = None
            current = current or Entry(line=number)
            if line.startswith("#,"):
                current.flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#:"):
                current.references += line[2:].split()
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            keyword, rest = "", line
        # Entries appended without a blank line between them: a msgctxt, or a msgid not
        # after its msgctxt, starts the next one.
        if keyword in ("msgctxt", "msgid") and target is not None and target[0] != "msgctxt":
            finish()
        current = current or Entry(line=number)
        current.obsolete = current.obsolete or obsolete
        text = ast.literal_eval(rest) if rest else ""
        if keyword == "msgctxt":
            current.msgctxt, target = text, ("msgctxt", 0)
        elif keyword == "msgid":
            current.msgid, target = text, ("msgid", 0)
        elif keyword == "msgid_plural":
            current.msgid_plural, target = text, ("msgid_plural", 0)
        elif keyword.startswith("msgstr"):
            index = int(keyword[7:-1]) if "[" in keyword else 0
            current.msgstr[index], target = text, ("msgstr", index)
        elif target is not None:  # a continuation line
            name, index = target
            if name == "msgstr":
                current.msgstr[index] += text
            elif name == "msgctxt":
                current.msgctxt = (current.msgctxt or "") + text
            else:
                setattr(current, name, (getattr(current, name) or "") + text)
    finish()
    return entries
