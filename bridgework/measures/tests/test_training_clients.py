"""A training client (a role-play's made-up client) has no one to tell: its flags stay on its
page, and it never falls silent."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from bridgework.care import actions as care
from bridgework.care.models import Client
from bridgework.measures import actions
from bridgework.measures.models import FlagNotice
from bridgework.measures.tests.test_engagement_flags import practice_reminders, sent
from bridgework.test import BaseTestCase


class TrainingClientFlagTests(BaseTestCase):
    def training_client(self) -> Client:
        return care.add_client(
            clinic=self.clinic,
            full_name="Role-play: a test",
            care_team=[self.therapist_a],
            by=self.therapist_a,
            is_training=True,
        )

    def test_a_training_clients_risk_flag_stays_on_its_page_and_tells_nobody(self) -> None:
        client = self.training_client()
        flag = actions.raise_flag(client, "risk", "Item 9 answered above 0")
        self.assertEqual(client.flags.get(), flag)
        self.assertFalse(FlagNotice.objects.exists())
        actions.raise_flag(self.client_a, "risk", "Item 9 answered above 0")
        self.assertEqual(FlagNotice.objects.count(), 2)  # a real client's: care team, duty

    def test_a_training_client_never_falls_silent(self) -> None:
        now = timezone.now()
        client = self.training_client()
        sent(practice_reminders(client, began=now - timedelta(days=30)), now - timedelta(days=6))
        self.assertEqual(actions.check_silence(now), 0)
        self.assertFalse(client.flags.exists())
