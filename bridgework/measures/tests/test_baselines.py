"""Reliable deterioration measured from the baseline as well as from last time, the baseline a
therapist marks, and the client page's Jacobson–Truax status since baseline."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from bridgework.audit.models import AccessEvent
from bridgework.care.models import Client
from bridgework.measures import actions as measures
from bridgework.measures import scoring
from bridgework.measures.models import Baseline, Flag, Instrument, Response
from bridgework.test import BaseTestCase


def totalling(total: int, items: int) -> dict[str, int]:
    """Answers (0–3 each) that add up to `total`, filling the first items first."""
    return {str(n): max(0, min(3, total - 3 * (n - 1))) for n in range(1, items + 1)}


class CourseCase(BaseTestCase):
    weeks_ago = 20  # where the next response of `course` goes: a week after the one before

    def instrument(self, slug: str) -> Instrument:
        found = measures.current(slug, None)
        assert found is not None
        return found

    def course(self, slug: str, *totals: int, client: Client | None = None) -> list[Response]:
        """One response a week, each a week after the one before."""
        instrument, client = self.instrument(slug), client or self.client_a
        # PHQ-9's item 9 stays 0: its risk flag is not what these tests are about.
        items = 8 if slug == "phq-9" else 7
        responses = []
        for total in totals:
            self.weeks_ago -= 1
            answers: dict[str, Any] = totalling(total, items)
            if slug == "phq-9":
                answers["9"] = 0
            response, _flags = measures.respond(
                client,
                instrument,
                answers,
                by=self.therapist_a,
                completed_at=timezone.now() - timedelta(weeks=self.weeks_ago),
            )
            responses.append(response)
        return responses

    def deteriorations(self, client: Client | None = None) -> list[Flag]:
        return list(
            Flag.objects.filter(client=client or self.client_a, kind=Flag.Kind.DETERIORATION)
            .select_related("response")
            .order_by("raised_at")
        )


class GradualDeteriorationTests(CourseCase):
    def test_phq_9_rising_4_8_12_16_20_raises_one_deterioration_flag(self) -> None:
        responses = self.course("phq-9", 4, 8, 12, 16, 20)
        self.assertEqual([r.total() for r in responses], [4, 8, 12, 16, 20])
        flags = self.deteriorations()
        self.assertEqual(len(flags), 1, "one flag: no duplicate while it is open")
        self.assertEqual(flags[0].response, responses[2])  # 12: eight above the baseline
        self.assertIn("rose from 4 on", flags[0].text)
        self.assertIn("to 12: a gradual, reliable deterioration", flags[0].text)

    def test_a_course_within_the_reliable_change_band_raises_nothing(self) -> None:
        self.course("phq-9", 10, 13, 15, 12, 14, 15)  # at most +5 from baseline and from last time
        self.course("gad-7", 5, 7, 8, 6, 8)  # at most +3
        self.assertEqual(self.deteriorations(), [])

    def test_gad_7_flags_from_four_points_above_baseline(self) -> None:
        self.course("gad-7", 5, 7, 8)
        self.assertEqual(self.deteriorations(), [])
        self.course("gad-7", 9)
        self.assertEqual(len(self.deteriorations()), 1)

    def test_a_sudden_rise_is_still_told_as_the_step_from_last_time(self) -> None:
        self.course("phq-9", 10, 4, 11)
        (flag,) = self.deteriorations()
        self.assertIn("rose from 4 to 11, a reliable deterioration", flag.text)

    def test_each_questionnaire_has_its_own_open_flag(self) -> None:
        self.course("phq-9", 4, 12, 20)
        self.course("gad-7", 3, 9)
        flags = self.deteriorations()
        self.assertEqual(
            sorted(f.response.instrument.slug for f in flags if f.response), ["gad-7", "phq-9"]
        )

    def test_once_acknowledged_a_further_reliable_rise_flags_again(self) -> None:
        self.course("phq-9", 4, 12)
        (first,) = self.deteriorations()
        measures.acknowledge(first, by=self.therapist_a, note="Talked it through")
        self.course("phq-9", 16)  # +4 from the acknowledged 12, though +12 from baseline
        self.assertEqual(len(self.deteriorations()), 1)
        self.course("phq-9", 18)  # +6 from the acknowledged 12
        second = self.deteriorations()[1]
        self.assertIn("rose from 12 on", second.text)
        self.assertIsNone(second.acknowledged_at)

    def test_a_gradual_worsening_after_recovering_from_an_acknowledged_one_is_flagged(
        self,
    ) -> None:
        self.course("phq-9", 10, 17)
        (first,) = self.deteriorations()
        measures.acknowledge(first, by=self.therapist_a, note="Talked it through")
        responses = self.course("phq-9", 5, 8, 11, 14, 16, 17, 19)  # 5: back within 10 ± 6
        flags = self.deteriorations()
        self.assertEqual(len(flags), 2, "one new flag, at 16; 17 and 19 wait behind it")
        self.assertEqual(flags[1].response, responses[4])
        self.assertIn("rose from 10 on", flags[1].text)  # from the baseline again
        self.assertIn("to 16: a gradual, reliable deterioration", flags[1].text)

    def test_a_course_that_stays_up_is_measured_from_the_acknowledged_score(self) -> None:
        self.course("phq-9", 4, 12)
        (first,) = self.deteriorations()
        measures.acknowledge(first, by=self.therapist_a, note="Seen; a hard month")
        self.course("phq-9", 11, 13, 15, 17, 14, 16)  # never below 4 + 6, at most +5 from 12
        self.assertEqual(self.deteriorations(), [first])

    def test_a_new_marked_baseline_leaves_earlier_acknowledgements_behind(self) -> None:
        self.course("phq-9", 4, 12)
        measures.acknowledge(self.deteriorations()[0], by=self.therapist_a, note="")
        (new_start,) = self.course("phq-9", 14)
        measures.mark_baseline(new_start, by=self.therapist_a)
        self.course("phq-9", 17)
        self.assertEqual(len(self.deteriorations()), 1)  # +3 from 14
        self.course("phq-9", 20)  # +6 from the marked 14, +8 from the acknowledged 12
        self.assertIn("rose from 14 on", self.deteriorations()[1].text)

    def test_unscored_responses_are_not_a_baseline_nor_last_time(self) -> None:
        phq9 = self.instrument("phq-9")
        measures.respond(self.client_a, phq9, {"1": 0, "2": 0, "3": 0}, by=self.therapist_a)
        self.course("phq-9", 10, 15)
        self.assertEqual(self.deteriorations(), [])


class MarkedBaselineTests(CourseCase):
    def test_a_marked_baseline_is_what_the_course_is_measured_from(self) -> None:
        # Unmarked, this course raises nothing: 12 → 4 → 8 → 10 is never 6 above the first
        # score (12) nor above the one before.
        self.course("phq-9", 12, 4, 8, 10, client=self.client_b)
        self.assertEqual(self.deteriorations(self.client_b), [])
        _first, new_start = self.course("phq-9", 12, 4)
        self.sign_in(self.therapist_a)
        page = self.client.post(f"/responses/{new_start.pk}/baseline/", follow=True)
        self.assertContains(page, "is now the baseline")
        baseline = Baseline.objects.get(client=self.client_a)
        self.assertEqual((baseline.response, baseline.marked_by), (new_start, self.therapist_a))
        self.assertTrue(
            AccessEvent.objects.filter(
                object_type="baseline", object_id=str(new_start.pk), actor_id=self.therapist_a.pk
            ).exists()
        )
        self.course("phq-9", 8, 10)
        (flag,) = self.deteriorations()
        self.assertIn("rose from 4 on", flag.text)

    def test_marking_again_moves_the_baseline(self) -> None:
        first, second = self.course("phq-9", 12, 4)
        measures.mark_baseline(first, by=self.therapist_a)
        measures.mark_baseline(second, by=self.therapist_a)
        self.assertEqual(Baseline.objects.get(client=self.client_a).response, second)

    def test_an_unscored_response_cannot_be_the_baseline(self) -> None:
        unscored, _flags = measures.respond(
            self.client_a, self.instrument("phq-9"), {"1": 2}, by=self.therapist_a
        )
        self.sign_in(self.therapist_a)
        page = self.client.post(f"/responses/{unscored.pk}/baseline/", follow=True)
        self.assertContains(page, "cannot be the baseline. Choose a scored response.")
        self.assertFalse(Baseline.objects.exists())

    def test_only_the_care_team_marks_a_baseline(self) -> None:
        (response,) = self.course("phq-9", 12)
        for actor in (self.supervisor, self.therapist_b, self.client_a):
            with self.subTest(actor=actor):
                self.sign_in(actor)
                self.assertEqual(
                    self.client.post(f"/responses/{response.pk}/baseline/").status_code, 404
                )
        self.assertFalse(Baseline.objects.exists())


def since_baseline(page: str) -> str:
    start = page.index('id="course-heading"')
    return page[start : page.index("</table>", start)]


class SinceBaselineOnTheClientPageTests(CourseCase):
    def test_the_page_shows_each_questionnaires_status_since_baseline(self) -> None:
        self.course("phq-9", 16, 12, 8)
        self.course("gad-7", 5, 7, 9)
        self.sign_in(self.therapist_a)
        table = since_baseline(self.client.get(f"/clients/{self.client_a.pk}/").content.decode())
        phq9, gad7 = table.split('<th scope="row">')[1:]
        self.assertIn("PHQ-9", phq9)
        self.assertIn("16 ·", phq9)
        self.assertIn("(first)", phq9)
        self.assertIn("-8", phq9)
        self.assertIn('data-status="recovered">recovered', phq9)
        self.assertIn("at ±6", phq9)
        self.assertIn("+4", gad7)
        self.assertIn('data-status="deteriorated">reliably deteriorated', gad7)

    def test_the_marked_baseline_is_named_and_badged(self) -> None:
        first, marked, _latest = self.course("phq-9", 20, 15, 13)
        measures.mark_baseline(marked, by=self.therapist_a)
        self.sign_in(self.therapist_a)
        page = self.client.get(f"/clients/{self.client_a.pk}/").content.decode()
        table = since_baseline(page)
        self.assertIn("15 ·", table)
        self.assertIn("(marked)", table)
        self.assertIn('data-status="no-change">no reliable change', table)
        self.assertEqual(page.count('<span class="badge">baseline</span>'), 1)
        self.assertNotIn(f"/responses/{marked.pk}/baseline/", page)
        self.assertIn(f"/responses/{first.pk}/baseline/", page)

    def test_a_supervisor_reads_the_status_but_gets_no_buttons(self) -> None:
        self.course("phq-9", 16, 8)
        self.sign_in(self.supervisor)
        page = self.client.get(f"/clients/{self.client_a.pk}/").content.decode()
        self.assertIn("recovered", since_baseline(page))
        self.assertNotIn("Mark as baseline", page)

    def test_one_score_is_a_baseline_only(self) -> None:
        self.course("gad-7", 12)
        self.sign_in(self.therapist_a)
        table = since_baseline(self.client.get(f"/clients/{self.client_a.pk}/").content.decode())
        self.assertIn("baseline only so far", table)


PHQ9 = {"reliable_change": {"sd": 5.0, "reliability": 0.84, "threshold": 6}, "caseness": 10}
GAD7 = {"reliable_change": {"sd": 4.8, "reliability": 0.92, "threshold": 4}, "caseness": 8}


@pytest.mark.parametrize(
    ("rule", "baseline", "latest", "status"),
    [
        (PHQ9, 16, 11, "no-change"),  # -5
        (PHQ9, 16, 10, "improved"),  # -6, but 10 is still a case
        (PHQ9, 16, 9, "recovered"),
        (PHQ9, 15, 9, "recovered"),  # -6 exactly, and below 10
        (PHQ9, 10, 4, "recovered"),  # a baseline at the cut-off is a case
        (PHQ9, 9, 3, "improved"),  # never a case: improved, not recovered
        (PHQ9, 4, 9, "no-change"),  # +5
        (PHQ9, 4, 10, "deteriorated"),  # +6
        (GAD7, 10, 7, "no-change"),  # -3
        (GAD7, 10, 6, "recovered"),  # -4, below 8
        (GAD7, 12, 8, "improved"),  # -4, but 8 is still a case
        (GAD7, 5, 8, "no-change"),  # +3
        (GAD7, 5, 9, "deteriorated"),  # +4
        ({"cutoff": 10}, 20, 2, ""),  # no reliable change stored: no status
        ({"reliable_change": {"sd": 5.0, "reliability": 0.84}}, 20, 10, "improved"),  # no cut-off
    ],
)
def test_the_status_since_baseline_on_both_sides_of_each_threshold(
    rule: dict[str, Any], baseline: float, latest: float, status: str
) -> None:
    assert scoring.reliable_status(rule, baseline, latest) == status


def test_recovery_uses_caseness_where_stored_else_the_screening_cut_off() -> None:
    assert scoring.clinical_cutoff({"cutoff": 10, "caseness": 8}) == 8
    assert scoring.clinical_cutoff({"cutoff": 10}) == 10
    assert scoring.clinical_cutoff({}) is None
