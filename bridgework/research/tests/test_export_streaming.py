"""An export streams its rows: the memory it holds does not grow with the number of rows
(the benchmark, bench/research_export.py, measures it at a million)."""

from __future__ import annotations

import tracemalloc
import uuid
from datetime import timedelta

from django.utils import timezone

from bridgework.practice.models import PracticeLog
from bridgework.research.tests.helpers import ExportTestCase, export

ENTRIES = {"situation": "x", "distress_before": 70, "distress_peak": 80, "distress_after": 30}


class StreamingTests(ExportTestCase):
    def add_logs(self, count: int) -> None:
        now = timezone.now()
        PracticeLog.objects.bulk_create(
            PracticeLog(
                uid=uuid.uuid4(),
                client=self.client_a,
                plan=self.plan_a,
                outcome="done",
                practiced_at=now - timedelta(minutes=n),
                worksheet="exposure-log",
                worksheet_version=2,
                entries=ENTRIES,
            )
            for n in range(count)
        )

    def peak_memory(self, fmt: str) -> int:
        tracemalloc.start()
        try:
            export(self.study, fmt, tables=["practice_logs"])
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    def test_memory_stays_the_same_for_twice_the_rows(self) -> None:
        # Both sizes are several batches (writers.BATCH) and chunks (rows.CHUNK) long and
        # more than the pseudonym caches hold (below three batches the peak still grows as
        # the buffers fill), so only a leak would make the larger one grow.
        self.add_logs(12000)
        small = {fmt: self.peak_memory(fmt) for fmt in ("csv", "parquet")}
        self.add_logs(12000)
        for fmt in ("csv", "parquet"):
            with self.subTest(fmt=fmt):
                large = self.peak_memory(fmt)
                self.assertLess(large, small[fmt] * 1.1, (small[fmt], large))
