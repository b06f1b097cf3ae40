"""The past clients' questionnaires: PHQ-9 and GAD-7 before every session, with the totals
the cohort's draw gave (bridgework.demo.cohort), and the scores measures would store."""

from __future__ import annotations

import random
from datetime import timedelta

from bridgework.accounts.models import User
from bridgework.care.models import Client, TherapySession
from bridgework.demo.cohort import Week
from bridgework.measures.actions import current, scored_response
from bridgework.measures.models import Response


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
                scored_response(
                    client,
                    instrument,
                    answers,
                    by=therapist,
                    session=session,
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
