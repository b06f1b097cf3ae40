"""The research doors: nothing crosses clinics, not even an access granted by mistake;
listings record refusals; a study's clinics are read-only once it is set up; the error
summary's link for a group of checkboxes leads to its first box."""

from __future__ import annotations

from typing import cast

from django.test import RequestFactory

from bridgework.accounts.http import AuthenticatedHttpRequest
from bridgework.accounts.models import User
from bridgework.audit.models import AccessEvent
from bridgework.prompts.worker import Worker
from bridgework.research import access, actions
from bridgework.research.models import StudyAccess
from bridgework.research.tests.study_setup import StudyCase, consent
from bridgework.test import make_staff


def request_of(user: User) -> AuthenticatedHttpRequest:
    request = RequestFactory().get("/research/")
    request.user = user
    return cast(AuthenticatedHttpRequest, request)


class ResearchDoorTests(StudyCase):
    def setUp(self) -> None:
        super().setUp()
        self.study = self.make_study()
        consent(self.client_a)

    def test_a_researcher_of_another_clinic_granted_by_mistake_gets_404(self) -> None:
        stranger = make_staff(self.other_clinic, "other_researcher", "researcher")
        StudyAccess.objects.create(study=self.study, researcher=stranger, granted_by=self.admin)
        export = actions.request_export(self.study, "csv", by=self.researcher)
        Worker(name="worker-1").step()
        self.sign_in(stranger)
        for url in (
            f"/research/studies/{self.study.pk}/",
            f"/research/studies/{self.study.pk}/codebook/",
            f"/research/exports/{export.pk}/download/",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
        refused = AccessEvent.objects.filter(actor_id=stranger.pk, allowed=False)
        self.assertEqual(refused.filter(object_type="study").count(), 2)
        self.assertTrue(refused.filter(object_type="study-export").exists())
        self.assertNotContains(self.client.get("/research/"), self.study.name)

    def test_the_researchers_own_listing_is_recorded_as_allowed(self) -> None:
        self.assertEqual(list(access.studies_for_user(request_of(self.researcher))), [self.study])
        listed = AccessEvent.objects.get(actor_id=self.researcher.pk, object_type="studies")
        self.assertEqual((listed.action, listed.allowed), ("list", True))

    def test_a_listing_of_studies_by_someone_who_may_not_is_recorded_as_refused(self) -> None:
        self.assertEqual(list(access.studies_for_user(request_of(self.therapist_a))), [])
        self.assertEqual(list(access.studies_for_admin(request_of(self.researcher))), [])
        for person in (self.therapist_a, self.researcher):
            with self.subTest(person=person.full_name):
                event = AccessEvent.objects.get(actor_id=person.pk, object_type="studies")
                self.assertEqual((event.action, event.allowed), ("list", False))

    def test_the_edit_form_shows_the_clinic_and_changes_it_for_nobody(self) -> None:
        self.sign_in(self.admin)
        url = f"/research/studies/{self.study.pk}/edit/"
        page = self.client.get(url)
        self.assertContains(page, f"<dd data-study-clinics>{self.clinic.name}</dd>", html=False)
        self.assertNotContains(page, 'name="clinics"')
        facts = {
            "name": "Renamed",
            "purpose": self.study.purpose,
            "starts_on": self.study.starts_on.isoformat(),
            "ends_on": self.study.ends_on.isoformat(),
            "tables": self.study.tables,
            "shift_dates": "on",
            "clinics": [self.other_clinic.pk],
        }
        self.assertRedirects(self.client.post(url, facts), "/research/studies/")
        self.study.refresh_from_db()
        self.assertEqual(self.study.name, "Renamed")
        self.assertEqual(list(self.study.clinics.all()), [self.clinic])

    def test_an_error_summary_link_for_a_checkbox_group_points_to_its_first_box(self) -> None:
        self.sign_in(self.admin)
        page = self.client.post(
            "/research/studies/new/",
            {"name": "No tables", "purpose": "Why", "starts_on": "2026-01-01"},
        )
        self.assertContains(page, '<a href="#id_tables_0">')
        self.assertContains(page, '<a href="#id_clinics_0">')
        self.assertContains(page, 'id="id_tables_0"')
        self.assertContains(page, '<a href="#id_ends_on">')
        self.assertNotContains(page, '<a href="#">')
