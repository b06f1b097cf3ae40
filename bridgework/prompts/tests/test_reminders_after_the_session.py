"""A reminder "once, after the session" counts from the session the plan was set in: it is set
only when that moment is still to come, never accepted to stay silent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from bridgework.plans import actions as plans
from bridgework.plans.models import ActionPlan, PlanTemplate, Status
from bridgework.plans.reminders import RemindersRefused
from bridgework.plans.tests.helpers import PlanTestCase
from bridgework.plans.tests.test_revisions_and_conflicts import editor_post
from bridgework.prompts import planner
from bridgework.prompts.models import Prompt, Schedule
from bridgework.prompts.tests.test_designed_reminders import reminder_fields


class OnceAfterTheSessionTests(PlanTestCase):
    """PlanTestCase's last session began an hour ago: the plan is agreed in it."""

    def setUp(self) -> None:
        super().setUp()
        self.sign_in(self.therapist_a)

    def breathing_draft(self) -> ActionPlan:
        return plans.start_plan(
            self.client_a,
            by=self.therapist_a,
            template=PlanTemplate.objects.get(slug="slow-breathing", clinic=None),
        )

    def agree_in_editor(self, plan: ActionPlan, **overrides: Any) -> Any:
        plan.refresh_from_db()
        data = {
            **editor_post(plan, **overrides),
            **reminder_fields("relative", offset_days="1", at="18:00"),
            "agree": "1",
        }
        return self.client.post(f"/plans/{plan.pk}/edit/", data)

    def test_agreed_in_the_session_it_plans_its_prompt_for_the_day_after(self) -> None:
        draft = self.breathing_draft()
        response = self.agree_in_editor(draft)
        self.assertRedirects(response, f"/plans/{draft.pk}/", fetch_redirect_response=False)
        prompt = Prompt.objects.get(schedule__plan=draft, state="scheduled")
        zone = planner.zone_of(self.client_a)
        session_day = self.last_session.starts_at.astimezone(zone).date()
        self.assertEqual(
            (prompt.due_at.astimezone(zone).date(), prompt.due_at.astimezone(zone).hour),
            (session_day + timedelta(days=1), 18),
        )

    def test_a_session_five_days_ago_is_refused_on_its_field_with_the_date(self) -> None:
        older = self.session_for(self.client_a, timezone.now() - timedelta(days=5))
        draft = self.breathing_draft()
        version = draft.version
        response = self.agree_in_editor(draft, set_in_session=older.pk, title="Breathe slowly")
        self.assertContains(response, "1 day after session 3 is")
        self.assertContains(response, "and that has passed")
        self.assertContains(response, "Remind at fixed times on chosen days instead.")
        self.assertIn("offset_days", response.context["reminders"].errors)
        draft.refresh_from_db()
        self.assertEqual(
            (draft.status, draft.version, draft.title, draft.set_in_session),
            (Status.DRAFT, version, "Slow breathing practice", self.last_session),
        )
        self.assertFalse(Schedule.objects.exists())

    def test_a_plan_set_in_no_session_is_refused_when_it_is_agreed(self) -> None:
        draft = plans.start_plan(
            self.client_b,  # client B has no sessions
            by=self.therapist_b,
            template=PlanTemplate.objects.get(
                slug="behavioural-experiment-test-a-prediction", clinic=None
            ),
        )
        self.assertEqual(draft.reminders["rule"]["kind"], "relative")
        with self.assertRaises(RemindersRefused) as refused:
            plans.agree(draft, by=self.therapist_b)
        self.assertIn("this plan was set in none", refused.exception.problems["offset_days"])
        draft.refresh_from_db()
        self.assertEqual(draft.status, Status.DRAFT)
        self.assertFalse(Schedule.objects.exists())

    def test_an_agreed_plan_cannot_be_changed_to_a_moment_already_past(self) -> None:
        plan = plans.agree(self.breathing_draft(), by=self.therapist_a)
        designed_before = dict(plan.reminders)
        with self.assertRaises(RemindersRefused) as refused:
            plans.save_plan(
                plan,
                by=self.therapist_a,
                version=plan.version,
                fields={},
                goals=[],
                obstacles=[],
                reminders={"rule": {"kind": "relative", "offset_days": 0, "at": "00:00"}},
            )
        self.assertIn("and that has passed", refused.exception.problems["offset_days"])
        plan.refresh_from_db()
        self.assertEqual(plan.reminders, designed_before)
        self.assertEqual(
            list(Schedule.objects.filter(plan=plan).values_list("kind", flat=True)), ["fixed"]
        )
