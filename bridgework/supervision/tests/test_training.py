"""Training with scenarios: assigning one, starting and finishing attempts (role-plays on a
training client), and who may do each."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any
from unittest import mock

from django.utils import timezone

from bridgework.accounts.models import Supervision, User
from bridgework.audit.models import AccessEvent
from bridgework.care import actions as care_actions
from bridgework.care.models import Client, TherapySession
from bridgework.plans.actions import TransitionRefused
from bridgework.plans.models import ActionPlan, Status
from bridgework.practice.models import PracticeLog
from bridgework.supervision import scenarios, training
from bridgework.supervision.models import Assignment, RolePlay
from bridgework.test import BaseTestCase, make_staff

WITH_SETUP = "one-junction-then-the-lay-by"  # an earlier plan, practice "partly"
WITHOUT_SETUP = "about-a-three"


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Client, TherapySession, ActionPlan, PracticeLog, RolePlay, Assignment)
    }


class TrainingCase(BaseTestCase):
    def assignment(self, slug: str = WITH_SETUP, trainee: User | None = None) -> Assignment:
        scenario = scenarios.get(slug)
        assert scenario is not None
        return training.assign(
            scenario=scenario, trainee=trainee or self.therapist_a, by=self.supervisor
        )

    def start(self, assignment: Assignment) -> RolePlay:
        self.sign_in(assignment.trainee)
        response = self.client.post(f"/training/assignments/{assignment.pk}/attempts/")
        self.assertEqual(response.status_code, 302)
        return RolePlay.objects.filter(assignment=assignment).order_by("-number").first()  # type: ignore[return-value]


class AssigningTests(TrainingCase):
    def test_a_supervisor_assigns_a_scenario_to_a_supervisee_with_a_note(self) -> None:
        self.sign_in(self.supervisor)
        response = self.client.post(
            f"/supervision/scenarios/{WITH_SETUP}/assign/",
            {"trainee": self.therapist_a.pk, "note": "Try it twice this month."},
        )
        assignment = Assignment.objects.get()
        self.assertRedirects(
            response, f"/training/assignments/{assignment.pk}/", fetch_redirect_response=False
        )
        self.assertEqual(
            (assignment.scenario, assignment.trainee, assignment.assigned_by, assignment.note),
            (WITH_SETUP, self.therapist_a, self.supervisor, "Try it twice this month."),
        )
        event = AccessEvent.objects.get(object_type="scenario-assignment", action="create")
        self.assertEqual(event.actor_id, self.supervisor.pk)
        self.assertEqual(event.changes["values"]["scenario"], [None, WITH_SETUP])

    def test_a_supervisor_cannot_assign_to_a_therapist_they_do_not_supervise(self) -> None:
        self.sign_in(self.supervisor)
        for trainee in (self.therapist_b, self.other_therapist, self.supervisor):
            with self.subTest(trainee=str(trainee)):
                response = self.client.post(
                    f"/supervision/scenarios/{WITH_SETUP}/assign/", {"trainee": trainee.pk}
                )
                self.assertContains(
                    response, "Choose one of the therapists you supervise.", status_code=400
                )
        self.assertFalse(Assignment.objects.exists())

    def test_the_action_refuses_a_therapist_not_supervised_whoever_calls_it(self) -> None:
        scenario = scenarios.get(WITH_SETUP)
        assert scenario is not None
        with self.assertRaises(training.TrainingRefused):
            training.assign(scenario=scenario, trainee=self.therapist_b, by=self.supervisor)
        with self.assertRaises(training.TrainingRefused):
            training.assign(scenario=scenario, trainee=self.therapist_b, by=self.therapist_a)
        self.assertFalse(Assignment.objects.exists())

    def test_only_supervisors_reach_the_library_and_an_unknown_scenario_is_404(self) -> None:
        for person in (self.therapist_a, self.admin, self.researcher, self.client_a):
            with self.subTest(person=str(person)):
                self.sign_in(person)
                self.assertEqual(self.client.get("/supervision/scenarios/").status_code, 404)
                response = self.client.post(
                    f"/supervision/scenarios/{WITH_SETUP}/assign/", {"trainee": self.therapist_a.pk}
                )
                self.assertEqual(response.status_code, 404)
        self.sign_in(self.supervisor)
        self.assertEqual(self.client.get("/supervision/scenarios/no-such-thing/").status_code, 404)
        self.assertFalse(Assignment.objects.exists())

    def test_the_library_filters_by_item_and_approach_and_lists_the_assignments(self) -> None:
        self.assignment()
        self.sign_in(self.supervisor)
        page = self.client.get("/supervision/scenarios/?item=framing&approach=psychodynamic")
        self.assertContains(page, "Three examples for you")
        self.assertNotContains(page, "About a three")
        self.assertContains(page, "One junction, then the lay-by")  # in the assignments table
        self.assertContains(
            page, f'<a href="/training/assignments/{Assignment.objects.get().pk}/">'
        )
        everything = self.client.get("/supervision/scenarios/?item=nonsense")
        self.assertContains(everything, "About a three")

    def test_a_scenario_page_shows_it_in_full_and_offers_only_supervisees(self) -> None:
        self.sign_in(self.supervisor)
        page = self.client.get(f"/supervision/scenarios/{WITH_SETUP}/")
        self.assertContains(page, "A grown man who can&#x27;t drive three junctions.")
        self.assertContains(page, "What good work looks like")
        self.assertContains(page, "Responding to non-completion as information")
        self.assertContains(page, f'<option value="{self.therapist_a.pk}">')
        self.assertNotContains(page, f'<option value="{self.therapist_b.pk}">')

    def test_a_supervisor_of_the_trainee_closes_the_assignment_once(self) -> None:
        assignment = self.assignment()
        for person in (self.therapist_a, self.therapist_b, self.other_admin):
            with self.subTest(person=str(person)):
                self.sign_in(person)
                url = f"/supervision/assignments/{assignment.pk}/close/"
                self.assertEqual(self.client.post(url).status_code, 404)
        self.sign_in(self.supervisor)
        self.client.post(f"/supervision/assignments/{assignment.pk}/close/")
        assignment.refresh_from_db()
        self.assertIsNotNone(assignment.closed_at)
        again = self.client.post(f"/supervision/assignments/{assignment.pk}/close/", follow=True)
        self.assertContains(again, "This assignment is closed already.")

    def test_closing_is_refused_to_anyone_not_supervising_the_trainee_now(self) -> None:
        assignment = self.assignment()
        second_supervisor = make_staff(self.clinic, "second_supervisor", "supervisor")
        for person in (self.therapist_a, self.therapist_b, second_supervisor, self.other_admin):
            with (
                self.subTest(person=str(person)),
                self.assertRaises(training.TrainingRefused) as no,
            ):
                training.close(assignment, by=person)
            self.assertEqual(
                str(no.exception), "You can close assignments only of therapists you supervise."
            )
        # The supervision ended after the page was opened: the action checks again.
        Supervision.objects.filter(supervisor=self.supervisor).delete()
        with self.assertRaises(training.TrainingRefused):
            training.close(assignment, by=self.supervisor)
        assignment.refresh_from_db()
        self.assertIsNone(assignment.closed_at)
        self.assertFalse(
            AccessEvent.objects.filter(object_type="scenario-assignment", action="change")
            .exclude(changes={})
            .exists()
        )


class AttemptTests(TrainingCase):
    def test_an_attempt_makes_a_training_client_with_the_earlier_plan_to_review(self) -> None:
        assignment = self.assignment()
        self.sign_in(self.therapist_a)
        before = timezone.now()
        response = self.client.post(f"/training/assignments/{assignment.pk}/attempts/")
        role_play = RolePlay.objects.get()
        client = role_play.client
        self.assertRedirects(
            response, f"/clients/{client.pk}/agenda/", fetch_redirect_response=False
        )
        self.assertTrue(client.is_training)
        self.assertIsNone(client.user)
        self.assertEqual(client.full_name, "Role-play: One junction, then the lay-by · attempt 1")
        self.assertEqual(role_play.client, role_play.session.client)
        self.assertEqual(list(client.care_team.all()), [self.therapist_a])
        earlier, now = client.sessions.order_by("starts_at")
        self.assertEqual((earlier.number, now.number), (1, 2))
        self.assertEqual(role_play.session, now)
        self.assertGreaterEqual(now.starts_at, before)
        self.assertAlmostEqual(
            (now.starts_at - earlier.starts_at).total_seconds(),
            timedelta(days=7).total_seconds(),
            delta=5,
        )
        plan = client.plans.get()
        self.assertEqual(plan.title, "Three junctions on Saturday")
        self.assertEqual(plan.status, Status.ACTIVE)
        self.assertEqual(
            (plan.set_in_session, plan.review_session, plan.approach), (earlier, now, "cbt")
        )
        self.assertEqual(plan.obstacles.get().description, "Panic when lorries overtake")
        self.assertEqual(
            [goal.text for goal in plan.goals.all()],
            ["Drive on the motorway again so I can do my job without the detours"],
        )
        log = client.practice_logs.get()
        self.assertEqual(
            (log.plan, log.outcome, log.note), (plan, "partly", "One junction. Had to stop.")
        )
        self.assertTrue(earlier.starts_at < log.practiced_at < now.starts_at)

    def test_practice_done_every_day_is_logged_once_a_day_between_the_sessions(self) -> None:
        client = self.start(self.assignment("all-done-and-nothing-felt")).client
        earlier, now = client.sessions.order_by("starts_at")
        logs = client.practice_logs.order_by("practiced_at")
        self.assertEqual([log.outcome for log in logs], ["done"] * 6)
        self.assertEqual(
            [log.practiced_at - earlier.starts_at for log in logs],
            [timedelta(days=day) for day in range(1, 7)],
        )
        self.assertLess(logs.last().practiced_at, now.starts_at)  # type: ignore[union-attr]
        self.assertEqual(
            [log.note for log in logs][-2:], ["", "Did everything as planned. Nothing changed."]
        )

    def test_a_plan_with_nothing_logged_leaves_the_practice_log_empty(self) -> None:
        client = self.start(self.assignment("the-walks-that-did-not-happen")).client
        self.assertEqual(client.plans.get().status, Status.ACTIVE)
        self.assertFalse(client.practice_logs.exists())

    def test_every_part_of_an_attempt_is_audited_as_the_trainees(self) -> None:
        assignment = self.assignment()
        role_play = self.start(assignment)
        made = AccessEvent.objects.filter(action="create", client_id=role_play.client_id)
        self.assertEqual(
            {event.object_type for event in made},
            {"client", "session", "goal", "plan", "practice-log", "role-play"},
        )
        self.assertEqual({event.actor_id for event in made}, {self.therapist_a.pk})

    def test_attempts_are_numbered_one_two_each_on_its_own_training_client(self) -> None:
        assignment = self.assignment()
        first = self.start(assignment)
        training.finish_attempt(first, by=self.therapist_a)
        second = self.start(assignment)
        self.assertEqual((first.number, second.number), (1, 2))
        self.assertNotEqual(first.client, second.client)
        self.assertTrue(second.client.full_name.endswith("attempt 2"))
        other = self.start(self.assignment(WITHOUT_SETUP))
        self.assertEqual(other.number, 1)

    def test_a_second_start_while_the_last_attempt_is_unfinished_makes_nothing(self) -> None:
        # A double click, a second tab: the second POST finds attempt 1 still going.
        assignment = self.assignment()
        first = self.start(assignment)
        before = counts()
        url = f"/training/assignments/{assignment.pk}/attempts/"
        response = self.client.post(url, follow=True)
        self.assertEqual(
            response.redirect_chain, [(f"/training/assignments/{assignment.pk}/", 302)]
        )
        self.assertContains(response, "Finish attempt 1 first")
        self.assertContains(response, f'action="/training/attempts/{first.pk}/finish/"')
        self.assertEqual(counts(), before)
        self.assertEqual(
            AccessEvent.objects.filter(object_type="role-play", action="create").count(), 1
        )

    def test_the_action_refuses_a_new_attempt_until_the_last_is_finished(self) -> None:
        assignment = self.assignment()
        first = training.start_attempt(assignment, by=self.therapist_a)
        before = counts()
        with self.assertRaises(training.TrainingRefused) as refused:
            training.start_attempt(assignment, by=self.therapist_a)
        self.assertIn("Finish attempt 1 first", str(refused.exception))
        self.assertEqual(counts(), before)
        training.finish_attempt(first, by=self.therapist_a)
        self.assertEqual(training.start_attempt(assignment, by=self.therapist_a).number, 2)

    def test_an_unfinished_attempt_is_offered_to_continue_or_finish_not_a_new_one(self) -> None:
        assignment = self.assignment()
        first = self.start(assignment)
        for url in (f"/training/assignments/{assignment.pk}/", "/training/"):
            with self.subTest(url=url):
                page = self.client.get(url)
                self.assertContains(page, "Continue attempt 1")
                self.assertContains(page, f'<a class="button" href="/clients/{first.client_id}/">')
                self.assertContains(page, "Finish attempt 1")
                self.assertNotContains(page, "Start an attempt")
        training.finish_attempt(first, by=self.therapist_a)
        for url in (f"/training/assignments/{assignment.pk}/", "/training/"):
            with self.subTest(url=url, finished=True):
                page = self.client.get(url)
                self.assertContains(page, "Start an attempt")
                self.assertNotContains(page, "Continue attempt 1")

    def test_a_long_title_is_shortened_so_the_training_clients_name_fits(self) -> None:
        assignment = self.assignment(WITHOUT_SETUP)
        real = scenarios.get(WITHOUT_SETUP)
        assert real is not None
        long = {WITHOUT_SETUP: replace(real, title="A very long title " * 10)}
        with mock.patch.dict(scenarios.library(), long):
            role_play = training.start_attempt(assignment, by=self.therapist_a)
        name = role_play.client.full_name
        self.assertEqual(len(name), 120)
        self.assertTrue(name.startswith("Role-play: A very long title A very"), name)
        self.assertTrue(name.endswith("… · attempt 1"), name)
        short = training.client_name(real, 12)
        self.assertEqual(short, "Role-play: About a three · attempt 12")

    def test_a_role_play_is_never_made_on_a_session_of_another_client(self) -> None:
        assignment = self.assignment(WITHOUT_SETUP)
        real_add_session = care_actions.add_session

        def elsewhere(client: Client, **kwargs: Any) -> TherapySession:
            return real_add_session(self.client_a, **kwargs)

        before = counts()
        with (
            mock.patch.object(care_actions, "add_session", elsewhere),
            self.assertRaises(ValueError),
        ):
            training.start_attempt(assignment, by=self.therapist_a)
        self.assertEqual(counts(), before)

    def test_a_scenario_without_an_earlier_plan_opens_the_template_picker(self) -> None:
        assignment = self.assignment(WITHOUT_SETUP)
        self.sign_in(self.therapist_a)
        response = self.client.post(f"/training/assignments/{assignment.pk}/attempts/")
        client = RolePlay.objects.get().client
        self.assertRedirects(
            response, f"/clients/{client.pk}/plans/new/", fetch_redirect_response=False
        )
        self.assertEqual(client.sessions.count(), 1)
        self.assertFalse(client.plans.exists())
        self.assertEqual(self.client.get(f"/clients/{client.pk}/plans/new/").status_code, 200)

    def test_someone_not_assigned_cannot_start_an_attempt_and_nothing_is_made(self) -> None:
        assignment = self.assignment()
        second_supervisor = make_staff(self.clinic, "second_supervisor", "supervisor", "therapist")
        before = counts()
        for person in (
            self.therapist_b,
            self.supervisor,
            second_supervisor,
            self.admin,
            self.other_therapist,
            self.client_a,
        ):
            with self.subTest(person=str(person)):
                self.sign_in(person)
                url = f"/training/assignments/{assignment.pk}/attempts/"
                self.assertEqual(self.client.post(url).status_code, 404)
        self.assertEqual(counts(), before)
        refused = AccessEvent.objects.filter(object_type="scenario-assignment", allowed=False)
        self.assertEqual(refused.count(), 6)

    def test_the_action_itself_refuses_anyone_but_the_trainee(self) -> None:
        assignment = self.assignment()
        before = counts()
        with self.assertRaises(training.TrainingRefused):
            training.start_attempt(assignment, by=self.therapist_b)
        self.assertEqual(counts(), before)

    def test_a_closed_assignment_refuses_a_new_attempt_with_a_message(self) -> None:
        assignment = self.assignment()
        training.close(assignment, by=self.supervisor)
        before = counts()
        self.sign_in(self.therapist_a)
        response = self.client.post(f"/training/assignments/{assignment.pk}/attempts/", follow=True)
        # The trainee reads why on the assignment's own page (outsiders get the door's 404).
        self.assertEqual(
            response.redirect_chain, [(f"/training/assignments/{assignment.pk}/", 302)]
        )
        self.assertContains(
            response, "This assignment was closed, so no new attempt can be started."
        )
        self.assertNotContains(response, "Start an attempt")
        self.assertEqual(counts(), before)

    def test_a_trainee_without_the_therapist_role_reads_why_on_the_assignment_page(self) -> None:
        assignment = self.assignment()
        User.objects.filter(pk=self.therapist_a.pk).update(is_therapist=False)
        before = counts()
        self.sign_in(self.therapist_a)
        response = self.client.post(f"/training/assignments/{assignment.pk}/attempts/", follow=True)
        self.assertEqual(
            response.redirect_chain, [(f"/training/assignments/{assignment.pk}/", 302)]
        )
        self.assertContains(response, "Practising needs the therapist role")
        self.assertEqual(counts(), before)

    def test_a_failure_half_way_leaves_nothing_behind(self) -> None:
        assignment = self.assignment()
        before = counts()
        # A plan that cannot be agreed (nothing to do) fails after the client, its sessions
        # and the draft are made: the whole attempt goes with it.
        real = scenarios.get(WITH_SETUP)
        assert real is not None and real.setup is not None
        unagreeable = replace(real.setup, plan={**real.setup.plan, "what": ""})
        broken = {WITH_SETUP: replace(real, setup=unagreeable)}
        with mock.patch.dict(scenarios.library(), broken), self.assertRaises(TransitionRefused):
            training.start_attempt(assignment, by=self.therapist_a)
        self.assertEqual(counts(), before)
        self.assertIs(scenarios.get(WITH_SETUP), real)

    def test_the_trainee_finishes_their_own_attempt_once(self) -> None:
        role_play = self.start(self.assignment())
        url = f"/training/attempts/{role_play.pk}/finish/"
        for person in (self.supervisor, self.therapist_b, self.other_therapist):
            with self.subTest(person=str(person)):
                self.sign_in(person)
                self.assertEqual(self.client.post(url).status_code, 404)
        role_play.refresh_from_db()
        self.assertIsNone(role_play.finished_at)
        self.sign_in(self.therapist_a)
        self.client.post(url)
        role_play.refresh_from_db()
        self.assertIsNotNone(role_play.finished_at)
        events = AccessEvent.objects.filter(object_type="role-play", action="change")
        (event,) = [event for event in events if event.changes]  # the door's event has none
        self.assertEqual(event.actor_id, self.therapist_a.pk)
        self.assertEqual(event.changes["values"]["finished_at"][0], None)
        again = self.client.post(url, follow=True)
        self.assertContains(again, "This attempt is finished already.")


class TrainingClientTests(TrainingCase):
    def test_training_clients_stay_off_the_caseload_and_the_roster(self) -> None:
        client = self.start(self.assignment()).client
        for person in (self.therapist_a, self.supervisor):
            with self.subTest(person=str(person)):
                self.sign_in(person)
                caseload = self.client.get("/clients/")
                self.assertContains(caseload, self.client_a.full_name)
                self.assertNotContains(caseload, "Role-play")
                self.assertNotContains(caseload, f"/clients/{client.pk}/")
        self.sign_in(self.admin)
        roster = self.client.get("/clinic/clients/")
        self.assertContains(roster, self.client_a.full_name)
        self.assertNotContains(roster, "Role-play")

    def test_a_real_clients_agenda_shows_nothing_of_the_role_play(self) -> None:
        self.start(self.assignment())
        self.sign_in(self.therapist_a)
        agenda = self.client.get(f"/clients/{self.client_a.pk}/agenda/")
        self.assertEqual(agenda.status_code, 200)
        self.assertNotContains(agenda, "Three junctions on Saturday")
        self.assertNotContains(agenda, "training client")

    def test_the_trainee_and_their_supervisor_open_the_training_client_and_no_one_else(
        self,
    ) -> None:
        client = self.start(self.assignment()).client
        for person, status in (
            (self.therapist_a, 200),
            (self.supervisor, 200),
            (self.therapist_b, 404),
            (self.admin, 404),
            (self.other_therapist, 404),
        ):
            for url in (f"/clients/{client.pk}/", f"/clients/{client.pk}/agenda/"):
                with self.subTest(person=str(person), url=url):
                    self.sign_in(person)
                    response = self.client.get(url)
                    self.assertEqual(response.status_code, status)
                    if status == 200:
                        self.assertContains(response, "A training client for a role-play")
        self.sign_in(self.therapist_a)
        agenda = self.client.get(f"/clients/{client.pk}/agenda/")
        self.assertContains(agenda, "Three junctions on Saturday")
        self.assertContains(agenda, "Review together")

    def test_the_training_page_lists_the_trainees_assignments_and_attempts(self) -> None:
        assignment = self.assignment()
        role_play = self.start(assignment)
        other = self.assignment(WITHOUT_SETUP, trainee=self.therapist_a)
        page = self.client.get("/training/")
        self.assertContains(page, "One junction, then the lay-by")
        self.assertContains(page, "About a three")
        self.assertContains(page, f'<a href="/clients/{role_play.client_id}/">')
        self.assertContains(page, f'action="/training/attempts/{role_play.pk}/finish/"')
        self.assertContains(page, f'action="/training/assignments/{other.pk}/attempts/"')
        self.sign_in(self.therapist_b)
        self.assertNotContains(self.client.get("/training/"), "One junction")

    def test_the_trainee_uses_the_real_review_page_and_plan_editor_on_it(self) -> None:
        client = self.start(self.assignment()).client
        plan = client.plans.get()
        self.assertEqual(self.client.get(f"/plans/{plan.pk}/review/").status_code, 200)
        response = self.client.post(
            f"/clients/{client.pk}/plans/new/", {"template": "slow-breathing"}
        )
        new_plan = client.plans.exclude(pk=plan.pk).get()
        self.assertRedirects(response, f"/plans/{new_plan.pk}/edit/", fetch_redirect_response=False)
        self.assertEqual(new_plan.set_in_session, RolePlay.objects.get().session)
        self.assertEqual(self.client.get(f"/plans/{new_plan.pk}/edit/").status_code, 200)
