"""Engagement → next-session symptoms as a multilevel model (statsmodels MixedLM), pure Python
(no Django).

Input: a pandas DataFrame in long form, one row per client and session, with the columns
- `client`: any hashable id (the study pseudonym);
- `session`: the session's number in the client's course (1, 2, …); session s − 1's engagement
  is paired with session s's symptoms, so a gap in the numbers makes no pair;
- `time` (optional): when the session happened, e.g. weeks since the first one; without it the
  session number is the time;
- `engagement`: the client's engagement with the work agreed at that session (e.g. the share
  done, 0–1, as the next session's review reports it); may be missing on the last session;
- `symptoms`: the outcome measured at that session (e.g. the PHQ-9 total).

The model, for each session s of a client whose session s − 1 (by number) is in the data:

    symptoms[s] = b0 + b_within · (engagement[s − 1] − mean_i) + b_between · (mean_i − grand mean)
                  + b_time · time[s] + u0_i + u1_i · time[s] + e

with mean_i the client's mean of the lagged engagement in the model, so the within term is
person-mean centred (it sums to zero per client) and carries only week-to-week differences
inside a client, and the client mean carries only the differences between clients (the
between-client effect, not the contextual difference of the two). The random slope is on time
by default (clients improve at different rates, the largest source of variance in a course; a
random slope of within-engagement needs many more sessions per client to be estimable) —
`random_slope="engagement"` puts it on within-engagement, `None` keeps a random intercept only.
Fitted by REML.

Convergence: each optimiser in `methods` is tried from the same start until one converges with
a positive definite Hessian (otherwise the standard errors would be numbers without meaning);
`EngagementModel.optimiser` says which one did and `warnings` what the others said. When none
does, `ModelDidNotConverge` is raised — never a silent, wrong estimate.

What statsmodels does and what is here: MixedLM does the fitting; this module only builds the
lagged, centred design, checks the input, and walks the optimisers (statsmodels' own list of
methods restarts each from the last one's failed point and does not say which succeeded).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.regression.mixed_linear_model import MixedLM

__all__ = [
    "DEFAULT_METHODS",
    "Effect",
    "EngagementModel",
    "ModelDidNotConverge",
    "RandomEffects",
    "engagement_model",
    "lagged_design",
]

DEFAULT_METHODS: tuple[str, ...] = ("lbfgs", "bfgs", "powell", "nm")
REQUIRED = ("client", "session", "engagement", "symptoms")
RandomSlope = Literal["time", "engagement"] | None


class ModelDidNotConverge(RuntimeError):
    """No optimiser reached a trustworthy maximum; the message lists what each one said."""


@dataclass(frozen=True)
class Effect:
    """One fixed effect with its SE, 95% Wald CI and two-sided p."""

    estimate: float
    se: float
    ci_lower: float
    ci_upper: float
    p: float


@dataclass(frozen=True)
class RandomEffects:
    """The variance components: of the intercepts, of the slopes (None without a random
    slope), their covariance, and the residual (within-client) variance."""

    intercept_variance: float
    slope_variance: float | None
    covariance: float | None
    residual_variance: float


@dataclass(frozen=True)
class EngagementModel:
    within: Effect
    between: Effect
    time: Effect
    intercept: Effect
    random_effects: RandomEffects
    random_slope: RandomSlope
    clients: int
    observations: int
    optimiser: str
    converged: bool
    log_likelihood: float
    warnings: tuple[str, ...]


def lagged_design(data: pd.DataFrame) -> pd.DataFrame:
    """The rows the model uses: each session's symptoms beside the engagement of the session
    numbered one before, its within part (minus the client's mean) and the client's mean minus the
    grand mean of client means. Columns: client, session, time, symptoms, within, between."""
    _check_columns(data)
    frame = data.copy()
    if "time" not in frame.columns:
        frame["time"] = frame["session"]
    # Paired by session number, not by row: with a session's row missing (no measure taken), the
    # row before would carry older engagement, and "next-session" would silently stretch.
    previous = frame[["client", "session", "engagement"]].rename(columns={"engagement": "lagged"})
    previous["session"] = previous["session"] + 1
    frame = frame.merge(previous, on=["client", "session"], how="left")
    frame = frame.sort_values(["client", "session"], kind="stable")
    used = frame.dropna(subset=["lagged", "symptoms", "time"]).copy()
    client_mean = used.groupby("client", sort=False)["lagged"].transform("mean")
    grand_mean = used.groupby("client", sort=False)["lagged"].mean().mean()
    used["within"] = used["lagged"] - client_mean
    used["between"] = client_mean - grand_mean
    columns = ["client", "session", "time", "symptoms", "within", "between"]
    return used[columns].reset_index(drop=True)


def engagement_model(
    data: pd.DataFrame,
    *,
    random_slope: RandomSlope = "time",
    methods: Sequence[str] = DEFAULT_METHODS,
    maxiter: int = 1000,
) -> EngagementModel:
    """Fit the engagement model (see the module text) by REML and return its effects."""
    design = lagged_design(data)
    _check_design(design, random_slope)
    # Time enters the fit centred on its mean and in SD units: the intercept is then the
    # mid-course level, nearly uncorrelated with the slopes, and the slope variance is on the
    # intercept's scale. On the synthetic course that cut the lbfgs failures from about half the
    # seeds to a few; `_summary` puts time's effect and variance back in the data's units.
    time_sd = float(design["time"].std())
    design["centred_time"] = (design["time"] - design["time"].mean()) / time_sd
    exog = np.column_stack(
        [np.ones(len(design)), design["within"], design["between"], design["centred_time"]]
    )
    if np.linalg.matrix_rank(exog) < exog.shape[1]:
        raise ValueError(
            "Within-client engagement, the client mean and time are collinear (e.g. engagement "
            "that rises in step with the session number): their effects cannot be told apart."
        )
    exog_re = _random_design(design, random_slope)
    model = MixedLM(
        design["symptoms"].to_numpy(float),
        exog,
        groups=design["client"].to_numpy(),
        exog_re=exog_re,
    )
    result, optimiser, notes = _fit(model, methods, maxiter)
    return _summary(result, design, random_slope, optimiser, notes, time_sd)


def _check_columns(data: pd.DataFrame) -> None:
    missing = [name for name in REQUIRED if name not in data.columns]
    if missing:
        raise ValueError(
            f"The data lack the column(s) {', '.join(missing)}; the engagement model needs "
            f"{', '.join(REQUIRED)} (and optionally time)."
        )
    for name in ("session", "engagement", "symptoms", *(("time",) if "time" in data else ())):
        if not pd.api.types.is_numeric_dtype(data[name]):
            raise ValueError(f"The column {name} must hold numbers.")
        values = data[name].to_numpy(float)
        if np.isinf(values).any():
            raise ValueError(f"The column {name} holds an infinite value; give finite numbers.")
    if data.duplicated(subset=["client", "session"]).any():
        raise ValueError("Some client has the same session number twice; give one row each.")


def _check_design(design: pd.DataFrame, random_slope: RandomSlope) -> None:
    clients = design["client"].nunique()
    if clients < 3:
        raise ValueError(
            f"The model needs at least 3 clients with two sessions in a row; got {clients}."
        )
    if np.allclose(design["within"], 0):
        raise ValueError("Engagement does not vary within any client: no within-client effect.")
    if np.allclose(design["between"], 0):
        raise ValueError("Every client has the same mean engagement: no between-client effect.")
    if np.ptp(design["time"].to_numpy(float)) == 0:
        raise ValueError("Every model row has the same time: the model cannot include time.")
    if random_slope not in ("time", "engagement", None):
        raise ValueError(
            f"random_slope must be 'time', 'engagement' or None; got {random_slope!r}."
        )


def _random_design(design: pd.DataFrame, random_slope: RandomSlope) -> np.ndarray[Any, Any]:
    ones = np.ones(len(design))
    if random_slope is None:
        return ones[:, None]
    slope = design["centred_time"] if random_slope == "time" else design["within"]
    return np.column_stack([ones, slope.to_numpy(float)])


def _fit(model: Any, methods: Sequence[str], maxiter: int) -> tuple[Any, str, list[str]]:
    if not methods:
        raise ValueError("Give at least one optimiser in methods.")
    notes: list[str] = []
    for method in methods:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result = model.fit(reml=True, method=[method], maxiter=maxiter)
            except (np.linalg.LinAlgError, ValueError) as error:
                notes.append(f"{method}: failed ({error})")
                continue
        said = sorted({str(w.message) for w in caught})
        problem = _untrustworthy(result, said)
        if problem is None:
            notes.extend(f"{method}: {message}" for message in said)
            return result, method, notes
        notes.append(f"{method}: {problem}")
    raise ModelDidNotConverge(
        "The engagement model did not converge with any optimiser tried ("
        + "; ".join(notes)
        + "). Check the data (enough clients and sessions, engagement that varies), "
        "try random_slope=None, or a larger maxiter."
    )


def _untrustworthy(result: Any, said: list[str]) -> str | None:
    """Why a fit cannot be used, or None when it can."""
    if not result.converged:
        return "did not converge"
    if any("not positive definite" in message for message in said):
        return "the Hessian is not positive definite, so its standard errors mean nothing"
    numbers = np.concatenate([result.fe_params, result.bse_fe, np.ravel(result.cov_re)])
    if not np.isfinite(numbers).all() or not math.isfinite(result.scale):
        return "gave numbers that are not finite"
    return None


def _effect(estimate: float, se: float) -> Effect:
    z = estimate / se
    crit = float(stats.norm.isf(0.025))
    return Effect(
        estimate=estimate,
        se=se,
        ci_lower=estimate - crit * se,
        ci_upper=estimate + crit * se,
        p=float(2 * stats.norm.sf(abs(z))),
    )


def _summary(
    result: Any,
    design: pd.DataFrame,
    random_slope: RandomSlope,
    optimiser: str,
    notes: list[str],
    time_sd: float,
) -> EngagementModel:
    fe = [float(value) for value in result.fe_params]
    se = [float(value) for value in result.bse_fe]
    fe[3], se[3] = fe[3] / time_sd, se[3] / time_sd
    cov = np.asarray(result.cov_re, dtype=float)
    if random_slope == "time":
        cov = cov / np.array([[1, time_sd], [time_sd, time_sd**2]])
    sloped = random_slope is not None
    return EngagementModel(
        intercept=_effect(fe[0], se[0]),
        within=_effect(fe[1], se[1]),
        between=_effect(fe[2], se[2]),
        time=_effect(fe[3], se[3]),
        random_effects=RandomEffects(
            intercept_variance=float(cov[0, 0]),
            slope_variance=float(cov[1, 1]) if sloped else None,
            covariance=float(cov[0, 1]) if sloped else None,
            residual_variance=float(result.scale),
        ),
        random_slope=random_slope,
        clients=int(design["client"].nunique()),
        observations=len(design),
        optimiser=optimiser,
        converged=True,
        log_likelihood=float(result.llf),
        warnings=tuple(notes),
    )
