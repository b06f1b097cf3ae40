"""Demo practice for the demo clinic: weeks of logs, worksheets, check-ins and a few private
diary entries, with courses that look like real ones (distress falling across exposures,
belief loosening across experiments, clients who engage more and less)."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from bridgework.care.models import Client
from bridgework.plans.models import ActionPlan
from bridgework.practice import actions, worksheets

# How often a client gets to their plan: the chance, on a planned day, that they practise.
ENGAGEMENT = {
    "Jordan Ellis": 0.8,
    "Aisha Karimi": 0.7,
    "Ben Whitaker": 0.5,
    "Chloe Martin": 0.25,
    "Daniel Novak": 0.6,
    "Eleanor Briggs": 0.3,
    "Grace O'Neill": 0.6,
    "Hannah Schultz": 0.8,
    "Isaac Mensah": 0.5,
    "Kai Tanaka": 0.9,
}
# Scale, its anchors, and which way it tends to move as therapy helps (+1 up, -1 down).
SCALES = {
    "Jordan Ellis": [("Anxiety", "calm", "panic", -1), ("Mood", "very low", "very good", 1)],
    "Hannah Schultz": [
        ("Self-criticism", "none", "relentless", -1),
        ("Mood", "very low", "very good", 1),
    ],
    "Kai Tanaka": [
        ("Worry", "none", "all-consuming", -1),
        ("Tiredness", "rested", "exhausted", -1),
    ],
    "Daniel Novak": [("Feeling left out", "not at all", "completely", -1)],
}
PRIVATE = {
    "Hannah Schultz": [
        "Didn't want to tell anyone, but today I cried in the car and it felt like relief.",
        "Wrote a letter to Dad I won't send.",
    ],
    "Jordan Ellis": ["Scared the bus thing won't last. Writing it here so it's out."],
}
NOTICED = [
    "Caught myself apologising before I'd said anything.",
    "Felt the heat in my chest before I raised my voice.",
    "Noticed I went quiet when they laughed without me.",
    "Said 'it's fine' when it wasn't.",
]
# What happened in a client's experiments, and what they learned (the default: a meeting).
EXPERIMENTS = {"Grace O'Neill": "Came back to a cold flat. Wanted to check the plug; didn't."}
LEARNED = {"Grace O'Neill": "The flat was fine. The worry was loud, but it was only a worry."}
DIARY = [
    "Drafted the e-mail, deleted it, drafted it again.",
    "Read half the chapter; cried a bit.",
    "Asked for the deadline. She just said Friday — that was it.",
]


def uid_for(*parts: object) -> uuid.UUID:
    # The phone makes a uid per entry; the demo's say what they are, so none is made twice.
    return uuid.uuid5(uuid.NAMESPACE_URL, "bridgework-demo/" + "/".join(map(str, parts)))


def entries_for(sheet: str, step: int, rng: random.Random, plan: ActionPlan) -> dict[str, Any]:
    noise = rng.randint(-6, 6)
    if sheet == "exposure-log":
        before = max(30, 78 - 3 * step + noise)
        peak, after = min(100, before + 12), max(5, before - 28 - 2 * step)
        # The series says what the three fields say: it starts at "before", rises to the
        # peak and ends at "after" (as exposure log v2 would fill them from it).
        readings = [before, peak, (peak + after) // 2, after]
        return {
            "situation": plan.what or plan.where or plan.title,  # the step agreed (seeded)
            "distress_before": before,
            "distress_peak": peak,
            "distress_after": after,
            "duration_minutes": rng.randint(15, 45),
            "series": [
                {"minute": minute, "distress": distress}
                for minute, distress in zip((0, 10, 20, 30), readings, strict=True)
            ],
        }
    if sheet == "behavioural-experiment":
        # What was agreed in the session comes onto the worksheet (the template's seeds), as
        # on the client's phone; the belief loosens as the experiments go on.
        agreed = plan.details or {}
        before = max(35, int(agreed.get("belief_strength", 85)) - 4 * step + noise)
        return {
            "belief": agreed.get("belief", "If I speak up, people will think I'm stupid"),
            "belief_before": before,
            "prediction": agreed.get("prediction", "Someone will look away or sigh"),
            **{
                field: agreed[detail]
                for detail, field in (
                    ("how_they_would_know", "how_i_would_know"),
                    ("alternative_view", "alternative_view"),
                )
                if agreed.get(detail)
            },
            "plan": plan.what or plan.title,
            "what_happened": EXPERIMENTS.get(
                plan.client.full_name, "Two people nodded; my manager wrote it down."
            ),
            "belief_after": max(10, before - 30),
            "learned": LEARNED.get(plan.client.full_name, "Most people were listening."),
        }
    if sheet == "relaxation-log":
        before = 55 + noise
        return {
            "technique": plan.title,
            "tension_before": before,
            "tension_after": max(5, before - 20 - step),
            "duration_minutes": 10,
        }
    if sheet == "noticing-log":
        return {"noticed": rng.choice(NOTICED), "rating": max(0, min(100, 50 + 2 * step + noise))}
    if sheet == "activity-schedule":
        return {
            "activity": plan.title,
            "planned_time": plan.when or "Morning",
            "done": True,
            "pleasure": min(10, 3 + step // 2 + rng.randint(0, 2)),
            "mastery": min(10, 4 + step // 2 + rng.randint(0, 2)),
        }
    return {"entry": rng.choice(DIARY)}


def practise(plan: ActionPlan, start: datetime, end: datetime) -> None:
    """Logs on roughly four days a week between start and end, as engaged as the client is."""
    client = plan.client
    if client.user is None or client.full_name not in ENGAGEMENT:
        return
    rng = random.Random(f"{client.full_name}-{plan.title}")  # noqa: S311 - demo data, not secrets
    engagement, step = ENGAGEMENT[client.full_name], 0
    zone = ZoneInfo(client.local_time_zone)
    # Each day from local midnight, so practice falls in the client's waking hours (08–20).
    day = datetime.combine(start.astimezone(zone).date(), time(0), tzinfo=zone)
    while day < end:
        when = day + timedelta(hours=rng.randint(8, 20), minutes=rng.choice([0, 15, 30, 45]))
        if rng.random() < 4 / 7 and start <= when < end:
            log_one(plan, when, engagement, step, rng)
            step += 1
        day += timedelta(days=1)


def log_one(
    plan: ActionPlan, when: datetime, engagement: float, step: int, rng: random.Random
) -> None:
    client, roll = plan.client, rng.random()
    outcome = "done" if roll < engagement else "partly" if roll < engagement + 0.15 else "not-done"
    detailed = plan.worksheet and outcome != "not-done" and rng.random() < 0.6
    sheet = worksheets.current(plan.worksheet if detailed else worksheets.QUICK)
    entries = (
        entries_for(sheet.slug, step, rng, plan)
        if detailed
        else {"how_it_went": max(0, min(100, 40 + 4 * step + rng.randint(-10, 10)))}
    )
    obstacles = (
        rng.choice(["Too tired after work.", "Ran out of time.", "I dreaded it."])
        if outcome != "done"
        else ""
    )
    assert client.user is not None
    actions.log_practice(
        client,
        by=client.user,
        uid=uid_for(plan.pk, when.isoformat()),
        plan=plan,
        outcome=outcome,
        sheet=sheet,
        entries=entries,
        practiced_at=min(when, timezone.now()),
        obstacles_note=obstacles,
    )


def seed_client(client: Client) -> None:
    """Check-in scales with four weeks of check-ins, and the private diary entries."""
    user = client.user
    if user is None:
        return
    rng = random.Random(f"check-ins-{client.full_name}")  # noqa: S311 - demo data
    therapist = client.care_team.filter(is_therapist=True).first()
    assert therapist is not None
    scales = [
        (
            actions.add_scale(
                client,
                by=therapist,
                name=name,
                low_anchor=low,
                high_anchor=high,
            ),
            direction,
        )
        for name, low, high, direction in SCALES.get(client.full_name, [])
    ]
    now = timezone.now()
    for days_ago in range(28, 0, -1) if scales else ():
        when = now - timedelta(days=days_ago, hours=rng.randint(0, 10))
        ratings = {
            scale.pk: max(0, min(100, 50 + direction * (28 - days_ago - 14) + rng.randint(-12, 12)))
            for scale, direction in scales
        }
        actions.check_in(
            client,
            by=user,
            uid=uid_for("check-in", client.pk, days_ago),
            ratings=ratings,
            answered_at=when,
        )
    for n, text in enumerate(PRIVATE.get(client.full_name, [])):
        actions.log_practice(
            client,
            by=user,
            uid=uid_for("diary", client.pk, n),
            plan=None,
            outcome="",
            private=True,
            sheet=worksheets.current(worksheets.PRIVATE_ALLOWED),
            entries={"entry": text},
            practiced_at=now - timedelta(days=3 * n + 2),
        )
