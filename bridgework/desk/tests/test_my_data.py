"""A client downloads their own data: one JSON file with what they entered and what the app
shows them, read through the same doors as the pages, and recorded as an export."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

from bridgework.audit.models import AccessEvent
from bridgework.care import actions as care
from bridgework.measures import actions as measures
from bridgework.plans import actions as plans
from bridgework.plans.models import PlanTemplate
from bridgework.practice import actions as practice
from bridgework.practice import worksheets
from bridgework.test import BaseTestCase, user_of

DOCS = Path(__file__).resolve().parents[3] / "docs" / "my-data.md"


class MyDataTests(BaseTestCase):
    def download(self) -> dict[str, Any]:
        response = self.client.post("/me/my-data/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response["Content-Disposition"], 'attachment; filename="bridgework-my-data.json"'
        )
        return dict(json.loads(response.content))

    def test_it_holds_what_the_client_entered_and_sees_and_nothing_else(self) -> None:
        me, therapist = user_of(self.client_a), self.therapist_a
        template = PlanTemplate.objects.get(slug="slow-breathing")
        plan = plans.start_plan(self.client_a, by=therapist, template=template)
        plans.rehearse_in_imagery(
            plan,
            by=therapist,
            version=plan.version,
            steps=["cue", "first-step"],
            confidence_before=6,
            confidence_after=8,
        )
        plans.agree(plan, by=therapist)
        plans.start_plan(self.client_a, by=therapist, template=template)  # a draft: not shown
        practice.log_practice(
            self.client_a,
            by=me,
            uid=uuid.uuid4(),
            plan=None,
            outcome="",
            sheet=worksheets.current("free-diary"),
            entries={"entry": "A hard day, but I went out."},
            private=True,
        )
        phq9 = measures.current("phq-9", None)
        assert phq9 is not None
        measures.respond(self.client_a, phq9, {str(n): 1 for n in range(1, 10)}, by=me)  # flags
        care.set_consent(self.client_a, "reminders-email", True, by=me)
        self.sign_in(self.client_a)
        data = self.download()
        self.assertEqual((data["format"], data["version"]), ("bridgework-my-data", 1))
        self.assertEqual(data["me"]["name"], self.client_a.full_name)
        self.assertEqual([p["title"] for p in data["plans"]], [plan.title])
        self.assertEqual(data["plans"][0]["status"], "agreed")
        self.assertEqual(
            data["plans"][0]["imagery"],
            {"steps": ["cue", "first-step"], "confidence_before": 6, "confidence_after": 8},
        )
        self.assertEqual(data["plans"][0]["reminders"], plan.reminders)  # as designed
        self.assertTrue(data["plans"][0]["reminders"]["rule"]["times"])
        diary = data["practice"][0]
        self.assertEqual(
            (diary["entries"], diary["is_private"]),
            ({"entry": "A hard day, but I went out."}, True),
        )
        answers = data["questionnaires"][0]
        self.assertEqual((answers["answers"]["9"], answers["scores"]["total"]["value"]), (1, 9))
        self.assertEqual(data["consents"][0]["purpose"], "reminders-email")
        text = json.dumps(data)
        self.assertNotIn("flag", text.lower())  # flags are for clinicians
        self.assertNotIn(self.client_b.full_name, text)

    def test_the_download_is_recorded_as_an_export(self) -> None:
        self.sign_in(self.client_a)
        self.download()
        event = AccessEvent.objects.filter(action="export").get()
        self.assertEqual(
            (event.actor_id, event.actor_role, event.client_id, event.object_type),
            (user_of(self.client_a).pk, "client", self.client_a.pk, "my-data"),
        )

    def test_it_is_a_deliberate_post_not_a_link(self) -> None:
        self.sign_in(self.client_a)
        self.assertEqual(self.client.get("/me/my-data/").status_code, 405)
        self.assertContains(self.client.get("/me/consents/"), 'action="/me/my-data/"')

    def test_every_part_of_the_file_is_documented(self) -> None:
        self.sign_in(self.client_a)
        documented = set(re.findall(r"^\| `(\w+)` \|", DOCS.read_text(), re.MULTILINE))
        self.assertEqual(set(self.download()), documented)

    def test_its_cost_does_not_grow_with_the_entries(self) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        me = user_of(self.client_a)
        scale = practice.add_scale(
            self.client_a, by=self.therapist_a, name="Calm", low_anchor="not", high_anchor="very"
        )
        plan = plans.agree(
            plans.start_plan(
                self.client_a,
                by=self.therapist_a,
                template=PlanTemplate.objects.get(slug="slow-breathing"),
            ),
            by=self.therapist_a,
        )
        self.sign_in(self.client_a)

        def entries(count: int) -> None:
            for _ in range(count):
                practice.log_practice(
                    self.client_a,
                    by=me,
                    uid=uuid.uuid4(),
                    plan=plan,
                    outcome="done",
                    sheet=worksheets.current("quick"),
                    entries={},
                )
                practice.check_in(self.client_a, by=me, uid=uuid.uuid4(), ratings={scale.pk: 50})

        entries(1)
        with CaptureQueriesContext(connection) as few:
            self.download()
        entries(10)
        with CaptureQueriesContext(connection) as many:
            self.download()
        self.assertEqual(len(few.captured_queries), len(many.captured_queries))
