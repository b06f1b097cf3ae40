"""The client, their goals and their therapy sessions, through care's actions."""

from __future__ import annotations

from datetime import datetime

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from bridgework.care import actions as care
from bridgework.care.access import Need, decide
from bridgework.care.models import Client, Goal, TherapySession
from bridgework.interop.fhir.export.care import TAKEAWAY
from bridgework.interop.fhir.load import links
from bridgework.interop.fhir.load.intake import Intake, Resource
from bridgework.interop.fhir.load.limits import fitting


class Refused(ValueError):
    """The Bundle cannot be taken at all; the message says why."""


def name_of(patient: Resource) -> str:
    for name in patient.get("name") or []:
        words = name.get("text") or " ".join([*name.get("given", []), name.get("family", "")])
        if words.strip():
            return fitting(str(words).strip(), Client, "full_name", "Patient.name")
    return ""


def take_client(intake: Intake, patient: Resource) -> Client:
    found = links.find(intake, "client", patient, Client)
    if found is not None:
        # The records land with the therapist who takes the client on: for a client already
        # here, one who may change their record (the care team), as on the pages.
        if decide(intake.therapist, found, Need.WRITE) is None:
            raise Refused(
                _(
                    "This is the record of a client your clinic has already. Choose a "
                    "therapist on their care team, who may change their record."
                )
            )
        intake.client = found
        intake.outcome(patient, created=False, changed=False)
        return found
    name = name_of(patient)
    if not name:
        raise Refused(  # a pseudonymised record, most likely
            _(
                "The Patient names no one (a pseudonymised record?). A clinic takes on "
                "identified records only: export the client's record in the identified mode."
            )
        )
    client = care.add_client(
        clinic=intake.clinic, full_name=name, care_team=[intake.therapist], by=intake.by
    )
    intake.client = client
    links.remember(intake, "client", patient, client)
    intake.outcome(patient, created=True, changed=False)
    return client


def take_goal(intake: Intake, resource: Resource) -> None:
    assert intake.client is not None
    achieved = resource.get("lifecycleStatus") == "completed" or "achieved" in str(
        resource.get("achievementStatus", "")
    )
    goal = links.find(intake, "goal", resource, Goal)
    text = str((resource.get("description") or {}).get("text") or "").strip()
    if goal is None and not text:
        intake.skip(resource, _("A goal needs its words (description.text)."))
        return
    created = goal is None
    if goal is None:
        text = fitting(text, Goal, "text", "Goal.description.text")
        goal = care.add_goal(intake.client, text=text, by=intake.by)
        links.remember(intake, "goal", resource, goal)
    moved = (goal.achieved_at is not None) != achieved
    if moved:
        care.mark_goal_achieved(goal, achieved, by=intake.by)
    intake.became(resource, goal)
    intake.outcome(resource, created=created, changed=moved and not created)


def moment(value: object) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) else None


def takeaway_of(resource: Resource) -> str:
    for extension in resource.get("extension") or []:
        if extension.get("url") == TAKEAWAY:
            text = str(extension.get("valueString", ""))
            return fitting(text, TherapySession, "takeaway", "Encounter.extension (takeaway)")
    return ""


def take_session(intake: Intake, resource: Resource) -> None:
    assert intake.client is not None
    starts_at = moment((resource.get("period") or {}).get("start"))
    if starts_at is None or starts_at.tzinfo is None:
        intake.skip(resource, _("A session needs its start, with a time zone (period.start)."))
        return
    takeaway = takeaway_of(resource)
    session = links.find(intake, "session", resource, TherapySession)
    created, moved = session is None, False
    if session is None:
        session = care.add_session(
            intake.client,
            therapist=intake.therapist,
            starts_at=starts_at,
            by=intake.by,
            takeaway=takeaway,
        )
        links.remember(intake, "session", resource, session)
    elif session.starts_at != starts_at or session.takeaway != takeaway.strip():
        care.update_session(session, starts_at=starts_at, takeaway=takeaway, by=intake.by)
        moved = True
    intake.became(resource, session)
    intake.outcome(resource, created=created, changed=moved)
