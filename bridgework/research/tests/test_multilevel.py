"""The engagement model: it recovers the within- and between-client effects planted in the
synthetic course, builds its lagged, person-mean-centred design as documented, falls back on
other optimisers and says which converged, and refuses rather than guesses."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bridgework.research.multilevel import (
    ModelDidNotConverge,
    engagement_model,
    lagged_design,
)
from bridgework.research.simulate import CoursePlan, synthetic_course

PLAN = CoursePlan()


def client_means(data: pd.DataFrame) -> pd.Series:
    return data.groupby("client")["engagement"].transform("mean")


COURSE = synthetic_course(seed=0)


@pytest.mark.parametrize("seed", range(8))
def test_it_recovers_both_planted_effects_within_two_standard_errors(seed: int) -> None:
    model = engagement_model(synthetic_course(seed))
    assert abs(model.within.estimate - PLAN.within_effect) < 2 * model.within.se
    assert abs(model.between.estimate - PLAN.between_effect) < 2 * model.between.se
    assert abs(model.time.estimate - PLAN.weekly_change) < 2 * model.time.se
    assert model.converged and model.optimiser in ("lbfgs", "bfgs", "powell", "nm")


@pytest.mark.parametrize("seed", range(4))
def test_the_within_effect_is_not_blended_with_the_between_effect(seed: int) -> None:
    # Within −3 and between −8: a single engagement slope would land between the two; the
    # within-client estimate is precise enough to rule out the between-client value.
    model = engagement_model(synthetic_course(seed))
    assert abs(model.within.estimate - PLAN.between_effect) > 4 * model.within.se


def test_it_reports_its_sizes_and_variance_components() -> None:
    model = engagement_model(COURSE)
    assert model.clients == PLAN.clients
    # One model row per session with a previous one.
    assert model.observations == len(COURSE) - COURSE["client"].nunique()
    effects = model.random_effects
    assert effects.intercept_variance > 0 and effects.residual_variance > 0
    assert effects.slope_variance is not None and effects.slope_variance > 0
    assert abs(effects.residual_variance - PLAN.residual_sd**2) < 1.0


def test_the_random_slope_can_be_on_within_engagement_or_left_out() -> None:
    on_engagement = engagement_model(COURSE, random_slope="engagement")
    intercept_only = engagement_model(COURSE, random_slope=None)
    assert on_engagement.random_slope == "engagement"
    assert intercept_only.random_effects.slope_variance is None
    for model in (on_engagement, intercept_only):
        assert abs(model.within.estimate - PLAN.within_effect) < 2 * model.within.se


def test_the_design_lags_engagement_and_centres_it_on_each_clients_mean() -> None:
    data = pd.DataFrame(
        {
            "client": ["a", "a", "a", "b", "b", "b"],
            "session": [3, 1, 2, 1, 2, 3],  # out of order on purpose
            "engagement": [np.nan, 0.2, 0.6, 0.9, 0.7, np.nan],
            "symptoms": [12.0, 18, 15, 10, 9, 8],
        }
    )
    design = lagged_design(data)
    assert design["symptoms"].tolist() == [15, 12, 9, 8]  # sessions 2 and 3 of each client
    assert design["within"].round(6).tolist() == [-0.2, 0.2, 0.1, -0.1]
    # Client means .4 and .8, grand mean .6.
    assert design["between"].round(6).tolist() == [-0.2, -0.2, 0.2, 0.2]


def test_a_missing_session_makes_no_pair_rather_than_a_longer_lag() -> None:
    data = pd.DataFrame(
        {
            "client": ["a", "a", "a", "a"],
            "session": [1, 2, 4, 5],  # session 3 is not in the data
            "engagement": [0.2, 0.6, 0.9, np.nan],
            "symptoms": [18.0, 15, 11, 10],
        }
    )
    design = lagged_design(data)
    assert design["session"].tolist() == [2, 5]  # 4 would have paired with session 2's 0.6


def test_it_falls_back_on_the_next_optimiser_and_says_which_converged() -> None:
    # Nelder–Mead cannot settle this model in 50 iterations; L-BFGS can.
    model = engagement_model(COURSE, methods=["nm", "lbfgs"], maxiter=50)
    assert model.optimiser == "lbfgs"
    assert "nm: did not converge" in model.warnings
    assert abs(model.within.estimate - engagement_model(COURSE).within.estimate) < 1e-3


def test_it_raises_when_no_optimiser_converges_rather_than_give_a_number() -> None:
    with pytest.raises(ModelDidNotConverge, match=r"did not converge with any optimiser tried"):
        engagement_model(COURSE, methods=["lbfgs", "bfgs"], maxiter=1)


def test_an_unknown_optimiser_counts_as_a_failure_and_the_next_is_tried() -> None:
    model = engagement_model(COURSE, methods=["no-such-method", "lbfgs"])
    assert model.optimiser == "lbfgs" and model.warnings[0].startswith("no-such-method: failed")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.drop(columns="symptoms"), "lack the column"),
        (lambda d: d.assign(engagement=0.5), "Engagement does not vary within any client"),
        (lambda d: d.assign(engagement=d["session"] / 10), "collinear"),
        (lambda d: d.assign(engagement=0.6 + d["engagement"] - client_means(d)), "same mean"),
        (lambda d: d[d["client"].isin(["c001", "c002"])], "at least 3 clients"),
        (lambda d: d.assign(symptoms="high"), "The column symptoms must hold numbers"),
        (lambda d: d.assign(symptoms=np.inf), "infinite value"),
        (lambda d: pd.concat([d, d.head(1)]), "the same session number twice"),
    ],
)
def test_degenerate_data_raise_a_clear_message(change, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        engagement_model(change(COURSE))


def test_the_synthetic_course_is_seeded_and_shaped_like_the_reference_course() -> None:
    assert synthetic_course(3).equals(synthetic_course(3))
    assert not synthetic_course(3).equals(synthetic_course(4))
    sessions = COURSE.groupby("client")["session"].max()
    assert sessions.max() == PLAN.sessions and sessions.min() >= 3
    assert 0.05 < (sessions < PLAN.sessions).mean() < 0.35  # about 18% drop out
    assert abs(COURSE.loc[COURSE["session"] == 1, "symptoms"].mean() - 16) < 1.5
    assert COURSE["engagement"].between(0, 1).all() or COURSE["engagement"].isna().any()
