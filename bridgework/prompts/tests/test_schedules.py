from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from bridgework.prompts import planner, rules, schedules, steps
from bridgework.prompts.models import Prompt, PromptEvent
from bridgework.prompts.tests.helpers import PromptTestCase


class ScheduleTests(PromptTestCase):
    def test_a_schedule_plans_the_coming_week_with_a_scheduled_event_each(self) -> None:
        schedule = self.schedule()
        prompts = Prompt.objects.filter(schedule=schedule)
        self.assertIn(prompts.count(), (14, 15, 16))  # two a day over the horizon
        self.assertEqual(
            PromptEvent.objects.filter(prompt__schedule=schedule, state="scheduled").count(),
            prompts.count(),
        )
        self.assertTrue(all(p.due_at > timezone.now() for p in prompts))

    def test_planning_again_adds_nothing(self) -> None:
        schedule = self.schedule()
        count = Prompt.objects.count()
        self.assertEqual(planner.plan_ahead(schedule), 0)
        self.assertEqual(Prompt.objects.count(), count)

    def test_a_change_makes_a_new_version_and_replans_only_the_future(self) -> None:
        old = self.schedule()
        past = self.make_due(old)[0]
        Prompt.objects.filter(pk=past.pk).update(state=Prompt.State.SENT)
        new = schedules.set_schedule(
            self.client_a,
            by=self.therapist_a,
            purpose="practice",
            plan=self.plan,
            rule={"kind": "fixed", "times": ["08:30"]},
            channels=[],
            replaces=old,
        )
        old.refresh_from_db()
        self.assertEqual((new.version, old.is_current), (2, False))
        self.assertEqual(Prompt.objects.get(pk=past.pk).state, Prompt.State.SENT)
        self.assertFalse(Prompt.objects.filter(schedule=old, state="scheduled").exists())
        self.assertTrue(Prompt.objects.filter(schedule=old, state="cancelled").exists())
        local = [
            timezone.localtime(p.due_at, planner.zone_of(self.client_a)).strftime("%H:%M")
            for p in Prompt.objects.filter(schedule=new)
        ]
        self.assertEqual(set(local), {"08:30"})

    def test_a_channel_without_consent_is_refused(self) -> None:
        with self.assertRaises(rules.RuleError) as refused:
            self.schedule(channels=["email"])
        self.assertIn("has not allowed reminders this way", refused.exception.problems["channels"])
        self.consent("reminders-email")
        self.assertEqual(self.schedule(channels=["email"]).channels, ["email", "in-app"])

    def test_reminders_end_with_the_plan(self) -> None:
        from bridgework.plans import actions as plans

        schedule = self.schedule()
        plans.review(
            self.plan, by=self.therapist_a, session=None, answers={"done": 3, "decision": "stop"}
        )
        schedules.plan_all()
        schedule.refresh_from_db()
        self.assertIsNotNone(schedule.ended_at)
        self.assertFalse(Prompt.objects.filter(schedule=schedule, state="scheduled").exists())

    def test_the_therapist_sets_reminders_on_the_page_and_bad_rules_say_what_to_change(
        self,
    ) -> None:
        self.sign_in(self.therapist_a)
        response = self.client.post(
            f"/clients/{self.client_a.pk}/reminders/new/?plan={self.plan.pk}",
            {
                "kind": "random",
                "window_start": "09:00",
                "window_end": "10:00",
                "samples": "5",
                "min_spacing": "60",
                "expire_after": "60",
                "weekdays": ["0", "1"],
            },
        )
        self.assertContains(response, "5 moments at least 60 minutes apart do not fit")
        self.client.post(
            f"/clients/{self.client_a.pk}/reminders/new/?plan={self.plan.pk}",
            {
                "kind": "fixed",
                "times": "07:30, 20:00",
                "expire_after": "120",
                "weekdays": ["0", "2", "4"],
                "quiet_start": "22:00",
                "quiet_end": "07:00",
            },
        )
        schedule = self.plan.schedules.get()
        self.assertEqual(
            (schedule.rule["times"], schedule.rule["weekdays"]), (["07:30", "20:00"], [0, 2, 4])
        )

    def test_the_client_changes_their_own_times(self) -> None:
        schedule = self.schedule()
        self.sign_in(self.client_a)
        self.client.post(
            f"/me/reminders/{schedule.pk}/",
            {"times": "06:45", "weekdays": ["5", "6"], "quiet_start": "", "quiet_end": ""},
        )
        current = self.plan.schedules.get(superseded_at=None)
        self.assertEqual(
            (current.version, current.rule["times"], current.created_by),
            (2, ["06:45"], self.client_a.user),
        )

    def test_an_unknown_time_zone_is_refused_where_it_is_set(self) -> None:
        self.sign_in(self.admin)
        response = self.client.post(
            "/clinic/clients/new/",
            {
                "full_name": "Tz Test",
                "time_zone": "Mars/Olympus",
                "care_team": [self.therapist_a.pk],
            },
        )
        self.assertContains(response, "Select a valid choice")

    def test_snooze_is_limited_to_the_answer_window(self) -> None:
        prompt = self.make_due(self.schedule())[0]
        Prompt.objects.filter(pk=prompt.pk).update(
            state=Prompt.State.SENT, expires_at=timezone.now() + timedelta(minutes=40)
        )
        prompt.refresh_from_db()
        self.assertEqual(steps.snooze_choices(prompt), [10, 30])
        with self.assertRaises(rules.RuleError):
            steps.snooze(prompt, 60, by=self.client_a.user)  # type: ignore[arg-type]
        steps.snooze(prompt, 30, by=self.client_a.user)  # type: ignore[arg-type]
        prompt.refresh_from_db()
        self.assertEqual(prompt.state, Prompt.State.SCHEDULED)
        self.assertTrue(PromptEvent.objects.filter(prompt=prompt, state="snoozed").exists())
