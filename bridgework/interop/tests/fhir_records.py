"""A client's history for the FHIR tests: goals, sessions, plans agreed and reviewed,
questionnaires, check-in ratings, a consent and flags. `weeks` sets how long it is."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from bridgework.accounts.models import Clinic, User
from bridgework.care import actions as care
from bridgework.care.models import Client
from bridgework.measures import actions as measures
from bridgework.plans import actions as plans
from bridgework.practice import actions as practice
from bridgework.test import BaseTestCase, make_clinic, make_staff, user_of


def history(client: Client, therapist: User, weeks: int) -> None:
    start = timezone.now() - timedelta(weeks=weeks + 1)
    goal = care.add_goal(client, text="Take the bus to work again", by=therapist)
    care.add_goal(client, text="Sleep through the night", by=therapist)
    care.mark_goal_achieved(goal, True, by=therapist)
    care.set_consent(client, "research", True, by=user_of(client))
    scale = practice.add_scale(
        client, by=therapist, name="distress", low_anchor="calm", high_anchor="panic"
    )
    phq9, gad7 = measures.current("phq-9", None), measures.current("gad-7", None)
    assert phq9 is not None and gad7 is not None
    for week in range(weeks):
        when = start + timedelta(weeks=week)
        session = care.add_session(
            client, therapist=therapist, starts_at=when, by=therapist, takeaway=f"Week {week}"
        )
        answers = {str(n): week % 4 for n in range(1, 10)}
        measures.respond(client, phq9, answers, by=therapist, session=session, completed_at=when)
        measures.respond(
            client, gad7, {str(n): 1 for n in range(1, 8)}, by=user_of(client), completed_at=when
        )
        plan_of_week(client, therapist, goal, week)
        practice.check_in(
            client,
            by=user_of(client),
            uid=uuid.uuid4(),
            ratings={scale.pk: 10 * (week % 10)},
            answered_at=when + timedelta(days=1),
        )


def plan_of_week(client: Client, therapist: User, goal: Any, week: int) -> None:
    plan = plans.start_plan(client, by=therapist)
    plans.save_plan(
        plan,
        by=therapist,
        version=plan.version,
        fields={
            "title": f"Bus ride {week}",
            "kind": "exposure-in-vivo",
            "rationale": "Anxiety falls when I stay",
            "instructions": "Ride two stops and stay on",
            "when": "Monday 8:00",
            "where": "Line 4",
            "importance": 8,
            "confidence": 6,
        },
        goals=[goal],
        obstacles=[{"kind": "emotional", "description": "Panic", "coping_plan": "Breathe"}],
    )
    plans.agree(plan, by=therapist)
    if week % 2:
        answers = {"done": 3, "decision": "stop", "learned": "It passed"}
        plans.review(plan, by=therapist, session=None, answers=answers)


def validated(bundle: dict[str, Any]) -> Bundle:
    """The Bundle as fhir.resources' R4B models read it: raises on any structural error."""
    return Bundle.model_validate(bundle)


class EmptyClinicCase(BaseTestCase):
    """The cast, client A with `weeks` of history to export, and a clinic with no clients yet
    (its admin and a therapist) to import it into."""

    weeks = 2
    empty: Clinic
    empty_admin: User
    empty_therapist: User

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        history(cls.client_a, cls.therapist_a, weeks=cls.weeks)
        cls.empty = make_clinic("Riverside")
        cls.empty_admin = make_staff(cls.empty, "river_admin", "clinic_admin")
        cls.empty_therapist = make_staff(cls.empty, "river_therapist", "therapist")
