"""The demo's past clients, drawn: a year of courses, the same every time (one seed).

Weekly sessions, a plan agreed in each, practice on up to five days between sessions (0–100
ratings), each plan reviewed at the next session with its engagement answers, PHQ-9 and GAD-7
before every session. The courses follow the reference's synthetic course
(../shared/reference/measures.md: baseline PHQ-9 about 16, SD 4; about 0.45 points better a
week; completion about .62, SD .20; about 18 % dropout) and carry a planted engagement →
next-session symptoms relation, so the engagement model on the demo study has something to find:

    PHQ-9 at session s+1 = the client's baseline − their weekly improvement × s
                           + WITHIN × (done at s+1's review − the client's mean done)
                           + BETWEEN × (the client's mean done − MEAN_DONE) + noise

where "done" is the review's "how much of the plan did you do" (0–4) for the plan set in
session s, reviewed in session s+1. A client who did more than usual this week feels a little
better at the next session (WITHIN); clients who engage more overall are better throughout
(BETWEEN, a different and larger effect).

Only the draw, no database: bridgework.demo.research writes it. Anything else drawn for the
cohort (reminders, item answers, review answers) uses a generator of its own, so the courses,
and the model the analyses page fits on them, never move when those change.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bridgework.practice.models import Outcome

COHORT_SIZE = 36
SESSIONS = (8, 16)  # planned weekly sessions per course
DROPOUT = 0.18
# The planted effects, in PHQ-9 points per point of the review's "done" (0–4).
WITHIN = -0.8
BETWEEN = -2.5
MEAN_DONE = 2.5  # about the reference's completion of .62, on the 0–4 scale
NOISE = 1.8

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
