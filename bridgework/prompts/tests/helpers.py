from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from bridgework.care import actions as care
from bridgework.plans import actions as plans
from bridgework.plans.models import ActionPlan, PlanTemplate
from bridgework.prompts import schedules
from bridgework.prompts.models import Prompt, Schedule
from bridgework.test import BaseTestCase, user_of


class PromptTestCase(BaseTestCase):
    plan: ActionPlan

    def setUp(self) -> None:
        draft = plans.start_plan(
            self.client_a,
            by=self.therapist_a,
            template=PlanTemplate.objects.get(slug="slow-breathing"),
        )
        # These tests set the schedules they are about, so the plan is designed without the
        # template's suggested reminder (test_designed_reminders is about that one).
        plans.save_plan(
            draft,
            by=self.therapist_a,
            version=draft.version,
            fields={},
            goals=[],
            obstacles=[],
            reminders={},
        )
        self.plan = plans.agree(draft, by=self.therapist_a)

    def schedule(self, channels: list[str] | None = None, **rule: Any) -> Schedule:
        return schedules.set_schedule(
            self.client_a,
            by=self.therapist_a,
            purpose="practice",
            plan=self.plan,
            rule={"kind": "fixed", "times": ["07:00", "19:00"], **rule},
            channels=channels or [],
        )

    def consent(self, purpose: str) -> None:
        care.set_consent(self.client_a, purpose, True, by=user_of(self.client_a))

    def make_due(self, schedule: Schedule, count: int = 1) -> list[Prompt]:
        """Bring the schedule's first prompts forward to now, as if their time had come."""
        now = timezone.now()
        prompts = list(Prompt.objects.filter(schedule=schedule).order_by("due_at")[:count])
        for n, prompt in enumerate(prompts):
            Prompt.objects.filter(pk=prompt.pk).update(
                due_at=now - timedelta(minutes=n + 1),
                next_attempt_at=now - timedelta(minutes=1),
                expires_at=now + timedelta(hours=2),
            )
        return [Prompt.objects.get(pk=p.pk) for p in prompts]
