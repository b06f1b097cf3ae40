from __future__ import annotations

import base64
import csv
import io
import re
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bridgework.accounts.models import Supervision
from bridgework.audit.models import AccessEvent, ChainHead
from bridgework.care import actions as care
from bridgework.care.models import Client
from bridgework.measures.models import Instrument
from bridgework.supervision.models import Assignment, RolePlay
from bridgework.supervision.tests.helpers import answers, shipped_scale
from bridgework.supervision.tests.records import RecordsTestCase
from bridgework.test import make_staff

URL = "/supervision/therapists/{}/"


def pictures_on(html: str) -> dict[str, bytes]:
    """Each picture drawn into the page (its data-chart name → the SVG of its data: image)."""
    found = re.findall(
        r'<figure class="card chart" data-chart="([^"]+)">\s*'
        r'<img src="data:image/svg\+xml;base64,([^"]+)"',
        html,
    )
    return {name: base64.b64decode(data) for name, data in found}


def reads_and_trail_writes(queries: CaptureQueriesContext) -> tuple[int, int]:
    """How many statements read the records, and how many wrote the access trail."""
    trail = (AccessEvent._meta.db_table, ChainHead._meta.db_table)
    writes = sum(any(table in q["sql"] for table in trail) for q in queries.captured_queries)
    return len(queries) - writes, writes


def cells(html: str, attribute: str, value: str) -> list[str]:
    """The text of each cell of the table row marked `attribute="value"`."""
    row = re.search(rf'<tr {attribute}="{re.escape(value)}">(.*?)</tr>', html, re.S)
    assert row, f"no row {attribute}={value}"
    found = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row.group(1), re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in found]


class TraineeDashboardTests(RecordsTestCase):
    """Therapist A's records, worked by hand (London time):

    session  starts (UTC)        month   plans set in it
    S1       3 March 10:00       March   P1 (every indicator a–f), P2 (c and f only)
    S2       17 March 10:00      March   — (P1 reviewed here: done 3, continue)
    S3       31 March 23:30      April   P3 (a, c, e, f); a draft, never counted
    S4       14 April 10:00      April   — (P3 reviewed here: done 1, continue: g absent)

    March: 2 plans. a 1/2, b 1/2, c 2/2, d 1/2, e 1/2, f 2/2, g 1/2 (P2 never reviewed),
    reviewed at the next session 1/2, practice logged 1/2 (P1 only).
    April: 1 plan. a 1/1, b 0/1, c 1/1, d 0/1, e 1/1, f 1/1, g 0/1, at the next 1/1,
    practice logged 1/1. A training client's plan in March is not counted.
    """

    def setUp(self) -> None:
        client = self.client_a
        self.s1 = self.session(client, "2026-03-03T10:00Z", takeaway="Walking helps")
        self.s2 = self.session(client, "2026-03-17T10:00Z")
        self.s3 = self.session(client, "2026-03-31T23:30Z")
        self.s4 = self.session(client, "2026-04-14T10:00Z")
        every: dict[str, Any] = dict(
            goal=True, builds_on=True, rationale=True, obstacle=True, seen=True
        )
        p1 = self.plan(client, self.s1, importance=8, confidence=7, **every)
        self.plan(client, self.s1, rationale=True, importance=5, confidence=4)
        p3 = self.plan(
            client, self.s3, goal=True, builds_on=True, rationale=True, seen=True,
            importance=9, confidence=8,
        )  # fmt: skip
        self.plan(client, self.s3, status="draft", **every)
        self.review(p1, self.s2, done=3, decision="continue")
        self.review(p3, self.s4, done=1, decision="continue")
        self.practise(p1)
        self.practise(p3)
        training = self.training_client(self.therapist_a)
        self.role_play_session = self.session(training, "2026-03-20T10:00Z")
        self.plan(training, self.role_play_session, **every)

        self.second_rater = make_staff(self.clinic, "second_rater", "supervisor")
        Supervision.objects.create(supervisor=self.second_rater, supervisee=self.therapist_a)
        self.rate(
            self.s1,
            self.supervisor,
            answers(4, links=5, collaboration=6, rationale=6, obstacles=2, importance_confidence=1),
            comment="Good collaboration on the step.",
            comments={"obstacles": "Ask what could get in the way."},
        )
        self.rate(
            self.s1,
            self.second_rater,
            answers(4, collaboration=6, rationale=6, obstacles=2, importance_confidence=2),
        )
        self.rate(self.s1, self.therapist_a, answers(3))
        self.rate(self.s3, self.supervisor, answers(1), submitted=False, comment="Draft words")
        # The second rater alone rated S4: the supervisor has not, so it stays hidden from them.
        self.rate(self.s4, self.second_rater, answers(5), comment="Hidden until both rated")
        self.rate(self.role_play_session, self.supervisor, answers(2))

        assignment = Assignment.objects.create(
            clinic=self.clinic,
            scenario="the-walks-that-did-not-happen",
            trainee=self.therapist_a,
            assigned_by=self.supervisor,
        )
        for number, starts_at in ((1, "2026-05-01T10:00Z"), (2, "2026-05-08T10:00Z")):
            training_session = self.session(training, starts_at)
            RolePlay.objects.create(
                assignment=assignment,
                number=number,
                client=training,
                session=training_session,
                started_at=training_session.starts_at,
            )

    def page(self, viewer) -> str:
        self.sign_in(viewer)
        response = self.client.get(URL.format(self.therapist_a.pk))
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_it_shows_the_hand_worked_months(self) -> None:
        html = self.page(self.supervisor)
        self.assertEqual(
            cells(html, "data-month", "2026-03"),
            [
                "March 2026", "2",
                "1/2 (50%)", "1/2 (50%)", "2/2 (100%)", "1/2 (50%)", "1/2 (50%)", "2/2 (100%)",
                "1/2 (50%)", "1/2 (50%)", "1/2 (50%)",
            ],
        )  # fmt: skip
        self.assertEqual(
            cells(html, "data-month", "2026-04"),
            [
                "April 2026", "1",
                "1/1 (100%)", "0/1 (0%)", "1/1 (100%)", "0/1 (0%)", "1/1 (100%)", "1/1 (100%)",
                "0/1 (0%)", "1/1 (100%)", "1/1 (100%)",
            ],
        )  # fmt: skip
        self.assertNotIn('data-month="2026-05"', html)  # the role-plays' month has no plans
        for name in ("measure-a", "measure-g", "measure-reviewed-at-next", "measure-practised"):
            self.assertIn(f'data-chart="{name}"', html)

    def test_the_supervisor_sees_submitted_ratings_as_the_blind_rule_allows(self) -> None:
        html = self.page(self.supervisor)
        table = html.split(f'data-table="ratings-{shipped_scale().pk}"')[1].split("</table>")[0]
        rows = re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", table, re.S)
        texts = [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]
        self.assertEqual(
            texts,
            [
                "3 Mar 2026 · session 1 Supervisor 48 4.0",
                "3 Mar 2026 · session 1 Second Rater 48 4.0",
                "3 Mar 2026 · session 1 Self-rating 36 3.0",
                "20 Mar 2026 · role-play Supervisor 24 2.0",
            ],
        )
        self.assertNotIn("Draft words", html)
        self.assertNotIn("Hidden until both rated", html)
        self.assertIn("Good collaboration on the step.", html)
        self.assertIn("Ask what could get in the way.", html)

    def test_the_trainee_sees_every_submitted_rating_of_themselves(self) -> None:
        html = self.page(self.therapist_a)
        self.assertIn("My plan work", html)
        self.assertIn(">14 Apr 2026</time> · session 4", html)
        self.assertIn("Hidden until both rated", html)
        self.assertNotIn("Draft words", html)

    def test_the_indicators_stand_beside_the_supervisors_scores(self) -> None:
        html = self.page(self.supervisor)
        # S1's plans: P1 and P2. Scores of the supervisor and the second rater.
        self.assertEqual(
            cells(html, "data-item", "collaboration"),
            [
                "Designing the plan together", "a", "1/2 (50%)", "6.0 (2 ratings)",
                "The rating is higher than the records",
            ],
        )  # fmt: skip
        self.assertEqual(
            cells(html, "data-item", "importance-confidence")[2:],
            ["2/2 (100%)", "1.5 (2 ratings)", "The records are higher than the rating"],
        )
        self.assertEqual(
            cells(html, "data-item", "obstacles")[2:],
            ["1/2 (50%)", "2.0 (2 ratings)", "They agree"],
        )
        # Links pools a and b over both plans; nothing was reviewed in S1, so g has nothing on
        # either side: the scores of a session whose records cannot show the item stay out.
        self.assertEqual(cells(html, "data-item", "links")[2:4], ["2/4 (50%)", "4.5 (2 ratings)"])
        self.assertEqual(
            cells(html, "data-item", "non-completion")[2:],
            ["— none applicable", "—", "—"],
        )

    def test_it_lists_the_scenarios_practised(self) -> None:
        html = self.page(self.supervisor)
        row = html.split('data-table="scenarios"')[1].split("</table>")[0]
        self.assertIn("The walks that did not happen", row)
        self.assertIn("<td>2</td>", row)
        self.assertIn("8 May 2026", row)

    def test_a_scenario_without_a_library_entry_is_named_by_its_slug(self) -> None:
        for slug in ("no-such-scenario", "../secrets"):
            self.assertEqual(Assignment(scenario=slug).scenario_title, slug)

    def test_the_pictures_are_drawn_into_the_page_as_svg_without_scripts(self) -> None:
        pictures = pictures_on(self.page(self.supervisor))
        scale = Instrument.objects.get(slug="bridgework-competence", clinic=None)
        self.assertEqual(
            list(pictures),
            [
                *(f"measure-{code}" for code in ("a", "b", "c", "d", "e", "f", "g")),
                "measure-reviewed-at-next",
                "measure-practised",
                f"ratings-{scale.pk}",
            ],
        )
        for name, svg in pictures.items():
            with self.subTest(name=name):
                self.assertTrue(svg.startswith(b"<svg"))
                self.assertNotIn(b"<script", svg)
        self.assertIn(b"Self-rating", pictures[f"ratings-{scale.pk}"])
        # They have no address of their own any more.
        charts = f"/supervision/therapists/{self.therapist_a.pk}/charts/measure-a.svg"
        self.assertEqual(self.client.get(charts).status_code, 404)

    def test_the_csv_holds_the_monthly_table_and_is_recorded_as_an_export(self) -> None:
        self.sign_in(self.supervisor)
        response = self.client.get(f"/supervision/therapists/{self.therapist_a.pk}/indicators.csv")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        self.assertEqual([row["month"] for row in rows], ["2026-03", "2026-04"])
        march = rows[0]
        self.assertEqual(
            (march["plans"], march["a_present"], march["a_applicable"], march["a_percent"]),
            ("2", "1", "2", "50"),
        )
        self.assertEqual(
            (march["reviewed_at_next_present"], march["practised_applicable"]), ("1", "2")
        )
        self.assertEqual(rows[1]["g_percent"], "0")
        exports = AccessEvent.objects.filter(
            actor_id=self.supervisor.pk, action="export", object_type="plan-indicators"
        )
        self.assertEqual(list(exports.values_list("client_id", flat=True)), [self.client_a.pk])

    def test_the_page_costs_the_same_queries_however_many_plans(self) -> None:
        self.sign_in(self.supervisor)
        url = URL.format(self.therapist_a.pk)
        self.client.get(url)  # the session's first request does its own work
        with CaptureQueriesContext(connection) as before:
            self.client.get(url)
        for _n in range(10):
            plan = self.plan(self.client_a, self.s1, goal=True, obstacle=True)
            self.review(plan, self.s2, done=2, decision="continue")
            self.practise(plan)
        with CaptureQueriesContext(connection) as after:
            html = self.client.get(url).content.decode()
        self.assertEqual(cells(html, "data-month", "2026-03")[1], "12")
        self.assertEqual(len(after), len(before))

    def more_clients(self, count: int) -> list[Client]:
        """Clients of therapist A with a session in March rated by the supervisor, a plan set
        in it, reviewed at the next session, and practice logged."""
        found = []
        for n in range(count):
            client = care.add_client(
                clinic=self.clinic, full_name=f"Client {n}", care_team=[self.therapist_a], by=None
            )
            first = self.session(client, "2026-03-05T10:00Z")
            plan = self.plan(client, first, goal=True, obstacle=True)
            self.review(plan, self.session(client, "2026-03-19T10:00Z"), done=2, decision="stop")
            self.practise(plan)
            self.rate(first, self.supervisor, answers(3), comment=f"Rated {n}")
            found.append(client)
        return found

    def test_the_page_reads_the_same_with_one_client_and_with_ten(self) -> None:
        self.sign_in(self.supervisor)
        url = URL.format(self.therapist_a.pk)
        self.client.get(url)  # the session's first request does its own work
        with CaptureQueriesContext(connection) as one:
            self.client.get(url)
        self.more_clients(9)
        with CaptureQueriesContext(connection) as ten:
            html = self.client.get(url).content.decode()
        self.assertEqual(cells(html, "data-month", "2026-03")[1], "11")
        self.assertIn("Rated 8", html)
        self.assertEqual(len(pictures_on(html)), 10)
        reads_one, writes_one = reads_and_trail_writes(one)
        reads_ten, writes_ten = reads_and_trail_writes(ten)
        self.assertEqual(reads_ten, reads_one)
        # The trail writes three statements for each chain its events join: the clinic's (the
        # trainee and the ratings looked at) and each client's (that client's listings).
        self.assertEqual((writes_one, writes_ten), (3 * 2, 3 * 11))

    def test_a_page_view_records_each_clients_listings_once_and_nothing_else_twice(
        self,
    ) -> None:
        (second,) = self.more_clients(1)
        self.sign_in(self.supervisor)
        before = AccessEvent.objects.count()
        self.client.get(URL.format(self.therapist_a.pk))
        events = AccessEvent.objects.order_by("id")[before:]
        # The rule: the trainee looked at and the ratings listed once, on the clinic's chain;
        # one listing of each kind of record per real client, on that client's chain.
        expected = [
            (None, "view", "trainee", str(self.therapist_a.pk)),
            (None, "list", "competence-ratings", ""),
            *(
                (client.pk, "list", kind, str(client.pk))
                for client in (self.client_a, second)
                for kind in ("plans", "practice-logs", "sessions")
            ),
        ]
        seen = [(e.client_id, e.action, e.object_type, e.object_id) for e in events]
        self.assertEqual(sorted(seen, key=str), sorted(expected, key=str))
        listings = [e for e in events if e.client_id is not None]
        self.assertTrue(all(e.allowed and e.actor_role == "supervisor" for e in listings))

    def test_another_supervisor_sees_nothing_of_this_trainee(self) -> None:
        stranger = make_staff(self.clinic, "stranger", "supervisor")
        self.sign_in(stranger)
        for path in ("", "indicators.csv"):
            with self.subTest(path=path):
                response = self.client.get(URL.format(self.therapist_a.pk) + path)
                self.assertEqual(response.status_code, 404)


class ReachingTheDashboardTests(RecordsTestCase):
    def test_a_therapist_finds_their_own_dashboard_on_the_supervision_page(self) -> None:
        self.sign_in(self.therapist_a)
        own = f"/supervision/therapists/{self.therapist_a.pk}/"
        self.assertContains(self.client.get("/supervision/"), f'<a href="{own}">')
        self.assertContains(self.client.get(own), "No agreed plans of real clients yet.")

    def test_a_supervisor_finds_each_supervisees_dashboard_there(self) -> None:
        self.sign_in(self.supervisor)
        home = self.client.get("/supervision/")
        self.assertContains(home, f'<a href="/supervision/therapists/{self.therapist_a.pk}/">')
        self.assertNotContains(home, f'href="/supervision/therapists/{self.therapist_b.pk}/"')
