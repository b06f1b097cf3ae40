"""The permission matrix of the REST API: every route of every router, with every method,
called by every actor of the cast with a token of their own (all areas, read and write), and
by an anonymous caller with none.

A route (or a method on it) missing from API_MATRIX fails the test, so no endpoint can slip in
unchecked. Objects are client A's as in test_permissions. The anonymous caller gets 401
everywhere (no hint whether an object exists); anybody outside an object's care gets 404 with
a refusal of theirs in the trail; an answered call leaves an allowed event of theirs marked
as made via their token.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from bridgework.accounts.models import User
from bridgework.audit.models import AccessEvent
from bridgework.care.models import Client
from bridgework.interop.api.main import api
from bridgework.interop.tests.helpers import call, token_for
from bridgework.practice.models import CheckInScale
from bridgework.test import user_of
from bridgework.tests.test_permissions import ACTORS, CLIENTS, MatrixCase, MatrixObjects, each


@dataclass
class Call:
    url: Callable[[MatrixCase], str]
    expect: dict[str, int]
    default: int = 404
    body: Callable[[MatrixCase], Any] | None = None
    media: str = "application/json"  # of an answer below 400

    def status_for(self, actor: str) -> int:
        if actor == "anonymous":
            return 401
        return self.expect.get(actor, self.default)


READERS_OF_A = {"therapist_a": 200, "supervisor": 200, "client_a": 200}
STAFF_OF_A = {"therapist_a": 200, "supervisor": 200}


def diary_entry(t: MatrixCase) -> dict[str, Any]:
    return {"uid": str(uuid.uuid4()), "worksheet": "free-diary", "entries": {"entry": "Calm"}}


def scale_of_a(t: MatrixCase) -> dict[str, Any]:
    scale = CheckInScale.objects.filter(client=t.client_a).first()
    assert scale is not None
    return {"uid": str(uuid.uuid4()), "ratings": {str(scale.pk): 50}}


def new_record(t: MatrixCase) -> dict[str, Any]:
    """A Bundle of one client no clinic has yet: a clinic admin's import makes them."""
    patient = {"resourceType": "Patient", "id": "p1", "name": [{"text": "Imported Client"}]}
    entry = {"fullUrl": "urn:uuid:p1", "resource": patient}
    return {"resourceType": "Bundle", "type": "collection", "entry": [entry]}


def gad_7(t: MatrixCase) -> dict[str, Any]:
    return {"instrument": "gad-7", "answers": {str(item): 0 for item in range(1, 8)}}


# (method, route as the router names it) → how each actor fares.
API_MATRIX: dict[tuple[str, str], Call] = {
    ("GET", "/clients"): Call(lambda t: "/api/v1/clients", {}, default=200),
    ("GET", "/clients/{client_id}"): Call(
        lambda t: f"/api/v1/clients/{t.client_a.pk}", READERS_OF_A
    ),
    ("GET", "/clients/{client_id}/goals"): Call(
        lambda t: f"/api/v1/clients/{t.client_a.pk}/goals", READERS_OF_A
    ),
    # Sessions are the clinicians' records (the client's pages do not list them).
    ("GET", "/clients/{client_id}/sessions"): Call(
        lambda t: f"/api/v1/clients/{t.client_a.pk}/sessions", STAFF_OF_A
    ),
    ("GET", "/sessions/{session_id}"): Call(
        lambda t: f"/api/v1/sessions/{t.session.pk}", STAFF_OF_A
    ),
    ("GET", "/clients/{client_id}/plans"): Call(
        lambda t: f"/api/v1/clients/{t.client_a.pk}/plans", READERS_OF_A
    ),
    ("POST", "/clients/{client_id}/plans"): Call(
        lambda t: f"/api/v1/clients/{t.client_a.pk}/plans", {"therapist_a": 201}, body=lambda t: {}
    ),
    ("GET", "/plans/{plan_id}"): Call(lambda t: f"/api/v1/plans/{t.agreed.pk}", READERS_OF_A),
    # A blank draft has no title yet: therapist A is let in and told what is missing.
    ("POST", "/plans/{plan_id}/agree"): Call(
        lambda t: f"/api/v1/plans/{t.draft.pk}/agree", {"therapist_a": 422}
    ),
    ("POST", "/plans/{plan_id}/review"): Call(
        lambda t: f"/api/v1/plans/{t.agreed.pk}/review",
        {"therapist_a": 200},
        body=lambda t: {"answers": {"done": 2, "decision": "continue"}},
    ),
    ("GET", "/clients/{client_id}/practice-logs"): Call(
        lambda t: f"/api/v1/clients/{t.client_a.pk}/practice-logs", READERS_OF_A
    ),
    ("GET", "/practice-logs/{log_id}"): Call(
        lambda t: f"/api/v1/practice-logs/{t.log.pk}", READERS_OF_A
    ),
    # Each client writes in their own diary; staff have none.
    ("POST", "/practice-logs"): Call(
        lambda t: "/api/v1/practice-logs", each(CLIENTS, 201), body=diary_entry
    ),
    ("GET", "/clients/{client_id}/check-ins"): Call(
        lambda t: f"/api/v1/clients/{t.client_a.pk}/check-ins", READERS_OF_A
    ),
    # Client A's scale: the other clients are told it is not one of theirs.
    ("POST", "/check-ins"): Call(
        lambda t: "/api/v1/check-ins",
        {"client_a": 201, "client_b": 422, "other_client": 422},
        body=scale_of_a,
    ),
    ("GET", "/instruments"): Call(lambda t: "/api/v1/instruments", {}, default=200),
    ("GET", "/clients/{client_id}/responses"): Call(
        lambda t: f"/api/v1/clients/{t.client_a.pk}/responses", READERS_OF_A
    ),
    ("POST", "/clients/{client_id}/responses"): Call(
        lambda t: f"/api/v1/clients/{t.client_a.pk}/responses",
        {"therapist_a": 201, "client_a": 201},
        body=gad_7,
    ),
    ("GET", "/clients/{client_id}/flags"): Call(
        lambda t: f"/api/v1/clients/{t.client_a.pk}/flags", STAFF_OF_A
    ),
    ("POST", "/flags/{flag_id}/acknowledge"): Call(
        lambda t: f"/api/v1/flags/{t.flag.pk}/acknowledge", {"therapist_a": 200}, body=lambda t: {}
    ),
    ("GET", "/clients/{client_id}/prompts"): Call(
        lambda t: f"/api/v1/clients/{t.client_a.pk}/prompts", READERS_OF_A
    ),
    ("GET", "/clients/{client_id}/schedules"): Call(
        lambda t: f"/api/v1/clients/{t.client_a.pk}/schedules", READERS_OF_A
    ),
    # Therapist A is let in and told what the rule lacks.
    ("POST", "/clients/{client_id}/schedules"): Call(
        lambda t: f"/api/v1/clients/{t.client_a.pk}/schedules",
        {"therapist_a": 422},
        body=lambda t: {"purpose": "practice", "rule": {}, "channels": ["email"]},
    ),
    # A client's record as FHIR: the staff who may read the client, as on the FHIR pages.
    ("GET", "/fhir/Patient/{client_id}/$everything"): Call(
        lambda t: f"/api/v1/fhir/Patient/{t.client_a.pk}/$everything",
        STAFF_OF_A,
        media="application/fhir+json",
    ),
    # Clinic admins only, as the import page; into therapist A's caseload: the other
    # clinic's admin is told therapist A is none of theirs.
    ("POST", "/fhir/Bundle"): Call(
        lambda t: f"/api/v1/fhir/Bundle?therapist={t.therapist_a.pk}",
        {"admin": 201, "other_admin": 422},
        body=new_record,
    ),
}
# Routes whose answer opens no client's record, so leaves no access event.
NO_CLIENT_DATA = {("GET", "/instruments")}


def api_routes() -> Iterator[tuple[str, str]]:
    """Every method on every route of every router mounted on the API."""
    for _prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                for method in operation.methods:
                    yield method, path


class ApiPermissionMatrixTests(MatrixObjects):
    secrets: dict[str, str]

    def setUp(self) -> None:
        super().setUp()
        self.secrets = {}
        for actor in ACTORS[1:]:
            person = getattr(self, actor)
            self.secrets[actor] = token_for(
                user_of(person) if isinstance(person, Client) else person
            )[1]

    def test_every_api_route_is_in_the_matrix(self) -> None:
        served = set(api_routes())
        self.assertEqual(served - set(API_MATRIX), set(), "API routes with no matrix row")
        self.assertEqual(set(API_MATRIX) - served, set(), "Matrix rows for no API route")

    def test_each_actor_gets_the_expected_status_on_every_api_route(self) -> None:
        for (method, route), row in API_MATRIX.items():
            for actor in ACTORS:
                with self.subTest(method=method, route=route, actor=actor):
                    last = AccessEvent.objects.order_by("-id").values_list("id", flat=True).first()
                    body = row.body(self) if row.body else ({} if method == "POST" else None)
                    response = call(
                        self.client, method.lower(), row.url(self), self.secrets.get(actor), body
                    )
                    self.assertEqual(response.status_code, row.status_for(actor), response.content)
                    if actor != "anonymous":
                        self.assertEqual(
                            response["Content-Type"].split(";")[0],
                            row.media if response.status_code < 400 else "application/problem+json",
                        )
                        events = list(AccessEvent.objects.filter(id__gt=last or 0))
                        self.assert_trail_of((method, route), actor, response.status_code, events)

    def assert_trail_of(
        self, route: tuple[str, str], actor: str, status: int, events: list[AccessEvent]
    ) -> None:
        person = getattr(self, actor)
        asker: User = user_of(person) if isinstance(person, Client) else person
        theirs = [event for event in events if event.actor_id == asker.pk]
        self.assertTrue(all(event.via.startswith("token:") for event in theirs), "not via token")
        if status == 404:
            self.assertTrue(any(not e.allowed for e in theirs), "a 404 with no refusal")
        elif route not in NO_CLIENT_DATA:
            self.assertTrue(any(e.allowed for e in theirs), "an answer with no access event")
        if status < 400:
            self.assertEqual([e for e in theirs if not e.allowed], [], "a refusal, yet answered")
