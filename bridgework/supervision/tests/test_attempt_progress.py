"""Repeated attempts side by side: each attempt's totals, the supervisor's and the self-rating,
read as the rating doors allow (drafts private, blind until both have submitted)."""

from __future__ import annotations

from django.utils import timezone

from bridgework.accounts.models import User
from bridgework.supervision import attempts, scenarios, training
from bridgework.supervision.models import Assignment, CompetenceRating, RolePlay
from bridgework.supervision.tests.helpers import shipped_scale, totalling
from bridgework.test import BaseTestCase

SUBMITTED, DRAFT = CompetenceRating.State.SUBMITTED, CompetenceRating.State.DRAFT


class AttemptProgressTests(BaseTestCase):
    def setUp(self) -> None:
        scenario = scenarios.get("did-i-pass")
        assert scenario is not None
        self.assignment: Assignment = training.assign(
            scenario=scenario, trainee=self.therapist_a, by=self.supervisor
        )
        self.first = training.start_attempt(self.assignment, by=self.therapist_a)
        training.finish_attempt(self.first, by=self.therapist_a)  # one attempt at a time
        self.second = training.start_attempt(self.assignment, by=self.therapist_a)
        self.scale = shipped_scale()

    def rate(
        self,
        attempt: RolePlay,
        rater: User,
        total: int | None,
        state: str,
        prorated: bool = False,
    ) -> CompetenceRating:
        # The rating pages are supervision.views' (another part of issue 13); a row with its
        # scores is what they leave behind.
        return CompetenceRating.objects.create(
            clinic=self.clinic,
            session=attempt.session,
            therapist=self.therapist_a,
            rater=rater,
            instrument=self.scale,
            answers={},
            scores={
                "total": {"value": total, "band": "", "above_cutoff": None, "prorated": prorated}
            },
            state=state,
            submitted_at=timezone.now() if state == SUBMITTED else None,
        )

    def page(self, user: User) -> str:
        self.sign_in(user)
        response = self.client.get(f"/training/assignments/{self.assignment.pk}/")
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_the_attempts_are_listed_in_order_with_both_totals_and_a_picture(self) -> None:
        self.rate(self.first, self.supervisor, 30, SUBMITTED)
        self.rate(self.first, self.therapist_a, 40, SUBMITTED)
        self.rate(self.second, self.supervisor, 48, SUBMITTED)
        self.rate(self.second, self.therapist_a, 45, SUBMITTED)
        page = self.page(self.supervisor)
        self.assertLess(page.index("Attempt 1"), page.index("Attempt 2"))
        for total in (
            "<strong>30</strong> / 72",
            "<strong>40</strong> / 72",
            "<strong>48</strong>",
        ):
            self.assertIn(total, page)
        self.assertIn('<svg class="chart" role="img"', page)
        self.assertEqual(page.count("<polyline"), 2)
        # The supervisor rated both: their ratings to open, no button to start another.
        self.assertNotIn("/rate/", page)
        self.assertNotIn("Rate this attempt", page)
        self.assertNotIn("Rate yourself", page)
        self.assertIn("Close the assignment", page)

    def test_a_submitted_rating_is_shown_and_linked_instead_of_the_rate_button(self) -> None:
        mine = self.rate(self.first, self.therapist_a, 40, SUBMITTED)
        page = self.page(self.therapist_a)
        self.assertIn(
            f'<a href="/supervision/ratings/{mine.pk}/">Your rating: 40/72 (submitted)</a>', page
        )
        # Only the attempt not yet rated still offers it.
        self.assertEqual(page.count("Rate yourself"), 1)
        self.assertNotIn(f'action="/supervision/sessions/{self.first.session_id}/rate/"', page)
        self.assertIn(f'action="/supervision/sessions/{self.second.session_id}/rate/"', page)
        supervisors = self.page(self.supervisor)
        self.assertNotIn("Your rating", supervisors)
        self.assertEqual(supervisors.count("Rate this attempt"), 2)

    def test_a_draft_rating_is_offered_to_continue(self) -> None:
        draft = self.rate(self.second, self.supervisor, 20, DRAFT)
        page = self.page(self.supervisor)
        self.assertIn(f'href="/supervision/ratings/{draft.pk}/">Continue your rating</a>', page)
        self.assertEqual(page.count("Rate this attempt"), 1)
        self.assertNotIn(f'action="/supervision/sessions/{self.second.session_id}/rate/"', page)

    def test_a_prorated_total_says_so_in_the_table(self) -> None:
        self.rate(self.first, self.supervisor, 42, SUBMITTED, prorated=True)
        self.rate(self.first, self.therapist_a, 40, SUBMITTED)
        page = self.page(self.supervisor)
        self.assertIn('<strong>42</strong> / 72 <span class="muted">(prorated)</span>', page)
        self.assertEqual(page.count("(prorated)"), 1)

    def test_finishing_asks_for_a_self_rating_only_when_there_is_none(self) -> None:
        self.sign_in(self.therapist_a)
        url = f"/training/attempts/{self.second.pk}/finish/"
        self.rate(self.second, self.therapist_a, 40, SUBMITTED)
        page = self.client.post(url, follow=True).content.decode()
        self.assertIn("Attempt finished.", page)
        self.assertNotIn("Rate yourself while it is fresh", page)
        third = training.start_attempt(self.assignment, by=self.therapist_a)
        finished = self.client.post(f"/training/attempts/{third.pk}/finish/", follow=True)
        self.assertContains(finished, "Attempt finished. Rate yourself while it is fresh.")

    def test_the_trainee_sees_their_own_draft_and_not_the_supervisors(self) -> None:
        self.rate(self.first, self.supervisor, 30, DRAFT)
        own = self.rate(self.first, self.therapist_a, 41, DRAFT)
        page = self.page(self.therapist_a)
        self.assertIn(f'<a href="/supervision/ratings/{own.pk}/" class="badge">draft</a>', page)
        self.assertNotIn("<strong>30</strong>", page)
        self.assertNotIn("not scored", page)  # a draft is scored when it is submitted
        self.assertNotIn("Rate yourself first", page)  # nobody has submitted one
        self.assertIn("Rate yourself", page)
        self.assertNotIn("<svg", page)  # drafts are no progress yet

    def test_the_trainee_sees_the_supervisors_total_once_their_own_is_submitted(self) -> None:
        self.rate(self.first, self.supervisor, 30, SUBMITTED)
        page = self.page(self.therapist_a)
        self.assertNotIn("<strong>30</strong>", page)
        self.assertIn("Rate yourself first to see your supervisor's rating", page)
        own = self.rate(self.first, self.therapist_a, 41, DRAFT)
        self.assertNotIn("<strong>30</strong>", self.page(self.therapist_a))
        self.sign_in(self.therapist_a)
        supervisors = CompetenceRating.objects.get(rater=self.supervisor)
        response = self.client.get(f"/supervision/ratings/{supervisors.pk}/")
        self.assertEqual(response.status_code, 404)
        self.client.post(
            f"/supervision/ratings/{own.pk}/",
            {f"item-{k}": v for k, v in totalling(41).items()}
            | {"action": "submit", "final": "on"},
        )
        page = self.page(self.therapist_a)
        self.assertIn("<strong>30</strong> / 72", page)
        self.assertIn("<strong>41</strong> / 72", page)
        self.assertNotIn("Rate yourself first", page)
        self.sign_in(self.therapist_a)
        self.assertEqual(
            self.client.get(f"/supervision/ratings/{supervisors.pk}/").status_code, 200
        )

    def test_the_supervisor_sees_the_self_rating_only_after_submitting_their_own(self) -> None:
        self.rate(self.first, self.therapist_a, 41, SUBMITTED)
        self.assertNotIn("<strong>41</strong>", self.page(self.supervisor))
        self.rate(self.first, self.supervisor, 30, SUBMITTED)
        self.assertIn("<strong>41</strong>", self.page(self.supervisor))

    def test_the_hint_waits_for_the_trainees_first_finished_attempt(self) -> None:
        scenario = scenarios.get("ill-fail-anyway")
        assert scenario is not None
        self.assignment = training.assign(
            scenario=scenario, trainee=self.therapist_a, by=self.supervisor
        )
        attempt = training.start_attempt(self.assignment, by=self.therapist_a)
        self.assertNotIn("What good work looks like", self.page(self.therapist_a))
        self.assertIn("What good work looks like", self.page(self.supervisor))
        training.finish_attempt(attempt, by=self.therapist_a)
        self.assertIn("What good work looks like", self.page(self.therapist_a))

    def test_others_get_404_for_the_assignment(self) -> None:
        for person in (self.therapist_b, self.admin, self.other_admin, self.client_a):
            with self.subTest(person=str(person)):
                self.sign_in(person)
                response = self.client.get(f"/training/assignments/{self.assignment.pk}/")
                self.assertEqual(response.status_code, 404)

    def test_the_picture_has_axes_labels_and_a_legend_and_dashes_the_self_rating(self) -> None:
        self.rate(self.first, self.supervisor, 30, SUBMITTED)
        self.rate(self.first, self.therapist_a, 40, SUBMITTED)
        self.rate(self.second, self.supervisor, 48, SUBMITTED)
        self.rate(self.second, self.therapist_a, 45, SUBMITTED)
        page = self.page(self.supervisor)
        svg = page[page.index("<svg") : page.index("</svg>")]
        self.assertIn('role="img" aria-label="Competence totals over the attempts', svg)
        self.assertIn("<title>Competence totals over the attempts", svg)
        for tick in ("0", "18", "36", "54", "72", "1", "2"):  # the totals, the attempts
            self.assertRegex(svg, f"<text [^>]*>{tick}</text>")
        self.assertIn(">Attempt</text>", svg)
        self.assertIn(">Supervisor&#x27;s rating</text>", svg)
        self.assertIn(">Self-rating</text>", svg)
        self.assertEqual(svg.count('<g class="legend">'), 2)
        # The dashboard's colours: the supervisor solid blue, the self-rating dashed brown.
        self.assertIn('stroke="#1f5f8b" stroke-width="2"/>', svg)
        self.assertIn('stroke="#8a4b00" stroke-width="2" stroke-dasharray="8 5"/>', svg)
        self.assertEqual(svg.count('stroke-dasharray="8 5"'), 2)  # the line and its legend


class PictureTests(BaseTestCase):
    def test_one_point_is_no_picture_and_a_missing_total_leaves_a_gap(self) -> None:
        self.assertEqual(attempts.picture([]), "")
        self.assertIsNone(attempts.mean([None, None]))
        self.assertEqual(attempts.mean([30, None, 40]), 35)
