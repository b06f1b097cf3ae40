"""Records for the trainee dashboard's tests: sessions, plans with chosen facts, reviews and
practice made directly (each fact chosen by hand, whatever the editor would allow), and
competence ratings made as a rater makes them (helpers.rate)."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.utils import timezone

from bridgework.accounts.models import User
from bridgework.care import actions as care
from bridgework.care.models import Client, TherapySession
from bridgework.plans.actions import session_after
from bridgework.plans.models import ActionPlan, Obstacle, Review
from bridgework.practice.models import PracticeLog
from bridgework.supervision.models import CompetenceRating
from bridgework.supervision.tests import helpers
from bridgework.test import BaseTestCase


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


class RecordsTestCase(BaseTestCase):
    def session(
        self, client: Client, starts_at: str, *, by: User | None = None, takeaway: str = ""
    ):
        therapist = by or self.therapist_a
        return care.add_session(
            client, therapist=therapist, starts_at=at(starts_at), by=therapist, takeaway=takeaway
        )

    def plan(
        self,
        client: Client,
        session: TherapySession | None,
        *,
        goal: bool = False,
        builds_on: bool = False,
        rationale: bool = False,
        obstacle: bool = False,
        seen: bool = False,
        importance: int | None = None,
        confidence: int | None = None,
        status: str = "agreed",
        by: User | None = None,
        created_at: str = "",
    ) -> ActionPlan:
        """A plan with the facts behind indicators a–f chosen (g comes from its reviews)."""
        plan = ActionPlan.objects.create(
            client=client,
            set_in_session=session,
            review_session=session_after(session, client) if session else None,
            builds_on=session if builds_on else None,
            title="Walk to the corner",
            kind="other",
            proposed_by="jointly",
            rationale="Walking shows the fear fades." if rationale else "",
            instructions="Walk to the corner and back.",
            importance=importance,
            confidence=confidence,
            status=status,
            created_by=by or self.therapist_a,
            created_at=at(created_at) if created_at else timezone.now(),
            first_seen_by_client_at=timezone.now() if seen else None,
        )
        if goal:
            plan.goals.add(care.add_goal(client, text="Go out again", by=self.therapist_a))
        if obstacle:
            Obstacle.objects.create(plan=plan, description="Rain", coping_plan="Take a coat")
        return plan

    def review(
        self, plan: ActionPlan, session: TherapySession | None, *, done: int, decision: str
    ) -> Review:
        review = Review.objects.create(
            plan=plan,
            session=session,
            reviewed_by=self.therapist_a,
            reviewed_at=session.starts_at if session else timezone.now(),
            instrument_version="1",
            answers={"done": done, "decision": decision},
            done=done,
            decision=decision,
        )
        if decision != "continue":
            ActionPlan.objects.filter(pk=plan.pk).update(status="reviewed")
        return review

    def practise(self, plan: ActionPlan, *, private: bool = False) -> PracticeLog:
        return PracticeLog.objects.create(
            uid=uuid.uuid4(),
            client=plan.client,
            plan=plan,
            outcome="done",
            practiced_at=timezone.now(),
            worksheet="quick",
            worksheet_version=1,
            is_private=private,
        )

    def training_client(self, therapist: User) -> Client:
        return care.add_client(
            clinic=self.clinic,
            full_name="Training client",
            care_team=[therapist],
            by=None,
            is_training=True,
        )

    def rate(
        self,
        session: TherapySession,
        rater: User,
        answers: dict[str, int],
        *,
        submitted: bool = True,
        comment: str = "",
        comments: dict[str, str] | None = None,
    ) -> CompetenceRating:
        return helpers.rate(
            session, rater, answers, submitted=submitted, comment=comment, comments=comments
        )
