from __future__ import annotations

from datetime import UTC, datetime

from bridgework.care import actions
from bridgework.care.models import Consent
from bridgework.test import BaseTestCase


class SessionTests(BaseTestCase):
    def test_a_therapist_adds_a_session_and_it_is_numbered_in_turn(self) -> None:
        self.sign_in(self.therapist_a)
        for day in ("2026-11-03T10:00", "2026-11-10T10:00"):
            response = self.client.post(
                f"/clients/{self.client_a.pk}/sessions/new/",
                {"starts_at": day, "therapist": self.therapist_a.pk, "takeaway": "Go slowly."},
            )
            self.assertRedirects(
                response, f"/clients/{self.client_a.pk}/", fetch_redirect_response=False
            )
        numbers = list(self.client_a.sessions.values_list("number", flat=True))
        self.assertEqual(numbers, [1, 2])
        page = self.client.get(f"/clients/{self.client_a.pk}/")
        self.assertContains(page, "Session 2")
        self.assertContains(page, "“Go slowly.”")

    def test_session_times_are_read_in_the_clinics_time_zone(self) -> None:
        self.sign_in(self.therapist_a)
        self.client.post(
            f"/clients/{self.client_a.pk}/sessions/new/",
            {"starts_at": "2026-07-01T10:00", "therapist": self.therapist_a.pk},
        )
        session = self.client_a.sessions.get()
        self.assertEqual(session.starts_at.isoformat(), "2026-07-01T09:00:00+00:00")  # BST

    def test_a_bad_date_says_what_is_expected_and_saves_nothing(self) -> None:
        self.sign_in(self.therapist_a)
        response = self.client.post(
            f"/clients/{self.client_a.pk}/sessions/new/",
            {"starts_at": "next tuesday", "therapist": self.therapist_a.pk},
        )
        self.assertContains(response, "Enter a date and time like 2026-11-24 14:00")
        self.assertFalse(self.client_a.sessions.exists())

    def test_only_the_care_teams_therapists_can_run_the_session(self) -> None:
        self.sign_in(self.therapist_a)
        response = self.client.post(
            f"/clients/{self.client_a.pk}/sessions/new/",
            {"starts_at": "2026-11-03T10:00", "therapist": self.therapist_b.pk},
        )
        self.assertContains(response, "Select a valid choice")
        self.assertFalse(self.client_a.sessions.exists())

    def test_the_takeaway_is_added_after_the_session(self) -> None:
        session = actions.add_session(
            self.client_a,
            therapist=self.therapist_a,
            by=self.therapist_a,
            starts_at=datetime(2026, 11, 3, 10, tzinfo=UTC),
        )
        self.sign_in(self.therapist_a)
        self.client.post(
            f"/sessions/{session.pk}/",
            {"starts_at": "2026-11-03T10:00", "takeaway": "Fear comes down."},
        )
        session.refresh_from_db()
        self.assertEqual(session.takeaway, "Fear comes down.")


class GoalTests(BaseTestCase):
    def test_a_therapist_writes_a_goal_in_the_clients_words(self) -> None:
        self.sign_in(self.therapist_a)
        self.client.post(f"/clients/{self.client_a.pk}/goals/", {"text": "  Swim again  "})
        self.assertEqual(list(self.client_a.goals.values_list("text", flat=True)), ["Swim again"])

    def test_an_empty_goal_is_refused_with_a_message(self) -> None:
        self.sign_in(self.therapist_a)
        response = self.client.post(
            f"/clients/{self.client_a.pk}/goals/", {"text": ""}, follow=True
        )
        self.assertContains(response, "Write the goal as the client put it.")
        self.assertFalse(self.client_a.goals.exists())

    def test_a_supervisor_reads_but_does_not_write(self) -> None:
        self.sign_in(self.supervisor)
        self.assertEqual(self.client.get(f"/clients/{self.client_a.pk}/").status_code, 200)
        response = self.client.post(f"/clients/{self.client_a.pk}/goals/", {"text": "Mine"})
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self.client_a.goals.exists())

    def test_the_client_sees_their_open_goals_at_home(self) -> None:
        actions.add_goal(self.client_a, text="Take the bus", by=self.therapist_a)
        self.sign_in(self.client_a)
        self.assertContains(self.client.get("/me/"), "“Take the bus”")


class ConsentTests(BaseTestCase):
    def test_a_client_gives_and_withdraws_consent_and_the_history_stays(self) -> None:
        self.sign_in(self.client_a)
        self.client.post("/me/consents/", {"purpose": "reminders-email", "given": "yes"})
        self.client.post("/me/consents/", {"purpose": "reminders-email", "given": "yes"})
        self.assertEqual(actions.consents_given(self.client_a), {"reminders-email"})
        self.client.post("/me/consents/", {"purpose": "reminders-email", "given": "no"})
        self.assertEqual(actions.consents_given(self.client_a), set())
        grant = Consent.objects.get(client=self.client_a)
        self.assertIsNotNone(grant.withdrawn_at)
        self.assertEqual((grant.given_by, grant.withdrawn_by), (self.client_a.user,) * 2)

    def test_an_unknown_purpose_changes_nothing(self) -> None:
        self.sign_in(self.client_a)
        response = self.client.post("/me/consents/", {"purpose": "selling", "given": "yes"})
        self.assertContains(response, "could not be saved")
        self.assertFalse(Consent.objects.exists())

    def test_the_therapist_sees_the_clients_current_consents(self) -> None:
        actions.set_consent(self.client_a, "research", True, by=self.client_a.user)  # type: ignore[arg-type]
        self.sign_in(self.therapist_a)
        page = self.client.get(f"/clients/{self.client_a.pk}/")
        self.assertContains(page, "Research use of my pseudonymised data: <strong>yes</strong>")
