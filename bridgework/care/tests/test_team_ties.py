"""The care team's facts are read once per reading request (care.access.team_ties): a page
that opens a dozen doors on one client asks the database about the team once, and a request
that may change a care team asks afresh at every door."""

from __future__ import annotations

from typing import cast

from django.db import connection
from django.http import Http404
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from bridgework.accounts.http import AuthenticatedHttpRequest
from bridgework.accounts.models import User
from bridgework.care import actions
from bridgework.care.access import can_write, record_listing
from bridgework.test import BaseTestCase, request_of


def posting(user: User) -> AuthenticatedHttpRequest:
    request = RequestFactory().post("/")
    request.user = user
    return cast(AuthenticatedHttpRequest, request)


class TeamTiesTests(BaseTestCase):
    def test_the_client_page_asks_about_the_care_team_once(self) -> None:
        self.sign_in(self.therapist_a)
        self.client.get(f"/clients/{self.client_a.pk}/")  # warm caches
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(f"/clients/{self.client_a.pk}/").status_code, 200)
        asked = [
            q for q in queries.captured_queries if 'FROM "care_careteammembership"' in q["sql"]
        ]
        self.assertEqual(len(asked), 1)

    def test_a_reading_request_remembers_each_client_apart(self) -> None:
        request = request_of(self.therapist_a)
        self.assertEqual(record_listing(request, self.client_a, "plans"), "therapist")
        with self.assertRaises(Http404):
            record_listing(request, self.client_b, "plans")
        with self.assertNumQueries(0):
            self.assertTrue(can_write(request, self.client_a))
            self.assertFalse(can_write(request, self.client_b))

    def test_a_supervisor_reads_their_supervisees_client_but_may_not_write(self) -> None:
        request = request_of(self.supervisor)
        self.assertEqual(record_listing(request, self.client_a, "plans"), "supervisor")
        self.assertFalse(can_write(request, self.client_a))

    def test_a_request_that_may_change_the_team_asks_again_at_every_door(self) -> None:
        request = posting(self.therapist_a)
        self.assertEqual(record_listing(request, self.client_a, "plans"), "therapist")
        actions.set_care_team(self.client_a, [self.therapist_b], by=self.admin)
        with self.assertRaises(Http404):
            record_listing(request, self.client_a, "plans")
        self.assertFalse(can_write(request, self.client_a))
