"""The studies' tests' set-up: the standard cast, an export directory of the test's own, a
study of the clinic with the researcher granted access, and research consents; or the demo
clinic's study through its researcher's eyes."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.core.management import call_command
from django.test import Client as Browser
from django.test import TestCase, override_settings
from django.utils import timezone

from bridgework.accounts.models import User
from bridgework.care import actions as care
from bridgework.care.models import Client, Consent
from bridgework.research import actions
from bridgework.research.models import Study
from bridgework.test import BaseTestCase, user_of

TABLES = ["clients", "sessions", "practice_logs"]


def consent(client: Client, given: bool = True) -> None:
    care.set_consent(client, Consent.Purpose.RESEARCH, given, by=user_of(client))


class StudyCase(BaseTestCase):
    """Each test writes its exports into a directory of its own, removed after it."""

    export_dir: Path

    def setUp(self) -> None:
        self.export_dir = Path(self.enterContext(tempfile.TemporaryDirectory()))
        self.enterContext(override_settings(RESEARCH_EXPORT_DIR=self.export_dir))

    def make_study(self, *, granted: bool = True, **facts: Any) -> Study:
        today = timezone.localdate()
        values: dict[str, Any] = {
            "name": "Engagement and outcome",
            "purpose": "Does engagement predict next-session symptoms?",
            "starts_on": today - timedelta(days=365),
            "ends_on": today + timedelta(days=30),
            "tables": list(TABLES),
        }
        study = actions.create_study(by=self.admin, **(values | facts))
        if granted:
            actions.grant_access(study, self.researcher, by=self.admin)
        return study


class DemoStudyCase(TestCase):
    """The demo study (bridgework/demo/research.py) through Sam's eyes, seeded once for the
    class. The analyses page keeps its fit in the cache, so each test starts with it empty."""

    study: Study
    sam: User

    @classmethod
    def setUpTestData(cls) -> None:
        call_command("seed_demo", stdout=StringIO())
        cls.study = Study.objects.get()
        cls.sam = User.objects.get(email="sam@demo.bridgework.test")

    def setUp(self) -> None:
        cache.clear()
        self.addCleanup(cache.clear)
        self.browser = Browser()
        self.browser.force_login(self.sam)

    def analyses_page(self) -> str:
        answer = self.browser.get(f"/research/studies/{self.study.pk}/analyses/")
        assert answer.status_code == 200
        return answer.content.decode()
