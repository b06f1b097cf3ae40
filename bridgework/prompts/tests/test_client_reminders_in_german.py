"""A German client adding a reminder of their own reads why one is refused in German."""

from __future__ import annotations

from typing import Any

from bridgework.prompts.models import Schedule
from bridgework.prompts.tests.test_designed_reminders import EVERY_DAY, agreed_without_reminders
from bridgework.test import BaseTestCase, user_of


class GermanClientReminderTests(BaseTestCase):
    def setUp(self) -> None:
        self.plan = agreed_without_reminders(self.client_a, self.therapist_a, "Walk after lunch")
        client_user = user_of(self.client_a)
        client_user.language = "de"
        client_user.save(update_fields=["language"])
        self.sign_in(self.client_a)

    def add_random(self, **window: str) -> Any:
        return self.client.post(
            f"/me/plans/{self.plan.pk}/reminders/new/",
            {"kind": "random", "weekdays": EVERY_DAY, "samples": "3", **window},
            HTTP_ACCEPT_LANGUAGE="de",
        )

    def test_a_window_that_ends_before_it_starts_is_refused_in_german(self) -> None:
        response = self.add_random(window_start="18:00", window_end="09:00")
        self.assertContains(
            response, "Das Zeitfenster muss nach seinem Beginn enden, am selben Tag"
        )
        self.assertFalse(Schedule.objects.exists())

    def test_moments_that_do_not_fit_their_window_are_refused_in_german(self) -> None:
        response = self.add_random(window_start="10:00", window_end="10:30", samples="3")
        self.assertContains(
            response, "3 Momente mit mindestens 30 Minuten Abstand passen nicht zwischen 10:00"
        )
        self.assertFalse(Schedule.objects.exists())
