from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from bridgework.care import actions as care
from bridgework.care.models import Client, TherapySession
from bridgework.plans import actions
from bridgework.plans.models import ActionPlan, PlanTemplate
from bridgework.test import BaseTestCase

ANSWERS_DONE = {"done": 4, "decision": "continue", "rationale-sense": 8, "goal-fit": 9}


class PlanTestCase(BaseTestCase):
    """The cast, plus a last session (an hour ago) and a next one (in a week) for client A."""

    def setUp(self) -> None:
        now = timezone.now()
        self.last_session = self.session_for(
            self.client_a, now - timedelta(hours=1), takeaway="Avoiding keeps the fear going."
        )
        self.next_session = self.session_for(self.client_a, now + timedelta(days=7))

    def session_for(self, client: Client, starts_at: Any, takeaway: str = "") -> TherapySession:
        return care.add_session(
            client,
            therapist=self.therapist_a,
            starts_at=starts_at,
            by=self.therapist_a,
            takeaway=takeaway,
        )

    def template(self, slug: str = "exposure-step-up-the-ladder") -> PlanTemplate:
        return PlanTemplate.objects.get(slug=slug, clinic=None)

    def draft(self, **template: Any) -> ActionPlan:
        return actions.start_plan(
            self.client_a, by=self.therapist_a, template=self.template(**template)
        )

    def agreed(self) -> ActionPlan:
        """A plan agreed as a therapist and client usually agree one: with the template's
        typical obstacles kept (a draft starts with none; the editor offers them)."""
        plan = self.draft()
        self.edit(plan, obstacles=plan.template.obstacles if plan.template else [])
        return actions.agree(plan, by=self.therapist_a)

    def edit(
        self, plan: ActionPlan, obstacles: list[dict[str, Any]] | None = None, **fields: Any
    ) -> ActionPlan:
        """Save `fields` as the editor would; the obstacles stay as they are unless given."""
        plan.refresh_from_db()
        return actions.save_plan(
            plan,
            by=self.therapist_a,
            version=plan.version,
            fields=fields,
            goals=list(plan.goals.all()),
            obstacles=[
                {
                    "kind": o.kind,
                    "description": o.description,
                    "coping_plan": o.coping_plan,
                    "suggested_from": o.suggested_from,
                }
                for o in plan.obstacles.all()
            ]
            if obstacles is None
            else obstacles,
        )
