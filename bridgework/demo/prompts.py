"""Demo reminders: schedules for the demo clients' plans, check-ins and questionnaires before
each session, and three weeks of prompt history (sent, opened, answered, expired, one
failure) for the therapist's view. A reminder answered was answered by the entry made from
it: the practice logged from a practice reminder, the check-in given in reply to a check-in
reminder. The entry names the prompt, as practice.actions.link_to_prompt records it; a reminder
"answered" on a day with no such entry was opened and left.

The history is written as it would have been recorded, not produced by running the worker
over past weeks: demo data only, never used outside `seed_demo`."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from bridgework.care.actions import consents_given
from bridgework.care.models import Client, Consent
from bridgework.plans.models import ActionPlan, Status
from bridgework.practice.models import CheckIn, CheckInScale, PracticeLog
from bridgework.prompts import planner, rules, schedules
from bridgework.prompts.models import Prompt, PromptEvent, Purpose, Schedule

PRACTICE_TIMES = {"Jordan Ellis": ["07:45"], "Kai Tanaka": ["21:30"], "Hannah Schultz": ["18:00"]}
HISTORY_DAYS = 21
QUIET = {"Isaac Mensah": 0.0}  # answers no reminder: the demo's silence flag
# The reminders a client answers with an entry of their own (a questionnaire reminder is
# answered by its questionnaires, which the demo's measures give).
ANSWERED_BY = (Purpose.PRACTICE, Purpose.CHECK_IN)

Entry = PracticeLog | CheckIn


def seed(client: Client) -> None:
    if client.user is None:
        return
    therapist = client.care_team.filter(is_therapist=True).first()
    assert therapist is not None
    email = ["email"] if Consent.Purpose.REMINDERS_EMAIL in consents_given(client) else []
    plan = ActionPlan.objects.filter(client=client, status=Status.ACTIVE).first()
    rule: dict[str, Any]
    if plan is not None:
        rule = {
            "kind": "fixed",
            "times": PRACTICE_TIMES.get(client.full_name, ["19:00"]),
            "quiet_start": "22:30",
            "quiet_end": "07:00",
        }
        # The demo's own times, as a new version of the reminder designed with the plan.
        designed = Schedule.objects.filter(plan=plan, superseded_at=None, ended_at=None).first()
        schedule = schedules.set_schedule(
            client,
            by=therapist,
            purpose="practice",
            plan=plan,
            rule=rule,
            channels=email,
            replaces=designed,
        )
        history(schedule, engagement=QUIET.get(client.full_name, 0.7))
    if CheckInScale.objects.filter(client=client, is_active=True).exists():
        rule = {
            "kind": "random",
            "samples": 3,
            "min_spacing": 120,
            "window_start": "09:00",
            "window_end": "21:00",
            "expire_after": 60,
        }
        schedule = schedules.set_schedule(
            client, by=therapist, purpose="check-in", rule=rule, channels=[]
        )
        history(schedule, engagement=0.5)
    # PHQ-9 and GAD-7 from two days before every booked session.
    schedules.set_schedule(
        client,
        by=therapist,
        purpose="measure",
        rule={"kind": "before-session", "hours_before": 48, "measures": ["phq-9", "gad-7"]},
        channels=email,
    )


def history(schedule: Schedule, *, engagement: float) -> None:
    """Past prompts for the last three weeks, with the life cycle a real client gives them."""
    zone = planner.zone_of(schedule.client)
    now = timezone.now()
    first = (now - timedelta(days=HISTORY_DAYS)).astimezone(zone).date()
    window = rules.Window(first, (now - timedelta(days=1)).astimezone(zone).date())
    # The schedule began before its history (a quiet spell counts its own reminders only).
    began = now - timedelta(days=HISTORY_DAYS + 1)
    Schedule.objects.filter(pk=schedule.pk).update(created_at=began)
    # Drawn by what the schedule is, not its id: every seed of the demo tells the same story.
    name = f"{schedule.client.full_name}-{schedule.purpose}"
    moments = rules.moments(rules.Rule.from_dict(schedule.rule), zone, window, seed=name)
    rng = random.Random(f"demo-prompts-{name}")  # noqa: S311 - demo data
    expire = timedelta(minutes=schedule.rule.get("expire_after", 180))
    entries = unanswered_entries(schedule, zone)
    for moment in moments:
        roll = rng.random()
        answered, opened = roll < engagement, roll < engagement + 0.1
        answered_by = None
        if answered and schedule.purpose in ANSWERED_BY:
            # Answered by the practice logged or the check-in given from it; on a day the
            # client made none, they opened it and left it.
            day = entries.get(moment.astimezone(zone).date(), [])
            answered_by = day.pop(0) if day else None
            answered = answered_by is not None
        # Past its time a prompt left unanswered has expired, opened or not, as the worker's
        # expire_overdue leaves it: none of the history still waits for an answer.
        state = Prompt.State.ANSWERED if answered else Prompt.State.EXPIRED
        prompt = Prompt.objects.create(
            schedule=schedule,
            client=schedule.client,
            plan=schedule.plan,
            purpose=schedule.purpose,
            due_at=moment,
            expires_at=moment + expire,
            next_attempt_at=moment,
            sent_at=moment,
            state=state,
            opened_at=moment + timedelta(minutes=5) if opened else None,
            answered_at=moment + timedelta(minutes=rng.randint(5, 50))
            if state == Prompt.State.ANSWERED
            else None,
        )
        if answered_by is not None and prompt.answered_at is not None:
            link(answered_by, prompt, prompt.answered_at)
        steps = [
            (Prompt.State.SCHEDULED, moment - timedelta(days=6)),
            (Prompt.State.DELIVERED, moment),
        ]
        if prompt.opened_at:
            steps.append((Prompt.State.OPENED, prompt.opened_at))
        if prompt.answered_at:
            steps.append((Prompt.State.ANSWERED, prompt.answered_at))
        if state == Prompt.State.EXPIRED:
            steps.append((Prompt.State.EXPIRED, moment + expire))
        PromptEvent.objects.bulk_create(
            PromptEvent(prompt=prompt, state=s, at=at) for s, at in steps
        )


def unanswered_entries(schedule: Schedule, zone: ZoneInfo) -> dict[date, list[Entry]]:
    """What may answer the schedule's reminders and answers none yet, by the client's day: the
    practice of its plan (practice reminders), or the client's check-ins (check-in reminders)."""
    entries: list[Entry] = []
    if schedule.purpose == Purpose.PRACTICE and schedule.plan is not None:
        logs = PracticeLog.objects.filter(plan=schedule.plan, prompt=None)
        entries += logs.order_by("practiced_at")
    elif schedule.purpose == Purpose.CHECK_IN:
        entries += CheckIn.objects.filter(client=schedule.client, prompt=None).order_by(
            "answered_at"
        )
    by_day: dict[date, list[Entry]] = {}
    for entry in entries:
        by_day.setdefault(made_at(entry).astimezone(zone).date(), []).append(entry)
    return by_day


def made_at(entry: Entry) -> datetime:
    return entry.practiced_at if isinstance(entry, PracticeLog) else entry.answered_at


def link(entry: Entry, prompt: Prompt, answered_at: datetime) -> None:
    """The entry answers the prompt, as practice.actions.link_to_prompt records it. Practice
    logged from the reminder was done just before the log answered it; a check-in is the
    answer itself, given and received as the prompt was answered."""
    if isinstance(entry, PracticeLog):
        PracticeLog.objects.filter(pk=entry.pk).update(
            prompt=prompt, practiced_at=answered_at - timedelta(minutes=2), received_at=answered_at
        )
    else:
        CheckIn.objects.filter(pk=entry.pk).update(
            prompt=prompt, answered_at=answered_at, received_at=answered_at
        )
