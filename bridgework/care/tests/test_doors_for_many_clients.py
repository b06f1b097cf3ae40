"""The doors over many clients at once (a trainee's dashboard reads all of a therapist's
clients): each client decided by the client door's own rule, one listing per client on that
client's chain, and a client the reader may not read refused, recorded and left out."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from bridgework.accounts.models import User
from bridgework.audit.models import AccessEvent
from bridgework.care import actions
from bridgework.care.access import Need, decide, record_listings, sessions_of_clients, ties_of
from bridgework.care.models import Client
from bridgework.test import BaseTestCase, make_staff, request_of, user_of


class ManyClientsDoorTests(BaseTestCase):
    def clients(self) -> list[Client]:
        return [self.client_a, self.client_b, self.other_client]

    def readers(self) -> list[User]:
        return [
            self.admin,
            self.therapist_a,
            self.therapist_b,
            self.supervisor,
            self.researcher,
            self.other_therapist,
            self.other_admin,
            user_of(self.client_a),
        ]

    def test_each_client_gets_the_role_the_client_door_gives_it(self) -> None:
        for reader in self.readers():
            with self.subTest(reader=str(reader)):
                one_by_one = {
                    client.pk: role
                    for client in self.clients()
                    if (role := decide(reader, client, Need.READ)) is not None
                }
                roles = record_listings(request_of(reader), self.clients(), "plans")
                self.assertEqual(roles, one_by_one)

    def test_a_supervisor_reads_their_supervisees_clients_and_their_own(self) -> None:
        own = actions.add_client(
            clinic=self.clinic, full_name="Own client", care_team=[self.supervisor], by=None
        )
        roles = record_listings(request_of(self.supervisor), [*self.clients(), own], "plans")
        self.assertEqual(roles, {self.client_a.pk: "supervisor", own.pk: "supervisor"})

    def test_an_outsider_client_is_left_out_and_its_refusal_recorded(self) -> None:
        for client in self.clients():
            therapist = client.memberships.get().member
            actions.add_session(
                client,
                therapist=therapist,
                starts_at=timezone.now() - timedelta(days=1),
                by=therapist,
            )
        before = AccessEvent.objects.count()
        sessions = sessions_of_clients(request_of(self.supervisor), self.clients())
        self.assertEqual({session.client_id for session in sessions}, {self.client_a.pk})
        events = AccessEvent.objects.order_by("id")[before:]
        self.assertEqual(
            [(e.object_type, e.action, e.object_id, e.client_id, e.allowed) for e in events],
            [
                ("sessions", "list", str(self.client_a.pk), self.client_a.pk, True),
                ("sessions", "list", str(self.client_b.pk), self.client_b.pk, False),
                # Another clinic's client stays off that clinic's chains.
                ("sessions", "list", str(self.other_client.pk), None, False),
            ],
        )
        self.assertEqual(events[0].chain, f"client:{self.client_a.pk}")
        self.assertEqual(events[0].actor_role, "supervisor")

    def test_nobody_let_in_reads_nothing(self) -> None:
        request = request_of(self.researcher)
        self.assertEqual(list(sessions_of_clients(request, self.clients())), [])
        self.assertEqual(list(sessions_of_clients(request_of(self.supervisor), [])), [])

    def test_the_care_teams_of_any_number_of_clients_are_read_in_one_query(self) -> None:
        many = [
            actions.add_client(
                clinic=self.clinic, full_name=f"Client {n}", care_team=[self.therapist_a], by=None
            )
            for n in range(10)
        ]
        for clients in ([self.client_a], [self.client_a, *many]):
            with self.subTest(clients=len(clients)), self.assertNumQueries(1):
                ties = ties_of(self.supervisor, clients)
            self.assertEqual(len(ties), len(clients))
        # A client's account is never asked about care teams.
        account = user_of(self.client_a)
        with self.assertNumQueries(0):
            self.assertEqual(ties_of(account, many), {})

    def test_a_therapist_on_the_team_who_also_supervises_is_a_therapist_there(self) -> None:
        both = make_staff(self.clinic, "both", "therapist", "supervisor")
        self.client_a.memberships.create(member=both)
        roles = record_listings(request_of(both), [self.client_a], "plans")
        self.assertEqual(roles, {self.client_a.pk: "therapist"})
