"""The cast, with therapist A's client A seen in two sessions: in the first a plan was set
(with a rationale, obstacles and coping plans, importance and confidence), in the second it
was reviewed and a new one set. Session 3 is still to come."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from bridgework.accounts.models import User
from bridgework.care import actions as care
from bridgework.care.models import TherapySession
from bridgework.measures.models import Instrument
from bridgework.plans import actions as plans
from bridgework.plans.models import ActionPlan, PlanTemplate
from bridgework.supervision import actions
from bridgework.supervision.models import CompetenceRating
from bridgework.test import BaseTestCase

RATIONALE = "Staying on the bus lets the fear come down by itself, so it shrinks next time."
REVIEW = {"done": 1, "decision": "modify", "rationale-sense": 7, "how-it-went": "Got off early"}


def shipped_scale() -> Instrument:
    return Instrument.objects.get(slug="bridgework-competence", clinic=None, retired_at=None)


def every_item(scale: Instrument, value: int = 4) -> dict[str, int]:
    return {item["linkId"]: value for item in scale.definition["item"]}


class RatingTestCase(BaseTestCase):
    first: TherapySession
    second: TherapySession
    coming: TherapySession
    plan: ActionPlan
    scale: Instrument

    def setUp(self) -> None:
        now = timezone.now()
        self.first = self.session(now - timedelta(days=14), takeaway="Avoiding keeps it going")
        self.second = self.session(now - timedelta(days=7))
        self.coming = self.session(now + timedelta(days=7))
        self.plan = self.plan_in(self.first)
        plans.review(self.plan, by=self.therapist_a, session=self.second, answers=REVIEW)
        self.scale = shipped_scale()

    def session(self, starts_at: Any, takeaway: str = "") -> TherapySession:
        return care.add_session(
            self.client_a,
            therapist=self.therapist_a,
            starts_at=starts_at,
            by=self.therapist_a,
            takeaway=takeaway,
        )

    def plan_in(self, session: TherapySession) -> ActionPlan:
        template = PlanTemplate.objects.get(slug="exposure-step-up-the-ladder", clinic=None)
        plan = plans.start_plan(self.client_a, by=self.therapist_a, template=template)
        plans.save_plan(
            plan,
            by=self.therapist_a,
            version=plan.version,
            fields={
                "title": "Ride the bus two stops",
                "rationale": RATIONALE,
                "importance": 8,
                "confidence": 7,
                "set_in_session": session,
                "builds_on": session,
                "review_session": self.second,
            },
            goals=[],
            obstacles=[
                {
                    "kind": "emotional",
                    "description": "The fear spikes",
                    "coping_plan": "Breathe slowly and wait two minutes",
                }
            ],
        )
        plan.refresh_from_db()
        return plans.agree(plan, by=self.therapist_a)

    def submitted(
        self, rater: User, session: TherapySession | None = None, value: int = 4
    ) -> CompetenceRating:
        rating = actions.start_rating(session or self.first, self.scale, by=rater)
        rating = actions.save_draft(
            rating, answers=every_item(self.scale, value), comments={}, comment="", by=rater
        )
        return actions.submit(rating, by=rater)
