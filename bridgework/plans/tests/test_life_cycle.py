from __future__ import annotations

from bridgework.plans import actions
from bridgework.plans.models import ActionPlan, Status
from bridgework.plans.tests.helpers import ANSWERS_DONE, PlanTestCase
from bridgework.test import user_of


class LifeCycleTests(PlanTestCase):
    def test_a_template_prefills_a_draft_in_the_therapists_wording(self) -> None:
        plan = self.draft()
        template = self.template()
        self.assertEqual(plan.status, Status.DRAFT)
        self.assertEqual(plan.rationale, template.wording["cbt"]["rationale"])
        self.assertEqual(plan.framing, "directive-collaborative")
        # The template's obstacles are offered in the editor, not copied (see
        # test_obstacle_suggestions): the draft starts with none.
        self.assertEqual(plan.obstacles.count(), 0)
        self.assertEqual(
            (plan.set_in_session, plan.review_session), (self.last_session, self.next_session)
        )

    def test_another_approach_gets_its_own_wording_and_framing(self) -> None:
        plan = actions.start_plan(
            self.client_a, by=self.therapist_a, template=self.template(), approach="psychodynamic"
        )
        self.assertEqual(
            plan.instructions, self.template().wording["psychodynamic"]["instructions"]
        )
        self.assertEqual(plan.framing, "tentative")

    def test_draft_to_agreed_to_active_to_reviewed(self) -> None:
        plan = self.agreed()
        self.assertEqual((plan.status, plan.revisions.count()), (Status.AGREED, 1))
        actions.activate(plan, by=self.therapist_a)
        outcome = actions.review(
            plan,
            by=self.therapist_a,
            session=self.next_session,
            answers={**ANSWERS_DONE, "decision": "stop"},
        )
        plan.refresh_from_db()
        self.assertEqual(plan.status, Status.REVIEWED)
        self.assertIsNotNone(plan.closed_at)
        self.assertEqual(outcome.review.answers["rationale-sense"], 8)

    def test_a_draft_cannot_be_reviewed(self) -> None:
        with self.assertRaisesMessage(actions.TransitionRefused, "It must be agreed or active"):
            actions.review(self.draft(), by=self.therapist_a, session=None, answers=ANSWERS_DONE)

    def test_a_plan_is_agreed_once(self) -> None:
        plan = self.agreed()
        with self.assertRaisesMessage(actions.TransitionRefused, "cannot be agreed"):
            actions.agree(plan, by=self.therapist_a)

    def test_agreeing_needs_a_title_and_something_to_do(self) -> None:
        plan = actions.start_plan(self.client_a, by=self.therapist_a)
        with self.assertRaisesMessage(actions.TransitionRefused, "give the plan a title"):
            actions.agree(plan, by=self.therapist_a)
        self.assertEqual(ActionPlan.objects.get(pk=plan.pk).status, Status.DRAFT)

    def test_a_closed_plan_cannot_be_edited_or_reviewed_again(self) -> None:
        plan = self.agreed()
        actions.review(
            plan, by=self.therapist_a, session=None, answers={**ANSWERS_DONE, "decision": "stop"}
        )
        with self.assertRaises(actions.TransitionRefused):
            self.edit(plan, title="Changed")
        with self.assertRaises(actions.TransitionRefused):
            actions.review(plan, by=self.therapist_a, session=None, answers=ANSWERS_DONE)

    def test_a_review_in_another_clients_session_is_refused(self) -> None:
        plan = self.agreed()
        elsewhere = self.session_for(self.client_b, self.next_session.starts_at)
        with self.assertRaisesMessage(actions.TransitionRefused, "belongs to another client"):
            actions.review(plan, by=self.therapist_a, session=elsewhere, answers=ANSWERS_DONE)
        self.assertFalse(plan.reviews.exists())

    def test_continue_keeps_the_plan_active_until_the_session_after(self) -> None:
        plan = self.agreed()
        later = self.session_for(self.client_a, self.next_session.starts_at.replace(year=2099))
        actions.review(plan, by=self.therapist_a, session=self.next_session, answers=ANSWERS_DONE)
        plan.refresh_from_db()
        self.assertEqual((plan.status, plan.review_session), (Status.ACTIVE, later))

    def test_modify_closes_the_plan_and_opens_a_draft_that_replaces_it(self) -> None:
        plan = self.agreed()
        outcome = actions.review(
            plan,
            by=self.therapist_a,
            session=self.next_session,
            answers={"done": 0, "decision": "modify"},
        )
        successor = outcome.successor
        assert successor is not None
        self.assertEqual((successor.status, successor.replaces), (Status.DRAFT, plan))
        self.assertEqual(successor.rationale, plan.rationale)
        self.assertGreater(plan.obstacles.count(), 0)
        self.assertEqual(
            list(successor.obstacles.values_list("description", "coping_plan")),
            list(plan.obstacles.values_list("description", "coping_plan")),
        )

    def test_the_clients_first_look_is_recorded_once_and_starts_the_plan(self) -> None:
        plan = self.agreed()
        actions.record_seen(plan, by=user_of(self.client_a))
        first = plan.first_seen_by_client_at
        actions.record_seen(plan, by=user_of(self.client_a))
        plan.refresh_from_db()
        self.assertEqual((plan.status, plan.first_seen_by_client_at), (Status.ACTIVE, first))


class ProposalTests(PlanTestCase):
    def propose(self) -> ActionPlan:
        return actions.propose(
            self.client_a,
            by=user_of(self.client_a),
            title="Swim on Sunday",
            what="Twenty lengths",
            rationale="I feel better after",
        )

    def test_a_proposal_reaches_the_therapist_and_becomes_a_draft_when_accepted(self) -> None:
        plan = self.propose()
        self.assertEqual((plan.status, plan.proposed_by), (Status.PROPOSED, "client"))
        actions.accept_proposal(plan, by=self.therapist_a)
        self.assertEqual((plan.status, plan.set_in_session), (Status.DRAFT, self.last_session))

    def test_declining_needs_a_reason_the_client_sees(self) -> None:
        plan = self.propose()
        with self.assertRaisesMessage(actions.TransitionRefused, "Say why"):
            actions.decline_proposal(plan, by=self.therapist_a, reason="  ")
        actions.decline_proposal(
            plan, by=self.therapist_a, reason="Let's keep the focus on sleep this week."
        )
        self.sign_in(self.client_a)
        page = self.client.get(f"/me/plans/{plan.pk}/")
        self.assertContains(page, "Let&#x27;s keep the focus on sleep this week.")

    def test_a_client_proposes_from_the_phone(self) -> None:
        self.sign_in(self.client_a)
        response = self.client.post("/me/plans/propose/", {"title": "Walk the dog at dawn"})
        self.assertRedirects(response, "/me/", fetch_redirect_response=False)
        self.sign_in(self.therapist_a)
        page = self.client.get(f"/clients/{self.client_a.pk}/")
        self.assertContains(page, "Walk the dog at dawn")
        self.assertContains(page, "proposed by the client")

    def test_an_empty_proposal_says_what_is_missing(self) -> None:
        self.sign_in(self.client_a)
        response = self.client.post("/me/plans/propose/", {"title": ""})
        self.assertContains(response, "Write a few words about what you&#x27;d like to try.")
        self.assertFalse(ActionPlan.objects.exists())
