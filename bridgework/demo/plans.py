"""Demo action plans for the demo clinic (called by `manage.py seed_demo`).

Each demo client gets plans that tell a believable story: plans set in an earlier session and
reviewed in the last one, plans active now, a draft in progress and a proposal from a client.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.utils import timezone

from bridgework.accounts.models import User
from bridgework.care.models import Client, TherapySession
from bridgework.demo import practice as practice_demo
from bridgework.measures.models import Response
from bridgework.plans import actions
from bridgework.plans.models import ActionPlan, ImageryStep, PlanTemplate, Review


@dataclass(frozen=True)
class DemoPlan:
    template: str
    title: str
    sessions_ago: int  # 1: set in the last session; 2: the one before (reviewed in the last)
    importance: int | None = 8
    confidence: int | None = 7
    specifics: dict[str, str] = field(default_factory=dict)
    review: dict[str, Any] | None = None
    agree: bool = True
    # Rehearsed in imagery in the session, every step: the client's confidence before, after.
    imagery: tuple[int, int] | None = None
    # What the plan records beyond every plan's fields (plans.details): an experiment's belief.
    details: dict[str, Any] = field(default_factory=dict)


PLANS: dict[str, list[DemoPlan]] = {
    "Jordan Ellis": [
        DemoPlan(
            "exposure-step-up-the-ladder",
            "Stand at the bus stop while two buses pass",
            3,
            8,
            7,
            {"where": "The stop on Mill Road"},
            review={
                "done": 4,
                "difficulty": 5,
                "distress": 60,
                "rationale-sense": 8,
                "goal-fit": 9,
                "progress": 6,
                "decision": "stop",
                "learned": "The fear dropped faster than I expected.",
            },
        ),
        DemoPlan(
            "exposure-step-up-the-ladder",
            "Sit on the bus for two stops",
            2,
            9,
            6,
            {"when": "Weekday mornings at 8:10", "where": "The number 12 bus"},
            review={
                "done": 3,
                "difficulty": 7,
                "distress": 65,
                "rationale-sense": 9,
                "goal-fit": 9,
                "progress": 7,
                "decision": "modify",
                "learned": "The fear peaked at the first stop and then came down.",
            },
        ),
        DemoPlan(
            "exposure-step-up-the-ladder",
            "Ride the bus four stops without getting off",
            1,
            9,
            7,
            {
                "when": "Mon, Wed, Fri at 8:10",
                "where": "The number 12 bus",
                "how_long": "Four stops",
                "with_whom": "On my own",
            },
            imagery=(5, 7),
        ),
    ],
    "Aisha Karimi": [
        DemoPlan(
            "one-small-thing-a-day",
            "A short walk after lunch",
            3,
            7,
            8,
            review={
                "done": 3,
                "rationale-sense": 8,
                "goal-fit": 7,
                "progress": 5,
                "decision": "stop",
                "learned": "Moving lifts my mood a little.",
            },
        ),
        DemoPlan(
            "activity-schedule-week",
            "Run twice this week, short and slow",
            2,
            8,
            6,
            {"when": "Tuesday and Saturday, 7:00", "how_long": "15 minutes"},
            review={
                "done": 3,
                "difficulty": 5,
                "rationale-sense": 8,
                "goal-fit": 9,
                "progress": 6,
                "decision": "continue",
                "learned": "Mood was better on the days I ran.",
            },
        ),
    ],
    "Ben Whitaker": [
        DemoPlan(
            "behavioural-experiment-test-a-prediction",
            "Say one thing in the Monday meeting",
            1,
            7,
            5,
            {"when": "Monday team meeting, 10:00", "what": "Ask one question"},
            details={
                "belief": "If I speak up, people will think I'm stupid",
                "belief_strength": 80,
                "prediction": "Someone will look away or sigh",
                "how_they_would_know": "I'd see someone look at their phone or hear a sigh",
                "alternative_view": "People are busy with their own worries; a question helps",
            },
        ),
    ],
    "Chloe Martin": [
        DemoPlan(
            "activity-schedule-week",
            "Cook three proper meals",
            2,
            6,
            4,
            review={
                "done": 0,
                "difficulty": 9,
                "rationale-sense": 3,
                "goal-fit": 5,
                "decision": "stop",
                "practical-obstacles": "Too tired after work.",
                "learned": "Three meals was too big a step for now.",
            },
        ),
        DemoPlan("one-small-thing-a-day", "One small kind thing for myself each day", 1, 8, 8),
    ],
    "Daniel Novak": [
        DemoPlan(
            "notice-the-pattern",
            "Notice when I start to feel left out",
            1,
            7,
            7,
            {"when": "Whenever it happens", "rating_scale": "how strongly I felt left out"},
        ),
    ],
    "Eleanor Briggs": [
        DemoPlan(
            "notice-the-pattern",
            "Notice when I start to feel on edge at work",
            3,
            6,
            5,
            review={
                "done": 0,
                "difficulty": 8,
                "rationale-sense": 3,
                "goal-fit": 5,
                "decision": "stop",
                "beliefs": "Noticing just makes it worse.",
            },
        ),
        DemoPlan(
            "ask-for-what-you-need",
            "Ask my manager for a clear deadline",
            2,
            8,
            5,
            review={
                "done": 1,
                "difficulty": 8,
                "rationale-sense": 4,
                "goal-fit": 6,
                "decision": "continue",
                "beliefs": "If I ask, I'll look incompetent.",
                "learned": "I got as far as drafting the e-mail.",
            },
        ),
    ],
    "Farid Haddad": [
        DemoPlan("read-and-reflect", "Read the chapter on grief we talked about", 1, 6, 8),
    ],
    "Grace O'Neill": [
        DemoPlan(
            "behavioural-experiment-test-a-prediction",
            "Leave the straighteners plugged in and go out for an hour",
            2,
            9,
            6,
            {"when": "Saturday morning", "what": "Unplug nothing, check nothing, walk to the park"},
            review={
                "done": 3,
                "difficulty": 8,
                "distress": 75,
                "rationale-sense": 7,
                "goal-fit": 8,
                "progress": 6,
                "decision": "stop",
                "beliefs": "That I'm responsible if anything happens.",
                "learned": "Nothing happened; the urge to check passed in about twenty minutes.",
            },
            details={
                "belief": "If I don't check, the flat will catch fire",
                "belief_strength": 85,
                "prediction": "I'll smell smoke or the alarm will go off while I'm out",
                "how_they_would_know": "The alarm, the neighbours calling, or a burnt smell",
                "alternative_view": "They switch off by themselves; worry is not evidence",
            },
        ),
        DemoPlan(
            "exposure-step-up-the-ladder",
            "Lock the door once and walk away",
            1,
            10,
            6,
            {"when": "Every time I leave the flat", "how_often": "Every time"},
        ),
    ],
    "Hannah Schultz": [
        DemoPlan(
            "notice-the-pattern",
            "Notice when the critical voice starts",
            3,
            8,
            7,
            review={
                "done": 3,
                "rationale-sense": 9,
                "goal-fit": 9,
                "progress": 6,
                "decision": "stop",
                "learned": "It's loudest after work meetings.",
            },
        ),
        DemoPlan(
            "kind-voice",
            "Speak to myself as I would to my friend Lea",
            2,
            9,
            6,
            {"rating_scale": "how kindly I spoke to myself"},
            review={
                "done": 3,
                "difficulty": 6,
                "rationale-sense": 9,
                "goal-fit": 10,
                "progress": 7,
                "decision": "continue",
                "learned": "The critical voice sounds like my old coach.",
            },
        ),
    ],
    "Isaac Mensah": [
        DemoPlan("notice-the-pattern", "Notice the heat rising before I snap", 1, 9, 7),
    ],
    "Julia Romano": [
        DemoPlan(
            "behavioural-experiment-test-a-prediction",
            "Choose the weekend plan without asking anyone",
            1,
            None,
            None,
            agree=False,
        ),
    ],
    "Kai Tanaka": [
        DemoPlan(
            "progressive-muscle-relaxation",
            "Tense and release before bed",
            3,
            7,
            8,
            review={
                "done": 3,
                "difficulty": 3,
                "rationale-sense": 8,
                "goal-fit": 8,
                "progress": 5,
                "decision": "stop",
                "learned": "Helps my body, not my racing mind.",
            },
        ),
        DemoPlan(
            "worry-time",
            "Worry time at six, not at three in the morning",
            2,
            8,
            7,
            review={
                "done": 4,
                "difficulty": 4,
                "rationale-sense": 9,
                "goal-fit": 9,
                "progress": 8,
                "decision": "continue",
            },
        ),
        DemoPlan("slow-breathing", "Slow breathing before bed", 1, 7, 9),
    ],
}
PROPOSALS = {
    "Daniel Novak": (
        "Write down what I wanted to say after an argument",
        "Jot it in my phone the same evening",
    )
}


def seed(client: Client) -> None:
    client.refresh_from_db()  # its account may have been created through another instance
    therapist = client.care_team.filter(is_therapist=True).first()
    assert therapist is not None
    sessions = list(client.sessions.order_by("starts_at"))
    past = [s for s in sessions if s.takeaway]
    successor = None
    for spec in PLANS.get(client.full_name, []):
        successor = add_plan(client, therapist, spec, past, draft=successor)
    if client.full_name in PROPOSALS and client.user is not None:
        title, what = PROPOSALS[client.full_name]
        actions.propose(client, by=client.user, title=title, what=what)


def agreed_after_the_fact(plan: ActionPlan) -> dict[str, Any] | None:
    """The demo agrees its plans today, after the sessions they were set in, so a suggested
    reminder "once, after the session" would already be past (and is refused): such a plan
    reminds at that time every day instead. None: the design stays as suggested."""
    rule = dict((plan.reminders or {}).get("rule") or {})
    if rule.get("kind") != "relative":
        return None
    fixed = {"kind": "fixed", "times": [rule.get("at", "18:00")]}
    return {"rule": fixed, "channels": list(plan.reminders.get("channels", []))}


def add_plan(
    client: Client,
    therapist: User,
    spec: DemoPlan,
    past: list[TherapySession],
    draft: ActionPlan | None,
) -> ActionPlan | None:
    """Add one plan (or finish `draft`, the one a "modify" review opened). Returns the draft
    its own review opened, if any, for the next plan to take over."""
    template = PlanTemplate.objects.get(slug=spec.template, clinic=None)
    plan = draft or actions.start_plan(client, by=therapist, template=template)
    set_in = past[-spec.sessions_ago]
    reviewed_in = past[-spec.sessions_ago + 1] if spec.sessions_ago > 1 else plan.review_session
    actions.save_plan(
        plan,
        by=therapist,
        version=plan.version,
        fields={
            "title": spec.title,
            "importance": spec.importance,
            "confidence": spec.confidence,
            "set_in_session": set_in,
            "builds_on": set_in,
            "review_session": reviewed_in,
            **spec.specifics,
        },
        goals=list(client.goals.all()[:1]),
        details=spec.details or None,
        reminders=agreed_after_the_fact(plan),
        obstacles=[
            {"kind": o["kind"], "description": o["description"], "coping_plan": o["coping_plan"]}
            for o in template.obstacles
        ],
    )
    if spec.imagery is not None:
        actions.rehearse_in_imagery(
            plan,
            by=therapist,
            version=plan.version,
            steps=list(ImageryStep.values),
            confidence_before=spec.imagery[0],
            confidence_after=spec.imagery[1],
        )
    if not spec.agree:
        return None
    actions.agree(plan, by=therapist)
    if client.user is not None:
        actions.record_seen(plan, by=client.user)
    else:
        actions.activate(plan, by=therapist)  # the client works from the printed summary
    # Demo history: agreed at the end of its session, first seen on the phone that evening,
    # not when the demo was seeded.
    ActionPlan.objects.filter(pk=plan.pk).update(agreed_at=set_in.starts_at + timedelta(minutes=45))
    ActionPlan.objects.filter(pk=plan.pk, first_seen_by_client_at__isnull=False).update(
        first_seen_by_client_at=set_in.starts_at + timedelta(hours=6)
    )
    practice_demo.practise(
        plan,
        start=set_in.starts_at + timedelta(days=1),
        # A plan continued at its review goes on being practised until today.
        end=reviewed_in.starts_at
        if spec.review and reviewed_in and spec.review["decision"] != "continue"
        else timezone.now(),
    )
    if spec.review is None:
        return None
    outcome = actions.review(plan, by=therapist, session=reviewed_in, answers=spec.review)
    if reviewed_in is not None:
        # Demo history: the review took place in that session, not when the demo was seeded.
        when = reviewed_in.starts_at + timedelta(minutes=10)
        Review.objects.filter(pk=outcome.review.pk).update(reviewed_at=when)
        Response.objects.filter(review=outcome.review).update(completed_at=when)
        ActionPlan.objects.filter(pk=plan.pk, closed_at__isnull=False).update(closed_at=when)
    return outcome.successor
