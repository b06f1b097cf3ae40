"""Questionnaire responses through measures.actions.respond: scored here, by this clinic's
version of the questionnaire, and flagged by its rules, as if entered from paper."""

from __future__ import annotations

from django.utils.translation import gettext as _

from bridgework.care.models import TherapySession
from bridgework.interop.fhir.load import links
from bridgework.interop.fhir.load.answers import answers_of, instrument_for
from bridgework.interop.fhir.load.intake import Intake, Resource
from bridgework.interop.fhir.load.records import moment
from bridgework.measures import actions as measures
from bridgework.measures.models import Instrument, Response
from bridgework.measures.scoring import AnswerError


def take_response(intake: Intake, resource: Resource) -> None:
    assert intake.client is not None
    found = links.find(intake, "response", resource, Response)
    if found is not None:  # a completed questionnaire is a fact: never changed afterwards
        intake.became(resource, found)
        intake.outcome(resource, created=False, changed=False)
        return
    if resource.get("basedOn"):
        intake.skip(resource, _("A review of a plan that was not imported."))
        return
    instrument = instrument_for(intake.clinic, resource.get("questionnaire"))
    if instrument is None:
        intake.skip(
            resource,
            _("This clinic has no such questionnaire (%(name)s): import its definition first.")
            % {"name": resource.get("questionnaire")},
        )
        return
    respond(intake, resource, instrument)


def respond(intake: Intake, resource: Resource, instrument: Instrument) -> None:
    assert intake.client is not None
    session = intake.record_for(resource.get("encounter"))
    try:
        response, _flags = measures.respond(
            intake.client,
            instrument,
            answers_of(instrument, resource),
            by=intake.by,
            session=session if isinstance(session, TherapySession) else None,
            completed_at=moment(resource.get("authored")),
        )
    except AnswerError as problem:
        said = "; ".join(problem.problems.values())
        intake.skip(resource, _("The answers were refused: %(problem)s") % {"problem": said})
        return
    except (measures.RetiredInstrument, ValueError) as problem:
        intake.skip(resource, _("The answers were refused: %(problem)s") % {"problem": problem})
        return
    links.remember(intake, "response", resource, response)
    intake.became(resource, response)
    intake.outcome(resource, created=True, changed=False)
