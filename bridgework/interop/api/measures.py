"""Questionnaires (definitions), responses and flags: read through measures' doors; a response
is scored at once and raises its flags, and a flag is acknowledged, through measures.actions."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from bridgework.care.access import Need, get_client_for_user, get_session_for_user
from bridgework.interop.api.auth import TokenAuth, signed
from bridgework.interop.api.paging import Window, listed, page
from bridgework.interop.api.problems import invalid, not_found
from bridgework.interop.api.schemas import (
    AcknowledgeIn,
    FlagOut,
    InstrumentOut,
    NewResponseOut,
    ResponseIn,
    ResponseOut,
)
from bridgework.interop.models import Area
from bridgework.measures import access, actions, scoring
from bridgework.measures.models import Flag, Instrument, Response

router = Router(auth=TokenAuth(Area.MEASURES), tags=["measures"])
flags_router = Router(auth=TokenAuth(Area.FLAGS), tags=["flags"])


class InstrumentPage(Schema):
    items: list[InstrumentOut]
    next: str | None


class ResponsePage(Schema):
    items: list[ResponseOut]
    next: str | None


class FlagPage(Schema):
    items: list[FlagOut]
    next: str | None


@router.get("/instruments", response=InstrumentPage, summary="The questionnaires in use")
def instruments(request: HttpRequest, window: Query[Window]) -> dict[str, object]:
    """Definitions (docs/instruments.md), no one's answers: the shipped ones and the clinic's."""
    clinic_id = signed(request).user.clinic_id
    found = Instrument.objects.filter(
        Q(clinic=None) | Q(clinic=clinic_id), retired_at=None, rates=Instrument.Rates.CLIENT
    )
    return listed(*page(found, window, at="imported_at", listing="instruments"))


def response_out(response: Response) -> dict[str, Any]:
    fields = ("id", "client_id", "instrument_id", "session_id", "answers", "scores")
    return {name: getattr(response, name) for name in fields} | {
        "instrument_slug": response.instrument.slug,
        "completed_at": response.completed_at,
    }


@router.get("/clients/{client_id}/responses", response=ResponsePage, summary="A client's answers")
def responses(request: HttpRequest, client_id: int, window: Query[Window]) -> dict[str, object]:
    found = access.responses_of(request, get_client_for_user(request, client_id))
    rows, cursor = page(found, window, at="completed_at", listing="responses")
    return listed([response_out(row) for row in rows], cursor)


def answers_to(instrument: Instrument, given: dict[str, int | str]) -> dict[str, Any]:
    """The answers as the questionnaire page reads them (measures.actions.answers_from), with
    the page's check that every required question is answered."""
    answers = actions.answers_from(
        instrument, {f"item-{key}": value for key, value in given.items()}
    )
    missing = [
        item["linkId"]
        for item in instrument.definition["item"]
        if item.get("required") and item["linkId"] not in answers
    ]
    unknown = set(given) - {item["linkId"] for item in instrument.definition["item"]}
    problems = {name: _("Please answer this question.") for name in missing}
    problems |= {name: _("This question is not part of this questionnaire.") for name in unknown}
    if problems:
        raise invalid({f"answers.{name}": message for name, message in problems.items()})
    return answers


@router.post(
    "/clients/{client_id}/responses",
    response={201: NewResponseOut},
    summary="Answer a questionnaire: scored at once, with the flags it raises",
)
def respond(request: HttpRequest, client_id: int, body: ResponseIn) -> Status[Any]:
    client = get_client_for_user(request, client_id, need=Need.WRITE)
    instrument = actions.current(body.instrument, client.clinic_id)
    if instrument is None or instrument.rates != Instrument.Rates.CLIENT:
        raise invalid(
            {"instrument": _("There is no such questionnaire. Use a slug of /instruments.")}
        )
    session = None
    if body.session is not None:
        session = get_session_for_user(request, body.session, need=Need.WRITE, staff_view=True)
        if session.client_id != client.pk:
            raise not_found()
    try:
        response, flags = actions.respond(
            client,
            instrument,
            answers_to(instrument, body.answers),
            by=signed(request).user,
            session=session,
            completed_at=body.completed_at,
        )
    except scoring.AnswerError as refused:
        raise invalid(
            {f"answers.{name}": text for name, text in refused.problems.items()}
        ) from None
    except actions.RetiredInstrument as retired:
        raise invalid({"instrument": str(retired)}) from None
    # A client never sees flags (measures.access): they are told to look at the crisis
    # resources instead, as the questionnaire page shows them.
    risk = any(flag.kind == Flag.Kind.RISK for flag in flags)
    shown = [] if signed(request).user.is_client else flags
    return Status(201, {"response": response_out(response), "flags": shown, "risk": risk})


@flags_router.get("/clients/{client_id}/flags", response=FlagPage, summary="A client's flags")
def flags(request: HttpRequest, client_id: int, window: Query[Window]) -> dict[str, object]:
    client = get_client_for_user(request, client_id, staff_view=True)
    return listed(*page(access.flags_of(request, client), window, at="raised_at", listing="flags"))


@flags_router.post("/flags/{flag_id}/acknowledge", response=FlagOut, summary="Acknowledge a flag")
def acknowledge(request: HttpRequest, flag_id: int, body: AcknowledgeIn) -> object:
    flag = access.get_flag_for_user(request, flag_id, need=Need.WRITE)
    return actions.acknowledge(flag, by=signed(request).user, note=body.note)
