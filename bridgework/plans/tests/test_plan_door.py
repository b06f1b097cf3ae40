"""The plan's door hands each page what it shows (`preload_page`), so no page reads the plan a
second time after its door, and a page opens the door once."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bridgework.accounts.models import User
from bridgework.audit.models import AccessEvent
from bridgework.care.models import Client
from bridgework.plans import actions
from bridgework.plans.access import plans_of, plans_of_clients
from bridgework.plans.models import ActionPlan
from bridgework.plans.tests.helpers import PlanTestCase
from bridgework.test import request_of, user_of


def reads_of(plan: ActionPlan, queries: CaptureQueriesContext) -> int:
    """How many queries loaded this plan's own row (not its obstacles, reviews…)."""
    own_row = re.compile(
        rf'^SELECT .* FROM "plans_actionplan" .*WHERE .*"plans_actionplan"\."id" = {plan.pk}\b'
    )
    return sum(1 for query in queries.captured_queries if own_row.search(query["sql"]))


class PlanDoorTests(PlanTestCase):
    def test_each_page_of_a_plan_reads_the_plan_once(self) -> None:
        plan = self.agreed()
        pages: list[tuple[User | Client, tuple[str, ...]]] = [
            (self.therapist_a, (f"/plans/{plan.pk}/", f"/plans/{plan.pk}/review/")),
            (self.client_a, (f"/plans/{plan.pk}/summary/", f"/me/plans/{plan.pk}/")),
        ]
        for person, urls in pages:
            self.sign_in(person)
            for url in urls:
                with self.subTest(url=url), CaptureQueriesContext(connection) as queries:
                    self.assertEqual(self.client.get(url).status_code, 200)
                    self.assertEqual(reads_of(plan, queries), 1)

    def test_the_preloaded_page_shows_the_plans_obstacles_and_session(self) -> None:
        plan = self.agreed()
        self.edit(plan, set_in_session=self.last_session)
        self.sign_in(self.therapist_a)
        page = self.client.get(f"/plans/{plan.pk}/")
        obstacle = plan.obstacles.first()
        assert obstacle is not None
        self.assertContains(page, obstacle.description)
        self.assertEqual(page.context["plan"].set_in_session, self.last_session)

    def test_declining_a_proposal_opens_it_once(self) -> None:
        proposal = actions.propose(
            self.client_a, by=user_of(self.client_a), title="Swim", what="Go swimming"
        )
        self.sign_in(self.therapist_a)
        before = AccessEvent.objects.count()
        response = self.client.post(f"/plans/{proposal.pk}/decline/", {"reason": "Not yet"})
        self.assertRedirects(response, f"/plans/{proposal.pk}/", fetch_redirect_response=False)
        events = AccessEvent.objects.order_by("id")[before:]
        # One look through the door (for a change), and the decline's own audit row.
        self.assertEqual(
            [(e.object_type, e.action, e.actor_role) for e in events],
            [("plan", "change", "therapist"), ("plan", "change", "staff")],
        )


class PlansOfManyClientsTests(PlanTestCase):
    """`plans_of_clients`: the plans door over many clients at once (a trainee's dashboard)."""

    def test_it_gives_the_plans_of_the_clients_the_reader_may_read_and_records_each(
        self,
    ) -> None:
        mine = self.agreed()
        draft = self.draft()
        theirs = actions.start_plan(self.client_b, by=self.therapist_b, template=self.template())
        before = AccessEvent.objects.count()
        found = plans_of_clients(request_of(self.supervisor), [self.client_a, self.client_b])
        self.assertEqual(set(found), {mine, draft})
        self.assertNotIn(theirs, found)
        events = AccessEvent.objects.order_by("id")[before:]
        self.assertEqual(
            [(e.object_type, e.action, e.client_id, e.actor_role, e.allowed) for e in events],
            [
                ("plans", "list", self.client_a.pk, "supervisor", True),
                ("plans", "list", self.client_b.pk, "staff", False),
            ],
        )

    def test_a_client_sees_their_own_plans_without_drafts(self) -> None:
        agreed = self.agreed()
        self.draft()
        found = plans_of_clients(request_of(user_of(self.client_a)), [self.client_a, self.client_b])
        self.assertEqual(list(found), [agreed])
        self.assertEqual(
            list(found), list(plans_of(request_of(user_of(self.client_a)), self.client_a))
        )

    def test_another_clinic_reads_nothing(self) -> None:
        self.agreed()
        found = plans_of_clients(request_of(self.other_therapist), [self.client_a])
        self.assertEqual(list(found), [])
        refusal = AccessEvent.objects.filter(actor_id=self.other_therapist.pk).get()
        self.assertEqual((refusal.allowed, refusal.client_id), (False, None))
