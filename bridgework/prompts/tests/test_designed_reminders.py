"""Reminders designed with the plan in the session become its schedule once the plan is agreed;
the client adds reminders of their own from the phone."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from bridgework.accounts.models import User
from bridgework.audit.models import AccessEvent
from bridgework.care import actions as care
from bridgework.care.models import Client
from bridgework.plans import actions as plans
from bridgework.plans import revisions
from bridgework.plans.models import ActionPlan, PlanTemplate, Status
from bridgework.plans.reminders import RemindersRefused
from bridgework.plans.tests.test_revisions_and_conflicts import editor_post
from bridgework.prompts import planner
from bridgework.prompts.models import Prompt, Schedule
from bridgework.prompts.worker import Worker
from bridgework.test import BaseTestCase, user_of

EVERY_DAY = ["0", "1", "2", "3", "4", "5", "6"]


def reminder_fields(kind: str = "fixed", **fields: Any) -> dict[str, Any]:
    """The editor's reminders part as a browser posts it."""
    data: dict[str, Any] = {
        "kind": kind,
        "weekdays": EVERY_DAY,
        "times": "19:00",
        "offset_days": "1",
        "at": "18:00",
        "window_start": "09:00",
        "window_end": "21:00",
        "samples": "3",
        **fields,
    }
    return {f"reminders-{name}": value for name, value in data.items()}


class DesignedReminderTests(BaseTestCase):
    def setUp(self) -> None:
        self.draft = plans.start_plan(
            self.client_a,
            by=self.therapist_a,
            template=PlanTemplate.objects.get(slug="slow-breathing", clinic=None),
        )
        self.sign_in(self.therapist_a)

    def post_editor(self, plan: ActionPlan, agree: bool = False, **reminders: Any) -> Any:
        plan.refresh_from_db()
        data = {**editor_post(plan), **reminder_fields(**reminders)}
        if agree:
            data["agree"] = "1"
        return self.client.post(f"/plans/{plan.pk}/edit/", data)

    def local_times(self, schedule: Schedule) -> set[str]:
        zone = planner.zone_of(self.client_a)
        prompts = Prompt.objects.filter(schedule=schedule, state="scheduled")
        return {timezone.localtime(p.due_at, zone).strftime("%H:%M") for p in prompts}

    def test_a_plan_starts_with_its_templates_suggestion_preselected_in_the_editor(self) -> None:
        self.assertEqual(self.draft.reminders["rule"]["times"], ["07:30", "21:30"])
        page = self.client.get(f"/plans/{self.draft.pk}/edit/")
        self.assertContains(page, "The template suggests: Every day at 07:30, 21:30.")
        self.assertContains(page, 'value="fixed" id="id_reminders-kind_1" checked', html=False)
        self.assertContains(page, 'value="07:30, 21:30"', html=False)

    def test_a_schedule_made_in_the_editor_produces_prompts_once_the_plan_is_agreed(self) -> None:
        care.set_consent(self.client_a, "reminders-email", True, by=user_of(self.client_a))
        response = self.post_editor(
            self.draft, agree=True, times="20:15", weekdays=["0", "2", "4"], channels=["email"]
        )
        self.assertRedirects(response, f"/plans/{self.draft.pk}/", fetch_redirect_response=False)
        schedule = Schedule.objects.get(plan=self.draft)
        self.assertEqual(
            (schedule.origin, schedule.rule["times"], schedule.rule["weekdays"], schedule.channels),
            (Schedule.Origin.PLAN, ["20:15"], [0, 2, 4], ["email", "in-app"]),
        )
        self.assertEqual(self.local_times(schedule), {"20:15"})
        self.assertEqual(
            {
                timezone.localtime(p.due_at, planner.zone_of(self.client_a)).weekday()
                for p in schedule.prompts.all()
            },
            {0, 2, 4},
        )
        # The worker sends the first when its time comes.
        first = schedule.prompts.order_by("due_at").first()
        assert first is not None
        Prompt.objects.filter(pk=first.pk).update(
            due_at=timezone.now(), next_attempt_at=timezone.now()
        )
        self.assertEqual(Worker(name="w1").step(), 1)
        self.assertEqual(Prompt.objects.get(pk=first.pk).state, Prompt.State.SENT)

    def test_a_draft_has_no_schedule_until_it_is_agreed(self) -> None:
        self.post_editor(self.draft, times="20:15")
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.reminders["rule"]["times"], ["20:15"])
        self.assertFalse(Schedule.objects.exists())

    def test_a_channel_the_client_has_not_allowed_is_refused_by_name_and_nothing_is_saved(
        self,
    ) -> None:
        version = self.draft.version
        page = self.client.get(f"/plans/{self.draft.pk}/edit/")
        self.assertNotContains(page, 'value="email"', html=False)  # not offered at all
        data = {
            **editor_post(self.draft, title="Breathe at the bus stop"),
            **reminder_fields(channels=["email"]),
            "agree": "1",
        }
        response = self.client.post(f"/plans/{self.draft.pk}/edit/", data)
        self.assertContains(response, "the client has not allowed reminders this way")
        self.assertContains(response, "<legend>Also by</legend>", html=False)
        self.assertContains(response, "Please check this form:")
        self.draft.refresh_from_db()
        self.assertEqual(
            (self.draft.title, self.draft.version, self.draft.status),
            ("Slow breathing practice", version, Status.DRAFT),
        )
        self.assertFalse(Schedule.objects.exists())

    def test_the_action_refuses_a_channel_without_consent_and_saves_nothing(self) -> None:
        version = self.draft.version
        with self.assertRaises(RemindersRefused) as refused:
            plans.save_plan(
                self.draft,
                by=self.therapist_a,
                version=version,
                fields={"title": "Breathe"},
                goals=[],
                obstacles=[],
                reminders={"rule": {"kind": "fixed", "times": ["19:00"]}, "channels": ["push"]},
            )
        self.assertIn("Phone notification", refused.exception.problems["channels"])
        self.draft.refresh_from_db()
        self.assertEqual(
            (self.draft.title, self.draft.version), ("Slow breathing practice", version)
        )

    def test_a_consent_withdrawn_before_agreement_refuses_the_agreement_by_field(self) -> None:
        client_user = user_of(self.client_a)
        care.set_consent(self.client_a, "reminders-email", True, by=client_user)
        self.post_editor(self.draft, channels=["email"])
        care.set_consent(self.client_a, "reminders-email", False, by=client_user)
        response = self.client.post(f"/plans/{self.draft.pk}/agree/", follow=True)
        self.assertContains(response, "Reminders: E-mail: the client has not allowed")
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.status, Status.DRAFT)
        self.assertFalse(Schedule.objects.exists())

    def test_changing_the_design_of_an_active_plan_makes_a_new_schedule_version(self) -> None:
        self.post_editor(self.draft, agree=True, times="07:30")
        self.draft.refresh_from_db()
        plans.activate(self.draft, by=self.therapist_a)
        first = Schedule.objects.get(plan=self.draft)

        self.post_editor(self.draft, kind="random", samples="2", window_start="10:00")

        first.refresh_from_db()
        current = Schedule.objects.get(plan=self.draft, superseded_at=None)
        self.assertEqual(
            (first.is_current, current.version, current.kind, current.origin),
            (False, 2, "random", Schedule.Origin.PLAN),
        )
        self.assertFalse(first.prompts.filter(state="scheduled").exists())
        self.assertTrue(current.prompts.exists())
        revision = self.draft.revisions.order_by("number").last()
        assert revision is not None
        self.assertEqual(revision.snapshot["reminders"]["rule"]["samples"], 2)
        self.assertEqual(
            revisions.as_text("reminders", revision.snapshot["reminders"]),
            "2 random moments between 10:00 and 21:00, every day",
        )
        page = self.client.get(f"/plans/{self.draft.pk}/revisions/{revision.number}/")
        self.assertContains(page, '<th scope="row">Reminders</th>', html=False)

    def test_taking_the_reminders_out_of_an_agreed_plan_ends_its_schedule(self) -> None:
        self.post_editor(self.draft, agree=True)
        schedule = Schedule.objects.get(plan=self.draft)
        self.post_editor(self.draft, kind="none")
        schedule.refresh_from_db()
        self.assertIsNotNone(schedule.ended_at)
        self.assertFalse(schedule.prompts.filter(state="scheduled").exists())
        self.assertEqual(ActionPlan.objects.get(pk=self.draft.pk).reminders, {})

    def test_the_written_summary_shows_the_agreed_reminders_in_the_clients_language(
        self,
    ) -> None:
        self.post_editor(self.draft, agree=True, times="18:30", weekdays=["0", "2", "4"])
        staff_page = self.client.get(f"/plans/{self.draft.pk}/")
        self.assertContains(staff_page, "Reminders as agreed: Mon, Wed, Fri at 18:30")
        client_user = user_of(self.client_a)
        client_user.language = "de"
        client_user.save(update_fields=["language"])
        self.sign_in(self.client_a)
        page = self.client.get(f"/me/plans/{self.draft.pk}/", HTTP_ACCEPT_LANGUAGE="de")
        self.assertContains(page, "Erinnerungen wie vereinbart: Mo, Mi, Fr um 18:30")

    def test_a_review_that_closes_the_plan_ends_its_reminders_at_once(self) -> None:
        self.post_editor(self.draft, agree=True)
        self.draft.refresh_from_db()
        plans.review(
            self.draft, by=self.therapist_a, session=None, answers={"done": 2, "decision": "stop"}
        )
        schedule = Schedule.objects.get(plan=self.draft)
        self.assertIsNotNone(schedule.ended_at)
        self.assertFalse(schedule.prompts.filter(state="scheduled").exists())

    def test_a_modified_plans_successor_carries_the_design_into_its_own_schedule(self) -> None:
        self.post_editor(self.draft, agree=True, times="06:50")
        self.draft.refresh_from_db()
        successor = plans.review(
            self.draft, by=self.therapist_a, session=None, answers={"done": 2, "decision": "modify"}
        ).successor
        assert successor is not None
        self.assertEqual(successor.reminders["rule"]["times"], ["06:50"])
        plans.agree(successor, by=self.therapist_a)
        self.assertEqual(Schedule.objects.get(plan=successor).rule["times"], ["06:50"])

    def test_an_edit_that_leaves_the_design_alone_keeps_the_clients_own_times(self) -> None:
        self.post_editor(self.draft, agree=True, times="07:30")
        schedule = Schedule.objects.get(plan=self.draft)
        self.sign_in(self.client_a)
        self.client.post(f"/me/reminders/{schedule.pk}/", {"times": "08:15", "weekdays": EVERY_DAY})
        self.sign_in(self.therapist_a)
        editor = self.client.get(f"/plans/{self.draft.pk}/edit/")
        self.assertContains(
            editor, "The client has moved these reminders since: now Every day at 08:15."
        )
        self.post_editor(self.draft, times="07:30", where="At the kitchen table")
        current = Schedule.objects.get(plan=self.draft, superseded_at=None, ended_at=None)
        self.assertEqual((current.version, current.rule["times"]), (2, ["08:15"]))

    def test_a_plan_agreed_with_no_reminders_has_no_schedule(self) -> None:
        self.post_editor(self.draft, agree=True, kind="none")
        self.draft.refresh_from_db()
        self.assertEqual((self.draft.status, self.draft.reminders), (Status.AGREED, {}))
        self.assertFalse(Schedule.objects.exists())

    def test_a_bad_time_is_refused_on_its_field_and_nothing_is_saved(self) -> None:
        response = self.post_editor(self.draft, agree=True, times="25:99")
        self.assertContains(response, "Write times as HH:MM")
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.status, Status.DRAFT)


def agreed_without_reminders(client: Client, therapist: User, title: str) -> ActionPlan:
    draft = plans.start_plan(client, by=therapist)
    plans.save_plan(
        draft,
        by=therapist,
        version=draft.version,
        fields={"title": title, "what": title},
        goals=[],
        obstacles=[],
    )
    return plans.agree(draft, by=therapist)


class ClientAddedReminderTests(BaseTestCase):
    def setUp(self) -> None:
        self.plan = agreed_without_reminders(self.client_a, self.therapist_a, "Walk after lunch")
        self.client_user = user_of(self.client_a)
        self.sign_in(self.client_a)

    def test_the_client_adds_a_reminder_to_their_plan_and_its_prompts_are_planned(self) -> None:
        care.set_consent(self.client_a, "reminders-email", True, by=self.client_user)
        page = self.client.get("/me/reminders/")
        self.assertContains(page, f'href="/me/plans/{self.plan.pk}/reminders/new/"', html=False)
        form = self.client.get(f"/me/plans/{self.plan.pk}/reminders/new/")
        self.assertContains(form, 'value="email"', html=False)
        self.assertNotContains(form, 'value="push"', html=False)  # not allowed: not offered

        response = self.client.post(
            f"/me/plans/{self.plan.pk}/reminders/new/",
            {"kind": "fixed", "times": "12:45", "weekdays": ["1", "3"], "channels": ["email"]},
        )

        self.assertRedirects(response, "/me/reminders/", fetch_redirect_response=False)
        schedule = Schedule.objects.get(plan=self.plan)
        self.assertEqual(
            (schedule.origin, schedule.created_by, schedule.channels, schedule.rule["times"]),
            (Schedule.Origin.CLIENT, self.client_user, ["email", "in-app"], ["12:45"]),
        )
        self.assertTrue(schedule.prompts.filter(state="scheduled").exists())
        audit = AccessEvent.objects.get(object_type="schedule", action="create")
        self.assertEqual((audit.actor_id, audit.actor_role), (self.client_user.pk, "client"))
        self.assertContains(self.client.get("/me/reminders/"), "added by you")
        self.sign_in(self.therapist_a)
        staff_page = self.client.get(f"/clients/{self.client_a.pk}/reminders/")
        self.assertContains(staff_page, "added by the client")

    def test_random_moments_in_a_window_can_be_added_too(self) -> None:
        self.client.post(
            f"/me/plans/{self.plan.pk}/reminders/new/",
            {
                "kind": "random",
                "weekdays": EVERY_DAY,
                "window_start": "10:00",
                "window_end": "12:00",
                "samples": "2",
            },
        )
        schedule = Schedule.objects.get(plan=self.plan)
        self.assertEqual((schedule.kind, schedule.rule["samples"]), ("random", 2))
        zone = planner.zone_of(self.client_a)
        for prompt in schedule.prompts.all():
            local = timezone.localtime(prompt.due_at, zone).strftime("%H:%M")
            self.assertTrue("10:00" <= local <= "12:00", local)

    def test_a_channel_not_allowed_is_refused_by_name_in_german(self) -> None:
        self.client_user.language = "de"
        self.client_user.save(update_fields=["language"])
        response = self.client.post(
            f"/me/plans/{self.plan.pk}/reminders/new/",
            {"kind": "fixed", "times": "12:45", "weekdays": ["1"], "channels": ["push"]},
            HTTP_ACCEPT_LANGUAGE="de",
        )
        self.assertContains(response, "push: Erinnerungen auf diesem Weg haben Sie nicht erlaubt")
        self.assertFalse(Schedule.objects.exists())

    def test_another_clients_plan_and_a_closed_plan_are_not_found(self) -> None:
        theirs = agreed_without_reminders(self.client_b, self.therapist_b, "Swim")
        self.assertEqual(self.client.get(f"/me/plans/{theirs.pk}/reminders/new/").status_code, 404)
        plans.review(
            self.plan, by=self.therapist_a, session=None, answers={"done": 2, "decision": "stop"}
        )
        self.assertEqual(
            self.client.get(f"/me/plans/{self.plan.pk}/reminders/new/").status_code, 404
        )

    def test_the_client_stops_a_reminder_they_added_but_not_one_agreed_in_the_session(
        self,
    ) -> None:
        self.client.post(
            f"/me/plans/{self.plan.pk}/reminders/new/",
            {"kind": "fixed", "times": "12:45", "weekdays": EVERY_DAY},
        )
        own = Schedule.objects.get(plan=self.plan)
        self.client.post(f"/me/reminders/{own.pk}/", {"end": "1"})
        own.refresh_from_db()
        self.assertIsNotNone(own.ended_at)
        agreed = Schedule.objects.create(
            client=self.client_a,
            plan=self.plan,
            purpose="practice",
            kind="fixed",
            rule={"kind": "fixed", "times": ["19:00"]},
            origin=Schedule.Origin.PLAN,
        )
        response = self.client.post(f"/me/reminders/{agreed.pk}/", {"end": "1"})
        self.assertEqual(response.status_code, 404)
        agreed.refresh_from_db()
        self.assertIsNone(agreed.ended_at)
