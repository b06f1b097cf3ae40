"""Rating a session: starting, saving and submitting a rating, the refusals, and the audit
rows they leave."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from bridgework.accounts.models import Supervision
from bridgework.audit.models import AccessEvent
from bridgework.care import actions as care
from bridgework.supervision import actions
from bridgework.supervision.access import sessions_to_rate
from bridgework.supervision.actions import RatingRefused
from bridgework.supervision.models import CompetenceRating
from bridgework.supervision.tests.helpers import RatingTestCase, every_item, request_of


class StartingTests(RatingTestCase):
    def test_a_supervisor_starts_a_draft_of_a_supervisees_session(self) -> None:
        rating = actions.start_rating(self.first, self.scale, by=self.supervisor)
        self.assertEqual(rating.state, CompetenceRating.State.DRAFT)
        self.assertEqual(
            (rating.therapist, rating.rater, rating.clinic),
            (self.therapist_a, self.supervisor, self.clinic),
        )
        self.assertFalse(rating.is_self_rating)

    def test_starting_again_opens_the_same_rating(self) -> None:
        first = actions.start_rating(self.first, self.scale, by=self.supervisor)
        again = actions.start_rating(self.first, self.scale, by=self.supervisor)
        self.assertEqual(first.pk, again.pk)
        self.assertEqual(CompetenceRating.objects.count(), 1)

    def test_a_therapist_rates_their_own_session_only_as_a_self_rating(self) -> None:
        rating = actions.start_rating(self.first, self.scale, by=self.therapist_a)
        self.assertTrue(rating.is_self_rating)

    def test_nobody_rates_a_session_of_a_therapist_they_do_not_supervise(self) -> None:
        for rater in (self.therapist_b, self.admin, self.researcher, self.other_therapist):
            with self.subTest(rater=str(rater)), self.assertRaises(RatingRefused):
                actions.start_rating(self.first, self.scale, by=rater)
        self.assertFalse(CompetenceRating.objects.exists())

    def test_nobody_rates_a_session_that_has_not_taken_place(self) -> None:
        with self.assertRaises(RatingRefused):
            actions.start_rating(self.coming, self.scale, by=self.supervisor)

    def test_a_questionnaire_is_not_a_scale_to_rate_with(self) -> None:
        from bridgework.measures.actions import current

        phq9 = current("phq-9", None)
        assert phq9 is not None
        with self.assertRaisesMessage(RatingRefused, "competence scales"):
            actions.start_rating(self.first, phq9, by=self.supervisor)


class SavingTests(RatingTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.rating = actions.start_rating(self.first, self.scale, by=self.supervisor)

    def save(self, answers: dict[str, object], **more: object) -> CompetenceRating:
        content = {"comments": {}, "comment": ""} | more
        return actions.save_draft(self.rating, answers=answers, by=self.supervisor, **content)  # type: ignore[arg-type]

    def test_a_draft_keeps_the_answers_and_comments(self) -> None:
        self.save({"rationale": 5, "review": 0}, comments={"rationale": "Owned it"}, comment="Ok")
        self.rating.refresh_from_db()
        self.assertEqual(self.rating.answers, {"rationale": 5, "review": 0})
        self.assertEqual(
            (self.rating.comments, self.rating.comment), ({"rationale": "Owned it"}, "Ok")
        )

    def test_a_rating_outside_0_to_6_is_refused_naming_the_item_and_nothing_is_saved(self) -> None:
        self.save({"links": 2})
        for wrong in (7, -1, 3.5, True, "four", None):
            with self.subTest(wrong=wrong), self.assertRaises(RatingRefused) as refused:
                self.save({"links": 6, "rationale": wrong})
            self.assertEqual(set(refused.exception.problems), {"rationale"})
            self.assertIn("A rationale the client owns", refused.exception.problems["rationale"])
            self.assertIn("a whole number from 0 to 6", refused.exception.problems["rationale"])
        self.rating.refresh_from_db()
        self.assertEqual(self.rating.answers, {"links": 2})

    def test_an_answer_for_no_item_of_the_scale_is_refused(self) -> None:
        with self.assertRaises(RatingRefused) as refused:
            self.save({"homework-compliance": 3})
        self.assertEqual(set(refused.exception.problems), {"homework-compliance"})

    def test_a_comment_on_no_item_or_too_long_is_refused(self) -> None:
        with self.assertRaises(RatingRefused) as refused:
            self.save({}, comments={"nothing": "x", "links": "y" * 2001})
        self.assertEqual(set(refused.exception.problems), {"nothing", "links"})

    def test_a_comment_holding_a_character_no_record_may_hold_is_refused(self) -> None:
        with self.assertRaises(RatingRefused) as refused:
            self.save({}, comment="fine\x00")
        self.assertEqual(set(refused.exception.problems), {"comment"})

    def test_only_the_rater_saves_their_draft(self) -> None:
        with self.assertRaises(RatingRefused):
            actions.save_draft(
                self.rating, answers={}, comments={}, comment="", by=self.therapist_a
            )


class SubmittingTests(RatingTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.rating = actions.start_rating(self.first, self.scale, by=self.supervisor)

    def test_a_submission_needs_every_required_item(self) -> None:
        answers = every_item(self.scale)
        del answers["rationale"], answers["framing"]
        actions.save_draft(
            self.rating, answers=answers, comments={}, comment="", by=self.supervisor
        )
        with self.assertRaises(RatingRefused) as refused:
            actions.submit(self.rating, by=self.supervisor)
        self.assertEqual(set(refused.exception.problems), {"rationale", "framing"})
        self.rating.refresh_from_db()
        self.assertEqual((self.rating.state, self.rating.scores), ("draft", {}))

    def test_a_submission_is_scored_at_once_like_a_response(self) -> None:
        answers = every_item(self.scale, 3)
        actions.save_draft(
            self.rating, answers=answers, comments={}, comment="", by=self.supervisor
        )
        rating = actions.submit(self.rating, by=self.supervisor)
        self.assertEqual(rating.state, CompetenceRating.State.SUBMITTED)
        self.assertIsNotNone(rating.submitted_at)
        self.assertEqual(
            rating.scores["total"],
            {"value": 36, "band": "", "above_cutoff": None, "prorated": False},
        )

    def test_the_two_items_a_session_may_give_no_occasion_for_are_prorated(self) -> None:
        answers = every_item(self.scale, 3)
        del answers["review"], answers["non-completion"]
        actions.save_draft(
            self.rating, answers=answers, comments={}, comment="", by=self.supervisor
        )
        rating = actions.submit(self.rating, by=self.supervisor)
        self.assertEqual(rating.scores["total"]["value"], 36)
        self.assertTrue(rating.scores["total"]["prorated"])

    def test_a_second_submission_is_refused_with_a_message(self) -> None:
        submitted = self.submitted(self.supervisor)
        with self.assertRaisesMessage(
            RatingRefused, "is final: it cannot be changed, nor submitted again"
        ):
            actions.submit(self.rating, by=self.supervisor)
        submitted_at = submitted.submitted_at
        submitted.refresh_from_db()
        self.assertEqual(submitted.submitted_at, submitted_at)

    def test_a_submitted_rating_is_never_changed(self) -> None:
        self.submitted(self.supervisor, value=4)
        with self.assertRaisesMessage(RatingRefused, "is final: it cannot be changed"):
            actions.save_draft(
                self.rating, answers={"links": 0}, comments={}, comment="", by=self.supervisor
            )
        self.rating.refresh_from_db()
        self.assertEqual(self.rating.answers["links"], 4)

    def test_saving_and_submitting_at_once_saves_nothing_when_an_item_is_unrated(self) -> None:
        answers = every_item(self.scale)
        del answers["cues"]
        with self.assertRaises(RatingRefused) as refused:
            actions.save_and_submit(
                self.rating, answers=answers, comments={}, comment="Fine", by=self.supervisor
            )
        self.assertEqual(set(refused.exception.problems), {"cues"})
        self.rating.refresh_from_db()
        self.assertEqual(
            (self.rating.answers, self.rating.comment, self.rating.state), ({}, "", "draft")
        )


class AuditTests(RatingTestCase):
    def test_start_save_and_submit_each_leave_an_audit_row_without_the_comments(self) -> None:
        since = AccessEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        rating = actions.start_rating(self.first, self.scale, by=self.supervisor)
        actions.save_draft(
            rating,
            answers=every_item(self.scale, 5),
            comments={"rationale": "Her own words, well done"},
            comment="A careful review of the ladder",
            by=self.supervisor,
        )
        actions.submit(rating, by=self.supervisor)
        rows = list(
            AccessEvent.objects.filter(id__gt=since, object_type="competence-rating").order_by("id")
        )
        self.assertEqual([row.action for row in rows], ["create", "change", "change"])
        for row in rows:
            self.assertEqual(
                (row.actor_id, row.client_id, row.object_id),
                (self.supervisor.pk, self.client_a.pk, str(rating.pk)),
            )
        saved = rows[1].changes
        self.assertEqual(saved["values"]["answers"], [{}, every_item(self.scale, 5)])
        self.assertEqual(sorted(saved["named"]), ["comment", "comments"])  # named, never told
        self.assertEqual(rows[2].changes["values"]["state"], ["draft", "submitted"])
        for row in rows:
            self.assertNotIn("well done", str(row.changes))
            self.assertNotIn("careful review", str(row.changes))


class SessionsToRateTests(RatingTestCase):
    def test_a_supervisor_is_offered_their_supervisees_past_sessions_with_real_clients(
        self,
    ) -> None:
        training = care.add_client(
            clinic=self.clinic,
            full_name="Training Client",
            care_team=[self.therapist_a],
            by=None,
            is_training=True,
        )
        care.add_session(
            training, therapist=self.therapist_a, starts_at=timezone.now(), by=self.therapist_a
        )
        of_b = care.add_session(
            self.client_b,
            therapist=self.therapist_b,
            starts_at=self.first.starts_at,
            by=self.therapist_b,
        )
        offered = sessions_to_rate(request_of(self.supervisor, "/supervision/"))
        self.assertEqual(offered, {self.therapist_a.pk: [self.second, self.first]})
        self.assertEqual(
            sessions_to_rate(request_of(self.therapist_b)), {self.therapist_b.pk: [of_b]}
        )

    def test_a_therapist_is_offered_their_own_sessions_to_self_rate(self) -> None:
        offered = sessions_to_rate(request_of(self.therapist_a))
        self.assertEqual(offered, {self.therapist_a.pk: [self.second, self.first]})

    def test_each_therapist_gets_their_newest_sessions_up_to_the_limit(self) -> None:
        Supervision.objects.create(supervisor=self.supervisor, supervisee=self.therapist_b)
        made = [
            care.add_session(
                self.client_b,
                therapist=self.therapist_b,
                starts_at=timezone.now() - timedelta(days=days),
                by=self.therapist_b,
            )
            for days in (1, 2, 3)
        ]
        offered = sessions_to_rate(request_of(self.supervisor), limit=2)
        self.assertEqual(offered[self.therapist_a.pk], [self.second, self.first])
        self.assertEqual(offered[self.therapist_b.pk], made[:2])


class LostAuthorityTests(RatingTestCase):
    def test_a_supervisor_whose_supervision_ended_can_no_longer_save_or_submit(self) -> None:
        rating = actions.start_rating(self.first, self.scale, by=self.supervisor)
        actions.save_draft(
            rating, answers={"links": 3}, comments={}, comment="", by=self.supervisor
        )
        Supervision.objects.filter(supervisor=self.supervisor).delete()
        with self.assertRaisesMessage(RatingRefused, "You can no longer rate this session"):
            actions.save_draft(
                rating, answers={"links": 5}, comments={}, comment="", by=self.supervisor
            )
        for submitting in (actions.submit, actions.save_and_submit):
            with self.subTest(action=submitting.__name__), self.assertRaises(RatingRefused):
                if submitting is actions.submit:
                    actions.submit(rating, by=self.supervisor)
                else:
                    actions.save_and_submit(
                        rating,
                        answers=every_item(self.scale),
                        comments={},
                        comment="",
                        by=self.supervisor,
                    )
        rating.refresh_from_db()
        self.assertEqual((rating.state, rating.answers), ("draft", {"links": 3}))

    def test_the_rating_page_says_why_and_saves_nothing(self) -> None:
        rating = actions.start_rating(self.first, self.scale, by=self.supervisor)
        Supervision.objects.filter(supervisor=self.supervisor).delete()
        self.sign_in(self.supervisor)
        response = self.client.post(
            f"/supervision/ratings/{rating.pk}/",
            {"item-links": "4", "action": "save"},
            follow=True,
        )
        self.assertContains(response, "You can no longer rate this session")
        rating.refresh_from_db()
        self.assertEqual(rating.answers, {})
