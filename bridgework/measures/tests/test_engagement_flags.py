from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone

from bridgework.accounts.models import Clinic
from bridgework.care.models import Client
from bridgework.measures import actions
from bridgework.measures.models import Flag
from bridgework.plans import actions as plans
from bridgework.plans.models import PlanTemplate
from bridgework.prompts import schedules, steps
from bridgework.prompts.models import Prompt, Schedule
from bridgework.prompts.worker import Worker
from bridgework.test import BaseTestCase, make_client, make_clinic, make_staff, user_of


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


def review(client: Client, **answers: Any) -> None:
    therapist = client.care_team.get()
    plan = plans.agree(
        plans.start_plan(client, by=therapist, template=PlanTemplate.objects.first()),
        by=therapist,
    )
    plans.review(plan, by=therapist, session=None, answers={"decision": "stop", **answers})


def non_engagement_flags(client: Client) -> int:
    return Flag.objects.filter(client=client, kind=Flag.Kind.NON_ENGAGEMENT).count()


def clinic_flagging_after(reviews: int) -> Client:
    clinic = make_clinic("Reviews clinic", non_engagement_reviews=reviews)
    return make_client(clinic, "reviewed_client", make_staff(clinic, "reviewing", "therapist"))


@pytest.mark.django_db
@pytest.mark.parametrize("reviews", range(2, 7))
def test_every_allowed_number_of_reviews_flags_at_that_review_and_not_before(
    reviews: int,
) -> None:
    Clinic._meta.get_field("non_engagement_reviews").run_validators(reviews)  # an allowed value
    client = clinic_flagging_after(reviews)
    for _ in range(reviews - 1):
        review(client, done=1, **{"rationale-sense": 2})  # done a little, the reason unclear
    assert non_engagement_flags(client) == 0
    review(client, done=1, **{"rationale-sense": 2})
    assert non_engagement_flags(client) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("reviews", range(2, 7))
def test_a_sensible_review_among_them_keeps_any_allowed_number_from_flagging(
    reviews: int,
) -> None:
    client = clinic_flagging_after(reviews)
    review(client, done=1, **{"rationale-sense": 2})
    review(client, done=1, **{"rationale-sense": 8, "goal-fit": 9})  # breaks the run
    for _ in range(reviews - 1):
        review(client, done=1, **{"rationale-sense": 2})
    assert non_engagement_flags(client) == 0


@pytest.mark.django_db
@pytest.mark.parametrize("reviews", range(2, 7))
def test_three_plans_not_done_at_all_flag_whatever_the_number(reviews: int) -> None:
    client = clinic_flagging_after(reviews)
    for _ in range(2):
        review(client, done=0, **{"rationale-sense": 9, "goal-fit": 9})
    assert non_engagement_flags(client) == 0
    review(client, done=0, **{"rationale-sense": 9, "goal-fit": 9})
    assert non_engagement_flags(client) == 1


def practice_reminders(
    client: Client, *, began: datetime, replaces: Schedule | None = None
) -> Schedule:
    """A practice schedule for the client's new plan (or a new version of `replaces`), dated
    as begun at `began`; its reminders are planned from today."""
    therapist = client.care_team.get()
    plan = replaces.plan if replaces else None
    if plan is None:
        plan = plans.agree(
            plans.start_plan(client, by=therapist, template=PlanTemplate.objects.first()),
            by=therapist,
        )
    schedule = schedules.set_schedule(
        client,
        by=therapist,
        purpose="practice",
        plan=plan,
        rule={"kind": "fixed", "times": ["19:00"]},
        channels=[],
        replaces=replaces,
    )
    Schedule.objects.filter(pk=schedule.pk).update(created_at=began)
    return schedule


def sent(schedule: Schedule, at: datetime) -> Prompt:
    """A prompt of the schedule that went out at `at`, unanswered."""
    prompt = Prompt.objects.filter(schedule=schedule, sent_at=None).first()
    assert prompt is not None
    Prompt.objects.filter(pk=prompt.pk).update(sent_at=at, state=Prompt.State.DELIVERED)
    return prompt


class SilenceTests(BaseTestCase):
    def test_no_answer_for_the_clinics_days_flags_and_an_answer_does_not(self) -> None:
        now = timezone.now()
        schedule = practice_reminders(self.client_a, began=now - timedelta(days=30))
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

    def test_a_new_schedule_after_a_break_is_not_silence_before_its_own_reminders(self) -> None:
        now = timezone.now()
        old = practice_reminders(self.client_a, began=now - timedelta(days=60))
        sent(old, now - timedelta(days=40))  # unanswered, then the reminders stopped
        schedules.end_schedule(old, by=self.therapist_a, reason="a break")
        self.assertEqual(actions.check_silence(now), 0)
        new = practice_reminders(self.client_a, began=now - timedelta(hours=1))
        self.assertEqual(actions.check_silence(now), 0, "nothing of the new schedule sent yet")
        first = sent(new, now)
        self.assertEqual(actions.check_silence(now + timedelta(days=4)), 0)
        self.assertEqual(actions.check_silence(now + timedelta(days=5)), 1)
        (flag,) = Flag.objects.filter(client=self.client_a, kind=Flag.Kind.SILENCE)
        self.assertEqual(Prompt.objects.get(pk=first.pk).schedule, new)
        self.assertEqual(flag.raised_at, now + timedelta(days=5))

    def test_a_changed_schedule_counts_the_quiet_from_its_new_versions_first_reminder(
        self,
    ) -> None:
        now = timezone.now()
        first_version = practice_reminders(self.client_a, began=now - timedelta(days=30))
        sent(first_version, now - timedelta(days=20))  # unanswered under the old times
        second_version = practice_reminders(
            self.client_a, began=now - timedelta(days=2), replaces=first_version
        )
        self.assertEqual(actions.check_silence(now), 0, "the old version's reminder is not counted")
        sent(second_version, now - timedelta(days=1))
        self.assertEqual(actions.check_silence(now + timedelta(days=3, minutes=59)), 0)
        self.assertEqual(actions.check_silence(now + timedelta(days=4)), 1)


class SilenceAfterAcknowledgementTests(BaseTestCase):
    """The worker checks for silence every minute; the clock is moved through its check."""

    def setUp(self) -> None:
        self.start = timezone.now()
        self.schedule = practice_reminders(self.client_a, began=self.start - timedelta(days=30))
        self.sent(self.start - timedelta(days=6))  # quiet for six days; the clinic says five

    def sent(self, at: datetime) -> Prompt:
        """A prompt of the schedule that went out at `at`, unanswered."""
        prompt = Prompt.objects.filter(schedule=self.schedule, sent_at=None).first()
        assert prompt is not None
        Prompt.objects.filter(pk=prompt.pk).update(
            sent_at=at, due_at=at, state=Prompt.State.DELIVERED
        )
        return prompt

    def worker_checks_at(self, moment: datetime) -> list[Flag]:
        """One round of the worker's housekeeping at `moment`; the silence flags after it."""
        with mock.patch("django.utils.timezone.now", return_value=moment):
            Worker(name="test").housekeeping()
        return list(Flag.objects.filter(client=self.client_a, kind=Flag.Kind.SILENCE))

    def test_an_acknowledged_silence_flag_stays_closed_while_the_silence_lasts(self) -> None:
        (flag,) = self.worker_checks_at(self.start)
        with mock.patch("django.utils.timezone.now", return_value=self.start):
            actions.acknowledge(flag, by=self.therapist_a, note="Called; a busy fortnight")
        for later in (timedelta(minutes=1), timedelta(hours=1), timedelta(days=10)):
            with self.subTest(later=later):
                self.assertEqual(self.worker_checks_at(self.start + later), [flag])

    def test_an_answer_starts_the_count_again_and_a_new_silence_flags_anew(self) -> None:
        (first,) = self.worker_checks_at(self.start)
        actions.acknowledge(first, by=self.therapist_a, note="Asked about the times")
        answered = self.start + timedelta(days=1)
        with mock.patch("django.utils.timezone.now", return_value=answered):
            steps.answer(self.sent(answered).pk, self.client_a, by=user_of(self.client_a))
        quiet_from = answered + timedelta(hours=1)
        self.sent(quiet_from)
        self.assertEqual(len(self.worker_checks_at(quiet_from + timedelta(days=4))), 1)
        flags = self.worker_checks_at(quiet_from + timedelta(days=5, minutes=1))
        self.assertEqual(len(flags), 2)
        (new,) = [flag for flag in flags if flag.acknowledged_at is None]
        self.assertEqual(new.raised_at, quiet_from + timedelta(days=5, minutes=1))

    def test_an_answer_alone_does_not_start_a_silence(self) -> None:
        (first,) = self.worker_checks_at(self.start)
        actions.acknowledge(first, by=self.therapist_a, note="")
        with mock.patch("django.utils.timezone.now", return_value=self.start):
            steps.answer(self.sent(self.start).pk, self.client_a, by=user_of(self.client_a))
        self.assertEqual(len(self.worker_checks_at(self.start + timedelta(days=30))), 1)

    def test_no_silence_flag_without_a_current_schedule(self) -> None:
        schedules.end_schedule(self.schedule, by=self.therapist_a, reason="paused")
        self.assertEqual(self.worker_checks_at(self.start), [])

    def test_no_silence_flag_once_therapy_has_finished(self) -> None:
        Client.objects.filter(pk=self.client_a.pk).update(discharged_at=self.start)
        self.assertEqual(self.worker_checks_at(self.start), [])
        self.assertTrue(Schedule.objects.filter(pk=self.schedule.pk, ended_at=None).exists())
