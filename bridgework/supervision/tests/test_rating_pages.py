"""The supervision home and the rating page: who sees which sessions and ratings, the plan
records beside the scale, the refusals as a rater sees them, and blind double rating."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bridgework.accounts.models import Supervision, User
from bridgework.audit.models import AccessEvent
from bridgework.care import actions as care
from bridgework.measures import library
from bridgework.plans.indicators import LABELS
from bridgework.supervision import actions
from bridgework.supervision.models import CompetenceRating
from bridgework.supervision.tests.helpers import RATIONALE, RatingTestCase, every_item, rate
from bridgework.test import make_client, make_staff

REVIEW_MARK = f"Record: {str(LABELS['g']).lower()}"


def form_of(answers: dict[str, Any], **more: str) -> dict[str, Any]:
    return {f"item-{link_id}": value for link_id, value in answers.items()} | more


class HomeTests(RatingTestCase):
    def test_a_supervisor_sees_their_supervisees_sessions_and_their_own_ratings_state(
        self,
    ) -> None:
        self.submitted(self.supervisor, self.second)
        actions.start_rating(self.first, self.scale, by=self.supervisor)
        care_b = self.client_b.sessions.create(
            therapist=self.therapist_b, number=1, starts_at=self.first.starts_at
        )
        self.sign_in(self.supervisor)
        page = self.client.get("/supervision/")
        self.assertContains(page, "Therapist A")
        self.assertContains(page, "Client A · session 1")
        self.assertContains(page, "Client A · session 2")
        self.assertNotContains(page, "Client B")
        self.assertNotContains(page, f"/supervision/sessions/{care_b.pk}/rate/")
        self.assertNotContains(page, "session 3")  # still to come
        self.assertEqual(
            [(row.session, row.state) for row in page.context["supervisees"][0].sessions],
            [(self.second, "submitted"), (self.first, "draft")],
        )
        self.assertContains(page, "Your drafts")

    def test_an_unrated_session_says_so_and_offers_to_rate_it(self) -> None:
        self.sign_in(self.supervisor)
        page = self.client.get("/supervision/")
        self.assertContains(page, "not rated", count=2)
        self.assertContains(page, f'action="/supervision/sessions/{self.first.pk}/rate/"')

    def test_a_supervisor_with_no_supervisees_is_told_so(self) -> None:
        alone = make_staff(self.clinic, "new_supervisor", "supervisor")
        self.sign_in(alone)
        self.assertContains(self.client.get("/supervision/"), "No one is assigned to you")

    def test_a_therapist_sees_their_sessions_to_self_rate_and_only_submitted_ratings_of_them(
        self,
    ) -> None:
        self.submitted(self.supervisor, self.second)
        actions.start_rating(self.first, self.scale, by=self.supervisor)  # a draft: not theirs
        self.submitted(self.therapist_a, self.second)
        self.sign_in(self.therapist_a)
        page = self.client.get("/supervision/")
        self.assertContains(page, "Your sessions: self-rating")
        self.assertContains(page, "Self-rate")
        mine = page.context["my_ratings"]
        self.assertEqual(len(mine), 2)
        self.assertEqual({rating.rater for rating in mine}, {self.supervisor, self.therapist_a})
        self.assertContains(page, "Self-rating")
        self.assertNotContains(page, "Your supervisees")

    def test_a_client_whose_record_has_closed_to_the_rater_goes_unnamed(self) -> None:
        actions.start_rating(self.first, self.scale, by=self.supervisor)
        self.sign_in(self.supervisor)
        self.assertContains(self.client.get("/supervision/"), "Client A · session 1")
        self.client_a.memberships.filter(member=self.therapist_a).delete()
        page = self.client.get("/supervision/")
        self.assertNotContains(page, "Client A")
        self.assertContains(page, "Your drafts")
        self.assertContains(page, "Therapist A · session 1")

    def test_the_home_costs_the_same_queries_and_one_listing_however_many_supervisees(
        self,
    ) -> None:
        def cost() -> tuple[int, int]:
            self.client.get("/supervision/")  # the session's first request does its own work
            since = AccessEvent.objects.order_by("-id").values_list("id", flat=True).first()
            with CaptureQueriesContext(connection) as queries:
                page = self.client.get("/supervision/")
            listings = AccessEvent.objects.filter(
                id__gt=since or 0, object_type="sessions-to-rate"
            ).count()
            self.assertEqual(len(page.context["supervisees"]), supervised)
            return len(queries), listings

        self.sign_in(self.supervisor)
        supervised = 1
        one = cost()
        for n in range(4):
            therapist = make_staff(self.clinic, f"more_{n}", "therapist")
            Supervision.objects.create(supervisor=self.supervisor, supervisee=therapist)
            client = make_client(self.clinic, f"more_client_{n}", therapist)
            session = care.add_session(
                client, therapist=therapist, starts_at=self.first.starts_at, by=therapist
            )
            actions.start_rating(session, self.scale, by=self.supervisor)
        supervised = 5
        five = cost()
        self.assertEqual(five, one)
        self.assertEqual(one[1], 1)

    def test_the_navigation_leads_supervisors_and_therapists_to_supervision(self) -> None:
        for person in (self.supervisor, self.therapist_b):
            self.sign_in(person)
            self.assertContains(self.client.get("/clients/"), 'href="/supervision/"')
        self.sign_in(self.admin)
        self.assertNotContains(self.client.get("/clinic/"), 'href="/supervision/"')


class StartPageTests(RatingTestCase):
    def test_rating_a_session_opens_a_draft_and_again_the_same_one(self) -> None:
        self.sign_in(self.supervisor)
        url = f"/supervision/sessions/{self.first.pk}/rate/"
        response = self.client.post(url, {"scale": self.scale.pk})
        rating = CompetenceRating.objects.get()
        self.assertRedirects(response, f"/supervision/ratings/{rating.pk}/")
        self.assertRedirects(self.client.post(url), f"/supervision/ratings/{rating.pk}/")
        self.assertEqual(CompetenceRating.objects.count(), 1)

    def test_rating_a_session_the_rater_may_not_see_is_404(self) -> None:
        session_b = self.client_b.sessions.create(
            therapist=self.therapist_b, number=1, starts_at=self.first.starts_at
        )
        other = self.other_client.sessions.create(
            therapist=self.other_therapist, number=1, starts_at=self.first.starts_at
        )
        self.sign_in(self.supervisor)
        for session in (session_b, other):
            with self.subTest(session=session.pk):
                response = self.client.post(f"/supervision/sessions/{session.pk}/rate/")
                self.assertEqual(response.status_code, 404)
        self.sign_in(self.therapist_b)
        response = self.client.post(f"/supervision/sessions/{self.first.pk}/rate/")
        self.assertEqual(response.status_code, 404)
        self.assertFalse(CompetenceRating.objects.exists())

    def test_a_supervisor_who_does_not_supervise_the_therapist_gets_404(self) -> None:
        rating = self.submitted(self.supervisor)
        elsewhere = make_staff(self.clinic, "supervisor_of_b", "supervisor")
        Supervision.objects.create(supervisor=elsewhere, supervisee=self.therapist_b)
        self.sign_in(elsewhere)
        response = self.client.post(f"/supervision/sessions/{self.first.pk}/rate/")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.client.get(f"/supervision/ratings/{rating.pk}/").status_code, 404)
        self.assertNotContains(self.client.get("/supervision/"), "Client A")

    def test_a_session_still_to_come_cannot_be_rated(self) -> None:
        self.sign_in(self.supervisor)
        response = self.client.post(f"/supervision/sessions/{self.coming.pk}/rate/")
        self.assertEqual(response.status_code, 404)

    def test_a_questionnaire_chosen_as_the_scale_is_refused(self) -> None:
        from bridgework.measures.actions import current

        phq9 = current("phq-9", None)
        assert phq9 is not None
        self.sign_in(self.supervisor)
        response = self.client.post(
            f"/supervision/sessions/{self.first.pk}/rate/", {"scale": phq9.pk}, follow=True
        )
        self.assertContains(response, "Choose one of your clinic&#x27;s competence scales.")
        self.assertFalse(CompetenceRating.objects.exists())


class RatingPageTests(RatingTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.rating = actions.start_rating(self.first, self.scale, by=self.supervisor)
        self.url = f"/supervision/ratings/{self.rating.pk}/"

    def test_the_page_shows_the_plan_records_beside_the_scale(self) -> None:
        self.sign_in(self.supervisor)
        page = self.client.get(self.url)
        self.assertContains(page, "Plan set in this session:")
        self.assertContains(page, "Ride the bus two stops")
        self.assertContains(page, RATIONALE)
        self.assertContains(page, "Breathe slowly and wait two minutes")
        self.assertContains(page, "Has a rationale")
        self.assertContains(page, "The review that followed")
        self.assertContains(page, "Got off early")  # the review's engagement answers
        self.assertContains(page, "Decision: Modify")
        self.assertContains(page, "Record: has a rationale")
        self.assertContains(page, "Avoiding keeps it going")  # the session's takeaway
        # Every answer of every item, as a radio button with its anchor.
        for item in self.scale.definition["item"]:
            for value in range(7):
                self.assertContains(page, f'id="item-{item["linkId"]}-{value}"')
        self.assertContains(page, "The task stands on its own")

    def test_a_rating_whose_records_the_doors_no_longer_open_shows_without_them(self) -> None:
        rating = self.submitted(self.supervisor)
        self.client_a.memberships.filter(member=self.therapist_a).delete()
        self.sign_in(self.supervisor)
        page = self.client.get(f"/supervision/ratings/{rating.pk}/")
        self.assertContains(page, "The plan records of this session are not open to you")
        self.assertNotContains(page, RATIONALE)
        self.assertNotContains(page, "Client A")  # the record is closed: not even the name
        self.assertContains(page, "Rated by Supervisor")

    def test_the_next_sessions_page_shows_the_earlier_plan_reviewed_in_it(self) -> None:
        rating = actions.start_rating(self.second, self.scale, by=self.supervisor)
        self.sign_in(self.supervisor)
        page = self.client.get(f"/supervision/ratings/{rating.pk}/")
        self.assertContains(page, "Earlier plans reviewed in this session")
        self.assertContains(page, "Ride the bus two stops")

    def test_the_review_items_show_how_the_earlier_plans_were_reviewed_here(self) -> None:
        rating = actions.start_rating(self.second, self.scale, by=self.supervisor)
        self.sign_in(self.supervisor)
        page = self.client.get(f"/supervision/ratings/{rating.pk}/")
        rows = {row.link_id: row for row in page.context["rows"]}
        for link_id in ("review", "non-completion"):
            with self.subTest(item=link_id):
                self.assertEqual(
                    [(m.plan_id, m.present) for m in rows[link_id].marks], [(self.plan.pk, True)]
                )
        self.assertContains(page, REVIEW_MARK, count=2)

    def test_the_review_items_do_not_read_the_plans_set_in_the_session(self) -> None:
        # The plan set in session 1 was reviewed in session 2: that is session 2's work.
        self.sign_in(self.supervisor)
        page = self.client.get(self.url)
        rows = {row.link_id: row for row in page.context["rows"]}
        self.assertEqual((rows["review"].marks, rows["non-completion"].marks), ([], []))
        self.assertNotContains(page, REVIEW_MARK)
        self.assertContains(page, "Record: has a rationale")

        self.sign_in(self.supervisor)
        response = self.client.post(
            self.url,
            form_of({"rationale": "5"}, **{"comment-rationale": "Asked her why", "action": "save"}),
            follow=True,
        )
        self.assertContains(response, "Draft saved. Only you can see it")
        self.rating.refresh_from_db()
        self.assertEqual(
            (self.rating.answers, self.rating.comments),
            ({"rationale": 5}, {"rationale": "Asked her why"}),
        )
        self.assertContains(response, 'value="5" checked')

    def test_a_rating_outside_0_to_6_is_refused_with_a_message_and_nothing_is_saved(self) -> None:
        self.sign_in(self.supervisor)
        sent = form_of({"links": "3", "rationale": "7"}, comment="Keep this?", action="save")
        response = self.client.post(self.url, sent)
        self.assertContains(response, "Nothing was saved.", status_code=400)
        self.assertContains(
            response, "“A rationale the client owns”: 7 is not one of its ratings", status_code=400
        )
        self.assertContains(response, "Keep this?", status_code=400)  # what was sent stays
        self.rating.refresh_from_db()
        self.assertEqual((self.rating.answers, self.rating.comment), ({}, ""))

    def test_a_refused_save_says_so_above_the_records_with_a_link_to_what_to_correct(
        self,
    ) -> None:
        self.sign_in(self.supervisor)
        sent = form_of({"rationale": "7"}, action="save")
        html = self.client.post(self.url, sent).content.decode()
        alert = html.index('role="alert"')
        self.assertLess(alert, html.index('class="rating-records"'))  # seen first on a phone
        self.assertIn('<a href="#rating-problems">What to correct</a>', html)
        self.assertIn('id="rating-problems"', html)

    def test_submitting_needs_the_confirmation_that_it_is_final(self) -> None:
        self.sign_in(self.supervisor)
        response = self.client.post(self.url, form_of(every_item(self.scale), action="submit"))
        self.assertContains(response, "confirm that you understand", status_code=400)
        self.rating.refresh_from_db()
        self.assertEqual((self.rating.state, self.rating.answers), ("draft", {}))

    def test_submitting_with_an_unrated_item_saves_nothing_and_names_it(self) -> None:
        answers = every_item(self.scale)
        del answers["summary"]
        self.sign_in(self.supervisor)
        response = self.client.post(self.url, form_of(answers, action="submit", final="on"))
        self.assertContains(response, "Rate this item before submitting.", status_code=400)
        self.assertContains(response, 'href="#item-summary"', status_code=400)
        self.rating.refresh_from_db()
        self.assertEqual((self.rating.state, self.rating.answers), ("draft", {}))

    def test_a_submitted_rating_shows_read_only_with_who_rated_and_when(self) -> None:
        self.sign_in(self.supervisor)
        sent = form_of(every_item(self.scale, 6), action="submit", final="on", comment="Clear")
        response = self.client.post(self.url, sent, follow=True)
        self.assertContains(response, "Rating submitted.")
        self.assertContains(response, "Rated by Supervisor, submitted on")
        self.assertContains(response, "Total: <strong>72</strong>", html=False)
        self.assertNotContains(response, 'type="radio"')
        self.assertNotContains(response, "Save draft")

    def test_a_second_submission_is_refused_with_a_message(self) -> None:
        self.sign_in(self.supervisor)
        sent = form_of(every_item(self.scale), action="submit", final="on")
        self.client.post(self.url, sent)
        response = self.client.post(self.url, sent, follow=True)
        self.assertContains(response, "is final: it cannot be changed, nor submitted again")
        self.assertEqual(
            CompetenceRating.objects.filter(state=CompetenceRating.State.SUBMITTED).count(), 1
        )

    def test_a_draft_is_its_raters_alone(self) -> None:
        for person in (self.therapist_a, self.therapist_b, self.admin, self.client_a):
            with self.subTest(person=str(person)):
                self.sign_in(person)
                self.assertEqual(self.client.get(self.url).status_code, 404)
                self.assertEqual(self.client.post(self.url, {"action": "save"}).status_code, 404)

    def test_the_therapist_rated_reads_a_submitted_rating_but_never_changes_it(self) -> None:
        rating = self.submitted(self.supervisor)
        self.sign_in(self.therapist_a)
        page = self.client.get(self.url)
        self.assertContains(page, "Rated by Supervisor")
        self.assertNotContains(page, "Save draft")
        response = self.client.post(self.url, form_of({"links": "0"}, action="save"))
        self.assertEqual(response.status_code, 404)
        rating.refresh_from_db()
        self.assertEqual(rating.answers["links"], 4)

    def test_a_self_rating_is_labelled_as_one(self) -> None:
        own = self.submitted(self.therapist_a)
        self.sign_in(self.therapist_a)
        page = self.client.get(f"/supervision/ratings/{own.pk}/")
        self.assertContains(page, "<h1>Self-rating: Therapist A", html=False)
        self.assertContains(page, "Self-rating by Therapist A, submitted on")
        self.submitted(self.supervisor)
        self.sign_in(self.supervisor)
        page = self.client.get(self.url)
        self.assertContains(
            page,
            f'<th scope="col"><a href="/supervision/ratings/{own.pk}/">Self-rating</a></th>',
            html=False,
        )


class BlindDoubleRatingTests(RatingTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.second_rater = make_staff(self.clinic, "second_rater", "supervisor")
        Supervision.objects.create(supervisor=self.second_rater, supervisee=self.therapist_a)

    def test_neither_rater_sees_the_others_rating_until_both_have_submitted(self) -> None:
        first = actions.start_rating(self.first, self.scale, by=self.supervisor)
        actions.save_draft(
            first,
            answers=every_item(self.scale, 2),
            comments={},
            comment="Rater one's view",
            by=self.supervisor,
        )
        first = actions.submit(first, by=self.supervisor)
        second = actions.start_rating(self.first, self.scale, by=self.second_rater)

        self.sign_in(self.second_rater)
        self.assertEqual(self.client.get(f"/supervision/ratings/{first.pk}/").status_code, 404)
        page = self.client.get(f"/supervision/ratings/{second.pk}/")
        self.assertContains(
            page,
            "Another rater has rated this session; you will see their rating once you submit "
            "yours.",
        )
        self.assertNotContains(page, "Rater one&#x27;s view")
        self.assertNotContains(page, "side by side")

        self.client.post(
            f"/supervision/ratings/{second.pk}/",
            form_of(every_item(self.scale, 5), action="submit", final="on"),
        )
        page = self.client.get(f"/supervision/ratings/{second.pk}/")
        self.assertContains(page, "The submitted ratings of this session, side by side")
        self.assertEqual([r.pk for r in page.context["comparison"].ratings], [first.pk, second.pk])
        self.assertEqual(page.context["comparison"].totals, [24, 60])
        self.assertContains(
            self.client.get(f"/supervision/ratings/{first.pk}/"), "Rater one&#x27;s view"
        )

        self.sign_in(self.supervisor)
        page = self.client.get(f"/supervision/ratings/{first.pk}/")
        self.assertEqual(page.context["comparison"].totals, [24, 60])
        self.assertEqual(self.client.get(f"/supervision/ratings/{second.pk}/").status_code, 200)

    def test_a_draft_of_the_other_rater_is_never_counted_or_shown(self) -> None:
        first = self.submitted(self.supervisor)
        actions.start_rating(self.first, self.scale, by=self.second_rater)
        self.sign_in(self.supervisor)
        page = self.client.get(f"/supervision/ratings/{first.pk}/")
        self.assertEqual(len(page.context["comparison"].ratings), 1)
        self.assertNotContains(page, "Another rater")

    def test_a_therapist_drafting_a_self_rating_sees_no_other_rating_on_its_page(self) -> None:
        self.submitted(self.supervisor)
        own = actions.start_rating(self.first, self.scale, by=self.therapist_a)
        self.sign_in(self.therapist_a)
        page = self.client.get(f"/supervision/ratings/{own.pk}/")
        self.assertContains(page, "Another rater has rated this session")
        self.assertIsNone(page.context["comparison"])


class BlindSelfRatingTests(RatingTestCase):
    """The therapist rated reads no one else's rating of a session while their own
    self-rating of it is a draft (a real session), and reads others' ratings of a role-play
    only once they have submitted their self-rating of it."""

    def open(self, person: User, rating: CompetenceRating) -> int:
        self.sign_in(person)
        return self.client.get(f"/supervision/ratings/{rating.pk}/").status_code

    def my_ratings(self) -> list[CompetenceRating]:
        self.sign_in(self.therapist_a)
        return list(self.client.get("/supervision/").context["my_ratings"])

    def test_a_real_sessions_ratings_are_read_as_before_without_a_self_rating_draft(
        self,
    ) -> None:
        supervisors = self.submitted(self.supervisor)
        self.assertEqual(self.open(self.therapist_a, supervisors), 200)
        self.assertEqual(self.my_ratings(), [supervisors])

    def test_a_self_rating_draft_hides_the_others_ratings_of_that_session(self) -> None:
        supervisors = self.submitted(self.supervisor)
        other_session = self.submitted(self.supervisor, self.second)
        own = actions.start_rating(self.first, self.scale, by=self.therapist_a)
        self.assertEqual(self.open(self.therapist_a, supervisors), 404)
        self.assertEqual(self.my_ratings(), [other_session])
        actions.save_and_submit(
            own, answers=every_item(self.scale, 5), comments={}, comment="", by=self.therapist_a
        )
        self.assertEqual(self.open(self.therapist_a, supervisors), 200)
        self.assertEqual(set(self.my_ratings()), {supervisors, other_session, own})

    def test_a_role_play_shows_the_others_ratings_only_after_the_self_rating(self) -> None:
        from bridgework.supervision import scenarios, training

        scenario = scenarios.get("did-i-pass")
        assert scenario is not None
        assignment = training.assign(
            scenario=scenario, trainee=self.therapist_a, by=self.supervisor
        )
        attempt = training.start_attempt(assignment, by=self.therapist_a)
        supervisors = rate(attempt.session, self.supervisor, every_item(self.scale, 3))
        self.assertEqual(self.open(self.therapist_a, supervisors), 404)
        own = rate(attempt.session, self.therapist_a, every_item(self.scale, 5))
        self.assertEqual(self.open(self.therapist_a, supervisors), 200)
        page = self.client.get(f"/supervision/ratings/{own.pk}/")
        self.assertEqual(page.context["comparison"].ratings, [supervisors, own])
        self.assertEqual(self.open(self.supervisor, own), 200)


MADE_UP_SCALE = {
    "resourceType": "Questionnaire",
    "url": "https://clinic.invalid/fhir/Questionnaire/made-up-three",
    "title": "Made-up three-item scale",
    "version": "1",
    "status": "active",
    "subjectType": ["Practitioner"],
    "item": [
        {
            "linkId": f"m{n}",
            "text": f"Made-up item {n}",
            "type": "choice",
            "required": True,
            "answerOption": [
                {"valueCoding": {"code": str(v), "display": f"Level {v}"}} for v in range(5)
            ],
        }
        for n in (1, 2, 3)
    ],
    "scoring": {"scores": [{"id": "total", "method": "sum", "items": ["m1", "m2", "m3"]}]},
}


class ImportedScaleTests(RatingTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.imported = library.install(MADE_UP_SCALE, clinic=self.clinic, by=self.admin)

    def test_a_clinics_imported_scale_is_offered_beside_the_shipped_one(self) -> None:
        rating = actions.start_rating(self.first, self.scale, by=self.supervisor)
        self.sign_in(self.supervisor)
        page = self.client.get(f"/supervision/ratings/{rating.pk}/")
        self.assertContains(page, "Rate this session on another scale")
        self.assertContains(page, f'<option value="{self.imported.pk}">Made-up three-item scale')
        home = self.client.get("/supervision/")
        self.assertContains(home, f'<option value="{self.imported.pk}">Made-up three-item scale')
        self.sign_in(self.other_therapist)
        self.assertNotContains(self.client.get("/supervision/"), "Made-up three-item scale")

    def test_an_imported_scale_is_rated_on_its_own_range(self) -> None:
        self.sign_in(self.supervisor)
        response = self.client.post(
            f"/supervision/sessions/{self.first.pk}/rate/", {"scale": self.imported.pk}
        )
        rating = CompetenceRating.objects.get(instrument=self.imported)
        self.assertRedirects(response, f"/supervision/ratings/{rating.pk}/")
        url = f"/supervision/ratings/{rating.pk}/"
        page = self.client.get(url)
        self.assertContains(page, "Made-up item 3")
        self.assertContains(page, "Level 4")
        self.assertNotContains(page, 'id="item-m1-5"')
        refused = self.client.post(url, form_of({"m1": "5", "m2": "4", "m3": "0"}, action="save"))
        self.assertContains(refused, "a whole number from 0 to 4", status_code=400)
        self.client.post(
            url, form_of({"m1": "4", "m2": "4", "m3": "0"}, action="submit", final="on")
        )
        rating.refresh_from_db()
        self.assertEqual((rating.state, rating.scores["total"]["value"]), ("submitted", 8))
