"""Records for the trainee dashboard's tests: sessions, plans with chosen facts, reviews,
practice, and competence ratings made directly (the rating actions are written elsewhere)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, cast

from django.test import RequestFactory
from django.utils import timezone

from bridgework.accounts.http import AuthenticatedHttpRequest
from bridgework.accounts.models import User
from bridgework.care import actions as care
from bridgework.care.models import Client, TherapySession
from bridgework.measures import scoring
from bridgework.measures.models import Instrument
from bridgework.plans.actions import session_after
from bridgework.plans.models import ActionPlan, Obstacle, Review
from bridgework.practice.models import PracticeLog
from bridgework.supervision.models import CompetenceRating
from bridgework.test import BaseTestCase


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def request_of(viewer: User) -> AuthenticatedHttpRequest:
    """A request by `viewer`, outside the middleware: the doors' events are written at once."""
    request = RequestFactory().get("/")
    request.user = viewer
    return cast(AuthenticatedHttpRequest, request)


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
        client = care.add_client(
            clinic=self.clinic, full_name="Training client", care_team=[therapist], by=None
        )
        Client.objects.filter(pk=client.pk).update(is_training=True)
        client.refresh_from_db()
        return client

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
        scale = Instrument.objects.get(slug="bridgework-competence", clinic=None)
        scores: dict[str, Any] = {
            s.id: {"value": s.value, "band": s.band, "prorated": s.prorated}
            for s in scoring.score(scale.definition, answers)
        }
        return CompetenceRating.objects.create(
            clinic=session.client.clinic,
            session=session,
            therapist=session.therapist,
            rater=rater,
            instrument=scale,
            answers=answers,
            comments=comments or {},
            comment=comment,
            scores=scores,
            state="submitted" if submitted else "draft",
            submitted_at=timezone.now() if submitted else None,
        )


# Every item of the shipped scale at one score, then the chosen ones changed.
ITEMS = (
    "review",
    "links",
    "collaboration",
    "rationale",
    "specifics",
    "obstacles",
    "importance-confidence",
    "rehearsal",
    "cues",
    "summary",
    "non-completion",
    "framing",
)


def answers(score: int, **changed: int) -> dict[str, int]:
    chosen = {item: score for item in ITEMS}
    chosen.update({item.replace("_", "-"): value for item, value in changed.items()})
    return chosen
