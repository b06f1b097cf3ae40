"""Clients (the token owner's caseload, or a client's own record), their goals and therapy
sessions: read through care's doors."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema

from bridgework.care import access
from bridgework.care.access import Need
from bridgework.interop.api.auth import TokenAuth, signed
from bridgework.interop.api.paging import Window, listed, page
from bridgework.interop.api.schemas import ClientOut, GoalOut, SessionOut
from bridgework.interop.models import Area

router = Router(auth=TokenAuth(Area.CLIENTS), tags=["clients"])


class ClientPage(Schema):
    items: list[ClientOut]
    next: str | None


class GoalPage(Schema):
    items: list[GoalOut]
    next: str | None


class SessionPage(Schema):
    items: list[SessionOut]
    next: str | None


@router.get("/clients", response=ClientPage, summary="The caseload, or a client's own record")
def clients(request: HttpRequest, window: Query[Window]) -> dict[str, object]:
    asker = signed(request)
    if asker.user.is_client:
        return listed([access.own_record(asker)], None)  # one record: one page
    return listed(
        *page(access.caseload_for_user(asker), window, at="created_at", listing="clients")
    )


@router.get("/clients/{client_id}", response=ClientOut, summary="One client")
def client(request: HttpRequest, client_id: int) -> object:
    return access.get_client_for_user(request, client_id)


@router.get("/clients/{client_id}/goals", response=GoalPage, summary="A client's goals")
def goals(request: HttpRequest, client_id: int, window: Query[Window]) -> dict[str, object]:
    found = access.goals_of(request, access.get_client_for_user(request, client_id))
    return listed(*page(found, window, at="created_at", listing="goals"))


@router.get(
    "/clients/{client_id}/sessions", response=SessionPage, summary="A client's therapy sessions"
)
def sessions(request: HttpRequest, client_id: int, window: Query[Window]) -> dict[str, object]:
    client = access.get_client_for_user(request, client_id, staff_view=True)
    return listed(
        *page(access.sessions_of(request, client), window, at="starts_at", listing="sessions")
    )


@router.get("/sessions/{session_id}", response=SessionOut, summary="One therapy session")
def session(request: HttpRequest, session_id: int) -> object:
    return access.get_session_for_user(request, session_id, need=Need.READ, staff_view=True)
