"""The role guards (accounts/http.py): visitors go to sign in as with login_required, anyone
else signed in gets 404 and is refused on the record."""

from __future__ import annotations

from bridgework.accounts.models import User
from bridgework.audit.models import AccessEvent
from bridgework.care.models import Client
from bridgework.test import BaseTestCase


class GuardTests(BaseTestCase):
    def test_a_visitor_is_sent_to_sign_in_and_back_with_the_query(self) -> None:
        for url in ("/clinic/?page=2", "/me/history/?page=2", f"/clients/{self.client_a.pk}/"):
            with self.subTest(url=url):
                response = self.client.get(url)
                path, _, query = url.partition("?")
                back = path + ("%3F" + query.replace("=", "%3D") if query else "")
                self.assertRedirects(
                    response, f"/accounts/sign-in/?next={back}", fetch_redirect_response=False
                )
        self.assertFalse(AccessEvent.objects.filter(allowed=False).exists())

    def test_a_refused_look_is_a_view_and_a_refused_form_a_change(self) -> None:
        self.sign_in(self.therapist_a)
        self.assertEqual(self.client.get("/clinic/clients/new/").status_code, 404)
        self.assertEqual(self.client.post("/clinic/clients/new/", {}).status_code, 404)
        refused = AccessEvent.objects.filter(allowed=False).order_by("id")
        self.assertEqual(
            [(e.actor_id, e.actor_role, e.action, e.object_type) for e in refused],
            [
                (self.therapist_a.pk, "staff", "view", "clinic-admin-pages"),
                (self.therapist_a.pk, "staff", "change", "clinic-admin-pages"),
            ],
        )

    def test_each_role_guard_admits_its_people_only(self) -> None:
        pages: dict[str, tuple[User | Client, User, str]] = {
            "/me/history/": (self.client_a, self.therapist_a, "client-app"),
            "/clients/": (self.supervisor, self.admin, "clinician-pages"),
            "/plans/templates/": (self.admin, self.supervisor, "plan-templates"),
            "/clinic/": (self.admin, self.researcher, "clinic-admin-pages"),
        }
        for url, (admitted, refused, refused_as) in pages.items():
            with self.subTest(url=url):
                self.sign_in(admitted)
                self.assertEqual(self.client.get(url).status_code, 200)
                self.sign_in(refused)
                self.assertEqual(self.client.get(url).status_code, 404)
                self.assertTrue(
                    AccessEvent.objects.filter(allowed=False, object_type=refused_as).exists()
                )
