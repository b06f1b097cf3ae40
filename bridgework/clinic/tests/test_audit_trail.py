from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

from django.core import mail
from django.http import StreamingHttpResponse

from bridgework.accounts import actions as accounts
from bridgework.audit import context, trail
from bridgework.audit.models import AccessEvent
from bridgework.care import actions as care
from bridgework.test import BaseTestCase, send_account_emails

LONDON = ZoneInfo("Europe/London")


@contextmanager
def clock(year: int, month: int, day: int, hour: int, minute: int) -> Iterator[None]:
    """The clock stopped at a moment, in London (the cast's clinic time zone)."""
    moment = datetime(year, month, day, hour, minute, tzinfo=LONDON)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def csv_rows(response: Any) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def request_ids(response: Any) -> list[str]:
    return re.findall(r"<code>(rid-[0-9a-z-]+)</code>", response.content.decode())


class AuditTrailPageTests(BaseTestCase):
    def setUp(self) -> None:
        self.sign_in(self.admin)

    def event(self, request_id: str, **fields: object) -> AccessEvent:
        """One event of the admin's clinic, findable on the page by its request id."""
        values: dict[str, object] = {
            "actor_id": self.therapist_a.pk,
            "actor_role": "therapist",
            "action": "view",
            "object_type": "goal",
            "object_id": 7,
            "clinic_id": self.clinic.pk,
            "client_id": self.client_a.pk,
            **fields,
        }
        token = context.request_id.set(request_id)  # as RequestIdMiddleware does
        try:
            return trail.record(**values)  # type: ignore[arg-type]
        finally:
            context.request_id.reset(token)

    def test_the_page_shows_the_clinics_events_newest_first_with_names(self) -> None:
        with clock(2026, 11, 10, 9, 0):
            self.event("rid-older")
        with clock(2026, 11, 10, 9, 5):
            self.event("rid-newer", actor_id=self.therapist_b.pk, client_id=self.client_b.pk)
        response = self.client.get("/clinic/audit/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(request_ids(response)[:2], ["rid-newer", "rid-older"])
        self.assertContains(response, "<td>Therapist B</td>", html=False)
        self.assertContains(response, "<td>Client B</td>", html=False)
        self.assertContains(response, "2026-11-10 09:05:00")  # in the clinic's time zone

    def test_another_clinics_events_are_never_shown(self) -> None:
        self.event("rid-ours")
        # The other clinic's therapist trying client A's record is the other clinic's event.
        self.event(
            "rid-theirs",
            actor_id=self.other_therapist.pk,
            clinic_id=self.other_clinic.pk,
            client_id=None,
            object_type="client",
            object_id=self.client_a.pk,
            allowed=False,
        )
        page = self.client.get("/clinic/audit/")
        self.assertIn("rid-ours", request_ids(page))
        self.assertNotIn("rid-theirs", request_ids(page))
        exported = csv_rows(self.client.get("/clinic/audit/export.csv"))
        self.assertNotIn("rid-theirs", [row[10] for row in exported])
        self.sign_in(self.other_admin)
        self.assertEqual(request_ids(self.client.get("/clinic/audit/")), ["rid-theirs"])

    def test_it_filters_by_client(self) -> None:
        self.event("rid-a")
        self.event("rid-b", client_id=self.client_b.pk)
        response = self.client.get(f"/clinic/audit/?client={self.client_b.pk}")
        self.assertEqual(request_ids(response), ["rid-b"])

    def test_it_filters_by_staff_member(self) -> None:
        self.event("rid-a")
        self.event("rid-b", actor_id=self.therapist_b.pk)
        response = self.client.get(f"/clinic/audit/?staff={self.therapist_b.pk}")
        self.assertEqual(request_ids(response), ["rid-b"])

    def test_it_filters_by_action_and_outcome(self) -> None:
        self.event("rid-view")
        self.event("rid-export", action="export")
        self.event("rid-refused", action="export", allowed=False)
        self.assertEqual(
            request_ids(self.client.get("/clinic/audit/?action=export")),
            ["rid-refused", "rid-export"],
        )
        self.assertEqual(
            request_ids(self.client.get("/clinic/audit/?action=export&outcome=refused")),
            ["rid-refused"],
        )

    def test_it_filters_by_whole_days_in_the_clinics_time_zone(self) -> None:
        with clock(2026, 6, 1, 23, 30):  # London summer time: 22:30 UTC, still 1 June here
            self.event("rid-june-1")
        with clock(2026, 6, 2, 0, 30):  # 23:30 UTC on 1 June, but 2 June in the clinic
            self.event("rid-june-2")
        with clock(2026, 6, 4, 12, 0):
            self.event("rid-june-4")
        response = self.client.get("/clinic/audit/?since=2026-06-02&until=2026-06-03")
        self.assertEqual(request_ids(response), ["rid-june-2"])
        response = self.client.get("/clinic/audit/?until=2026-06-01")
        self.assertEqual(request_ids(response), ["rid-june-1"])

    def test_pages_walk_back_and_forth_without_gaps_or_repeats(self) -> None:
        with clock(2026, 11, 10, 9, 0):  # one moment for all: the id breaks the ties
            for n in range(120):
                self.event(f"rid-{n:03d}", object_type="paging")
        first = self.client.get("/clinic/audit/?action=view")
        seen = request_ids(first)
        self.assertEqual(len(seen), 50)
        self.assertNotContains(first, "Newer")
        pages = [first]
        while "before=" in pages[-1].content.decode():
            older = re.search(r'href="([^"]+before=\d+)"', pages[-1].content.decode())
            assert older is not None
            pages.append(self.client.get(older.group(1).replace("&amp;", "&")))
            seen += request_ids(pages[-1])
        expected = [f"rid-{n:03d}" for n in reversed(range(120))]
        self.assertEqual(seen, expected)
        self.assertEqual(len(pages), 3)
        newer = re.search(r'href="([^"]+after=\d+)"', pages[-1].content.decode())
        assert newer is not None
        back = self.client.get(newer.group(1).replace("&amp;", "&"))
        self.assertEqual(request_ids(back), expected[50:100])

    def test_a_page_link_to_an_event_outside_the_clinic_shows_the_newest_and_says_so(
        self,
    ) -> None:
        theirs = self.event("rid-theirs", clinic_id=self.other_clinic.pk, client_id=None)
        self.event("rid-ours")
        for link in (f"before={theirs.pk}", "before=abc", "after=-4"):
            with self.subTest(link=link):
                response = self.client.get(f"/clinic/audit/?{link}")
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "That page of the trail is not among these events")
                self.assertEqual(request_ids(response)[0], "rid-ours")

    def test_opening_the_trail_is_itself_recorded(self) -> None:
        self.client.get("/clinic/audit/")
        self.client.get(f"/clinic/audit/?client={self.client_a.pk}")
        readings = AccessEvent.objects.filter(object_type="audit-trail").order_by("id")
        self.assertEqual(
            [(e.actor_id, e.action, e.client_id, e.chain) for e in readings],
            [
                (self.admin.pk, "list", None, f"clinic:{self.clinic.pk}"),
                (self.admin.pk, "list", self.client_a.pk, f"client:{self.client_a.pk}"),
            ],
        )
        # The next look shows the earlier one.
        self.assertContains(self.client.get("/clinic/audit/?action=list"), "audit-trail")

    def test_bad_filters_get_a_message_and_no_events(self) -> None:
        cases = {
            "since=30/11/2026": "Enter a date as YYYY-MM-DD, for example 2026-11-30.",
            "until=2026-02-30": "Enter a date as YYYY-MM-DD, for example 2026-11-30.",
            "since=2026-11-30&until=2026-11-01": "The start date is after the end date.",
            "client=999999": "Choose one of the clinic&#x27;s clients from the list.",
            f"client={self.other_client.pk}": "Choose one of the clinic&#x27;s clients",
            "client=abc": "Choose one of the clinic&#x27;s clients from the list.",
            "client=99999999999999999999999": "Choose one of the clinic&#x27;s clients",
            "staff=-1": "Choose one of the clinic&#x27;s staff",
            f"staff={self.other_therapist.pk}": "Choose one of the clinic&#x27;s staff",
            "action=delete-everything": "Choose an action from the list.",
            "outcome=maybe": "Choose allowed, refused, or either.",
        }
        self.event("rid-any")
        for query, message in cases.items():
            with self.subTest(query=query):
                response = self.client.get(f"/clinic/audit/?{query}")
                self.assertContains(response, message, status_code=400)
                self.assertEqual(request_ids(response), [])
                export = self.client.get(f"/clinic/audit/export.csv?{query}")
                self.assertContains(export, message, status_code=400)
        self.assertFalse(AccessEvent.objects.filter(object_type="audit-trail").exists())

    def test_dates_at_the_ends_of_the_calendar_get_a_message_not_an_error(self) -> None:
        # The day after 9999-12-31 does not exist, nor year 1 at midnight east of UTC.
        self.clinic.time_zone = "Asia/Tokyo"
        self.clinic.save()
        expected = "Enter a date from 2000-01-01 to 2099-12-31."
        for query in (
            "until=9999-12-31",
            "since=0001-01-01",
            "since=1999-12-31",
            "until=2100-01-01",
        ):
            for url in ("/clinic/audit/", "/clinic/audit/export.csv"):
                with self.subTest(query=query, url=url):
                    self.assertContains(
                        self.client.get(f"{url}?{query}"), expected, status_code=400
                    )
        self.assertFalse(AccessEvent.objects.filter(object_type="audit-trail").exists())
        for query in ("since=2000-01-01", "until=2099-12-31"):
            with self.subTest(query=query):
                self.assertEqual(self.client.get(f"/clinic/audit/?{query}").status_code, 200)
                export = self.client.get(f"/clinic/audit/export.csv?{query}")
                self.assertEqual(csv_rows(export)[0][0], "when")

    def test_a_clients_own_reset_and_new_password_are_in_their_trail(self) -> None:
        self.client.logout()
        self.client.post("/accounts/password-reset/", {"email": "client_a@example.org"})
        send_account_emails()
        link = re.search(
            r"https?://[^/\s]+(/accounts/password-reset/[\w-]+/)", str(mail.outbox[0].body)
        )
        assert link is not None
        self.client.get(link.group(1))
        new = "quiet-harbour-lights"
        self.client.post("/accounts/password-reset/new/", {"password1": new, "password2": new})
        self.sign_in(self.admin)
        response = self.client.get(f"/clinic/audit/?client={self.client_a.pk}")
        rows = re.findall(
            r"<td>(password-reset|password|account-email) \d+</td>", response.content.decode()
        )
        self.assertEqual(rows, ["password", "account-email", "password-reset"])

    def test_only_the_clinics_admins_open_it_and_refusals_are_recorded(self) -> None:
        for person in (self.therapist_a, self.supervisor, self.researcher, self.client_a):
            with self.subTest(person=str(person)):
                self.sign_in(person)
                self.assertEqual(self.client.get("/clinic/audit/").status_code, 404)
                self.assertEqual(self.client.get("/clinic/audit/export.csv").status_code, 404)
        refused = AccessEvent.objects.filter(object_type="audit-trail", allowed=False)
        self.assertEqual(refused.count(), 8)
        self.assertIn(self.therapist_a.pk, refused.values_list("actor_id", flat=True))

    def test_a_change_says_what_it_changed_and_names_free_text_without_its_words(self) -> None:
        accounts.set_roles(self.therapist_b, ["therapist", "researcher"], by=self.admin)
        accounts.change_email(self.therapist_b, "moved-away@example.org", by=self.admin)
        response = self.client.get(f"/clinic/audit/?action=change&staff={self.admin.pk}")
        self.assertContains(response, "<li>is_researcher: false → true</li>", html=False)
        self.assertContains(
            response, "<li>changed (kept in the record only): email</li>", html=False
        )
        self.assertNotContains(response, "moved-away@example.org")


class AuditTrailExportTests(BaseTestCase):
    def setUp(self) -> None:
        self.sign_in(self.admin)

    def test_the_csv_holds_the_filtered_events_and_is_recorded_as_an_export(self) -> None:
        with clock(2026, 11, 10, 9, 0):
            trail.record(
                actor_id=self.therapist_a.pk,
                actor_role="therapist",
                action="view",
                object_type="goal",
                object_id=7,
                clinic_id=self.clinic.pk,
                client_id=self.client_a.pk,
            )
        response = self.client.get(f"/clinic/audit/export.csv?client={self.client_a.pk}")
        self.assertIsInstance(response, StreamingHttpResponse)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn("attachment;", response["Content-Disposition"])
        self.assertEqual(response["Cache-Control"], "no-store")
        rows = csv_rows(response)
        self.assertEqual(rows[0][:5], ["when", "person id", "person", "role", "action"])
        goal_rows = [row for row in rows[1:] if row[5] == "goal"]
        self.assertEqual(
            goal_rows[0][:11],
            [
                "2026-11-10T09:00:00+00:00",
                str(self.therapist_a.pk),
                "Therapist A",
                "therapist",
                "view",
                "goal",
                "7",
                str(self.client_a.pk),
                "Client A",
                "allowed",
                "",
            ],
        )
        self.assertTrue(all(row[7] == str(self.client_a.pk) for row in rows[1:]))
        export = AccessEvent.objects.get(object_type="audit-trail")
        self.assertEqual((export.action, export.actor_id), ("export", self.admin.pk))
        self.assertEqual(export.client_id, self.client_a.pk)

    def test_the_csv_has_each_changes_json_last(self) -> None:
        accounts.set_roles(self.therapist_b, ["therapist", "researcher"], by=self.admin)
        rows = csv_rows(self.client.get("/clinic/audit/export.csv?action=change"))
        self.assertEqual(rows[0][-1], "changes")
        staff = [row for row in rows[1:] if row[5] == "staff"]
        self.assertEqual(json.loads(staff[0][-1]), {"values": {"is_researcher": [False, True]}})

    def test_csv_cells_that_look_like_formulas_are_written_as_text(self) -> None:
        names = ['=HYPERLINK("http://evil.example")', "+44 20", "-1+1", "@SUM(A1)"]
        for name in [*names, "Ann Lee"]:
            care.add_client(
                clinic=self.clinic, full_name=name, care_team=[self.therapist_a], by=self.admin
            )
        response = self.client.get("/clinic/audit/export.csv?action=create")
        exported = {row[8] for row in csv_rows(response)[1:]}
        self.assertLessEqual({"'" + name for name in names} | {"Ann Lee"}, exported)
        self.assertFalse(exported & set(names))
