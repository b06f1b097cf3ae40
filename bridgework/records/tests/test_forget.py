"""The phone forgets on next contact: an erased client's sessions go, and the phone's next
request with one is told to delete what it stored (records.forget, records.middleware)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client as Browser
from django.utils import timezone

from bridgework.care import actions as care
from bridgework.care.models import Client
from bridgework.records import actions, erasure, forget, worker
from bridgework.records.models import ForgottenSession
from bridgework.test import BaseTestCase, user_of

PAST = timedelta(days=366 * 12)


class ForgetOnNextContactTests(BaseTestCase):
    def setUp(self) -> None:
        Client.objects.filter(pk=self.client_a.pk).update(created_at=timezone.now() - PAST)
        self.client_a.refresh_from_db()
        ended = actions.today_for(self.client_a) - timedelta(days=366 * 11)
        care.finish_therapy(self.client_a, on=ended, by=self.therapist_a)
        self.request = actions.record_erasure_request(
            self.client_a, received_from="client", by=self.admin
        )
        self.phone = Browser()
        self.phone.force_login(user_of(self.client_a))
        self.key = self.phone.cookies[settings.SESSION_COOKIE_NAME].value
        self.therapists_desk = Browser()
        self.therapists_desk.force_login(self.therapist_a)

    def erase(self) -> None:
        erasure.erase(self.request, by=self.admin, trigger="request")

    def sync(self) -> Any:
        return self.phone.post(
            "/me/sync/",
            json.dumps({"kind": "practice", "owner": "x", "form": {}}),
            content_type="application/json",
        )

    def test_the_erased_clients_sessions_go_and_only_their_hashes_stay(self) -> None:
        self.erase()
        self.assertFalse(Session.objects.filter(session_key=self.key).exists())
        marker = ForgottenSession.objects.get()
        self.assertEqual(marker.key_hash, forget.key_hash(self.key))
        self.assertNotIn(self.key, marker.key_hash)
        # Someone else's session stays.
        self.assertEqual(self.therapists_desk.get("/clients/").status_code, 200)

    def test_the_phones_next_sync_is_told_to_forget_once(self) -> None:
        self.erase()
        response = self.sync()
        self.assertEqual(response.status_code, 410)
        self.assertIs(response.json()["forget"], True)
        self.assertEqual(response["Clear-Site-Data"], '"cache", "storage"')
        self.assertFalse(ForgottenSession.objects.exists())  # used up
        again = self.sync()
        self.assertEqual(again.status_code, 401)
        self.assertFalse(again.has_header("Clear-Site-Data"))

    def test_a_page_opened_with_the_old_session_clears_the_site_and_asks_to_sign_in(self) -> None:
        self.erase()
        response = self.phone.get("/me/")
        self.assertEqual(response["Clear-Site-Data"], '"cache", "storage"')
        self.assertRedirects(
            response, "/accounts/sign-in/?next=/me/", fetch_redirect_response=False
        )

    def test_a_signed_in_request_costs_no_look_up_and_is_not_cleared(self) -> None:
        self.erase()
        response = self.therapists_desk.get("/clients/")
        self.assertFalse(response.has_header("Clear-Site-Data"))

    def test_markers_end_when_the_session_would_have(self) -> None:
        self.erase()
        ForgottenSession.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
        self.assertFalse(self.phone.get("/me/").has_header("Clear-Site-Data"))
        worker.housekeeping()
        self.assertFalse(ForgottenSession.objects.exists())
