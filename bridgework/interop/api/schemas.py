"""What the API reads and writes, as pydantic models (and so as the OpenAPI description).

Every text that comes in is held to the project's one text rule (lib.text) here, field by
field, so a NUL or half an emoji is refused naming its field before any action runs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import ValidationInfo, field_validator

from bridgework.lib import text


class Incoming(Schema):
    @field_validator("*", mode="before")
    @classmethod
    def under_text_rule(cls, value: Any, info: ValidationInfo) -> Any:
        found = text.first_refused(value)
        if found is not None:
            path, refusal = found
            label = info.field_name if path == "(the whole value)" else f"{info.field_name}/{path}"
            raise ValueError(refusal.message(label))
        return value


class ClientOut(Schema):
    id: int
    full_name: str
    pseudonym: str
    time_zone: str
    created_at: datetime
    discharged_at: datetime | None


class GoalOut(Schema):
    id: int
    client_id: int
    text: str
    created_at: datetime
    achieved_at: datetime | None


class SessionOut(Schema):
    id: int
    client_id: int
    therapist_id: int
    number: int
    starts_at: datetime
    takeaway: str


class PlanOut(Schema):
    id: int
    client_id: int
    status: str
    version: int
    title: str
    kind: str
    approach: str
    framing: str
    proposed_by: str
    rationale: str
    instructions: str
    what: str
    when: str
    where: str
    how_long: str
    how_often: str
    with_whom: str
    importance: int | None
    confidence: int | None
    rehearsed: bool
    cues: str
    worksheet: str
    template_id: int | None
    set_in_session_id: int | None
    review_session_id: int | None
    created_at: datetime
    agreed_at: datetime | None
    closed_at: datetime | None


class NewPlanIn(Incoming):
    template: str | None = None  # a template's slug; none: a blank draft
    approach: str = ""


class ReviewIn(Incoming):
    session: int | None = None
    answers: dict[str, int | str]


class ReviewOut(Schema):
    review_id: int
    plan: PlanOut
    successor: PlanOut | None


class PracticeLogOut(Schema):
    id: int
    uid: uuid.UUID
    client_id: int
    plan_id: int | None
    outcome: str
    practiced_at: datetime
    duration_minutes: int | None
    worksheet: str
    worksheet_version: int
    entries: dict[str, Any]
    obstacles_note: str
    note: str
    is_private: bool
    received_at: datetime


Value = str | int | float | bool | None


class PracticeLogIn(Incoming):
    uid: uuid.UUID
    plan: int | None = None
    worksheet: str | None = None
    outcome: str = ""
    practiced_at: datetime | None = None
    duration_minutes: int | None = None
    entries: dict[str, Value | list[dict[str, Value]]] = {}
    obstacles_note: str = ""
    note: str = ""
    visible_to: str | None = None
    prompt: int | None = None


class RatingOut(Schema):
    scale_id: int
    value: int


class CheckInOut(Schema):
    id: int
    uid: uuid.UUID
    client_id: int
    answered_at: datetime
    received_at: datetime
    ratings: list[RatingOut]


class CheckInIn(Incoming):
    uid: uuid.UUID
    ratings: dict[int, int | str]
    answered_at: datetime | None = None
    prompt: int | None = None


class InstrumentOut(Schema):
    id: int
    slug: str
    version: str
    title: str
    definition: dict[str, Any]


class ResponseOut(Schema):
    id: int
    client_id: int
    instrument_id: int
    instrument_slug: str
    session_id: int | None
    answers: dict[str, Any]
    scores: dict[str, Any]
    completed_at: datetime


class ResponseIn(Incoming):
    instrument: str  # slug
    answers: dict[str, int | str]
    session: int | None = None
    completed_at: datetime | None = None


class FlagOut(Schema):
    id: int
    client_id: int
    kind: str
    text: str
    response_id: int | None
    raised_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by_id: int | None
    note: str


class NewResponseOut(Schema):
    response: ResponseOut
    flags: list[FlagOut]  # for clinicians; a client is never shown flags
    risk: bool  # the answers raised a risk flag: show the clinic's crisis resources now


class AcknowledgeIn(Incoming):
    note: str = ""


class ScheduleOut(Schema):
    id: int
    client_id: int
    plan_id: int | None
    purpose: str
    kind: str
    version: int
    rule: dict[str, Any]
    channels: list[str]
    origin: str
    created_at: datetime


class ScheduleIn(Incoming):
    purpose: str
    rule: dict[str, Any]
    channels: list[str]
    plan: int | None = None
    replaces: int | None = None


class PromptOut(Schema):
    id: int
    client_id: int
    schedule_id: int
    plan_id: int | None
    purpose: str
    state: str
    due_at: datetime
    expires_at: datetime
    sent_at: datetime | None
    opened_at: datetime | None
    answered_at: datetime | None
