"""A distress series typed during an exposure, and what it says by itself.

A worksheet may declare that some of its fields follow from one of its lists (`from_series` in
its file, e.g. exposure-log v2: the series' first distress is "before", its highest "peak", its
last "after"). Parsing fills a field the client left empty from the series; a value the client
typed is kept as typed, so they can always correct what the series says. The same rule runs in
the phone's script (static/js/from-series.js) as the client types, and here for every entry,
whether posted by a page or sent later from the phone's queue.

Across exposures, `trend` says whether peak and end distress are coming down.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from bridgework.practice import worksheets

# With a single reading there is no "before" apart from "after": a series needs two.
READINGS_NEEDED = 2


def readings(sheet: worksheets.Worksheet, entries: Mapping[str, Any]) -> list[int]:
    """The series' values in the order typed (minutes rise, refused otherwise), or []."""
    rule = sheet.from_series
    if rule is None:
        return []
    rows = entries.get(rule["list"]) or []
    values = [row.get(rule["value"]) for row in rows if isinstance(row, Mapping)]
    numbers = [value for value in values if isinstance(value, int) and not isinstance(value, bool)]
    # A series with something else in it is refused by validation; it gives nothing.
    return numbers if len(numbers) == len(values) else []


def summary(values: Sequence[int]) -> dict[str, int]:
    """First, highest and last of a series of two or more readings; {} for fewer."""
    if len(values) < READINGS_NEEDED:
        return {}
    return {"first": values[0], "highest": max(values), "last": values[-1]}


def filled(sheet: worksheets.Worksheet, entries: dict[str, Any]) -> dict[str, Any]:
    """The entries with each field the series gives and the client left empty filled in."""
    rule = sheet.from_series
    given = summary(readings(sheet, entries))
    if rule is None or not given:
        return entries
    derived = {rule[part]: value for part, value in given.items() if rule[part] not in entries}
    return {**entries, **derived}


def problems(
    sheet: worksheets.Worksheet, form: Mapping[str, Any], prefix: str = "entries."
) -> dict[str, str]:
    """The series' rows as typed on the form, checked row by row before anything is derived:
    each row needs both numbers, a reading from 0 to 100, and a minute after the row before.
    Problems by form field name, each message naming its row as the client counts them."""
    rule = sheet.from_series
    if rule is None:
        return {}
    name = rule["list"]
    spec = sheet.properties[name]
    columns = spec["items"]["properties"]
    found: dict[str, str] = {}
    last_minute: int | None = None
    for row, values in worksheets.form_rows(spec, name, form, prefix):
        where = _("%(list)s, row %(row)d") % {"list": sheet.label(name), "row": row + 1}
        for column, column_spec in columns.items():
            value = values.get(column)
            low, high = column_spec["minimum"], column_spec["maximum"]
            if value is None or isinstance(value, str) or not low <= value <= high:
                found[f"{prefix}{name}.{row}.{column}"] = _(
                    "%(where)s: enter “%(label)s” as a whole number from %(low)d to %(high)d."
                ) % {"where": where, "label": sheet.label(column), "low": low, "high": high}
        minute = values.get("minute")
        if isinstance(minute, int) and f"{prefix}{name}.{row}.minute" not in found:
            if last_minute is not None and minute <= last_minute:
                found[f"{prefix}{name}.{row}.minute"] = _(
                    "%(where)s: the minute must come after the row before (%(before)d)."
                ) % {"where": where, "before": last_minute}
            last_minute = minute
    return found


@dataclass(frozen=True)
class Trend:
    """One measure (peak or end) over a plan's exposures, oldest first."""

    values: list[int]
    verdict: str  # "down", "up", "flat" or "too-few"

    @property
    def shown(self) -> str:
        """The values as a short path: all of them up to six, else the first and last three."""
        values = [str(value) for value in self.values]
        if len(values) > SHOWN:
            values = [*values[:3], "…", *values[-3:]]
        return " → ".join(values)


# The rule, on purpose simple enough to say in one sentence to a client: with at least three
# exposures, the mean of the first few (a third of them, at most three) is compared with the
# mean of the last few; ten points or more lower is "coming down", ten or more higher "going
# up", anything between "about the same". Ten points of a 0–100 scale is what clients and
# therapists commonly treat as a noticeable change of distress; fewer than three exposures are
# "not enough yet" (two points make a direction, not a trend).
EXPOSURES_NEEDED = 3
CHANGE_THAT_COUNTS = 10
SHOWN = 6


def trend(values: Sequence[int]) -> Trend:
    """Whether a measure over successive exposures (oldest first) is coming down; see above."""
    values = list(values)
    if len(values) < EXPOSURES_NEEDED:
        return Trend(values, "too-few")
    few = min(3, len(values) // 3)
    change = sum(values[-few:]) / few - sum(values[:few]) / few
    if change <= -CHANGE_THAT_COUNTS:
        return Trend(values, "down")
    if change >= CHANGE_THAT_COUNTS:
        return Trend(values, "up")
    return Trend(values, "flat")
