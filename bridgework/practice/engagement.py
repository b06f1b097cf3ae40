"""Engagement as a profile, not a percentage (steps 9–10 of the clinical process): per plan and
per review period, what the practice log and the Action Plan Review (plans.review) say.

A plan's **review periods**: period *n* ends at the plan's *n*-th review and takes every entry
on the plan practised after the review before it (period 1: every entry before the first
review, whenever it was practised; it is said to start when the plan was agreed, or made). After
the last review an **open period** ("since the last review") follows while the plan is open
(agreed or active), or when entries were logged after it. A plan never agreed has no periods.

dimension      source                            unit                 missing
-------------  --------------------------------  -------------------  ------------------------
practice       the period's practice logs on     entries: done,       none logged: 0 entries
               the plan, by `outcome`; an entry  partly, not done,    (a count: 0 is a fact)
               without one is "no outcome"       something else
done           review answer `done`              0 not at all –       no review in the period:
                                                 4 all of it, or      NOT REVIEWED yet; a
                                                 more                 review without it: NOT
                                                                      ASKED
difficulty     review answer `difficulty`        0 very easy –        as for done
(how it went)                                    10 extremely hard
rationale      review answer `rationale-sense`   0 none –             as for done
makes sense                                      10 complete sense
fits the       review answer `goal-fit`          0 not at all –       as for done
goals                                            10 completely
distress       review answer `distress`          0–100, at its worst  as for done
helped         review answer `progress`          0 not at all –       as for done
                                                 10 a lot
in the way     which review texts hold words:    kinds named;         no review: NOT REVIEWED
               `practical-obstacles` (practical) entries              yet; a review with none
               `emotional-obstacles` (feelings),                      of the three: none named
               `beliefs` (beliefs the task
               stirred up); entries with an
               `obstacles_note`. Difficulty and
               distress above say how hard and
               how distressing it was
learned        the review's `learned` text; the  reviews with words;  no review answer and no
               entry field its worksheet         entries with words,  entry that asks: NOT
               version declares (`learning`)     of those that ask    ASKED; asked, left empty:
                                                                      NOTHING WRITTEN

Numbers are never made from missing answers: a missing answer is a `Missing` value, shown in
words, never 0, never an average. A review stores only the questions answered (plans.review), so
"not asked" covers a question left blank at the review and one its instrument version lacked.
Distress from the entries' own 0–100 ratings is drawn by the exposure pictures, not here.

The computation is pure (facts in, profiles out: `plan_profile`, `trend`); `profile` and
`for_client` read the facts through the doors (plans.access.plans_of with the plan's reviews,
practice.access.logs_of) in a fixed number of queries however many plans and entries.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import prefetch_related_objects
from django.http import HttpRequest

from bridgework.care.models import Client
from bridgework.plans.access import plans_of
from bridgework.plans.models import ActionPlan, Review, Status
from bridgework.practice import worksheets
from bridgework.practice.access import logs_of
from bridgework.practice.models import Outcome, PracticeLog

# Plans that were given to the client to do; drafts, proposals and declined ones have no practice.
PROFILED = (Status.AGREED, Status.ACTIVE, Status.REVIEWED)
OPEN = (Status.AGREED, Status.ACTIVE)
TREND_SHOWN = 6  # the newest review periods the pages show for the client


class Missing(enum.Enum):
    """Why a dimension has no value: never a number, and never 0."""

    NOT_REVIEWED = "not reviewed yet"
    NOT_ASKED = "not asked"
    NOTHING_WRITTEN = "nothing written"

    def __str__(self) -> str:
        return self.value


Scale = int | Missing

# The review's texts that say what got in the way, by the name the profile gives them.
IN_THE_WAY = (
    ("practical", "practical-obstacles"),
    ("feelings", "emotional-obstacles"),
    ("beliefs", "beliefs"),
)


@dataclass(frozen=True)
class EntryFacts:
    """What the profile needs of one practice log (never its words)."""

    practiced_at: datetime
    outcome: str  # an Outcome value, or "" when the entry gave none
    obstacles_noted: bool
    learned_asked: bool  # its worksheet version asks what was learned (its `learning`)
    learned: bool  # ... and the client wrote in it


@dataclass(frozen=True)
class ReviewFacts:
    reviewed_at: datetime
    session_number: int | None
    answers: Mapping[str, Any]
    decision: str
    instrument_version: str


@dataclass(frozen=True)
class PlanFacts:
    plan_id: int
    title: str
    kind: str
    version: int
    status: str
    starts_at: datetime  # agreed, or made
    reviews: tuple[ReviewFacts, ...]  # oldest first
    entries: tuple[EntryFacts, ...]


@dataclass(frozen=True)
class Practice:
    """Entries by outcome, and what they say beyond it."""

    done: int = 0
    partly: int = 0
    not_done: int = 0
    something_else: int = 0
    no_outcome: int = 0
    with_obstacles: int = 0  # entries with an obstacles note
    learned_asked: int = 0  # entries whose worksheet asks what was learned
    learned: int = 0  # ... of which hold an answer

    @property
    def entries(self) -> int:
        return self.done + self.partly + self.not_done + self.something_else + self.no_outcome


def practice_of(entries: Iterable[EntryFacts]) -> Practice:
    listed = list(entries)

    def count(outcome: str) -> int:
        return sum(1 for entry in listed if entry.outcome == outcome)

    return Practice(
        done=count(Outcome.DONE),
        partly=count(Outcome.PARTLY),
        not_done=count(Outcome.NOT_DONE),
        something_else=count(Outcome.SOMETHING_ELSE),
        no_outcome=sum(1 for entry in listed if entry.outcome not in Outcome.values),
        with_obstacles=sum(1 for entry in listed if entry.obstacles_noted),
        learned_asked=sum(1 for entry in listed if entry.learned_asked),
        learned=sum(1 for entry in listed if entry.learned),
    )


@dataclass(frozen=True)
class ReviewAnswers:
    """What one review said, dimension by dimension; without a review, all NOT_REVIEWED."""

    done: Scale
    difficulty: Scale
    rationale_sense: Scale
    goal_fit: Scale
    distress: Scale
    progress: Scale
    in_the_way: tuple[str, ...] | Missing  # "practical", "feelings", "beliefs" named
    learned: bool | Missing
    decision: str | Missing


NOT_REVIEWED = ReviewAnswers(*[Missing.NOT_REVIEWED] * 9)


def scale(answers: Mapping[str, Any], link_id: str) -> Scale:
    value = answers.get(link_id)
    # A stored answer that is not a whole number is no answer (a bool is not a rating either).
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return Missing.NOT_ASKED


def has_words(answers: Mapping[str, Any], link_id: str) -> bool:
    value = answers.get(link_id)
    return isinstance(value, str) and bool(value.strip())


def answers_of(review: ReviewFacts | None) -> ReviewAnswers:
    if review is None:
        return NOT_REVIEWED
    answers = review.answers
    return ReviewAnswers(
        done=scale(answers, "done"),
        difficulty=scale(answers, "difficulty"),
        rationale_sense=scale(answers, "rationale-sense"),
        goal_fit=scale(answers, "goal-fit"),
        distress=scale(answers, "distress"),
        progress=scale(answers, "progress"),
        in_the_way=tuple(name for name, link_id in IN_THE_WAY if has_words(answers, link_id)),
        learned=has_words(answers, "learned"),
        decision=review.decision or Missing.NOT_ASKED,
    )


@dataclass(frozen=True)
class Learned:
    """Whether something was learned: at the reviews, and in the entries that ask."""

    at_reviews: int
    reviews: int
    in_entries: int
    entries_asked: int

    @property
    def state(self) -> bool | Missing:
        if self.at_reviews or self.in_entries:
            return True
        if self.entries_asked:
            return Missing.NOTHING_WRITTEN
        # Nowhere to learn it from yet: like every other column of an unreviewed plan.
        return Missing.NOT_ASKED if self.reviews else Missing.NOT_REVIEWED


@dataclass(frozen=True)
class Period:
    plan: PlanFacts
    number: int  # 1, 2, … in the plan's own order
    starts_at: datetime  # the review before, or the plan's start for period 1
    ends_at: datetime | None  # its review; None while open
    session_number: int | None  # the session of its review, when recorded
    instrument_version: str  # of its review; "" while open
    practice: Practice
    review: ReviewAnswers

    @property
    def reviewed(self) -> bool:
        return self.ends_at is not None

    @property
    def learned(self) -> Learned:
        return Learned(
            at_reviews=int(self.review.learned is True),
            reviews=int(self.reviewed),
            in_entries=self.practice.learned,
            entries_asked=self.practice.learned_asked,
        )


@dataclass(frozen=True)
class PlanProfile:
    """One plan's row: all its practice, its last review's answers, learned anywhere."""

    plan: PlanFacts
    periods: tuple[Period, ...]
    practice: Practice
    reviews: int
    last_review: ReviewAnswers

    @property
    def learned(self) -> Learned:
        parts = [period.learned for period in self.periods]
        return Learned(
            at_reviews=sum(part.at_reviews for part in parts),
            reviews=self.reviews,
            in_entries=self.practice.learned,
            entries_asked=self.practice.learned_asked,
        )


def periods_of(plan: PlanFacts) -> tuple[Period, ...]:
    periods = []
    start, previous = plan.starts_at, None
    for number, review in enumerate(plan.reviews, start=1):
        entries = [e for e in plan.entries if within(e.practiced_at, previous, review.reviewed_at)]
        periods.append(
            Period(
                plan,
                number,
                start,
                review.reviewed_at,
                review.session_number,
                review.instrument_version,
                practice_of(entries),
                answers_of(review),
            )
        )
        start = previous = review.reviewed_at
    after = [e for e in plan.entries if within(e.practiced_at, previous, None)]
    if plan.status in OPEN or after:
        number = len(plan.reviews) + 1
        periods.append(
            Period(plan, number, start, None, None, "", practice_of(after), NOT_REVIEWED)
        )
    return tuple(periods)


def within(moment: datetime, after: datetime | None, until: datetime | None) -> bool:
    return (after is None or moment > after) and (until is None or moment <= until)


def plan_profile(plan: PlanFacts) -> PlanProfile:
    return PlanProfile(
        plan=plan,
        periods=periods_of(plan),
        practice=practice_of(plan.entries),
        reviews=len(plan.reviews),
        last_review=answers_of(plan.reviews[-1] if plan.reviews else None),
    )


def trend(profiles: Iterable[PlanProfile], shown: int = TREND_SHOWN) -> list[Period]:
    """The client's newest reviewed periods across plans, oldest of them first."""
    reviewed = [period for profile in profiles for period in profile.periods if period.reviewed]
    reviewed.sort(key=lambda period: (period.ends_at or period.starts_at, period.plan.plan_id))
    return reviewed[-shown:] if shown else []


@dataclass(frozen=True)
class ClientProfile:
    plans: list[PlanProfile]
    trend: list[Period]


# Reading the facts, through the doors.

LOG_FIELDS = (
    "plan_id",
    "practiced_at",
    "outcome",
    "obstacles_note",
    "worksheet",
    "worksheet_version",
    "entries",
)


def entry_facts(log: PracticeLog) -> EntryFacts:
    field = learning_field(log.worksheet, log.worksheet_version)
    learned = log.entries.get(field) if field and isinstance(log.entries, dict) else None
    return EntryFacts(
        practiced_at=log.practiced_at,
        outcome=log.outcome,
        obstacles_noted=bool(log.obstacles_note.strip()),
        learned_asked=field is not None,
        learned=isinstance(learned, str) and bool(learned.strip()),
    )


def learning_field(slug: str, version: int) -> str | None:
    """The field where the worksheet version asks what the client learned (its `learning`),
    or None when it asks nothing of the kind."""
    try:
        return worksheets.get(slug, version).learning
    except KeyError:  # a worksheet version no longer shipped asks nothing we can read
        return None


def review_facts(review: Review) -> ReviewFacts:
    return ReviewFacts(
        reviewed_at=review.reviewed_at,
        session_number=review.session.number if review.session else None,
        answers=review.answers if isinstance(review.answers, dict) else {},
        decision=review.decision,
        instrument_version=review.instrument_version,
    )


def plan_facts(plan: ActionPlan, logs: Sequence[PracticeLog]) -> PlanFacts:
    return PlanFacts(
        plan_id=plan.pk,
        title=plan.title,
        kind=plan.kind,
        version=plan.version,
        status=plan.status,
        starts_at=plan.agreed_at or plan.created_at,
        reviews=tuple(review_facts(review) for review in plan.reviews.all()),
        entries=tuple(entry_facts(log) for log in logs),
    )


def profile(request: HttpRequest, client: Client, plans: Sequence[ActionPlan]) -> ClientProfile:
    """The profile of `plans` (the client's, from plans_of; drafts and proposals are left out):
    their reviews come with them (fetched here when they did not), their entries through the
    practice door, one query each however many."""
    chosen = [plan for plan in plans if plan.status in PROFILED]
    prefetch_related_objects(chosen, "reviews__session")
    by_plan: dict[int, list[PracticeLog]] = {plan.pk: [] for plan in chosen}
    if chosen:
        logs = logs_of(request, client).select_related(None).filter(plan__in=chosen)
        for log in logs.only(*LOG_FIELDS).order_by("practiced_at", "id"):
            if log.plan_id in by_plan:
                by_plan[log.plan_id].append(log)
    profiles = [plan_profile(plan_facts(plan, by_plan[plan.pk])) for plan in chosen]
    return ClientProfile(profiles, trend(profiles))


def for_client(request: HttpRequest, client: Client) -> ClientProfile:
    """Every plan the client was given, oldest first: what research rows are made of."""
    plans = plans_of(request, client).filter(status__in=PROFILED).order_by("created_at", "id")
    return profile(request, client, list(plans))
