"""The newest scores at a glance (the client page and the caseload show them; desk/tests)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from django.utils import timezone

from bridgework.measures import glance


def test_the_newest_scored_response_counts_and_its_change_is_from_the_scored_one_before() -> None:
    now = timezone.now()

    def response(slug: str, total: float | None, days_ago: int) -> SimpleNamespace:
        return SimpleNamespace(
            instrument=SimpleNamespace(slug=slug),
            scores={"total": {"value": total}},
            completed_at=now - timedelta(days=days_ago),
        )

    newest_first = [
        response("phq-9", None, 1),  # too many items missing: no score
        response("gad-7", 9, 2),
        response("phq-9", 12, 8),
        response("phq-9", None, 15),
        response("phq-9", 15, 22),
    ]
    scores = glance.latest_scores(newest_first, start=now - timedelta(days=5))
    summary = [(s.response.instrument.slug, s.total, s.change, s.is_new) for s in scores]
    assert summary == [("phq-9", 12, -3, False), ("gad-7", 9, None, True)]
