"""What a walk through whole cases found: the worksheet's "what I will do" comes from the plan,
an exposure asks its minutes once, staff pages speak of the client, and a plan is reviewed in
a later session than the one it was set in."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from bridgework.care import actions as care
from bridgework.practice.models import PracticeLog
from bridgework.practice.tests.test_seeding import EXPERIMENT, SeedTestCase


class WalkThroughTests(SeedTestCase):
    def test_the_experiment_worksheet_says_what_the_client_will_do_as_agreed(self) -> None:
        plan = self.agreed_plan(EXPERIMENT, what="Ask one question in the team meeting")
        values = self.opened_form(plan).context["values"]
        self.assertEqual(values["entries.plan"], "Ask one question in the team meeting")

    def test_an_exposure_asks_how_many_minutes_once_and_keeps_them_on_the_log(self) -> None:
        plan = self.agreed_plan("exposure-step-up-the-ladder", what="Ride the bus two stops")
        page = self.opened_form(plan)
        self.assertNotContains(page, 'name="duration_minutes"')
        self.assertContains(page, 'name="entries.duration_minutes"')
        self.client.post(
            "/me/practice/",
            self.entry(
                plan,
                **{
                    "entries.situation": "Bus",
                    "entries.distress_before": "70",
                    "entries.duration_minutes": "25",
                },
            ),
        )
        self.assertEqual(PracticeLog.objects.get(plan=plan).duration_minutes, 25)

    def test_the_care_team_reads_an_entry_in_the_staff_voice(self) -> None:
        plan = self.agreed_plan("exposure-step-up-the-ladder", what="Ride the bus two stops")
        self.client.post(
            "/me/practice/",
            self.entry(plan, **{"entries.situation": "Bus", "entries.distress_before": "70"}),
        )
        log = PracticeLog.objects.get(plan=plan)
        mine = self.client.get(f"/practice/{log.pk}/")
        self.assertContains(mine, "The situation I faced")
        self.sign_in(self.therapist_a)
        theirs = self.client.get(f"/practice/{log.pk}/")
        self.assertContains(theirs, "The situation faced")
        self.assertNotContains(theirs, "The situation I faced")

    def test_the_plan_page_says_what_will_remind_the_client(self) -> None:
        plan = self.agreed_plan(EXPERIMENT, cues="The note on my desk")
        self.sign_in(self.therapist_a)
        page = self.client.get(f"/plans/{plan.pk}/")
        self.assertContains(page, "What will remind the client")
        self.assertNotContains(page, "What will remind me")
        self.assertContains(
            page, "How strongly the client believed it when the plan was made (0–100)"
        )

    def test_the_review_offers_only_sessions_after_the_one_the_plan_was_set_in(self) -> None:
        now = timezone.now()
        earlier = care.add_session(
            self.client_a,
            therapist=self.therapist_a,
            by=self.therapist_a,
            starts_at=now - timedelta(days=7),
        )
        later = care.add_session(
            self.client_a,
            therapist=self.therapist_a,
            by=self.therapist_a,
            starts_at=now - timedelta(hours=1),
        )
        plan = self.agreed_plan("exposure-step-up-the-ladder", set_in_session=earlier)
        self.sign_in(self.therapist_a)
        choices = self.client.get(f"/plans/{plan.pk}/review/").context["session_form"]
        offered = list(choices.fields["session"].queryset)
        self.assertIn(later, offered)
        self.assertNotIn(earlier, offered)
        self.assertTrue(all(s.starts_at > earlier.starts_at for s in offered))
