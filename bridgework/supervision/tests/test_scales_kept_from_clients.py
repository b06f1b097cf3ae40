"""A competence scale rates a therapist's work: it is never offered to, or answered by, a
client, and the clinic's questionnaires page marks it for what it is."""

from __future__ import annotations

from bridgework.measures import actions as measures
from bridgework.measures import due
from bridgework.supervision.tests.helpers import shipped_scale
from bridgework.test import BaseTestCase


class CompetenceScalesKeptFromClientsTests(BaseTestCase):
    def test_no_list_of_questionnaires_for_a_client_holds_a_competence_scale(self) -> None:
        offered = due.questionnaires(self.client_a)
        self.assertIn("phq-9", offered)
        self.assertNotIn("bridgework-competence", offered)

    def test_a_client_cannot_fill_in_a_competence_scale(self) -> None:
        self.sign_in(self.client_a)
        self.assertEqual(self.client.get("/me/measures/bridgework-competence/").status_code, 404)

    def test_a_therapist_cannot_enter_a_competence_scale_as_a_clients_measure(self) -> None:
        self.sign_in(self.therapist_a)
        url = f"/clients/{self.client_a.pk}/measures/bridgework-competence/"
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post(url, {"item-links": "4"}).status_code, 404)
        self.assertFalse(self.client_a.responses.exists())

    def test_no_response_of_a_client_is_ever_kept_on_a_competence_scale(self) -> None:
        with self.assertRaises(ValueError):
            measures.respond(self.client_a, shipped_scale(), {"links": 4}, by=self.therapist_a)

    def test_the_client_page_and_reminders_offer_no_competence_scale(self) -> None:
        self.sign_in(self.therapist_a)
        for url in (
            f"/clients/{self.client_a.pk}/",
            f"/clients/{self.client_a.pk}/reminders/new/?kind=before-session",
        ):
            with self.subTest(url=url):
                page = self.client.get(url)
                self.assertEqual(page.status_code, 200)
                self.assertNotContains(page, "Bridgework competence")
                self.assertNotContains(page, "bridgework-competence")

    def test_the_clinic_questionnaires_page_marks_the_competence_scale(self) -> None:
        self.sign_in(self.admin)
        page = self.client.get("/clinic/instruments/")
        self.assertContains(
            page,
            'Bridgework competence in action plans <span class="badge">competence scale</span>',
            html=False,
        )
        self.assertContains(page, "PHQ-9")
