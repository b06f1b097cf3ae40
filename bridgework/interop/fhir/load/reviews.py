"""A plan's reviews, done again from its Action Plan Review responses (QuestionnaireResponse
basedOn the CarePlan), in the order they were given: plans.actions.review closes or continues
the plan as it did there, and measures keeps each as its response."""

from __future__ import annotations

from bridgework.care.models import TherapySession
from bridgework.interop.fhir.load import links
from bridgework.interop.fhir.load.answers import answers_of, instrument_for
from bridgework.interop.fhir.load.intake import Intake, Resource
from bridgework.measures.actions import REVIEW
from bridgework.plans import actions as plans
from bridgework.plans.models import ActionPlan, Review, Status


def reviews_of(intake: Intake, care_plan: Resource) -> list[Resource]:
    names = set(intake.names_of(care_plan))
    found = [
        qr
        for qr in intake.of_type("QuestionnaireResponse")
        if any(ref.get("reference") in names for ref in qr.get("basedOn") or [])
    ]
    return sorted(found, key=lambda qr: str(qr.get("authored", "")))


def replay(intake: Intake, care_plan: Resource, plan: ActionPlan) -> bool:
    replayed = False
    for qr in reviews_of(intake, care_plan):
        instrument = instrument_for(intake.clinic, qr.get("questionnaire"))
        if plan.status not in (Status.AGREED, Status.ACTIVE) or instrument is None:
            break
        if instrument.slug != REVIEW:
            continue
        session = intake.record_for(qr.get("encounter"))
        outcome = plans.review(
            plan,
            by=intake.by,
            session=session if isinstance(session, TherapySession) else None,
            answers=answers_of(instrument, qr),
        )
        response = Review.objects.get(pk=outcome.review.pk).response
        if response is not None:
            links.remember(intake, "response", qr, response)
            intake.became(qr, response)
        intake.outcome(qr, created=True, changed=False)
        replayed = True
    return replayed
