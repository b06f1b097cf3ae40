"""The flag history: acknowledged flags stay readable, for clinicians only."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bridgework.measures import actions
from bridgework.measures.models import Flag
from bridgework.prompts.worker import Worker
from bridgework.test import BaseTestCase


class FlagHistoryTests(BaseTestCase):
    def flag(self, text: str, days_ago: int = 0) -> Flag:
        flag = actions.raise_flag(self.client_a, Flag.Kind.SILENCE, text)
        Flag.objects.filter(pk=flag.pk).update(raised_at=timezone.now() - timedelta(days=days_ago))
        return flag

    def test_an_acknowledged_flag_leaves_the_client_page_but_stays_in_the_history(self) -> None:
        flag = self.flag("No reminder answered for 5 days or more.", days_ago=2)
        self.sign_in(self.therapist_a)
        self.client.post(f"/flags/{flag.pk}/acknowledge/", {"note": "Rang her; new job"})
        page = self.client.get(f"/clients/{self.client_a.pk}/")
        self.assertNotContains(page, "No reminder answered for 5 days")
        self.assertContains(page, f'href="/clients/{self.client_a.pk}/flags/"')
        history = self.client.get(f"/clients/{self.client_a.pk}/flags/")
        self.assertContains(history, "No reminders answered")  # the kind
        self.assertContains(history, "No reminder answered for 5 days or more.")
        self.assertContains(history, f'by {self.therapist_a.full_name}, <time datetime="')
        self.assertContains(history, "Rang her; new job")

    def test_open_flags_are_in_the_history_too_marked_open(self) -> None:
        self.flag("Still waiting")
        self.sign_in(self.supervisor)
        history = self.client.get(f"/clients/{self.client_a.pk}/flags/")
        self.assertContains(history, "Still waiting")
        self.assertContains(history, '<span class="badge warn">open</span>', html=True)

    def test_the_history_is_paged_newest_first(self) -> None:
        for n in range(27):
            self.flag(f"Flag number {n:02d}.", days_ago=n)
        self.sign_in(self.therapist_a)
        first = self.client.get(f"/clients/{self.client_a.pk}/flags/").content.decode()
        self.assertIn("Flag number 00.", first)
        self.assertIn("Flag number 24.", first)
        self.assertNotIn("Flag number 25.", first)
        self.assertIn("Page 1 of 2", first)
        second = self.client.get(f"/clients/{self.client_a.pk}/flags/?page=2").content.decode()
        self.assertIn("Flag number 26.", second)
        self.assertNotIn("Flag number 24.", second)
        beyond = self.client.get(f"/clients/{self.client_a.pk}/flags/?page=nine")
        self.assertContains(beyond, "Flag number 00.")  # a page that is not a number: the first

    def test_the_client_never_sees_the_history(self) -> None:
        flag = self.flag("Only for the care team")
        actions.acknowledge(flag, by=self.therapist_a, note="A note for colleagues")
        self.sign_in(self.client_a)
        self.assertEqual(self.client.get(f"/clients/{self.client_a.pk}/flags/").status_code, 404)
        for url in ("/me/", "/me/history/", "/me/progress/"):
            self.assertNotContains(self.client.get(url), "A note for colleagues")

    def test_who_was_told_stays_in_the_history_once_the_flag_is_acknowledged(self) -> None:
        risk = actions.raise_flag(self.client_a, Flag.Kind.RISK, "Item 9 above zero")
        Worker(name="w1").step()  # the care team is told (the test mail box keeps it)
        self.sign_in(self.therapist_a)
        self.client.post(f"/flags/{risk.pk}/acknowledge/", {"note": "Called; safety plan."})
        self.flag("No reminder answered for 5 days or more.")
        history = self.client.get(f"/clients/{self.client_a.pk}/flags/").content.decode()
        row = history[history.index(f'id="flag-{risk.pk}"') :]
        row = row[: row.index("</tr>")]
        self.assertIn("Care team told", row)
        self.assertIn("Duty contact not told: acknowledged before it was sent.", row)
        self.assertIn(f"reference F-{risk.pk}", row)
        self.assertIn("nobody: it waited on the client page", history)  # the silence flag

    def test_the_history_costs_the_same_queries_for_one_flag_as_for_a_full_page(self) -> None:
        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                page = self.client.get(f"/clients/{self.client_a.pk}/flags/")
            self.assertEqual(page.status_code, 200)
            return len(captured)

        actions.raise_flag(self.client_a, Flag.Kind.RISK, "Item 9 above zero")
        self.sign_in(self.therapist_a)
        queries()  # the first request after signing in also saves the session
        one = queries()
        for n in range(30):
            flag = actions.raise_flag(self.client_a, Flag.Kind.RISK, f"Risk number {n}")
            actions.acknowledge(flag, by=self.therapist_a, note="Seen")
        self.assertEqual(queries(), one)
