"""Timing several requests of one process against each other, and summing the times up."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def in_turn(calls: list[Callable[[], object]], runs: int) -> list[list[float]]:
    """Seconds each call took, `runs` times, taken in turn (one, the next, … the first again)
    so that the machine's background noise falls on all alike. Each is called once first,
    untimed, to warm up."""
    for call in calls:
        call()
    took: list[list[float]] = [[] for _ in calls]
    for _ in range(runs):
        for n, call in enumerate(calls):
            started = time.perf_counter()
            call()
            took[n].append(time.perf_counter() - started)
    return took


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def row(label: str, values: list[float]) -> str:
    """A table row: median and p95 in milliseconds."""
    return f"| {label} | {statistics.median(values) * 1000:.1f} | {p95(values) * 1000:.1f} |"


def page(browser, url: str) -> Callable[[], object]:  # type: ignore[no-untyped-def]
    """A GET of `url` by `browser` (a django.test.Client), which must answer 200."""

    def get() -> object:
        response = browser.get(url)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        return response

    return get
