"""A "modify" review opens a successor draft: it starts from the reminders as the client set
them, and takes over the reminders the client added, once it is agreed."""

from __future__ import annotations

from bridgework.plans import actions as plans
from bridgework.plans.models import ActionPlan, PlanTemplate
from bridgework.prompts.models import Schedule
from bridgework.prompts.tests.test_designed_reminders import EVERY_DAY
from bridgework.test import BaseTestCase


class RemindersAcrossAReviewTests(BaseTestCase):
    def setUp(self) -> None:
        draft = plans.start_plan(
            self.client_a,
            by=self.therapist_a,
            template=PlanTemplate.objects.get(slug="slow-breathing", clinic=None),
        )
        self.plan = plans.agree(draft, by=self.therapist_a)  # every day at 07:30, 21:30
        self.sign_in(self.client_a)

    def modify(self) -> ActionPlan:
        self.plan.refresh_from_db()
        successor = plans.review(
            self.plan, by=self.therapist_a, session=None, answers={"done": 2, "decision": "modify"}
        ).successor
        assert successor is not None
        return successor

    def add_own(self, times: str) -> Schedule:
        self.client.post(
            f"/me/plans/{self.plan.pk}/reminders/new/",
            {"kind": "fixed", "times": times, "weekdays": EVERY_DAY},
        )
        return Schedule.objects.get(plan=self.plan, origin="client", rule__times=[times])

    def test_the_successor_starts_from_the_times_the_client_moved_to(self) -> None:
        designed = Schedule.objects.get(plan=self.plan, origin="plan")
        self.client.post(
            f"/me/reminders/{designed.pk}/", {"times": "08:15", "weekdays": ["0", "3"]}
        )
        successor = self.modify()
        self.assertEqual(
            successor.reminders,
            {"rule": {"kind": "fixed", "weekdays": [0, 3], "times": ["08:15"]}, "channels": []},
        )
        self.sign_in(self.therapist_a)
        editor = self.client.get(f"/plans/{successor.pk}/edit/")
        self.assertContains(
            editor,
            "The client had moved the reminders of the plan this replaces: Mon, Thu at 08:15. "
            "This draft starts from their times.",
        )
        plans.agree(successor, by=self.therapist_a)
        schedule = Schedule.objects.get(plan=successor, origin="plan")
        self.assertEqual((schedule.rule["times"], schedule.rule["weekdays"]), (["08:15"], [0, 3]))

    def test_a_successor_of_a_plan_nobody_moved_says_nothing_about_moved_times(self) -> None:
        successor = self.modify()
        self.assertEqual(successor.reminders["rule"]["times"], ["07:30", "21:30"])
        self.sign_in(self.therapist_a)
        editor = self.client.get(f"/plans/{successor.pk}/edit/")
        self.assertNotContains(editor, "The client had moved the reminders")

    def test_the_clients_own_reminders_carry_over_once_the_successor_is_agreed(self) -> None:
        self.add_own("12:45")
        stopped = self.add_own("16:00")
        self.client.post(f"/me/reminders/{stopped.pk}/", {"end": "1"})
        successor = self.modify()
        self.assertFalse(
            Schedule.objects.filter(origin="client", ended_at=None, superseded_at=None).exists()
        )
        plans.agree(successor, by=self.therapist_a)
        carried = Schedule.objects.get(plan=successor, origin="client")
        self.assertEqual((carried.rule["times"], carried.channels), (["12:45"], ["in-app"]))
        self.assertTrue(carried.prompts.filter(state="scheduled").exists())
        page = self.client.get("/me/reminders/")
        self.assertContains(page, "added by you")
