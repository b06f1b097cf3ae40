"""The session agenda: the review first, then the measures since last time, then the new plan."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from bridgework.care import actions as care
from bridgework.measures import actions as measures
from bridgework.plans import actions as plans
from bridgework.plans.models import PlanTemplate
from bridgework.prompts import schedules
from bridgework.test import BaseTestCase


class AgendaTests(BaseTestCase):
    def test_the_agenda_puts_the_review_first_then_measures_then_the_new_plan(self) -> None:
        therapist = self.therapist_a
        care.add_session(
            self.client_a,
            therapist=therapist,
            by=therapist,
            starts_at=timezone.now() - timedelta(days=7),
            takeaway="Go slowly.",
        )
        care.add_session(
            self.client_a,
            therapist=therapist,
            by=therapist,
            starts_at=timezone.now() + timedelta(days=1),
        )
        plan = plans.agree(
            plans.start_plan(self.client_a, by=therapist, template=PlanTemplate.objects.first()),
            by=therapist,
        )
        gad7 = measures.current("gad-7", None)
        assert gad7 is not None
        measures.respond(self.client_a, gad7, {str(n): 2 for n in range(1, 8)}, by=therapist)
        self.sign_in(therapist)
        page = self.client.get(f"/clients/{self.client_a.pk}/agenda/").content.decode()
        self.assertIn("No questionnaires are set for before each session", page)
        schedules.set_schedule(
            self.client_a,
            by=therapist,
            purpose="measure",
            rule={"kind": "before-session", "measures": ["phq-9", "gad-7"]},
            channels=[],
        )
        page = self.client.get(f"/clients/{self.client_a.pk}/agenda/").content.decode()
        review = page.index(f"/plans/{plan.pk}/review/")
        scores = page.index("GAD-7")
        new_plan = page.index(f"/clients/{self.client_a.pk}/plans/new/")
        self.assertLess(review, scores)
        self.assertLess(scores, new_plan)
        not_yet = page[page.index("Not filled in since the last session") :]
        self.assertIn(f'href="/clients/{self.client_a.pk}/measures/phq-9/">PHQ-9', not_yet)
        self.assertNotIn("GAD-7", not_yet[: not_yet.index("</p>")])
