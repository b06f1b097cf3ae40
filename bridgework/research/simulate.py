"""A synthetic course of therapy with known engagement effects, pure Python (no Django).

`synthetic_course(seed=...)` draws clients × weekly sessions shaped like the course in
shared/reference/measures.md (baseline PHQ-9 mean 16, SD 4; about 0.45 points better a week;
mean engagement .62, SD .20 between clients; about 18% dropout; 12 sessions) and plants two
different effects on the next session's symptoms:

- a within-client effect: in a week the client engages more than their own average, the next
  session's score is `within_effect` points per unit of engagement lower (or higher);
- a between-client effect: a client whose average engagement is one unit above the average
  client's scores `between_effect` points differently at every later session.

The frame has the columns `multilevel.engagement_model` reads: client, session, engagement (the
share of the between-session work agreed at that session that the client did, 0–1, reported at
the next session) and symptoms (a continuous stand-in for the PHQ-9 total at that session). The
last session's engagement is missing, as in real data, because no next session reports it.

The symptoms follow exactly the model that `engagement_model` fits (random intercept and random
slope of time per client, lagged person-mean-centred engagement, the client mean), so a correct
fit recovers the planted effects within its standard errors; tests check it on several seeds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["CoursePlan", "synthetic_course"]


@dataclass(frozen=True)
class CoursePlan:
    """The knobs of the synthetic course; the defaults follow shared/reference/measures.md."""

    clients: int = 60
    sessions: int = 12
    within_effect: float = -3.0
    between_effect: float = -8.0
    baseline_mean: float = 16.0
    baseline_sd: float = 4.0
    weekly_change: float = -0.45
    weekly_change_sd: float = 0.15
    engagement_mean: float = 0.62
    engagement_between_sd: float = 0.20
    engagement_within_sd: float = 0.15
    residual_sd: float = 2.0
    dropout: float = 0.18


def synthetic_course(seed: int, plan: CoursePlan | None = None) -> pd.DataFrame:
    """One long frame, a row per client and attended session, drawn with numpy's seeded RNG."""
    plan = plan or CoursePlan()
    if plan.clients < 3 or plan.sessions < 3:
        raise ValueError("A synthetic course needs at least 3 clients and 3 sessions each.")
    rng = np.random.default_rng(seed)
    attended = _attended_sessions(rng, plan)
    means = np.clip(
        rng.normal(plan.engagement_mean, plan.engagement_between_sd, plan.clients), 0, 1
    )
    intercepts = rng.normal(plan.baseline_mean, plan.baseline_sd, plan.clients)
    slopes = rng.normal(plan.weekly_change, plan.weekly_change_sd, plan.clients)
    engagement = [
        np.clip(rng.normal(means[i], plan.engagement_within_sd, attended[i]), 0, 1)
        for i in range(plan.clients)
    ]
    # The planted model uses the client's mean of the engagement that predicts a later score
    # (all but the last session's), the same mean the model centres on.
    client_means = np.array([e[:-1].mean() for e in engagement])
    grand_mean = client_means.mean()
    rows = []
    for i in range(plan.clients):
        for session in range(1, attended[i] + 1):
            symptoms = intercepts[i] + slopes[i] * (session - 1) + rng.normal(0, plan.residual_sd)
            if session > 1:
                within = engagement[i][session - 2] - client_means[i]
                between = client_means[i] - grand_mean
                symptoms += plan.within_effect * within + plan.between_effect * between
            last = session == attended[i]
            rows.append(
                {
                    "client": f"c{i + 1:03d}",
                    "session": session,
                    "engagement": np.nan if last else float(engagement[i][session - 1]),
                    "symptoms": float(symptoms),
                }
            )
    return pd.DataFrame(rows)


def _attended_sessions(rng: np.random.Generator, plan: CoursePlan) -> list[int]:
    """Sessions each client attends: all of them, or (with chance `dropout`) a course cut off
    at random after the third session or later, so everyone has at least two lagged pairs."""
    counts = []
    for _ in range(plan.clients):
        dropped = rng.random() < plan.dropout
        counts.append(int(rng.integers(3, plan.sessions)) if dropped else plan.sessions)
    return counts
