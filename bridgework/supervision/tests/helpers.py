"""The supervision tests' helpers: a request outside the middleware, the shipped scale,
answers to it, and ratings made as a rater makes them (through supervision.actions, so
they are scored and audited as the pages' are). Then the cast, with therapist A's client A
seen in two sessions: in the first a plan was set (with a rationale, obstacles and coping
plans, importance and confidence), in the second it was reviewed and a new one set.
Session 3 is still to come."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from django.test import RequestFactory
from django.utils import timezone

from bridgework.accounts.http import AuthenticatedHttpRequest
from bridgework.accounts.models import User
from bridgework.care import actions as care
from bridgework.care.models import TherapySession
from bridgework.measures.models import Instrument
from bridgework.plans import actions as plans
from bridgework.plans.models import ActionPlan, PlanTemplate
from bridgework.supervision import actions
from bridgework.supervision.models import CompetenceRating
from bridgework.supervision.scales import SHIPPED
from bridgework.test import BaseTestCase

RATIONALE = "Staying on the bus lets the fear come down by itself, so it shrinks next time."
REVIEW = {"done": 1, "decision": "modify", "rationale-sense": 7, "how-it-went": "Got off early"}


def request_of(viewer: User, path: str = "/") -> AuthenticatedHttpRequest:
    """A request by `viewer`, outside the middleware: the doors' events are written at once."""
    request = RequestFactory().get(path)
    request.user = viewer
    return cast(AuthenticatedHttpRequest, request)


def shipped_scale() -> Instrument:
    """Bridgework's own competence scale, its current version."""
    return Instrument.objects.get(slug=SHIPPED, clinic=None, retired_at=None)


def every_item(scale: Instrument, value: int = 4) -> dict[str, int]:
    return {item["linkId"]: value for item in scale.definition["item"]}


def answers(score: int, **changed: int) -> dict[str, int]:
    """Every item of the shipped scale at one score, then the chosen ones changed (by
    linkId, "_" for "-": importance_confidence=2)."""
    chosen = every_item(shipped_scale(), score)
    for item, value in changed.items():
        link_id = item.replace("_", "-")
        assert link_id in chosen, f"{link_id} is no item of the shipped scale"
        chosen[link_id] = value
    return chosen


def totalling(total: int) -> dict[str, int]:
    """Answers to every item of the shipped scale whose total is `total` (0–72)."""
    link_ids = list(every_item(shipped_scale()))
    base, more = divmod(total, len(link_ids))
    return {link_id: base + (1 if n < more else 0) for n, link_id in enumerate(link_ids)}


def rate(
    session: TherapySession,
    rater: User,
    chosen: dict[str, int],
    *,
    submitted: bool = True,
    comment: str = "",
    comments: dict[str, str] | None = None,
    scale: Instrument | None = None,
) -> CompetenceRating:
    """A rating of the session on the shipped scale (or `scale`) as the rater makes it:
    started, saved, and submitted unless a draft is asked for."""
    rating = actions.start_rating(session, scale or shipped_scale(), by=rater)
    content: dict[str, Any] = {"answers": chosen, "comments": comments or {}, "comment": comment}
    if submitted:
        return actions.save_and_submit(rating, **content, by=rater)
    return actions.save_draft(rating, **content, by=rater)


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
        return rate(session or self.first, rater, every_item(self.scale, value))
