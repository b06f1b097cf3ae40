"""Demo supervision and training (called by `manage.py seed_demo`): Helen has rated Priya's
and Tom's sessions over the weeks, Noor has rated some of the same sessions blind (so the
agreement page has pairs to compare), Priya has rated a few of her own, and Helen has
assigned scenarios that Priya has practised twice.

The scores follow a simple story so the pictures say something: each therapist starts with
strengths and gaps and gets better at the items their supervisor works on; Noor reads
rehearsal more strictly than Helen, which is where the two disagree most.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from bridgework.accounts.models import User
from bridgework.care.models import TherapySession
from bridgework.measures.models import Instrument
from bridgework.plans import actions as plans
from bridgework.plans.models import PlanTemplate
from bridgework.supervision import actions, scenarios, training
from bridgework.supervision.models import Assignment, CompetenceRating, RolePlay
from bridgework.supervision.scales import SHIPPED

# Where each therapist starts (0–6) and how much they gain over the weeks rated, per item.
START = {
    "priya": {"rationale": 4, "specifics": 5, "obstacles": 2, "importance-confidence": 2},
    "tom": {"rationale": 2, "framing": 5, "collaboration": 4, "summary": 2},
}
GAIN = {
    "priya": {"obstacles": 3, "importance-confidence": 3, "rehearsal": 2},
    "tom": {"rationale": 3, "summary": 2, "specifics": 2},
}
COMMENTS = {
    "priya": [
        "Clear, specific plan. Next time ask what might get in the way before agreeing it.",
        "Good: low confidence (4/10) led to a smaller first step. The review was brief.",
        "Obstacles and coping plans now come from the client. The rehearsal helped.",
    ],
    "tom": [
        "The experiment fitted the work well; the client could not yet say why it might help.",
        "Tentative framing kept the client curious. Write the summary with the client.",
        "The rationale was in the client's words this time. Well done.",
    ],
}
ITEM_COMMENTS = {
    "obstacles": "Only practical obstacles came up; ask about feelings and thoughts too.",
    "rationale": "Ask the client to put the reason in their own words.",
}


def seed(staff: dict[str, User]) -> None:
    scale = Instrument.objects.get(clinic=None, slug=SHIPPED, retired_at=None)
    rng = random.Random(13)  # noqa: S311 (demo data, not secrets)
    for handle in ("priya", "tom"):
        rate_sessions(staff[handle], handle, staff, scale, rng)
    practise_scenarios(staff["helen"], staff["priya"], scale)


def rate_sessions(
    therapist: User,
    handle: str,
    staff: dict[str, User],
    scale: Instrument,
    rng: random.Random,
) -> None:
    # Every session with plan work in it (a plan set or reviewed), and a sample of the
    # earlier ones (every other), so the ratings go back over the months of therapy.
    past = TherapySession.objects.filter(
        therapist=therapist, client__is_training=False, starts_at__lte=timezone.now()
    ).order_by("starts_at", "pk")
    with_plans = set(
        past.filter(Q(plans_set__isnull=False) | Q(reviews__isnull=False)).values_list(
            "pk", flat=True
        )
    )
    sessions = [s for i, s in enumerate(past) if s.pk in with_plans or i % 2 == 0]
    for index, session in enumerate(sessions):
        progress = index / max(len(sessions) - 1, 1)
        true = true_scores(scale, handle, progress, first=session.number == 1)
        last = index == len(sessions) - 1
        comment = COMMENTS[handle][min(int(progress * 3), 2)]
        rate(session, scale, staff["helen"], noisy(true, rng), comment, submit=not last)
        if index % 2 == 0:  # about half are rated by a second rater, blind
            stricter = {"rehearsal": -2, "cues": -1}
            rate(session, scale, staff["noor"], noisy(true, rng, stricter), "", submit=True)
        if handle == "priya" and index % 3 == 1:
            rate(session, scale, therapist, noisy(true, rng, {"obstacles": 1}), "", submit=True)


def true_scores(
    scale: Instrument, handle: str, progress: float, *, first: bool
) -> dict[str, float]:
    scores = {}
    for item in scale.definition["item"]:
        link_id = item["linkId"]
        if first and not item.get("required", True):
            continue  # nothing earlier to review in a first session
        start = START[handle].get(link_id, 3)
        scores[link_id] = start + GAIN[handle].get(link_id, 0) * progress
    return scores


def noisy(
    true: dict[str, float], rng: random.Random, bias: dict[str, int] | None = None
) -> dict[str, int]:
    bias = bias or {}
    return {
        link_id: max(0, min(6, round(value + rng.choice((-1, 0, 0, 1)) + bias.get(link_id, 0))))
        for link_id, value in true.items()
    }


def rate(
    session: TherapySession,
    scale: Instrument,
    rater: User,
    answers: dict[str, int],
    comment: str,
    *,
    submit: bool,
) -> CompetenceRating:
    rating = actions.start_rating(session, scale, by=rater)
    comments = {k: v for k, v in ITEM_COMMENTS.items() if answers.get(k, 6) <= 2 and comment}
    if submit:
        rating = actions.save_and_submit(
            rating, answers=answers, comments=comments, comment=comment, by=rater
        )
    else:
        rating = actions.save_draft(
            rating, answers=answers, comments=comments, comment=comment, by=rater
        )
    # Demo history: rated a couple of days after the session (from a recording), not when the
    # demo was seeded; never in the future.
    when = min(session.starts_at + timedelta(days=2), timezone.now())
    stamps = {"created_at": when, "updated_at": when}
    if submit:
        stamps["submitted_at"] = when
    CompetenceRating.objects.filter(pk=rating.pk).update(**stamps)
    return rating


def practise_scenarios(helen: User, priya: User, scale: Instrument) -> None:
    """Two scenarios assigned; the first practised twice, three weeks apart, each attempt
    with a plan made in the real editor's actions, rated by Helen and by Priya herself."""
    first = training.assign(
        scenario=scenario("ill-fail-anyway"),
        trainee=priya,
        by=helen,
        note="Let's look at how you respond when confidence is very low.",
    )
    second = training.assign(
        scenario=scenario("the-walks-that-did-not-happen"),
        trainee=priya,
        by=helen,
        note="For next month: reviewing a plan that was not done.",
    )
    now = timezone.now()
    Assignment.objects.filter(pk__in=[first.pk, second.pk]).update(
        assigned_at=now - timedelta(days=30)
    )
    for attempt, days_ago in ((1, 24), (2, 3)):
        role_play = training.start_attempt(first, by=priya, now=now - timedelta(days=days_ago))
        plan_in(role_play, priya, fuller=attempt == 2)
        training.finish_attempt(role_play, by=priya)
        RolePlay.objects.filter(pk=role_play.pk).update(
            finished_at=role_play.started_at + timedelta(minutes=50)
        )
        base = 2 if attempt == 1 else 4
        answers = {
            item["linkId"]: base + (1 if item["linkId"] in ("collaboration", "framing") else 0)
            for item in scale.definition["item"]
            if item.get("required", True)
        }
        comment = (
            "You pushed for the full task; shrink it until confidence is 7 or more."
            if attempt == 1
            else "Much better: you halved the task and asked what would help."
        )
        rate(role_play.session, scale, helen, answers, comment, submit=True)
        self_answers = {k: min(6, v + 1) for k, v in answers.items()}
        rate(role_play.session, scale, priya, self_answers, "", submit=True)


def scenario(slug: str) -> scenarios.Scenario:
    found = scenarios.get(slug)
    if found is None:  # the library is checked on start-up; a renamed file breaks the demo here
        raise LookupError(f"the demo's scenario {slug} is not in the library")
    return found


def plan_in(role_play: RolePlay, trainee: User, *, fuller: bool) -> None:
    client = role_play.client
    template = PlanTemplate.objects.filter(clinic=None, slug="one-small-thing-a-day").first()
    plan = plans.start_plan(client, by=trainee, template=template)
    fields: dict[str, Any] = {"importance": 7, "confidence": 4 if not fuller else 7}
    if fuller:
        fields |= {"what": "A ten-minute walk after lunch", "when": "Tuesday and Friday"}
    pointless = {
        "kind": "emotional",
        "description": "I'll think it's pointless",
        "coping_plan": "Go anyway, for five minutes",
    }
    obstacles = [pointless] if fuller else []
    plan = plans.save_plan(
        plan, by=trainee, version=plan.version, fields=fields, goals=[], obstacles=obstacles
    )
    plans.agree(plan, by=trainee)
