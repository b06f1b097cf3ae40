"""A practice log made from a reminder's link answers that reminder."""

from __future__ import annotations

import uuid

from bridgework.practice import actions as practice
from bridgework.practice import worksheets
from bridgework.prompts.models import Prompt, PromptEvent
from bridgework.prompts.tests.helpers import PromptTestCase
from bridgework.prompts.worker import Worker
from bridgework.test import user_of


class AnsweringAReminderTests(PromptTestCase):
    def test_answering_links_the_log_to_its_prompt(self) -> None:
        prompt = self.make_due(self.schedule())[0]
        Worker(name="w1").step()
        self.sign_in(self.client_a)
        page = self.client.get(f"/me/plans/{self.plan.pk}/log/?prompt={prompt.pk}")
        self.assertContains(page, f'name="prompt" value="{prompt.pk}"')
        log = practice.log_practice(
            self.client_a,
            by=user_of(self.client_a),
            uid=uuid.uuid4(),
            plan=self.plan,
            outcome="done",
            prompt=prompt.pk,
            sheet=worksheets.current("quick"),
            entries={},
        ).entry
        prompt.refresh_from_db()
        self.assertEqual((prompt.state, log.prompt_id), (Prompt.State.ANSWERED, prompt.pk))
        self.assertIsNotNone(prompt.answered_at)
        states = list(PromptEvent.objects.filter(prompt=prompt).values_list("state", flat=True))
        self.assertEqual(states, ["scheduled", "delivered", "answered"])
