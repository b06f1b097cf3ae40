"""The caseload's score columns."""

from __future__ import annotations

import re
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bridgework.measures import actions as measures
from bridgework.test import BaseTestCase


class CaseloadScoresTests(BaseTestCase):
    def phq9(self, answer: int, days_ago: int) -> None:
        phq9 = measures.current("phq-9", None)
        assert phq9 is not None
        measures.respond(
            self.client_a,
            phq9,
            {str(n): answer for n in range(1, 9)} | {"9": 0},
            by=self.therapist_a,
            completed_at=timezone.now() - timedelta(days=days_ago),
        )

    def caseload_row(self) -> str:
        page = self.client.get("/clients/").content.decode()
        start = page.index(f'href="/clients/{self.client_a.pk}/"')
        return page[start : page.index("</tr>", start)]

    def test_the_caseload_shows_the_newest_phq_9_and_its_change(self) -> None:
        self.phq9(2, days_ago=14)
        self.phq9(1, days_ago=7)
        self.sign_in(self.therapist_a)
        cells = re.findall(r"<td>(.*?)</td>", self.caseload_row())
        self.assertIn('8 <span class="muted">(-8)</span>', cells)  # PHQ-9: 16, then 8
        self.assertEqual(cells[cells.index('8 <span class="muted">(-8)</span>') + 1], "—")  # GAD-7

    def test_unscored_questionnaires_do_not_hide_the_last_scores(self) -> None:
        self.phq9(2, days_ago=21)
        self.phq9(1, days_ago=14)
        phq9 = measures.current("phq-9", None)
        assert phq9 is not None
        for days_ago in (7, 1):  # only three items answered: too many missing to score
            measures.respond(
                self.client_a,
                phq9,
                {"1": 3, "2": 3, "3": 3},
                by=self.therapist_a,
                completed_at=timezone.now() - timedelta(days=days_ago),
            )
        self.sign_in(self.therapist_a)
        self.assertIn('8 <span class="muted">(-8)</span>', self.caseload_row())

    def test_the_caseload_costs_the_same_queries_however_many_scores(self) -> None:
        self.sign_in(self.therapist_a)
        self.phq9(1, days_ago=7)
        self.client.get("/clients/")  # the first page after signing in does a little more
        with CaptureQueriesContext(connection) as short:
            self.client.get("/clients/")
        for week in range(2, 30):
            self.phq9(week % 3, days_ago=7 * week)
        with CaptureQueriesContext(connection) as long:
            self.client.get("/clients/")
        self.assertEqual(len(short.captured_queries), len(long.captured_queries))
