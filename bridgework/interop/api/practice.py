"""Practice logs and check-ins (0–100 ratings): read through practice's doors; made by the
client themself, idempotent by the uid the client chose, by the very functions the phone's
offline sync calls (practice.entries reads the fields, practice.actions saves once)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from bridgework.care.access import Need, get_client_for_user, own_record
from bridgework.interop.api.auth import TokenAuth, signed
from bridgework.interop.api.paging import Window, listed, page
from bridgework.interop.api.problems import invalid
from bridgework.interop.api.schemas import CheckInIn, CheckInOut, PracticeLogIn, PracticeLogOut
from bridgework.interop.models import Area
from bridgework.practice import access, actions, entries, worksheets
from bridgework.practice.models import CheckIn

router = Router(auth=TokenAuth(Area.PRACTICE), tags=["practice"])


class PracticeLogPage(Schema):
    items: list[PracticeLogOut]
    next: str | None


class CheckInPage(Schema):
    items: list[CheckInOut]
    next: str | None


@router.get(
    "/clients/{client_id}/practice-logs", response=PracticeLogPage, summary="A client's practice"
)
def logs(request: HttpRequest, client_id: int, window: Query[Window]) -> dict[str, object]:
    found = access.logs_of(request, get_client_for_user(request, client_id))
    return listed(*page(found, window, at="practiced_at", listing="practice-logs"))


@router.get("/practice-logs/{log_id}", response=PracticeLogOut, summary="One practice log")
def log(request: HttpRequest, log_id: int) -> object:
    return access.get_log_for_user(request, log_id)


def form_of(body: PracticeLogIn) -> dict[str, Any]:
    """The entry as the flat form fields the pages and the phone's queue send."""
    sheet = body.worksheet or (worksheets.QUICK if body.plan else worksheets.PRIVATE_ALLOWED)
    form: dict[str, Any] = {
        "uid": str(body.uid),
        "plan": body.plan or "",
        "sheet": sheet,
        "outcome": body.outcome,
        "practiced_at": body.practiced_at.isoformat() if body.practiced_at else "",
        "duration_minutes": "" if body.duration_minutes is None else str(body.duration_minutes),
        "obstacles_note": body.obstacles_note,
        "note": body.note,
        "visible_to": body.visible_to or "",
        "prompt": body.prompt or "",
    }
    for name, value in body.entries.items():
        if isinstance(value, list):
            for row, columns in enumerate(value):
                form |= {f"entries.{name}.{row}.{key}": cell for key, cell in columns.items()}
        else:
            form[f"entries.{name}"] = value
    return form


# The form's names of fields, as the API names them.
FIELDS = {"sheet": "worksheet", "practiced_at": "practiced_at", "answered_at": "answered_at"}


@router.post(
    "/practice-logs",
    response={200: PracticeLogOut, 201: PracticeLogOut},
    summary="Log practice (the client themself); the same uid again answers the first",
)
def new_log(request: HttpRequest, body: PracticeLogIn) -> Status[Any]:
    asker = signed(request)
    client = own_record(asker, need=Need.WRITE)
    try:
        saved = actions.log_practice(
            client, by=asker.user, **entries.practice_from(request, client, form_of(body))
        )
    except actions.EntryRefused as refused:
        raise invalid(refused.problems, FIELDS) from None
    return Status(201 if saved.created else 200, saved.entry)


def check_in_out(entry: CheckIn) -> dict[str, Any]:
    ratings = [{"scale_id": r.scale_id, "value": r.value} for r in entry.ratings.all()]
    return {
        "id": entry.pk,
        "uid": entry.uid,
        "client_id": entry.client_id,
        "answered_at": entry.answered_at,
        "received_at": entry.received_at,
        "ratings": ratings,
    }


@router.get("/clients/{client_id}/check-ins", response=CheckInPage, summary="A client's check-ins")
def check_ins(request: HttpRequest, client_id: int, window: Query[Window]) -> dict[str, object]:
    found = access.check_ins_of(request, get_client_for_user(request, client_id))
    rows, cursor = page(found, window, at="answered_at", listing="check-ins")
    return listed([check_in_out(entry) for entry in rows], cursor)


@router.post(
    "/check-ins",
    response={200: CheckInOut, 201: CheckInOut},
    summary="Check in with 0–100 ratings (the client themself); the same uid again answers "
    "the first",
)
def new_check_in(request: HttpRequest, body: CheckInIn) -> Status[Any]:
    asker = signed(request)
    client = own_record(asker, need=Need.WRITE)
    form: dict[str, Any] = {
        "uid": str(body.uid),
        "answered_at": body.answered_at.isoformat() if body.answered_at else "",
        "prompt": body.prompt or "",
    }
    form |= {f"scale-{scale}": value for scale, value in body.ratings.items()}
    try:
        saved = actions.check_in(client, by=asker.user, **entries.check_in_from(client, form))
    except actions.EntryRefused as refused:
        names = {f"scale-{scale}": f"ratings.{scale}" for scale in body.ratings}
        raise invalid(refused.problems, FIELDS | names) from None
    return Status(201 if saved.created else 200, check_in_out(saved.entry))
