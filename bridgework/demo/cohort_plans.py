"""The past clients' plans: one agreed in every session, with its reminders
(bridgework.demo.cohort_reminders), practised, and reviewed at the next session, written as the
plan's actions would have left them (revision, obstacles, goal, review and its response)."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from typing import Any

from bridgework.accounts.models import Approach, User
from bridgework.care.models import Client, Goal, TherapySession
from bridgework.demo.cohort import Course, Week
from bridgework.demo.cohort_reminders import Logged, add_reminders
from bridgework.measures.actions import REVIEW, current, scored_response
from bridgework.measures.models import Response
from bridgework.plans import review as review_questions
from bridgework.plans.actions import FRAMING_FOR, snapshot_with
from bridgework.plans.models import (
    ActionPlan,
    Decision,
    Obstacle,
    PlanRevision,
    PlanTemplate,
    Review,
    Status,
)
from bridgework.plans.reminders import suggested
from bridgework.practice import worksheets
from bridgework.practice.models import PracticeLog

TEMPLATES = {
    Approach.CBT: ["exposure-step-up-the-ladder", "catch-a-hot-thought", "activity-schedule-week"],
    Approach.PSYCHODYNAMIC: ["notice-the-pattern", "read-and-reflect", "mood-diary"],
    Approach.HUMANISTIC: ["kind-voice", "notice-the-pattern", "one-small-thing-a-day"],
    Approach.INTEGRATIVE: ["worry-time", "slow-breathing", "progressive-muscle-relaxation"],
}


def add_plans(
    client: Client,
    therapist: User,
    user: User,
    goal: Goal,
    planned: Course,
    sessions: list[TherapySession],
) -> None:
    """A plan agreed in every session but the last, practised, reviewed in the next session
    (a dropout's last plan never is: they did not come back)."""
    approach = Approach(therapist.approach)
    slugs = TEMPLATES[approach]
    templates = {t.slug: t for t in PlanTemplate.objects.filter(clinic=None, slug__in=slugs)}
    rng = random.Random(f"demo-research-plans-{client.full_name}")  # noqa: S311 - demo data
    # A plan in every session but the last; a dropout's last session set one too.
    weeks = planned.weeks if planned.dropped_out else planned.weeks[:-1]
    plans = ActionPlan.objects.bulk_create(
        new_plan(client, therapist, templates[slugs[s % len(slugs)]], approach, sessions, s, rng)
        for s in range(len(weeks))
    )
    for s, plan in enumerate(plans[1:], 1):
        # A plan that did not work out is modified: the next one takes its place.
        plan.replaces = plans[s - 1] if decision_for(weeks[s - 1]) == Decision.MODIFY else None
    ActionPlan.objects.bulk_update(plans, ["replaces"])
    ActionPlan.goals.through.objects.bulk_create(
        ActionPlan.goals.through(actionplan_id=plan.pk, goal_id=goal.pk) for plan in plans
    )
    obstacles = {
        plan.pk: [
            {"kind": o["kind"], "description": o["description"], "coping_plan": o["coping_plan"]}
            for o in templates[slugs[s % len(slugs)]].obstacles[:1]
        ]
        for s, plan in enumerate(plans)
    }
    Obstacle.objects.bulk_create(
        Obstacle(plan=plan, **obstacle) for plan in plans for obstacle in obstacles[plan.pk]
    )
    PlanRevision.objects.bulk_create(
        PlanRevision(
            plan=plan,
            number=1,
            made_by=therapist,
            made_at=plan.created_at + timedelta(minutes=15),  # when it was agreed
            snapshot=snapshot_with(
                plan, goals=[goal.text], obstacles=obstacles[plan.pk], imagery=None
            ),
            note="Agreed",
        )
        for plan in plans
    )
    practice = add_reminders(client, therapist, plans, weeks, planned.discharged_at)
    add_practice(client, user, plans, practice)
    add_reviews(client, therapist, [plan for plan in plans if plan.review_session], weeks)


def new_plan(
    client: Client,
    therapist: User,
    template: PlanTemplate,
    approach: Approach,
    sessions: list[TherapySession],
    s: int,
    rng: random.Random,
) -> ActionPlan:
    set_in = sessions[s]
    reviewed_in = sessions[s + 1] if s + 1 < len(sessions) else None
    words = template.words_for(approach)
    return ActionPlan(
        client=client,
        set_in_session=set_in,
        builds_on=set_in,
        review_session=reviewed_in,
        template=template,
        title=template.title,
        kind=template.kind,
        approach=approach,
        framing=FRAMING_FOR[approach],
        rationale=words["rationale"],
        instructions=words["instructions"],
        worksheet=template.worksheet,
        cues=template.cue,
        how_long=template.how_long,
        how_often=template.how_often,
        importance=rng.randint(6, 10),
        confidence=rng.randint(4, 9),
        # The template's suggested reminders, in the app only, as agreed in the session.
        reminders=suggested(template),
        status=Status.REVIEWED if reviewed_in else Status.ACTIVE,
        created_by=therapist,
        created_at=set_in.starts_at + timedelta(minutes=30),
        agreed_at=set_in.starts_at + timedelta(minutes=45),
        first_seen_by_client_at=set_in.starts_at + timedelta(hours=6),
        closed_at=reviewed_in.starts_at + timedelta(minutes=10) if reviewed_in else None,
    )


def decision_for(week: Week) -> str:
    return Decision.MODIFY if (week.done or 0) <= 1 else Decision.STOP


def add_practice(
    client: Client, user: User, plans: list[ActionPlan], practice: list[list[Logged]]
) -> None:
    """The week's logs on the quick sheet: done or partly, and how it went (0–100); a log
    made from a reminder names its prompt (practice.actions.link_to_prompt)."""
    quick = worksheets.current(worksheets.QUICK)
    PracticeLog.objects.bulk_create(
        PracticeLog(
            uid=uuid.uuid5(
                uuid.NAMESPACE_URL, f"bridgework-demo/cohort/{plan.pk}/{logged.practiced_at}"
            ),
            client=client,
            plan=plan,
            created_by=user,
            outcome=logged.outcome,
            practiced_at=logged.practiced_at,
            worksheet=quick.slug,
            worksheet_version=quick.version,
            entries={"how_it_went": logged.rating},
            received_at=logged.received_at,
            prompt=logged.prompt,
        )
        for plan, week in zip(plans, practice, strict=True)
        for logged in week
    )


def add_reviews(
    client: Client, therapist: User, plans: list[ActionPlan], weeks: list[Week]
) -> None:
    """Each plan reviewed at the start of the next session, kept as a response to the Action
    Plan Review too (as measures' keep_review does)."""
    instrument = current(REVIEW, None)
    assert instrument is not None
    rng = random.Random(f"demo-research-reviews-{client.full_name}")  # noqa: S311 - demo data
    answers = [review_answers(week, rng) for week in weeks[: len(plans)]]
    responses = Response.objects.bulk_create(
        scored_response(
            client,
            instrument,
            given,
            by=therapist,
            session=plan.review_session,
            completed_at=closed(plan),
        )
        for plan, given in zip(plans, answers, strict=True)
    )
    Review.objects.bulk_create(
        Review(
            plan=plan,
            session=plan.review_session,
            reviewed_by=therapist,
            reviewed_at=closed(plan),
            instrument_version=review_questions.VERSION,
            answers=given,
            done=given["done"],
            decision=given["decision"],
            response=response,
        )
        for plan, given, response in zip(plans, answers, responses, strict=True)
    )


def closed(plan: ActionPlan) -> datetime:
    assert plan.closed_at is not None  # a reviewed plan closed at its review
    return plan.closed_at


def review_answers(week: Week, rng: random.Random) -> dict[str, Any]:
    done = week.done or 0
    return {
        "done": done,
        "difficulty": max(0, min(10, 7 - done + rng.randint(-2, 2))),
        "rationale-sense": max(0, min(10, 5 + done + rng.randint(-2, 1))),
        "goal-fit": max(0, min(10, 5 + done + rng.randint(-2, 1))),
        "progress": max(0, min(10, 2 + done + rng.randint(-2, 2))),
        "decision": decision_for(week),
    }
