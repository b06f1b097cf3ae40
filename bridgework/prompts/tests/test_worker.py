from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.core.mail import send_mail
from django.db import OperationalError, connection
from django.utils import timezone

from bridgework.accounts import actions as accounts
from bridgework.accounts import recovery
from bridgework.accounts.models import AccountEmail, SignInChange
from bridgework.plans import actions as plans
from bridgework.plans.models import PlanTemplate
from bridgework.prompts import channels, dispatch, schedules, steps
from bridgework.prompts.models import Prompt, PromptEvent
from bridgework.prompts.tests.helpers import PromptTestCase
from bridgework.prompts.worker import Worker
from bridgework.test import make_client, make_clinic, make_staff, user_of


class WorkerTests(PromptTestCase):
    def test_a_due_prompt_is_delivered_in_the_app_and_opening_it_lands_on_the_plan(self) -> None:
        prompt = self.make_due(self.schedule())[0]
        self.assertEqual(Worker(name="w1").step(), 1)
        prompt.refresh_from_db()
        self.assertEqual(prompt.state, Prompt.State.DELIVERED)
        self.sign_in(self.client_a)
        self.assertContains(self.client.get("/me/"), f"/me/prompts/{prompt.pk}/")
        response = self.client.get(f"/me/prompts/{prompt.pk}/")
        self.assertRedirects(
            response,
            f"/me/plans/{self.plan.pk}/log/?prompt={prompt.pk}",
            fetch_redirect_response=False,
        )
        self.assertEqual(Prompt.objects.get(pk=prompt.pk).state, Prompt.State.OPENED)

    def test_a_worker_that_dies_after_claiming_leaves_the_prompt_to_another(self) -> None:
        prompt = self.make_due(self.schedule())[0]
        self.assertEqual(dispatch.claim("dead", batch=10, lease=timedelta(minutes=2)), [prompt.pk])
        self.assertEqual(Worker(name="w2").step(), 0)  # still leased
        later = timezone.now() + timedelta(minutes=3)
        self.assertEqual(
            dispatch.claim("w2", batch=10, lease=timedelta(minutes=2), now=later), [prompt.pk]
        )
        dispatch.finish("dead", {prompt.pk: (Prompt.State.SENT, "", "too late")})
        self.assertEqual(Prompt.objects.get(pk=prompt.pk).state, Prompt.State.SENDING)
        dispatch.finish("w2", {prompt.pk: (Prompt.State.DELIVERED, "in-app", "")})
        self.assertEqual(Prompt.objects.get(pk=prompt.pk).state, Prompt.State.DELIVERED)

    def test_a_worker_killed_mid_batch_never_has_a_reminder_sent_twice(self) -> None:
        # bench/load.py found it: the batch's outcomes were recorded after the whole batch, so
        # a worker killed halfway left the e-mails it had sent to be sent again by the next.
        self.consent("reminders-email")
        prompts = self.make_due(self.schedule(channels=["email"]), count=3)

        class Killed(BaseException):
            """SIGKILL: nothing after it runs."""

        def dies_at_the_second(*args: Any, **kwargs: Any) -> int:
            if len(mail.outbox) == 1:
                raise Killed
            return send_mail(*args, **kwargs)

        with (
            mock.patch.object(channels, "send_mail", dies_at_the_second),
            self.assertRaises(Killed),
        ):
            Worker(name="killed").step()
        # Its lease runs out; another worker takes its prompts over.
        Prompt.objects.filter(state=Prompt.State.SENDING).update(
            lease_until=timezone.now() - timedelta(seconds=1)
        )
        Worker(name="next").step()
        mailed = Counter(
            prompt.pk
            for message in mail.outbox
            for prompt in prompts
            if f"/me/prompts/{prompt.pk}/" in str(message.body)
        )
        first, second, third = prompts
        self.assertEqual(mailed, {first.pk: 1, third.pk: 1})  # the second may not have gone out
        states = dict(Prompt.objects.values_list("pk", "state"))
        self.assertEqual({states[p.pk] for p in prompts}, {Prompt.State.SENT})
        events = PromptEvent.objects.exclude(state="scheduled")
        self.assertEqual(events.filter(prompt=first).count(), 1)
        self.assertEqual(
            list(events.filter(prompt=second).values_list("detail", flat=True)),
            [dispatch.UNCONFIRMED],
        )

    def test_a_snoozed_e_mail_reminder_is_sent_again_when_the_snooze_ends(self) -> None:
        # A snooze puts the prompt back on the schedule: its first hand-over is done with, not
        # one a killed worker left unrecorded (which would be recorded, never sent).
        self.consent("reminders-email")
        prompt = self.make_due(self.schedule(channels=["email"]))[0]
        Worker(name="w1").step()
        self.assertEqual(len(mail.outbox), 1)
        steps.snooze(Prompt.objects.get(pk=prompt.pk), 10, by=user_of(self.client_a))
        Prompt.objects.filter(pk=prompt.pk).update(next_attempt_at=timezone.now())
        Worker(name="w1").step()
        self.assertEqual(len(mail.outbox), 2)
        self.assertNotEqual(
            PromptEvent.objects.filter(prompt=prompt).last().detail,  # type: ignore[union-attr]
            dispatch.UNCONFIRMED,
        )

    def test_the_worker_waits_out_a_database_outage_instead_of_exiting(self) -> None:
        # bench/load.py found it: a PostgreSQL restart ended every worker (exit status 1).
        worker = Worker(name="w1", idle=0)
        rounds: list[str] = []

        def step() -> int:
            rounds.append("step")
            if len(rounds) == 1:
                raise OperationalError("the connection is lost")
            worker.stop()
            return 0

        with (
            mock.patch.object(worker, "step", step),
            mock.patch.object(worker, "housekeeping"),
            # Neither the test's connection closed nor pytest's own signal handlers replaced.
            mock.patch("bridgework.prompts.worker.close_old_connections"),
            mock.patch("bridgework.prompts.worker.signal.signal"),
            self.assertLogs("bridgework.worker") as logs,
        ):
            worker.run()
        self.assertEqual(rounds, ["step", "step"])
        self.assertIn("database unavailable (OperationalError)", "\n".join(logs.output))

    def test_failures_are_retried_with_backoff_then_marked_failed_for_the_therapist(self) -> None:
        self.consent("reminders-push")  # consent, but no phone subscribed: push fails
        prompt = self.make_due(self.schedule(channels=["push"]))[0]
        worker = Worker(name="w1")
        worker.step()
        prompt.refresh_from_db()
        self.assertEqual((prompt.state, prompt.attempts), (Prompt.State.SCHEDULED, 1))
        self.assertGreater(prompt.next_attempt_at, timezone.now())
        with self.settings(PROMPT_MAX_ATTEMPTS=2):
            Prompt.objects.filter(pk=prompt.pk).update(next_attempt_at=timezone.now())
            worker.step()
        prompt.refresh_from_db()
        self.assertEqual(prompt.state, Prompt.State.FAILED)
        self.assertIn("No phone has turned notifications on", prompt.failure)
        self.sign_in(self.therapist_a)
        page = self.client.get(f"/clients/{self.client_a.pk}/reminders/")
        self.assertContains(page, "No phone has turned notifications on")

    def test_unanswered_prompts_expire(self) -> None:
        prompt = self.make_due(self.schedule())[0]
        Worker(name="w1").step()
        Prompt.objects.filter(pk=prompt.pk).update(expires_at=timezone.now())
        self.assertEqual(dispatch.expire_overdue(), 1)
        self.assertEqual(Prompt.objects.get(pk=prompt.pk).state, Prompt.State.EXPIRED)

    def test_the_therapist_sees_what_happened_and_when_the_client_answers(self) -> None:
        prompts = self.make_due(self.schedule(), count=2)
        Worker(name="w1").step()
        steps.answer(prompts[0].pk, self.client_a, by=self.client_a.user)  # type: ignore[arg-type]
        self.sign_in(self.therapist_a)
        page = self.client.get(f"/clients/{self.client_a.pk}/reminders/")
        self.assertContains(page, "When the client tends to answer")
        self.assertContains(page, "<td>2</td><td>1</td><td>1</td>", html=False)

    def test_each_step_sends_accounts_emails_too(self) -> None:
        accounts.send_password_reset(self.therapist_a, by=self.admin)
        self.assertEqual(Worker(name="w1").step(), 1)
        self.assertEqual(mail.outbox[0].to, ["therapist_a@example.org"])
        self.assertEqual(AccountEmail.objects.get().state, AccountEmail.State.SENT)

    def test_housekeeping_forgets_old_addresses_after_the_window(self) -> None:
        accounts.change_email(self.therapist_a, "lee.new@example.org", by=self.admin)
        change = SignInChange.objects.get()
        Worker(name="w1").housekeeping()
        self.assertEqual(SignInChange.objects.get().old_email, "therapist_a@example.org")
        later = change.changed_at + recovery.WINDOW + timedelta(minutes=1)
        with mock.patch("django.utils.timezone.now", return_value=later):
            Worker(name="w2").housekeeping()
        self.assertEqual(SignInChange.objects.get().old_email, "")


@pytest.mark.django_db(transaction=True)
def test_two_workers_on_one_backlog_send_each_prompt_exactly_once() -> None:
    clinic = make_clinic("Northside Therapy")
    therapist = make_staff(clinic, "therapist_a", "therapist")
    client = make_client(clinic, "robin_ash", therapist)
    plan = plans.agree(
        plans.start_plan(client, by=therapist, template=PlanTemplate.objects.first()), by=therapist
    )
    schedule = schedules.set_schedule(
        client,
        by=therapist,
        purpose="practice",
        plan=plan,
        rule={
            "kind": "random",
            "samples": 12,
            "min_spacing": 5,
            "window_start": "06:00",
            "window_end": "23:00",
        },
        channels=[],
    )
    now = timezone.now()
    Prompt.objects.filter(schedule=schedule).update(
        next_attempt_at=now - timedelta(seconds=1), expires_at=now + timedelta(hours=3)
    )
    backlog = Prompt.objects.filter(schedule=schedule).count()
    assert backlog > 50
    start = threading.Barrier(2)

    def work(name: str) -> None:
        worker = Worker(name=name, batch=7)
        start.wait()
        try:
            while worker.step():
                pass
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    sends = Counter(PromptEvent.objects.filter(state="delivered").values_list("prompt", flat=True))
    assert len(sends) == backlog and set(sends.values()) == {1}
    # (The plan's own designed reminder, from its template, is not due: not in the backlog.)
    assert not Prompt.objects.filter(schedule=schedule).exclude(state="delivered").exists()
