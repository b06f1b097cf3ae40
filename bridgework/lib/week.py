"""Days of the week and clock times as people type them, one way for every reminders form and
for a reminder said in words. Monday is 0, as Python's `date.weekday()` counts."""

from __future__ import annotations

from datetime import time

from django.utils.translation import gettext_lazy as _

# Short names, in the active language when shown (lazy: read at import, said at use).
WEEKDAY_NAMES = (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun"))
WEEKDAY_CHOICES = list(enumerate(WEEKDAY_NAMES))


def weekday_names() -> list[str]:
    """The short names, Monday first, in the active language."""
    return [str(name) for name in WEEKDAY_NAMES]


def typed_times(text: str | None) -> list[str]:
    """The times in what was typed, in order: "07:30, 19:00" or "07:30; 19:00". Each is kept
    as typed, for the rule to check (it names the field and says how to write one)."""
    parts = (text or "").replace(";", ",").split(",")
    return [part.strip() for part in parts if part.strip()]


def clock(moment: time) -> str:
    """A clock time as rules store it: "07:30"."""
    return moment.strftime("%H:%M")
