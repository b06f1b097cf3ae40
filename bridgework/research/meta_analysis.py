"""Fixed- and random-effects meta-analysis of effect sizes yi with sampling variances vi, pure
Python (no Django), reproducing metafor's `rma()` on dat.bcg (../shared/reference).

`meta_analysis(yi, vi, method=...)` returns a `MetaAnalysis`: the pooled estimate with its SE,
CI and z (or t) test, Cochran's Q with its df and p, I², H², τ² (with its SE for REML and ML),
the prediction interval, each study's weight. Methods: "FE" (inverse variance), "DL"
(DerSimonian & Laird 1986), "PM" (Paule & Mandel 1982), "REML" (Viechtbauer 2005) and "ML";
`knapp_hartung=True` swaps the z test for Knapp & Hartung's (2003) t test on k − 1 df.

What statsmodels does and what is written here, and why:
- statsmodels' `combine_effects` gives the fixed-effect estimate, Q, and the DL and PM τ² with
  their random-effects estimates; those numbers are taken from it (it matches metafor).
- REML and ML: statsmodels has no REML/ML τ² for a meta-analysis, so they are found here by
  Fisher scoring (metafor's algorithm), with the SE of τ² from the Fisher information.
- Knapp–Hartung: statsmodels computes the HKSJ variance only for the τ² it estimated itself
  (not for REML), so the one formula here serves every method, the same as metafor's.
- I² and H² from τ² and the "typical" within-study variance (Higgins & Thompson 2002), which is
  what metafor reports for random-effects models; statsmodels' i2 is (Q − df)/Q for every method
  and goes negative when Q < df.
- The prediction interval is metafor's `predict()`: estimate ± z·√(se² + τ²), with t on k − 1 df
  instead of z (and the Knapp–Hartung se) under Knapp–Hartung.

Bad input (fewer than two studies, lengths that differ, a variance that is not a positive finite
number, an effect that is not finite) raises ValueError with a message saying which study and
what was expected; an estimator that does not converge raises `DidNotConverge`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy import stats
from statsmodels.stats.meta_analysis import combine_effects

__all__ = [
    "METHODS",
    "DidNotConverge",
    "EffectSizes",
    "MetaAnalysis",
    "Method",
    "RatioEstimate",
    "log_risk_ratios",
    "meta_analysis",
    "risk_ratio",
]

Method = Literal["FE", "DL", "PM", "REML", "ML"]
METHODS: tuple[Method, ...] = ("FE", "DL", "PM", "REML", "ML")
Vector = npt.NDArray[np.float64]

# Converged when τ² moves less than this between steps (metafor stops at 1e-5; tighter here so
# the fourth decimal never depends on where the iteration happened to stop).
_TOLERANCE = 1e-10
_MAX_STEPS = 500


class DidNotConverge(ValueError):
    """An iterative τ² estimator (REML, ML, PM) did not settle: no number is given."""


@dataclass(frozen=True)
class MetaAnalysis:
    """One pooled analysis. I2 is a percentage; weights are percentages summing to 100.

    `statistic` is z, or t on `df` degrees of freedom when `test == "t"` (Knapp–Hartung).
    `tau2_se` and `log_likelihood` exist for REML and ML only (None otherwise)."""

    method: Method
    knapp_hartung: bool
    level: float
    k: int
    yi: tuple[float, ...]
    vi: tuple[float, ...]
    weights: tuple[float, ...]
    estimate: float
    se: float
    ci_lower: float
    ci_upper: float
    test: Literal["z", "t"]
    statistic: float
    df: int | None
    p: float
    tau2: float
    tau2_se: float | None
    Q: float
    Q_df: int
    Q_p: float
    I2: float
    H2: float
    prediction_lower: float
    prediction_upper: float
    log_likelihood: float | None

    @property
    def ci(self) -> tuple[float, float]:
        return (self.ci_lower, self.ci_upper)

    @property
    def prediction_interval(self) -> tuple[float, float]:
        return (self.prediction_lower, self.prediction_upper)

    @property
    def tau(self) -> float:
        return math.sqrt(self.tau2)


def meta_analysis(
    yi: Sequence[float] | Vector,
    vi: Sequence[float] | Vector,
    *,
    method: Method = "REML",
    knapp_hartung: bool = False,
    level: float = 0.95,
) -> MetaAnalysis:
    """Pool the effects `yi` (with sampling variances `vi`) by `method`; see the module text."""
    y, v = _checked(yi, vi)
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}.")
    if not 0 < level < 1:
        raise ValueError(f"level must lie strictly between 0 and 1 (e.g. 0.95), got {level!r}.")
    combined = combine_effects(y, v, method_re="pm" if method == "PM" else "dl")
    tau2, tau2_se, estimate, se = _random_part(method, combined, y, v)
    return _result(method, knapp_hartung, level, y, v, combined, tau2, tau2_se, estimate, se)


def _checked(yi: Sequence[float] | Vector, vi: Sequence[float] | Vector) -> tuple[Vector, Vector]:
    y = np.asarray(yi, dtype=np.float64)
    v = np.asarray(vi, dtype=np.float64)
    if y.ndim != 1 or v.ndim != 1:
        raise ValueError("yi and vi must each be a flat list of numbers, one per study.")
    if len(y) != len(v):
        raise ValueError(f"yi has {len(y)} effects but vi has {len(v)} variances; give one each.")
    if len(y) < 2:
        raise ValueError(f"A meta-analysis needs at least two studies; got {len(y)}.")
    for study, (effect, variance) in enumerate(zip(y, v, strict=True), start=1):
        if not math.isfinite(effect):
            raise ValueError(f"Study {study}'s effect is {effect}; it must be a finite number.")
        if not (math.isfinite(variance) and variance > 0):
            raise ValueError(
                f"Study {study}'s variance is {variance}; it must be a finite number above 0."
            )
    return y, v


def _random_part(
    method: Method, combined: Any, y: Vector, v: Vector
) -> tuple[float, float | None, float, float]:
    """τ², its SE, the pooled estimate and its SE for `method`."""
    if method == "FE":
        return 0.0, None, float(combined.mean_effect_fe), float(combined.sd_eff_w_fe)
    if method in ("DL", "PM"):
        tau2 = float(combined.tau2)
        if method == "PM":
            _check_paule_mandel(y, v, tau2)
        # statsmodels leaves a negative DL τ² as it is (Q < df); metafor, and sense, truncate
        # it at 0, where the random-effects model is the fixed-effect one.
        if tau2 <= 0:
            return 0.0, None, *_pooled(y, v, 0.0)
        return tau2, None, float(combined.mean_effect_re), float(combined.sd_eff_w_re)
    start = float(combined.tau2)
    tau2 = _fisher_scoring(y, v, max(start, 0.0), reml=method == "REML")
    return tau2, _tau2_se(v, tau2, reml=method == "REML"), *_pooled(y, v, tau2)


def _pooled(y: Vector, v: Vector, tau2: float) -> tuple[float, float]:
    w = 1 / (v + tau2)
    return float(w @ y / w.sum()), float(math.sqrt(1 / w.sum()))


def _check_paule_mandel(y: Vector, v: Vector, tau2: float) -> None:
    # statsmodels discards its own converged flag, so check the estimating equation here: at
    # the PM τ² the generalised Q equals k − 1 (or τ² is 0 because Q at 0 is already below it).
    w = 1 / (v + max(tau2, 0.0))
    mean = w @ y / w.sum()
    generalised_q = float(w @ (y - mean) ** 2)
    if tau2 > 0 and abs(generalised_q - (len(y) - 1)) > 1e-4:
        raise DidNotConverge(
            "The Paule–Mandel estimate of τ² did not converge; try REML or DL instead."
        )


def _reml_projection(v: Vector, tau2: float) -> npt.NDArray[np.float64]:
    """P = W − W1(1'W1)⁻¹1'W, the REML projection of the intercept-only model."""
    w = 1 / (v + tau2)
    projection: npt.NDArray[np.float64] = np.diag(w) - np.outer(w, w) / w.sum()
    return projection


def _fisher_scoring(y: Vector, v: Vector, tau2: float, *, reml: bool) -> float:
    """REML or ML τ² by Fisher scoring (metafor's algorithm), truncated at 0.

    Each step adds score / information: for REML (y'PPy − tr P) / tr(PP), for ML
    (Σw²(y − μ)² − Σw) / Σw²."""
    for _ in range(_MAX_STEPS):
        step = _scoring_step(y, v, tau2, reml=reml)
        new = max(tau2 + step, 0.0)
        if abs(new - tau2) < _TOLERANCE:
            return new
        tau2 = new
    raise DidNotConverge(
        f"The {'REML' if reml else 'ML'} estimate of τ² did not converge in {_MAX_STEPS} "
        "steps; try DL or PM instead."
    )


def _scoring_step(y: Vector, v: Vector, tau2: float, *, reml: bool) -> float:
    if reml:
        p = _reml_projection(v, tau2)
        py = p @ y
        return float((py @ py - np.trace(p)) / np.trace(p @ p))
    w = 1 / (v + tau2)
    mean = w @ y / w.sum()
    return float((w**2 @ (y - mean) ** 2 - w.sum()) / (w**2).sum())


def _tau2_se(v: Vector, tau2: float, *, reml: bool) -> float:
    """√(1 / Fisher information) at τ²: information ½tr(PP) for REML, ½Σw² for ML."""
    if reml:
        p = _reml_projection(v, tau2)
        information = 0.5 * float(np.trace(p @ p))
    else:
        information = 0.5 * float(((1 / (v + tau2)) ** 2).sum())
    return math.sqrt(1 / information)


def _log_likelihood(method: Method, y: Vector, v: Vector, tau2: float) -> float | None:
    """metafor's log-likelihood of the intercept-only model (REML: restricted)."""
    if method not in ("ML", "REML"):
        return None
    w = 1 / (v + tau2)
    mean = w @ y / w.sum()
    k = len(y)
    ml = -0.5 * (k * math.log(2 * math.pi) + np.log(v + tau2).sum() + w @ (y - mean) ** 2)
    if method == "ML":
        return float(ml)
    # The restricted likelihood drops one df for the mean and adds ½log|X'X| − ½log|X'WX|.
    return float(ml + 0.5 * math.log(2 * math.pi) + 0.5 * math.log(k) - 0.5 * math.log(w.sum()))


def _heterogeneity(method: Method, q: float, v: Vector, tau2: float) -> tuple[float, float]:
    """I² (percent) and H²: for FE from Q (truncated at 0), else from τ² and the typical
    within-study variance s² = (k − 1)Σw / ((Σw)² − Σw²) (Higgins & Thompson 2002)."""
    k = len(v)
    if method == "FE":
        return 100 * max(0.0, (q - (k - 1)) / q) if q > 0 else 0.0, q / (k - 1)
    w = 1 / v
    typical = (k - 1) * w.sum() / (w.sum() ** 2 - (w**2).sum())
    return 100 * tau2 / (tau2 + typical), (tau2 + typical) / typical


def _result(
    method: Method,
    knapp_hartung: bool,
    level: float,
    y: Vector,
    v: Vector,
    combined: Any,
    tau2: float,
    tau2_se: float | None,
    estimate: float,
    se: float,
) -> MetaAnalysis:
    k = len(y)
    w = 1 / (v + tau2)
    df: int | None = None
    if knapp_hartung:
        # Knapp & Hartung (2003): the variance scaled by the weighted residual mean square, with
        # t on k − 1 df. metafor applies no truncation of the scale at 1 by default; neither here.
        se = math.sqrt(float(w @ (y - estimate) ** 2) / ((k - 1) * w.sum()))
        df = k - 1
    crit, p = _critical_and_p(estimate / se, df, level)
    q = float(combined.q)
    i2, h2 = _heterogeneity(method, q, v, tau2)
    spread = crit * math.sqrt(se**2 + tau2)
    return MetaAnalysis(
        method=method,
        knapp_hartung=knapp_hartung,
        level=level,
        k=k,
        yi=tuple(float(e) for e in y),
        vi=tuple(float(e) for e in v),
        weights=tuple(float(e) for e in 100 * w / w.sum()),
        estimate=estimate,
        se=se,
        ci_lower=estimate - crit * se,
        ci_upper=estimate + crit * se,
        test="t" if knapp_hartung else "z",
        statistic=estimate / se,
        df=df,
        p=p,
        tau2=tau2,
        tau2_se=tau2_se,
        Q=q,
        Q_df=k - 1,
        Q_p=float(stats.chi2.sf(q, k - 1)),
        I2=i2,
        H2=h2,
        prediction_lower=estimate - spread,
        prediction_upper=estimate + spread,
        log_likelihood=_log_likelihood(method, y, v, tau2),
    )


def _critical_and_p(statistic: float, df: int | None, level: float) -> tuple[float, float]:
    tail = (1 - level) / 2
    if df is None:
        return float(stats.norm.isf(tail)), float(2 * stats.norm.sf(abs(statistic)))
    return float(stats.t.isf(tail, df)), float(2 * stats.t.sf(abs(statistic), df))


@dataclass(frozen=True)
class EffectSizes:
    """Per-study effects and variances; `corrected[i]` says study i had a zero cell and got ½
    added to each of its four cells (metafor's default, add = 1/2 to = "only0")."""

    yi: tuple[float, ...]
    vi: tuple[float, ...]
    corrected: tuple[bool, ...]


def log_risk_ratios(
    treated_events: Sequence[int],
    treated_non_events: Sequence[int],
    control_events: Sequence[int],
    control_non_events: Sequence[int],
) -> EffectSizes:
    """Log risk ratios from 2×2 counts (the reference's formula, metafor's measure "RR"):

    y = ln[(a/(a+b)) / (c/(c+d))], v = 1/a − 1/(a+b) + 1/c − 1/(c+d),
    with a = treated events, b = treated non-events, c = control events, d = control non-events."""
    columns = (treated_events, treated_non_events, control_events, control_non_events)
    lengths = {len(column) for column in columns}
    if len(lengths) != 1:
        raise ValueError("Give the same number of studies in all four columns of counts.")
    yi, vi, corrected = [], [], []
    for study, cells in enumerate(zip(*columns, strict=True), start=1):
        effect, variance, zero = _log_risk_ratio(study, cells)
        yi.append(effect)
        vi.append(variance)
        corrected.append(zero)
    return EffectSizes(yi=tuple(yi), vi=tuple(vi), corrected=tuple(corrected))


def _log_risk_ratio(study: int, cells: tuple[int, int, int, int]) -> tuple[float, float, bool]:
    for count in cells:
        if isinstance(count, bool) or not float(count).is_integer() or count < 0:
            raise ValueError(f"Study {study}'s counts must be whole numbers of 0 or more.")
    if cells[0] + cells[1] == 0 or cells[2] + cells[3] == 0:
        raise ValueError(f"Study {study} has an empty group; each group needs people in it.")
    zero = min(cells) == 0
    a, b, c, d = (float(count) + (0.5 if zero else 0.0) for count in cells)
    effect = math.log((a / (a + b)) / (c / (c + d)))
    return effect, 1 / a - 1 / (a + b) + 1 / c - 1 / (c + d), zero


@dataclass(frozen=True)
class RatioEstimate:
    """A pooled log ratio back on the ratio scale: exp of the estimate, CI and prediction
    interval."""

    ratio: float
    ci_lower: float
    ci_upper: float
    prediction_lower: float
    prediction_upper: float

    @property
    def ci(self) -> tuple[float, float]:
        return (self.ci_lower, self.ci_upper)


def risk_ratio(result: MetaAnalysis) -> RatioEstimate:
    """Back-transform a meta-analysis of log risk (or odds) ratios to the ratio scale."""
    return RatioEstimate(
        ratio=math.exp(result.estimate),
        ci_lower=math.exp(result.ci_lower),
        ci_upper=math.exp(result.ci_upper),
        prediction_lower=math.exp(result.prediction_lower),
        prediction_upper=math.exp(result.prediction_upper),
    )
