"""A phone may be shared, and a client may be signed out without signing out on it: entries
queued on it say whose they are, and sync never saves one client's entry as another's."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from bridgework.practice.models import PracticeLog
from bridgework.practice.outbox import owner_of
from bridgework.practice.tests.test_logging import PracticeTestCase
from bridgework.test import user_of


class OutboxOwnerTests(PracticeTestCase):
    def diary(self, owner: object) -> dict[str, object]:
        form = {"uid": str(uuid.uuid4()), "sheet": "free-diary", "entries.entry": "My words"}
        return {"kind": "practice", "owner": owner, "form": form}

    def send(self, payload: dict[str, object]) -> Any:
        return self.client.post("/me/sync/", json.dumps(payload), content_type="application/json")

    def test_an_entry_queued_for_a_client_of_another_clinic_is_not_saved_as_this_clients(
        self,
    ) -> None:
        response = self.send(self.diary(owner_of(user_of(self.other_client))))
        self.assertEqual(response.status_code, 409)
        self.assertIn("someone else on this phone", response.json()["errors"]["__all__"])
        self.assertFalse(PracticeLog.objects.exists())

    def test_an_entry_that_says_nothing_of_whose_it_is_is_not_saved(self) -> None:
        unstamped = self.diary(None)
        del unstamped["owner"]  # queued by a page from before entries said whose they are
        self.assertEqual(self.send(unstamped).status_code, 409)
        for owner in (None, "", 42, ["x"], owner_of(user_of(self.client_a)).upper()):
            with self.subTest(owner=owner):
                self.assertEqual(self.send(self.diary(owner)).status_code, 409)
        self.assertFalse(PracticeLog.objects.exists())

    def test_the_clients_own_entry_is_saved_to_them(self) -> None:
        response = self.send(self.diary(owner_of(user_of(self.client_a))))
        self.assertEqual(response.status_code, 201)
        self.assertEqual(PracticeLog.objects.get().client, self.client_a)

    def test_the_pages_name_the_client_to_the_outbox_by_a_reference_that_names_nobody(
        self,
    ) -> None:
        page = self.client.get("/me/").content.decode()
        (owner,) = re.findall(r'data-outbox-owner="([^"]*)"', page)
        self.assertEqual(owner, owner_of(user_of(self.client_a)))
        self.assertRegex(owner, r"^[0-9a-f]{32}$")  # not the e-mail, the name or the id
        self.assertNotEqual(owner, owner_of(user_of(self.client_b)))

    def test_a_new_password_keeps_the_reference_so_the_client_gets_their_entries_sent(
        self,
    ) -> None:
        before = owner_of(user_of(self.client_a))
        user = user_of(self.client_a)
        user.set_password("another-long-password-99")
        user.save()
        self.assertEqual(owner_of(user_of(self.client_a)), before)

    def test_staff_pages_carry_no_outbox_owner(self) -> None:
        self.sign_in(self.therapist_a)
        self.assertNotContains(self.client.get("/clients/"), "data-outbox-owner")
