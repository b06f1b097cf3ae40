"""Per-client date shifts: when a study shifts dates, every date and time of one client's rows
moves by the same whole number of days, so intervals (days between sessions, minutes from a
prompt to its answer) stay exact while the calendar dates no longer match anyone's diary.

The shift comes from the study's key (pseudonyms.Pseudonyms.digest), so it is the same in
every export of the study and unrelated across studies; it is never 0 and never exported.
Times stay in UTC and keep their time of day there; the local time of day may move by an
hour where the shift crosses a change to or from summer time.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bridgework.research.export.arrow_build import integers
from bridgework.research.export.pseudonyms import Pseudonyms

MAX_SHIFT_DAYS = 180
TIME = pa.timestamp("s", tz="UTC")  # as the writers keep times (whole seconds)

When = TypeVar("When", date, datetime)


def shift_days(pseudonyms: Pseudonyms, client_pk: int) -> int:
    """A whole number of days from −180 to +180, never 0."""
    drawn = int.from_bytes(pseudonyms.digest("date-shift:client", client_pk)[:4], "big")
    days = drawn % (2 * MAX_SHIFT_DAYS) - MAX_SHIFT_DAYS  # −180 … +179
    return days if days < 0 else days + 1  # −180 … −1, +1 … +180


class Shifts:
    """The shifts of a study's clients, looked up by client pk as rows go by."""

    def __init__(self, pseudonyms: Pseudonyms, *, enabled: bool) -> None:
        self._pseudonyms = pseudonyms
        self._enabled = enabled
        self._by_client: dict[int, timedelta] = {}
        self._seconds = SecondsByClient(self)

    def of(self, client_pk: int) -> timedelta:
        if not self._enabled:
            return timedelta(0)
        shift = self._by_client.get(client_pk)
        if shift is None:
            # One entry per client in the export: bounded by the clients, not by the rows.
            shift = self._by_client[client_pk] = timedelta(
                days=shift_days(self._pseudonyms, client_pk)
            )
        return shift

    def apply(self, client_pk: int, value: When | None) -> When | None:
        """`value` moved by the client's shift; a time also loses its fraction of a second
        (exports keep whole seconds, the same in CSV and Parquet)."""
        if value is None:
            return None
        if isinstance(value, datetime):
            value = value.replace(microsecond=0)
        return value + self.of(client_pk)

    def times(self, clients: pa.Array, seconds: pa.Array) -> pa.Array:
        """An Arrow column of whole seconds since 1970 (UTC; research.export.columnar.Seconds)
        moved by each row's client's shift, as times: the same instants as apply(), each
        client's shift looked up once a batch."""
        if self._enabled:
            encoded = pc.dictionary_encode(clients)
            by_client = np.array(
                [self._seconds[c] for c in encoded.dictionary.to_pylist()], dtype=np.int64
            )
            seconds = pc.add(seconds, integers(by_client).take(encoded.indices))
        return seconds.cast(TIME)


class SecondsByClient(dict[int, int]):
    """Each client's shift in seconds, filled as clients turn up (bounded by the clients)."""

    def __init__(self, shifts: Shifts) -> None:
        super().__init__()
        self._shifts = shifts

    def __missing__(self, client_pk: int) -> int:
        seconds = self[client_pk] = int(self._shifts.of(client_pk).total_seconds())
        return seconds
