"""The large tables' fast path: on PostgreSQL practice logs and ratings are read by COPY into
Arrow columns (research.export.arrow_read). It must give the very batches the plain path (the
cursor, with Django's converters) gives, odd entries included. On SQLite both are the plain
path; the tests of the columns' pseudonyms, shifts and CSV cells hold on both."""

from __future__ import annotations

import dataclasses
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
from django.utils import timezone

from bridgework.practice.models import PracticeLog, Rating
from bridgework.research.export.codebook import Column, Table
from bridgework.research.export.columnar import BATCH, Batch, python_values
from bridgework.research.export.context import Context
from bridgework.research.export.dates import Shifts
from bridgework.research.export.package import batches
from bridgework.research.export.pseudonyms import KINDS, Pseudonyms
from bridgework.research.export.writers import write_csv
from bridgework.research.tests.helpers import ExportTestCase

# Entries as a client could not send them (validation refuses them), as a database may still
# hold them: a float, a boolean, text, a list with rows that are not objects.
ODD = {
    "distress_before": 70,
    "distress_peak": 85.0,
    "distress_after": True,
    "series": [{"distress": 10}, "x", {"distress": "5"}, None, {"distress": 20, "minute": 1}],
}


def values(found: list[Batch]) -> list[list[list[Any]]]:
    return [[list(python_values(column)) for column in batch] for batch in found]


class FastPathTests(ExportTestCase):
    def add_logs(self, count: int, entries: dict[str, Any], sheet: str = "exposure-log") -> None:
        now = timezone.now()
        PracticeLog.objects.bulk_create(
            PracticeLog(
                uid=uuid.uuid4(),
                client=self.client_a if n % 3 else self.client_b,
                plan=self.plan_a,
                outcome="done",
                practiced_at=now - timedelta(minutes=n),
                worksheet=sheet,
                worksheet_version=2,
                entries=entries,
                note="A note, with a comma" if n % 2 else "",
            )
            for n in range(count)
        )

    def both_ways(self, table: str, **study: Any) -> tuple[list[Batch], list[Batch]]:
        for name, value in study.items():
            setattr(self.study, name, value)
        fast = Context.of(self.study, "default")
        plain = dataclasses.replace(fast, by_copy=False)
        return list(batches(table, fast)), list(batches(table, plain))

    def test_copy_and_the_cursor_give_the_same_batches_of_both_tables(self) -> None:
        # More than two batches of logs, with their ratings in more than one block of CSV.
        self.add_logs(2 * BATCH + 7, ODD)
        self.add_logs(5, {"situation": "no ratings"}, sheet="free-diary")
        for table in ("practice_logs", "ratings"):
            for free_text in (False, True):
                with self.subTest(table=table, free_text=free_text):
                    fast, plain = self.both_ways(table, include_free_text=free_text)
                    self.assertEqual([len(b[0]) for b in fast], [len(b[0]) for b in plain])
                    self.assertEqual(values(fast), values(plain))
                    self.assertGreater(sum(len(b[0]) for b in fast), 2 * BATCH)

    def test_tables_without_rows_give_no_batches_either_way(self) -> None:
        PracticeLog.objects.all().delete()
        Rating.objects.all().delete()
        for table in ("practice_logs", "ratings"):
            with self.subTest(table=table):
                self.assertEqual(self.both_ways(table), ([], []))

    def test_a_logs_ratings_are_its_whole_numbers_in_the_worksheets_order(self) -> None:
        self.add_logs(1, ODD)
        log = PracticeLog.objects.latest("pk")
        pseudonym = Pseudonyms(self.study.pseudonym_key).of("practice-log", log.pk)
        for by_copy in (True, False):
            with self.subTest(by_copy=by_copy):
                ctx = dataclasses.replace(Context.of(self.study, "default"), by_copy=by_copy)
                rows = [
                    (scale, position, value)
                    for batch in batches("ratings", ctx)
                    for _id, _c, _ci, log_id, _s, _sc, scale, position, _at, value in zip(
                        *map(python_values, batch), strict=True
                    )
                    if log_id == pseudonym
                ]
                # exposure-log version 2 lists the series first.
                expected = [("series.distress", 0, 10), ("series.distress", 4, 20)]
                self.assertEqual(rows, [*expected, ("distress_before", None, 70)])


class ArrowColumnTests(ExportTestCase):
    def test_a_column_of_ids_gets_each_ids_pseudonym_and_keeps_the_gaps(self) -> None:
        pseudonyms = Pseudonyms(self.study.pseudonym_key)
        ids = [5, None, 5, 7, 10**12, None, 5]
        for kind in KINDS:
            with self.subTest(kind=kind):
                made = pseudonyms.column(kind, pa.array(ids, pa.int64())).to_pylist()
                self.assertEqual(made, [pseudonyms.maybe(kind, pk) for pk in ids])
        named = ["log:1:distress:None", "log:1:series.distress:0", "log:1:distress:None"]
        made = pseudonyms.column("rating", pa.array(named)).to_pylist()
        self.assertEqual(made, [pseudonyms.of("rating", pk) for pk in named])

    def test_a_column_of_times_moves_by_each_clients_shift(self) -> None:
        shifts = Shifts(Pseudonyms(self.study.pseudonym_key), enabled=True)
        clients, seconds = [3, 4, 3, 9], [0, 1_740_821_400, None, -86_400]
        moved = shifts.times(pa.array(clients, pa.int64()), pa.array(seconds, pa.int64()))
        expected = [
            None if t is None else shifts.apply(c, datetime.fromtimestamp(t, UTC))
            for c, t in zip(clients, seconds, strict=True)
        ]
        self.assertEqual(python_values(moved), expected)
        self.assertNotEqual(expected[0], datetime.fromtimestamp(0, UTC))

    def test_arrow_columns_are_written_to_csv_as_their_python_values_are(self) -> None:
        times = [0, None, 1_740_821_400]
        when = [None if t is None else datetime.fromtimestamp(t, UTC) for t in times]
        for words in (["plain", "", None], ["=SUM(A1)", "-3", None], ["a,b", 'say "no"', "x"]):
            with self.subTest(words=words):
                lists: Batch = [words, [1, None, 3], when]
                arrow: Batch = [
                    pa.array(words, pa.string()),
                    pa.array([1, None, 3], pa.int64()),
                    pa.array(times, pa.int64()).cast(pa.timestamp("s", tz="UTC")),
                ]
                self.assertEqual(csv_of(arrow), csv_of(lists))
        self.assertIn(b"1970-01-01T00:00:00Z", csv_of(arrow))


THREE = Table(
    "three",
    "Three",
    "Three columns.",
    (
        Column("words", "string", "Words.", "tests"),
        Column("count", "integer", "A count.", "tests"),
        Column("at", "datetime", "A time.", "tests"),
    ),
    primary_key=("count",),
)


def csv_of(batch: Batch) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "three.csv"
        write_csv(out, THREE, THREE.columns, [batch], lambda _written: None)
        return out.read_bytes()
