"""The demo's research: a year of past clients and the study that takes them.

Beside the twelve clients in therapy now, the demo clinic treated and discharged a cohort over
the last twelve months: weekly sessions, a plan agreed in each, practice logged between
sessions (0–100 ratings), each plan reviewed at the next session with its engagement answers,
PHQ-9 and GAD-7 before every session, research consent given. Their courses follow the
reference's synthetic course (../shared/reference/measures.md: baseline PHQ-9 about 16, SD 4;
about 0.45 points better a week; completion about .62, SD .20; about 18 % dropout) and carry a
planted engagement → next-session symptoms relation, so the engagement model on the demo study
has something to find:

    PHQ-9 at session s+1 = the client's baseline − their weekly improvement × s
                           + WITHIN × (done at s+1's review − the client's mean done)
                           + BETWEEN × (the client's mean done − MEAN_DONE) + noise

where "done" is the review's "how much of the plan did you do" (0–4) for the plan set in
session s, reviewed in session s+1. A client who did more than usual this week feels a little
better at the next session (WITHIN); clients who engage more overall are better throughout
(BETWEEN, a different and larger effect). The study is "Engagement and outcome in action
plans": the last twelve months, the demo clinic, every table, no free text, dates shifted; the
researcher Sam has access.

The cohort is written in bulk, not through the actions, on purpose: it is history, not data
entry. The actions would write some 5,000 audit rows (a minute of seeding), and their side
effects are wrong for people discharged months ago: agreeing a plan designs its reminders
(schedules the worker would start sending), answers raise deterioration and risk flags for care
teams to act on today. Clients, goals and consents, the few things the demo's pages and the
export's consent filter key on, still go through the actions.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from bridgework.accounts.models import Approach, Clinic, User
from bridgework.care import actions as care
from bridgework.care.models import Client, Consent, Goal, TherapySession
from bridgework.measures import scoring
from bridgework.measures.actions import REVIEW, current
from bridgework.measures.models import Instrument, Response
from bridgework.plans import review as review_questions
from bridgework.plans.actions import EDITABLE, FRAMING_FOR, SESSION_LINKS
from bridgework.plans.models import (
    ActionPlan,
    Decision,
    Obstacle,
    PlanRevision,
    PlanTemplate,
    Review,
    Status,
)
from bridgework.practice import worksheets
from bridgework.practice.models import Outcome, PracticeLog
from bridgework.research import actions as studies
from bridgework.research.export.tables import TABLES
from bridgework.research.models import Study

COHORT_SIZE = 36
SESSIONS = (8, 16)  # planned weekly sessions per course
DROPOUT = 0.18
# The planted effects, in PHQ-9 points per point of the review's "done" (0–4).
WITHIN = -0.8
BETWEEN = -2.5
MEAN_DONE = 2.5  # about the reference's completion of .62, on the 0–4 scale
NOISE = 1.8

STUDY_NAME = "Engagement and outcome in action plans"
STUDY_PURPOSE = (
    "Does engaging with action plans go with fewer symptoms at the next session, and does it "
    "matter more whether a client engages more than they usually do (within-client) or whether "
    "clients who engage more do better (between-client)? Pseudonymised records of consenting "
    "clients: plans, practice, reviews and PHQ-9/GAD-7 over twelve months."
)

FIRST_NAMES = [
    "Amelia", "Bilal", "Carys", "Dev", "Efua", "Finn", "Gemma", "Hamza", "Ines", "Jonah",
    "Keira", "Luca", "Maya", "Nikhil", "Olive", "Pavel", "Quinn", "Rosa", "Samir", "Tessa",
    "Umar", "Vera", "Wes", "Xenia", "Yusuf", "Zara", "Arlo", "Bea", "Cormac", "Dina",
    "Emeka", "Freya", "Gideon", "Hattie", "Idris", "Juno",
]  # fmt: skip
LAST_NAMES = [
    "Ashworth", "Begum", "Costa", "Doyle", "Eze", "Fraser", "Gill", "Holt", "Iqbal", "Jensen",
    "Kowalski", "Lowe", "Moreau", "Nair", "Osei", "Pryce", "Quayle", "Rahman", "Sato", "Thorne",
    "Usman", "Vance", "Walsh", "Yilmaz", "Zielinski", "Abbott", "Brennan", "Chowdhury",
    "Dlamini", "Evans", "Fitzgerald", "Grant", "Hughes", "Ibrahim", "Jovanovic", "Kerr",
]  # fmt: skip
THERAPISTS = ["priya", "tom", "maria", "helen"]
TEMPLATES = {
    Approach.CBT: ["exposure-step-up-the-ladder", "catch-a-hot-thought", "activity-schedule-week"],
    Approach.PSYCHODYNAMIC: ["notice-the-pattern", "read-and-reflect", "mood-diary"],
    Approach.HUMANISTIC: ["kind-voice", "notice-the-pattern", "one-small-thing-a-day"],
    Approach.INTEGRATIVE: ["worry-time", "slow-breathing", "progressive-muscle-relaxation"],
}
TAKEAWAY = "We looked at how the week went and chose the next step together."


@dataclass
class Week:
    """One session of a course and the week after it: what the client did, how they felt."""

    starts_at: datetime
    phq9: int
    gad7: int
    days_practised: list[tuple[datetime, str, int]] = field(default_factory=list)
    done: int | None = None  # reviewed at the next session; None: the last session


@dataclass
class Course:
    name: str
    therapist: str
    weeks: list[Week]
    dropped_out: bool

    @property
    def discharged_at(self) -> datetime:
        # A course that ends is closed a few days later; a dropout once they stop replying.
        return self.weeks[-1].starts_at + timedelta(days=21 if self.dropped_out else 3)


def courses(today: date, zone: ZoneInfo) -> list[Course]:
    """The cohort's courses, the same every time (one seed), all inside the last 12 months."""
    # One draw of the cohort (of several tried) whose model converges and shows both effects
    # near the planted ones with about the reference's dropout; the draws never depend on the date.
    rng = random.Random("demo-research-cohort-13")  # noqa: S311 - demo data, not secrets
    return [course(n, today, zone, rng) for n in range(COHORT_SIZE)]


def course(n: int, today: date, zone: ZoneInfo, rng: random.Random) -> Course:
    engagement = min(0.97, max(0.08, rng.gauss(0.62, 0.20)))
    planned = rng.randint(*SESSIONS)
    # Dropout is likelier for those who engage less, about 18 % in all.
    dropped = rng.random() < DROPOUT * (1.6 - engagement)
    length = rng.randint(4, max(4, planned // 2)) if dropped else planned
    # Start dates staggered over the year; the last session at least two weeks ago.
    slack = 358 - 7 * length - 14
    first = today - timedelta(days=358 - rng.randint(0, max(0, slack)))
    at = time(rng.choice([9, 10, 11, 14, 15, 16, 17]), 0)
    starts = [datetime.combine(first + timedelta(weeks=s), at, tzinfo=zone) for s in range(length)]
    weeks = [Week(starts_at=when, phq9=0, gad7=0) for when in starts]
    for week in weeks[:-1]:
        practise_week(week, engagement, rng)
    if dropped:
        # The dropout's last plan was practised a little, then never reviewed: they did not
        # come back, so no one asked how much of it they did.
        practise_week(weeks[-1], engagement / 2, rng)
        weeks[-1].done = None
    symptoms(weeks, rng)
    name = f"{FIRST_NAMES[n]} {LAST_NAMES[(n * 7) % len(LAST_NAMES)]}"
    return Course(name, THERAPISTS[n % len(THERAPISTS)], weeks, dropped)


def practise_week(week: Week, engagement: float, rng: random.Random) -> None:
    """Practice on up to five of the days before the next session, as engaged as the client
    is this week; the review's "done" says how much of the five they did."""
    share = min(1.0, max(0.0, rng.gauss(engagement, 0.2)))
    day = week.starts_at.date() + timedelta(days=1)
    for _ in range(5):
        if rng.random() < share:
            at = time(rng.randint(8, 20), rng.choice([0, 15, 30, 45]))
            when = datetime.combine(day, at, tzinfo=week.starts_at.tzinfo)
            outcome = Outcome.DONE if rng.random() < 0.8 else Outcome.PARTLY
            rating = max(0, min(100, round(30 + 50 * share + rng.gauss(0, 12))))
            week.days_practised.append((when, outcome, rating))
        day += timedelta(days=1)
    done = sum(1.0 if outcome == Outcome.DONE else 0.5 for _w, outcome, _r in week.days_practised)
    week.done = max(0, min(4, round(done * 4 / 5 + rng.gauss(0, 0.3))))


def symptoms(weeks: list[Week], rng: random.Random) -> None:
    """PHQ-9 and GAD-7 before every session: the planted course (the module's formula)."""
    baseline = min(25.0, max(10.0, rng.gauss(16, 4)))
    improvement = rng.gauss(0.45, 0.25)
    anxiety = rng.gauss(-2.0, 2.0)  # GAD-7 sits below PHQ-9 by this much, give or take
    done = [week.done for week in weeks if week.done is not None]
    mean_done = sum(done) / len(done)
    previous: int | None = None
    for s, week in enumerate(weeks):
        level = baseline - improvement * s + rng.gauss(0, NOISE)
        if previous is not None:
            level += WITHIN * (previous - mean_done) + BETWEEN * (mean_done - MEAN_DONE)
        week.phq9 = max(0, min(27, round(level)))
        week.gad7 = max(0, min(21, round(0.75 * level + anxiety + rng.gauss(0, 1.5))))
        previous = week.done


def seed(clinic: Clinic, staff: dict[str, User]) -> Study:
    """The cohort, and the study with Sam's access."""
    zone = ZoneInfo(clinic.time_zone)
    for n, planned in enumerate(courses(timezone.localdate(timezone=zone), zone)):
        add_course(clinic, staff, planned, n)
    return add_study(clinic, staff)


def add_course(clinic: Clinic, staff: dict[str, User], planned: Course, n: int) -> None:
    therapist, admin = staff[planned.therapist], staff["admin"]
    client = care.add_client(clinic=clinic, full_name=planned.name, care_team=[therapist], by=admin)
    goal = care.add_goal(client, text="Feel more like myself again", by=therapist)
    user = former_account(client, n)
    care.set_consent(client, Consent.Purpose.RESEARCH, True, by=user)
    began = planned.weeks[0].starts_at
    Consent.objects.filter(client=client).update(given_at=began + timedelta(hours=2))
    Client.objects.filter(pk=client.pk).update(
        user=user, created_at=began - timedelta(days=10), discharged_at=planned.discharged_at
    )
    sessions = TherapySession.objects.bulk_create(
        TherapySession(
            client=client,
            therapist=therapist,
            number=number,
            starts_at=week.starts_at,
            takeaway=TAKEAWAY,
            created_at=week.starts_at,
        )
        for number, week in enumerate(planned.weeks, 1)
    )
    add_questionnaires(client, therapist, planned.weeks, sessions)
    add_plans(client, therapist, user, goal, planned, sessions)


def former_account(client: Client, n: int) -> User:
    """The account the client practised with, closed at discharge: no password, inactive."""
    user = User(
        email=f"past-client-{n + 1:02d}@demo.bridgework.test",
        full_name=client.full_name,
        clinic=client.clinic,
        kind=User.Kind.CLIENT,
        is_active=False,
    )
    user.set_unusable_password()
    user.save()
    return user


def scored(instrument: Instrument, answers: dict[str, Any]) -> dict[str, Any]:
    """The scores measures.actions.respond stores with a response."""
    return {
        s.id: {
            "value": s.value,
            "band": s.band,
            "above_cutoff": s.above_cutoff,
            "prorated": s.prorated,
        }
        for s in scoring.score(instrument.definition, answers)
    }


def add_questionnaires(
    client: Client, therapist: User, weeks: list[Week], sessions: list[TherapySession]
) -> None:
    phq9, gad7 = current("phq-9", None), current("gad-7", None)
    assert phq9 is not None and gad7 is not None
    rng = random.Random(f"demo-research-items-{client.full_name}")  # noqa: S311 - demo data
    responses = []
    for week, session in zip(weeks, sessions, strict=True):
        for instrument, total, count in ((phq9, week.phq9, 9), (gad7, week.gad7, 7)):
            # PHQ-9 item 9 stays at 0: the history raises no risk question no one answered.
            answers = {str(n): v for n, v in enumerate(items_for(total, count, rng), 1)}
            responses.append(
                Response(
                    client=client,
                    instrument=instrument,
                    session=session,
                    answers=answers,
                    scores=scored(instrument, answers),
                    entered_by=therapist,
                    completed_at=week.starts_at - timedelta(hours=1),
                )
            )
    Response.objects.bulk_create(responses)


def items_for(total: int, count: int, rng: random.Random) -> list[int]:
    """Answers 0–3 adding up to `total`; on PHQ-9 (count 9) the last item stays 0."""
    scored_items = 8 if count == 9 else count
    answers = [0] * count
    for _ in range(max(0, min(total, 3 * scored_items))):
        answers[rng.choice([n for n in range(scored_items) if answers[n] < 3])] += 1
    return answers


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
            snapshot=revision_of(plan, goal.text, obstacles[plan.pk]),
            note="Agreed",
        )
        for plan in plans
    )
    add_practice(client, user, plans, weeks)
    add_reviews(client, therapist, [plan for plan in plans if plan.review_session], weeks)


def revision_of(plan: ActionPlan, goal: str, obstacles: list[dict[str, str]]) -> dict[str, Any]:
    """What plans.actions.snapshot records for the agreed plan, without its queries (the
    cohort's goal and obstacles are known here)."""
    data: dict[str, Any] = {name: getattr(plan, name) for name in EDITABLE}
    for name in SESSION_LINKS:
        session = getattr(plan, name)
        data[name] = session.number if session else None
    data |= {"details": {}, "reminders": plan.reminders, "goals": [goal], "imagery": None}
    return data | {"obstacles": obstacles}


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
        status=Status.REVIEWED if reviewed_in else Status.ACTIVE,
        created_by=therapist,
        created_at=set_in.starts_at + timedelta(minutes=30),
        agreed_at=set_in.starts_at + timedelta(minutes=45),
        first_seen_by_client_at=set_in.starts_at + timedelta(hours=6),
        closed_at=reviewed_in.starts_at + timedelta(minutes=10) if reviewed_in else None,
    )


def decision_for(week: Week) -> str:
    return Decision.MODIFY if (week.done or 0) <= 1 else Decision.STOP


def add_practice(client: Client, user: User, plans: list[ActionPlan], weeks: list[Week]) -> None:
    """The week's logs on the quick sheet: done or partly, and how it went (0–100)."""
    quick = worksheets.current(worksheets.QUICK)
    PracticeLog.objects.bulk_create(
        PracticeLog(
            uid=uuid.uuid5(uuid.NAMESPACE_URL, f"bridgework-demo/cohort/{plan.pk}/{when}"),
            client=client,
            plan=plan,
            created_by=user,
            outcome=outcome,
            practiced_at=when,
            worksheet=quick.slug,
            worksheet_version=quick.version,
            entries={"how_it_went": rating},
            received_at=when + timedelta(minutes=2),
        )
        for plan, week in zip(plans, weeks, strict=True)
        for when, outcome, rating in week.days_practised
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
        Response(
            client=client,
            instrument=instrument,
            session=plan.review_session,
            answers=given,
            scores=scored(instrument, given),
            entered_by=therapist,
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


def add_study(clinic: Clinic, staff: dict[str, User]) -> Study:
    """The demo study over the last twelve months, every table, and Sam's access to it."""
    today = timezone.localdate(timezone=ZoneInfo(clinic.time_zone))
    admin = staff["admin"]
    study = studies.create_study(
        by=admin,
        name=STUDY_NAME,
        purpose=STUDY_PURPOSE,
        starts_on=today - timedelta(days=365),
        ends_on=today,
        tables=list(TABLES),
        include_free_text=False,
        shift_dates=True,
        clinics=[clinic],
    )
    studies.grant_access(study, staff["sam"], by=admin)
    return study
