from __future__ import annotations

from bridgework.accounts.models import User
from bridgework.audit.models import AccessEvent
from bridgework.care import actions
from bridgework.care.access import Need, decide, readable_on_staff_pages
from bridgework.care.models import Client
from bridgework.test import BaseTestCase


class AccessEventTests(BaseTestCase):
    def last_event(self, **kind: str) -> AccessEvent:
        return AccessEvent.objects.filter(**kind).latest("id")

    def test_opening_a_client_page_records_who_saw_whom_with_the_request_id(self) -> None:
        self.sign_in(self.therapist_a)
        response = self.client.get(f"/clients/{self.client_a.pk}/")
        event = AccessEvent.objects.filter(object_type="client").latest("id")
        self.assertEqual(
            (event.actor_id, event.actor_role, event.action, event.client_id, event.allowed),
            (self.therapist_a.pk, "therapist", "view", self.client_a.pk, True),
        )
        self.assertEqual(event.request_id, response["X-Request-ID"])

    def test_a_refused_look_is_recorded_too(self) -> None:
        self.sign_in(self.therapist_b)
        self.client.get(f"/clients/{self.client_a.pk}/")
        event = AccessEvent.objects.filter(object_type="client").latest("id")
        self.assertEqual((event.actor_id, event.allowed), (self.therapist_b.pk, False))

    def test_a_look_at_another_clinics_client_is_refused_without_naming_the_client(self) -> None:
        self.sign_in(self.therapist_a)
        self.client.get(f"/clients/{self.other_client.pk}/")
        event = AccessEvent.objects.filter(object_type="client").latest("id")
        self.assertFalse(event.allowed)
        self.assertIsNone(event.client_id)
        self.assertEqual(event.clinic_id, self.clinic.pk)

    def test_each_client_data_page_records_an_event(self) -> None:
        goal = actions.add_goal(self.client_a, text="Sleep", by=self.therapist_a)
        session = self.client_a.sessions.create(
            therapist=self.therapist_a, number=1, starts_at="2026-11-02T10:00:00Z"
        )
        pages: list[tuple[User | Client, str, str]] = [
            (self.therapist_a, "/clients/", "caseload"),
            (self.therapist_a, f"/clients/{self.client_a.pk}/", "client"),
            (self.therapist_a, f"/clients/{self.client_a.pk}/sessions/new/", "client"),
            (self.therapist_a, f"/sessions/{session.pk}/", "session"),
            (self.client_a, "/me/", "client"),
            (self.client_a, "/me/consents/", "client"),
            (self.admin, "/clinic/clients/", "roster"),
            (self.admin, f"/clinic/clients/{self.client_a.pk}/", "client"),
        ]
        for actor, url, object_type in pages:
            with self.subTest(url=url):
                self.sign_in(actor)
                before = AccessEvent.objects.filter(object_type=object_type).count()
                self.assertEqual(self.client.get(url).status_code, 200)
                self.assertGreater(
                    AccessEvent.objects.filter(object_type=object_type).count(), before
                )
        self.sign_in(self.therapist_a)
        self.client.post(f"/goals/{goal.pk}/achieved/")
        event = self.last_event(object_type="goal", action="change")
        self.assertEqual((event.actor_id, event.allowed), (self.therapist_a.pk, True))

    def test_changes_record_who_made_them(self) -> None:
        self.sign_in(self.therapist_a)
        self.client.post(f"/clients/{self.client_a.pk}/goals/", {"text": "Swim again"})
        event = self.last_event(object_type="goal")
        self.assertEqual(
            (event.object_type, event.action, event.actor_id),
            ("goal", "create", self.therapist_a.pk),
        )


class ReadableOnStaffPagesTests(BaseTestCase):
    def test_it_answers_as_the_door_does_for_every_person_and_client(self) -> None:
        clients = [self.client_a, self.client_b, self.other_client]
        for person in User.objects.all():
            with self.subTest(person=str(person)):
                expected = {
                    client.pk
                    for client in clients
                    if decide(person, client, Need.READ, staff_view=True) is not None
                }
                self.assertEqual(readable_on_staff_pages(person, [c.pk for c in clients]), expected)
        every = [c.pk for c in clients]
        self.assertEqual(readable_on_staff_pages(self.supervisor, every), {self.client_a.pk})
        self.assertEqual(readable_on_staff_pages(self.therapist_b, every), {self.client_b.pk})
