from __future__ import annotations

import uuid

from bridgework.accounts import actions as accounts
from bridgework.plans import actions as plans
from bridgework.plans.tests.helpers import PlanTestCase
from bridgework.test import user_of


class LanguageTests(PlanTestCase):
    def test_a_client_chooses_german_and_the_app_speaks_it(self) -> None:
        plans.agree(self.draft(), by=self.therapist_a)
        self.sign_in(self.client_a)
        self.client.post("/me/consents/", {"language": "de"})
        user = user_of(self.client_a)
        user.refresh_from_db()
        self.assertEqual(user.language, "de")
        today = self.client.get("/me/")
        self.assertEqual(today["Content-Language"], "de")
        self.assertContains(today, "Ich habe es gemacht")
        self.assertContains(today, "Ihre Aktionspläne")

    def test_worksheets_and_their_messages_follow_the_clients_language(self) -> None:
        plan = plans.agree(self.draft(), by=self.therapist_a)
        accounts.set_language(user_of(self.client_a), "de", by=user_of(self.client_a))
        self.sign_in(self.client_a)
        self.assertContains(
            self.client.get(f"/me/plans/{plan.pk}/log/"), "Anspannung am höchsten Punkt (0–100)"
        )
        response = self.client.post(
            "/me/practice/",
            {
                "uid": str(uuid.uuid4()),
                "plan": plan.pk,
                "sheet": "exposure-log",
                "entries.situation": "Bus",
                "entries.distress_before": "200",
            },
        )
        self.assertContains(
            response, "Geben Sie eine ganze Zahl von 0 bis 100 ein.", status_code=400
        )

    def test_english_stays_the_default_and_staff_keep_theirs(self) -> None:
        accounts.set_language(user_of(self.client_a), "de", by=user_of(self.client_a))
        self.sign_in(self.therapist_a)
        self.assertContains(self.client.get("/clients/"), "Caseload")
        self.sign_in(self.client_b)
        self.assertContains(self.client.get("/me/"), "Hello, Client B")

    def test_an_unknown_language_changes_nothing(self) -> None:
        self.sign_in(self.client_a)
        self.client.post("/me/consents/", {"language": "xx"})
        user = user_of(self.client_a)
        user.refresh_from_db()
        self.assertEqual(user.language, "en")
