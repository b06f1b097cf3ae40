"""Demo measures: PHQ-9 and GAD-7 before every past session, following the course the
reference describes (baseline PHQ-9 about 16, SD 4; about 0.45 points better a week; clients
differ), one client whose last PHQ-9 answered item 9 above zero, and the flags that follow."""

from __future__ import annotations

import random
from datetime import timedelta

from bridgework.care.models import Client
from bridgework.measures import actions

RISK_CLIENT = "Farid Haddad"


def items_for(total: int, count: int, rng: random.Random) -> list[int]:
    """Answers 0–3 on `count` items that add up to `total` (clipped to what fits)."""
    total = max(0, min(total, 3 * count))
    answers = [0] * count
    for _ in range(total):
        open_items = [n for n in range(count) if answers[n] < 3]
        answers[rng.choice(open_items)] += 1
    return answers


def seed(client: Client, *, number: int) -> None:
    """PHQ-9 and GAD-7 before each past session. `number`, the client's place in the demo's
    list, draws their course: the same every time the demo is loaded, so the demo tells the
    story README.md tells (Eleanor's reliable deterioration, Farid's risk answer)."""
    therapist = client.care_team.filter(is_therapist=True).first()
    assert therapist is not None
    rng = random.Random(f"demo-measures-{number}")  # noqa: S311 - demo data
    phq9, gad7 = actions.current("phq-9", None), actions.current("gad-7", None)
    assert phq9 is not None and gad7 is not None
    baseline, slope = rng.gauss(16, 4), rng.gauss(0.45, 0.3)
    anxious = rng.gauss(12, 4)
    sessions = [s for s in client.sessions.order_by("starts_at") if s.takeaway]
    for week, session in enumerate(sessions):
        phq = round(baseline - slope * week + rng.gauss(0, 1.8))
        gad = round(anxious - 0.35 * week + rng.gauss(0, 1.5))
        # PHQ-9 item 9 stays at 0 but for one client's last questionnaire.
        answers9 = [
            *items_for(phq, 8, rng),
            1 if client.full_name == RISK_CLIENT and week == len(sessions) - 1 else 0,
        ]
        when = session.starts_at - timedelta(hours=1)
        actions.respond(
            client,
            phq9,
            {str(n): v for n, v in enumerate(answers9, 1)},
            by=therapist,
            session=session,
            completed_at=when,
        )
        actions.respond(
            client,
            gad7,
            {str(n): v for n, v in enumerate(items_for(gad, 7, rng), 1)},
            by=therapist,
            session=session,
            completed_at=when,
        )
