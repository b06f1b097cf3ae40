"""The past clients' reminders, as the app would have left them: each plan's schedule, designed
with the plan from its template's suggestion (plans.reminders.suggested, in the app only: the
cohort allowed no other way), and the prompts the worker made of it, each through its life
cycle. Practice the client logged from a reminder answers it, as practice.actions.log_practice
does with a prompt: the log names the prompt, and the prompt is answered when the log arrives.

What each step records is what prompts.planner, .dispatch, .steps and .schedules record:

- planned (SCHEDULED) when the planner's horizon (PROMPT_HORIZON_DAYS) first reached its day,
  not before the plan was agreed;
- delivered at its time in the app's list (DELIVERED, channel in-app; `sent_at` too, as
  dispatch.finish sets it);
- opened, then answered by a practice log; or opened and left; or never opened; either way
  expired by the worker once its time to answer (`expire_after`) ran out;
- cancelled, when still planned, as the review closed the plan (or, for a client who dropped
  out, as the therapist stopped the reminders at discharge).

Written in bulk for the reasons bridgework.demo.research gives; drawn from a generator of its
own, so the courses (and the model the analyses page fits on them) never move.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from bridgework.accounts.models import User
from bridgework.care.models import Client
from bridgework.demo.cohort import Week
from bridgework.plans.models import ActionPlan
from bridgework.prompts import rules
from bridgework.prompts.models import Channel, Prompt, PromptEvent, Purpose, Schedule

# On a day with a reminder, the chance that the client practised from it (the rest practised
# at a time of their own, and that day's reminder went unanswered).
FROM_REMINDER = 0.7
OPENED = 0.3  # of the reminders not answered, those the client opened and left
DELIVERED_IN_APP = "in the app's list"  # what the worker notes for a reminder in the app only


@dataclass
class Logged:
    """One day's practice, as the client logged it: from a reminder (`prompt`) or not."""

    practiced_at: datetime
    outcome: str
    rating: int
    prompt: Prompt | None = None

    @property
    def received_at(self) -> datetime:
        return self.practiced_at + timedelta(minutes=2)


def add_reminders(
    client: Client,
    therapist: User,
    plans: list[ActionPlan],
    weeks: list[Week],
    discharged_at: datetime,
) -> list[list[Logged]]:
    """Each plan's schedule and prompts; returns each plan's practice, linked to the prompts
    it answered (saved by the caller, with the prompts' ids known)."""
    zone = ZoneInfo(client.local_time_zone)
    rng = random.Random(f"demo-research-reminders-{client.full_name}")  # noqa: S311 - demo data
    schedules = Schedule.objects.bulk_create(
        schedule_for(plan, therapist, discharged_at) for plan in plans
    )
    prompts: list[Prompt] = []
    practice: list[list[Logged]] = []
    for s, (plan, schedule, week) in enumerate(zip(plans, schedules, weeks, strict=True)):
        planned = prompts_of(schedule, plan, zone, seed=f"{client.full_name}-{s}")
        assert schedule.ended_at is not None
        practice.append(practise(week, planned, schedule.ended_at, zone, rng))
        settle(planned, schedule, rng)
        prompts += planned
    Prompt.objects.bulk_create(prompts)
    PromptEvent.objects.bulk_create(event for prompt in prompts for event in life(prompt))
    return practice


def schedule_for(plan: ActionPlan, therapist: User, discharged_at: datetime) -> Schedule:
    """The plan's designed schedule, as prompts.designed made it when the plan was agreed;
    ended by the review that closed the plan, or at discharge."""
    assert plan.agreed_at is not None
    rule = rules.Rule.from_dict(dict(plan.reminders["rule"]))
    return Schedule(
        client=plan.client,
        plan=plan,
        purpose=Purpose.PRACTICE,
        kind=rule.kind,
        rule=rule.to_dict(),
        channels=[Channel.IN_APP.value],
        origin=Schedule.Origin.PLAN,
        created_by=therapist,
        created_at=plan.agreed_at,
        ended_at=plan.closed_at or discharged_at,
    )


def prompts_of(schedule: Schedule, plan: ActionPlan, zone: ZoneInfo, seed: str) -> list[Prompt]:
    """The prompts the planner made: from the plan's agreement to the horizon past the
    schedule's end (those still planned then are cancelled)."""
    assert plan.agreed_at is not None and schedule.ended_at is not None
    rule = rules.Rule.from_dict(schedule.rule)
    horizon = timedelta(days=settings.PROMPT_HORIZON_DAYS)
    window = rules.Window(
        local_day(plan.agreed_at, zone), local_day(schedule.ended_at + horizon, zone)
    )
    anchor = plan.set_in_session.starts_at if plan.set_in_session else None
    moments = rules.moments(rule, zone, window, seed=seed, anchor=anchor)
    return [
        Prompt(
            schedule=schedule,
            client=plan.client,
            plan=plan,
            purpose=schedule.purpose,
            due_at=moment,
            next_attempt_at=moment,
            expires_at=moment + timedelta(minutes=rule.expire_after),
        )
        for moment in moments
        if plan.agreed_at < moment <= schedule.ended_at + horizon
    ]


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def practise(
    week: Week, planned: list[Prompt], ends: datetime, zone: ZoneInfo, rng: random.Random
) -> list[Logged]:
    """The week's practice; on a day with a reminder, most often from it: opened a little
    after its time, practised, logged (which answers it), well before it expires."""
    practice = []
    for when, outcome, rating in week.days_practised:
        that_day = [
            p
            for p in planned
            if local_day(p.due_at, zone) == local_day(when, zone) and p.due_at < ends
        ]
        if not that_day or rng.random() >= FROM_REMINDER:
            practice.append(Logged(when, outcome, rating))
            continue
        prompt = rng.choice(that_day)
        prompt.opened_at = prompt.due_at + timedelta(minutes=rng.randint(2, 40))
        practised = prompt.opened_at + timedelta(minutes=rng.randint(5, 30))
        logged = Logged(practised, outcome, rating, prompt)
        prompt.state, prompt.answered_at = Prompt.State.ANSWERED, logged.received_at
        practice.append(logged)
    return practice


def settle(planned: list[Prompt], schedule: Schedule, rng: random.Random) -> None:
    """Where each prompt not answered ended: cancelled if still planned when the schedule
    ended, else delivered and expired (some opened first)."""
    assert schedule.ended_at is not None
    for prompt in planned:
        if prompt.due_at >= schedule.ended_at:
            prompt.state = Prompt.State.CANCELLED
            continue
        prompt.sent_at = prompt.due_at
        if prompt.state == Prompt.State.ANSWERED:
            continue
        prompt.state = Prompt.State.EXPIRED
        if rng.random() < OPENED:
            prompt.opened_at = prompt.due_at + timedelta(minutes=rng.randint(5, 90))
            prompt.opened_at = min(prompt.opened_at, prompt.expires_at - timedelta(minutes=1))


def life(prompt: Prompt) -> list[PromptEvent]:
    """The prompt's life cycle, step by step, as the app records it."""
    schedule, plan = prompt.schedule, prompt.plan
    assert schedule.ended_at is not None and plan is not None
    planned = max(schedule.created_at, prompt.due_at - timedelta(days=settings.PROMPT_HORIZON_DAYS))
    steps = [PromptEvent(prompt=prompt, state=Prompt.State.SCHEDULED, at=planned)]
    if prompt.state == Prompt.State.CANCELLED:
        reason = "plan reviewed and closed" if plan.closed_at else "client discharged"
        steps.append(
            PromptEvent(
                prompt=prompt, state=Prompt.State.CANCELLED, at=schedule.ended_at, detail=reason
            )
        )
        return steps
    steps.append(
        PromptEvent(
            prompt=prompt,
            state=Prompt.State.DELIVERED,
            at=prompt.due_at,
            channel=Channel.IN_APP,
            detail=DELIVERED_IN_APP,
        )
    )
    if prompt.opened_at:
        steps.append(PromptEvent(prompt=prompt, state=Prompt.State.OPENED, at=prompt.opened_at))
    if prompt.answered_at:
        steps.append(PromptEvent(prompt=prompt, state=Prompt.State.ANSWERED, at=prompt.answered_at))
    else:
        steps.append(PromptEvent(prompt=prompt, state=Prompt.State.EXPIRED, at=prompt.expires_at))
    return steps
