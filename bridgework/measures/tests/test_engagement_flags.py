from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from bridgework.measures import actions
from bridgework.measures.models import Flag
from bridgework.plans import actions as plans
from bridgework.plans.models import PlanTemplate
from bridgework.prompts import actions as prompts
from bridgework.prompts.models import Prompt
from bridgework.test import BaseTestCase


class NonEngagementTests(BaseTestCase):
    def review(self, **answers: Any) -> None:
        plan = plans.agree(
            plans.start_plan(
                self.client_a, by=self.therapist_a, template=PlanTemplate.objects.first()
            ),
            by=self.therapist_a,
        )
        plans.review(
            plan, by=self.therapist_a, session=None, answers={"decision": "stop", **answers}
        )

    def flags(self) -> list[str]:
        return list(Flag.objects.filter(client=self.client_a).values_list("kind", flat=True))

    def test_two_little_done_reviews_with_low_rationale_flag_the_therapist(self) -> None:
        self.review(done=1, **{"rationale-sense": 3})
        self.assertEqual(self.flags(), [])
        self.review(done=0, **{"goal-fit": 4})
        self.assertEqual(self.flags(), ["non-engagement"])
        text = Flag.objects.get().text
        self.assertIn("task", text)
        self.assertNotIn("non-compliant", text.lower())

    def test_little_done_but_a_sensible_fitting_task_does_not_flag(self) -> None:
        self.review(done=1, **{"rationale-sense": 8, "goal-fit": 9})
        self.review(done=1, **{"rationale-sense": 5, "goal-fit": 5})
        self.assertEqual(self.flags(), [])

    def test_three_reviews_of_plans_not_done_at_all_flag(self) -> None:
        for _ in range(2):
            self.review(done=0)
        self.assertEqual(self.flags(), [])
        self.review(done=0)
        self.assertEqual(self.flags(), ["non-engagement"])

    def test_the_clinic_sets_how_many_reviews(self) -> None:
        self.clinic.non_engagement_reviews = 3
        self.clinic.save()
        for _ in range(2):
            self.review(done=1, **{"rationale-sense": 2})
        self.assertEqual(self.flags(), [])
        self.review(done=1, **{"rationale-sense": 2})
        self.assertEqual(self.flags(), ["non-engagement"])

    def test_the_client_never_sees_it(self) -> None:
        for _ in range(3):
            self.review(done=0)
        self.sign_in(self.client_a)
        for url in ("/me/", "/me/history/", "/me/progress/"):
            self.assertNotContains(self.client.get(url), "way of working together")


class SilenceTests(BaseTestCase):
    def test_no_answer_for_the_clinics_days_flags_and_an_answer_does_not(self) -> None:
        plan = plans.agree(
            plans.start_plan(
                self.client_a, by=self.therapist_a, template=PlanTemplate.objects.first()
            ),
            by=self.therapist_a,
        )
        schedule = prompts.set_schedule(
            self.client_a,
            by=self.therapist_a,
            purpose="practice",
            plan=plan,
            rule={"kind": "fixed", "times": ["19:00"]},
            channels=[],
        )
        now = timezone.now()
        first = Prompt.objects.filter(schedule=schedule).first()
        assert first is not None
        Prompt.objects.filter(pk=first.pk).update(sent_at=now - timedelta(days=4))
        self.assertEqual(actions.check_silence(now), 0)  # 4 days < 5
        Prompt.objects.filter(pk=first.pk).update(sent_at=now - timedelta(days=6))
        self.assertEqual(actions.check_silence(now), 1)
        self.assertEqual(actions.check_silence(now), 0)  # one open flag is enough
        Flag.objects.all().delete()
        Prompt.objects.filter(pk=first.pk).update(answered_at=now - timedelta(days=1))
        self.assertEqual(actions.check_silence(now), 0)
