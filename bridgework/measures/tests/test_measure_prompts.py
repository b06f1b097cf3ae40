from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from bridgework.care import actions as care
from bridgework.measures.models import Instrument, Response
from bridgework.prompts import planner, rules, schedules
from bridgework.prompts.models import Prompt, Schedule
from bridgework.prompts.tests.helpers import PromptTestCase
from bridgework.prompts.worker import Worker


class BeforeSessionTestCase(PromptTestCase):
    def book(self, days: float) -> None:
        starts = timezone.now().replace(second=0, microsecond=0) + timedelta(days=days)
        care.add_session(
            self.client_a, therapist=self.therapist_a, starts_at=starts, by=self.therapist_a
        )

    def before_sessions(self, **rule: object) -> Schedule:
        return schedules.set_schedule(
            self.client_a,
            by=self.therapist_a,
            purpose="measure",
            rule={"kind": "before-session", **rule},
            channels=[],
        )


class MeasurePromptTests(BeforeSessionTestCase):
    """Questionnaires go out as prompts a set time before every booked session."""

    def test_a_prompt_is_planned_the_chosen_hours_before_each_booked_session(self) -> None:
        self.book(3)
        self.book(5)
        self.book(-2)  # past: nothing to prepare for
        schedule = self.before_sessions(hours_before=24)
        starts = sorted(
            s.starts_at for s in self.client_a.sessions.filter(starts_at__gt=timezone.now())
        )
        due = list(Prompt.objects.filter(schedule=schedule).values_list("due_at", flat=True))
        self.assertEqual(sorted(due), [s - timedelta(hours=24) for s in starts])
        self.assertTrue(
            all(p.purpose == "measure" for p in Prompt.objects.filter(schedule=schedule))
        )

    def test_a_session_booked_later_is_picked_up_and_a_cancelled_one_drops_its_prompt(
        self,
    ) -> None:
        schedule = self.before_sessions()
        self.assertFalse(Prompt.objects.filter(schedule=schedule).exists())
        self.book(4)
        self.assertEqual(planner.plan_ahead(schedule), 1)
        self.client_a.sessions.all().delete()
        planner.plan_ahead(schedule)
        self.assertEqual(
            list(Prompt.objects.filter(schedule=schedule).values_list("state", flat=True)),
            [Prompt.State.CANCELLED],
        )

    def test_a_prompt_already_due_is_left_for_the_worker_to_send(self) -> None:
        self.book(1.5)
        schedule = self.before_sessions()
        due = self.make_due(schedule)[0]  # its moment has come; no worker has claimed it yet
        planner.plan_ahead(schedule)
        self.assertEqual(Prompt.objects.get(pk=due.pk).state, Prompt.State.SCHEDULED)

    def test_the_hours_and_questionnaires_are_checked(self) -> None:
        with self.assertRaises(rules.RuleError) as refused:
            self.before_sessions(hours_before=0)
        self.assertIn("1 to 72 hours", refused.exception.problems["hours_before"])
        with self.assertRaises(rules.RuleError) as refused:
            self.before_sessions(measures=[])
        self.assertIn("at least one questionnaire", refused.exception.problems["measures"])

    def test_opening_walks_through_the_questionnaires_and_the_last_answers_the_prompt(
        self,
    ) -> None:
        self.book(1.5)
        prompt = self.make_due(self.before_sessions(measures=["gad-7", "phq-9"]))[0]
        self.sign_in(self.client_a)
        response = self.client.get(f"/me/prompts/{prompt.pk}/")
        self.assertRedirects(
            response, f"/me/measures/gad-7/?prompt={prompt.pk}", fetch_redirect_response=False
        )
        page = self.client.get(f"/me/measures/gad-7/?prompt={prompt.pk}")
        self.assertContains(page, f'name="prompt" value="{prompt.pk}"')
        self.assertContains(page, "Then 1 more questionnaire.")
        gad = {f"item-{n}": "1" for n in range(1, 8)} | {"prompt": str(prompt.pk)}
        response = self.client.post("/me/measures/gad-7/", gad)
        self.assertRedirects(
            response, f"/me/measures/phq-9/?prompt={prompt.pk}", fetch_redirect_response=False
        )
        self.assertNotEqual(Prompt.objects.get(pk=prompt.pk).state, Prompt.State.ANSWERED)
        page = self.client.get(f"/me/measures/phq-9/?prompt={prompt.pk}")
        self.assertContains(page, "The last questionnaire.")
        phq = {f"item-{n}": "1" for n in range(1, 9)} | {"item-9": "0", "prompt": str(prompt.pk)}
        response = self.client.post("/me/measures/phq-9/", phq)
        self.assertRedirects(response, "/me/", fetch_redirect_response=False)
        self.assertEqual(Prompt.objects.get(pk=prompt.pk).state, Prompt.State.ANSWERED)
        self.assertEqual(Response.objects.filter(client=self.client_a).count(), 2)

    def test_another_clients_prompt_cannot_be_answered(self) -> None:
        self.book(1.5)
        prompt = self.make_due(self.before_sessions(measures=["gad-7"]))[0]
        self.sign_in(self.client_b)
        gad = {f"item-{n}": "1" for n in range(1, 8)} | {"prompt": str(prompt.pk)}
        self.assertEqual(self.client.post("/me/measures/gad-7/", gad).status_code, 404)
        self.assertEqual(Prompt.objects.get(pk=prompt.pk).state, Prompt.State.SCHEDULED)

    def test_the_therapist_sets_questionnaire_reminders_on_the_page(self) -> None:
        self.book(3)
        self.sign_in(self.therapist_a)
        page = self.client.get(f"/clients/{self.client_a.pk}/reminders/new/")
        self.assertContains(page, "Before every booked session")
        self.assertContains(page, 'value="phq-9"')
        response = self.client.post(
            f"/clients/{self.client_a.pk}/reminders/new/",
            {
                "kind": "before-session",
                "hours_before": "12",
                "measures": ["phq-9"],
                "expire_after": "600",
            },
        )
        self.assertEqual(response.status_code, 302)
        schedule = Schedule.objects.get(client=self.client_a, purpose="measure")
        self.assertEqual(
            (schedule.rule["hours_before"], schedule.rule["measures"]), (12, ["phq-9"])
        )
        self.assertEqual(Prompt.objects.filter(schedule=schedule).count(), 1)


class DueMeasuresTests(BeforeSessionTestCase):
    """Which questionnaires are due is the therapist's choice per client."""

    def fill_in(self, slug: str) -> None:
        count = {"phq-9": 9, "gad-7": 7}[slug]
        answers = {f"item-{n}": "0" for n in range(1, count + 1)}
        self.assertEqual(self.client.post(f"/me/measures/{slug}/", answers).status_code, 302)

    def test_today_lists_only_the_questionnaires_set_for_this_client(self) -> None:
        self.book(0.5)
        self.before_sessions(measures=["gad-7"])
        self.sign_in(self.client_a)
        today = self.client.get("/me/")
        self.assertContains(today, 'href="/me/measures/gad-7/"')
        self.assertNotContains(today, 'href="/me/measures/phq-9/"')
        self.sign_in(self.client_b)  # nothing set for this client
        self.assertNotContains(self.client.get("/me/"), "/me/measures/")

    def test_a_questionnaire_filled_in_since_the_last_session_is_no_longer_due(self) -> None:
        self.book(-7)
        self.book(0.5)
        self.before_sessions(measures=["gad-7", "phq-9"])
        self.sign_in(self.client_a)
        self.fill_in("gad-7")
        today = self.client.get("/me/")
        self.assertNotContains(today, 'href="/me/measures/gad-7/"')
        self.assertContains(today, 'href="/me/measures/phq-9/"')

    def test_today_lists_them_from_the_time_set_before_the_next_session(self) -> None:
        self.book(2)
        self.before_sessions(measures=["gad-7"], hours_before=36)
        self.sign_in(self.client_a)
        self.assertNotContains(self.client.get("/me/"), "/me/measures/")  # 48 hours ahead
        self.client_a.sessions.update(  # the session comes closer
            starts_at=timezone.now() + timedelta(hours=30)
        )
        self.assertContains(self.client.get("/me/"), 'href="/me/measures/gad-7/"')
        self.client_a.sessions.all().delete()  # nothing booked: nothing to prepare for
        self.assertNotContains(self.client.get("/me/"), "/me/measures/")

    def test_while_the_reminder_waits_today_links_the_questionnaires_once(self) -> None:
        self.book(1.5)
        prompt = self.make_due(self.before_sessions(measures=["gad-7"]))[0]
        self.assertEqual(Worker(name="w1").step(), 1)
        self.sign_in(self.client_a)
        today = self.client.get("/me/")
        self.assertContains(today, f'href="/me/prompts/{prompt.pk}/"')
        self.assertNotContains(today, 'href="/me/measures/gad-7/"')

    def test_the_reminder_skips_a_questionnaire_already_filled_in(self) -> None:
        self.book(1.5)
        prompt = self.make_due(self.before_sessions(measures=["gad-7", "phq-9"]))[0]
        self.sign_in(self.client_a)
        self.fill_in("gad-7")
        response = self.client.get(f"/me/prompts/{prompt.pk}/")
        self.assertRedirects(
            response, f"/me/measures/phq-9/?prompt={prompt.pk}", fetch_redirect_response=False
        )
        phq = {f"item-{n}": "0" for n in range(1, 10)} | {"prompt": str(prompt.pk)}
        self.assertRedirects(
            self.client.post("/me/measures/phq-9/", phq), "/me/", fetch_redirect_response=False
        )
        self.assertEqual(Prompt.objects.get(pk=prompt.pk).state, Prompt.State.ANSWERED)

    def test_a_walk_started_in_the_middle_ends_when_nothing_is_left(self) -> None:
        self.book(1.5)
        prompt = self.make_due(self.before_sessions(measures=["gad-7", "phq-9"]))[0]
        self.sign_in(self.client_a)
        self.fill_in("phq-9")
        gad = {f"item-{n}": "0" for n in range(1, 8)} | {"prompt": str(prompt.pk)}
        self.assertRedirects(
            self.client.post("/me/measures/gad-7/", gad), "/me/", fetch_redirect_response=False
        )
        self.assertEqual(Prompt.objects.get(pk=prompt.pk).state, Prompt.State.ANSWERED)

    def test_a_reminder_whose_questionnaires_are_all_filled_in_closes_on_opening(self) -> None:
        self.book(1.5)
        prompt = self.make_due(self.before_sessions(measures=["gad-7", "phq-9"]))[0]
        self.sign_in(self.client_a)
        self.fill_in("gad-7")
        self.fill_in("phq-9")
        response = self.client.get(f"/me/prompts/{prompt.pk}/")
        self.assertRedirects(response, "/me/", fetch_redirect_response=False)
        self.assertEqual(Prompt.objects.get(pk=prompt.pk).state, Prompt.State.ANSWERED)
        self.assertEqual(Response.objects.filter(client=self.client_a).count(), 2)

    def test_a_retired_questionnaire_is_left_out_of_the_walk(self) -> None:
        self.book(1.5)
        prompt = self.make_due(self.before_sessions(measures=["gad-7", "phq-9"]))[0]
        Instrument.objects.filter(slug="phq-9").update(retired_at=timezone.now())
        self.sign_in(self.client_a)
        gad = {f"item-{n}": "0" for n in range(1, 8)} | {"prompt": str(prompt.pk)}
        self.assertRedirects(
            self.client.post("/me/measures/gad-7/", gad), "/me/", fetch_redirect_response=False
        )
        self.assertEqual(Prompt.objects.get(pk=prompt.pk).state, Prompt.State.ANSWERED)

    def test_during_the_session_the_answers_from_before_it_still_count(self) -> None:
        self.book(-7)
        self.book(-0.02)  # began half an hour ago
        self.before_sessions(measures=["gad-7", "phq-9"])
        self.sign_in(self.client_a)
        self.fill_in("gad-7")  # filled in…
        Response.objects.update(completed_at=timezone.now() - timedelta(hours=12))  # …last night
        self.sign_in(self.therapist_a)
        agenda = self.client.get(f"/clients/{self.client_a.pk}/agenda/").content.decode()
        not_yet = agenda[agenda.index("Not filled in since the last session") :]
        not_yet = not_yet[: not_yet.index("</p>")]
        self.assertIn("PHQ-9", not_yet)
        self.assertNotIn("GAD-7", not_yet)
