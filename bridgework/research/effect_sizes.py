"""Effect sizes and the conversions between them, pure Python (no Django).

Standardised mean difference d from two groups' means and SDs, Hedges' small-sample correction
(exact J from the gamma function, and the usual approximation) and the variance of g, d ↔ r
both ways for equal and unequal groups, the binomial effect size display (BESD), the number
needed to treat, and the odds ratio ↔ d conversion of the logit method with its variances.
Sources and formulas: docs/research-toolkit.md; the reference cases:
../shared/reference/effect_sizes_expected.json.

Every function checks its input and raises ValueError saying what is wrong and what it
expects, rather than handing back a NaN or an infinity that looks like a result.

Why written here: statsmodels and scipy have no effect-size conversions; each one is a line of
arithmetic once the input is checked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import special, stats

from bridgework.research.checks import finite as _finite
from bridgework.research.checks import positive as _positive

__all__ = [
    "Besd",
    "besd",
    "cohens_d",
    "d_to_log_odds_ratio",
    "d_to_odds_ratio",
    "d_to_r",
    "d_variance",
    "d_variance_to_log_odds_ratio_variance",
    "g_variance",
    "hedges_g",
    "hedges_j",
    "hedges_j_approximate",
    "log_odds_ratio_to_d",
    "log_odds_ratio_variance_to_d_variance",
    "nnt_from_d",
    "nnt_from_risk_difference",
    "nnt_from_success_rates",
    "odds_ratio_to_d",
    "pooled_sd",
    "r_to_d",
]

# The logit method's scale factor (Chinn 2000): the logistic distribution's SD is π/√3.
_LOGIT_SCALE = math.sqrt(3.0) / math.pi


def _group_size(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 2:
        raise ValueError(f"{name} must be a whole number of at least 2 people, got {value!r}.")
    return value


def _correlation(r: float) -> float:
    number = _finite("r", r)
    if not -1 < number < 1:
        raise ValueError(f"r must lie strictly between -1 and 1, got {r!r}.")
    return number


def _proportion(name: str, value: float) -> float:
    number = _finite(name, value)
    if not 0 <= number <= 1:
        raise ValueError(f"{name} must be a proportion between 0 and 1, got {value!r}.")
    return number


def pooled_sd(sd1: float, n1: int, sd2: float, n2: int) -> float:
    """The two groups' SD pooled on n1 + n2 − 2 degrees of freedom."""
    s1, s2 = _positive("sd1", sd1), _positive("sd2", sd2)
    n1, n2 = _group_size("n1", n1), _group_size("n2", n2)
    return math.sqrt(((n1 - 1) * s1**2 + (n2 - 1) * s2**2) / (n1 + n2 - 2))


def cohens_d(mean1: float, sd1: float, n1: int, mean2: float, sd2: float, n2: int) -> float:
    """d = (mean1 − mean2) / pooled SD; positive when group 1 scores higher."""
    difference = _finite("mean1", mean1) - _finite("mean2", mean2)
    return difference / pooled_sd(sd1, n1, sd2, n2)


def d_variance(d: float, n1: int, n2: int) -> float:
    """The large-sample sampling variance of d: (n1+n2)/(n1 n2) + d²/(2(n1+n2))."""
    d = _finite("d", d)
    n1, n2 = _group_size("n1", n1), _group_size("n2", n2)
    return (n1 + n2) / (n1 * n2) + d**2 / (2 * (n1 + n2))


def hedges_j(df: int) -> float:
    """Hedges' (1981) exact correction J = Γ(df/2) / (√(df/2) Γ((df−1)/2)).

    Computed on the log scale (gammaln) so large df do not overflow the gamma function."""
    if isinstance(df, bool) or not isinstance(df, int) or df < 2:
        raise ValueError(f"df must be a whole number of at least 2, got {df!r}.")
    half = df / 2
    log_j = special.gammaln(half) - 0.5 * math.log(half) - special.gammaln((df - 1) / 2)
    return math.exp(float(log_j))


def hedges_j_approximate(df: int) -> float:
    """The usual approximation J ≈ 1 − 3 / (4 df − 1)."""
    if isinstance(df, bool) or not isinstance(df, int) or df < 2:
        raise ValueError(f"df must be a whole number of at least 2, got {df!r}.")
    return 1 - 3 / (4 * df - 1)


def hedges_g(d: float, n1: int, n2: int, *, exact: bool = True) -> float:
    """g = J · d with df = n1 + n2 − 2; `exact=False` uses the approximate J."""
    d = _finite("d", d)
    df = _group_size("n1", n1) + _group_size("n2", n2) - 2
    return (hedges_j(df) if exact else hedges_j_approximate(df)) * d


def g_variance(d: float, n1: int, n2: int, *, exact: bool = True) -> float:
    """The sampling variance of Hedges' g: V_g = J² · V_d (Borenstein et al. 2009, ch. 4),
    with V_d = `d_variance(d, n1, n2)` of the uncorrected d and J of df = n1 + n2 − 2
    (`exact=False`: the approximate J)."""
    variance = d_variance(d, n1, n2)
    df = n1 + n2 - 2
    return (hedges_j(df) if exact else hedges_j_approximate(df)) ** 2 * variance


def _groups_a(n1: int | None, n2: int | None) -> float:
    """a = (n1 + n2)² / (n1 n2), the factor that links d and r; 4 for equal groups (no sizes)."""
    if (n1 is None) != (n2 is None):
        raise ValueError("Give both group sizes n1 and n2, or neither for equal groups.")
    if n1 is None or n2 is None:
        return 4.0
    n1, n2 = _group_size("n1", n1), _group_size("n2", n2)
    return (n1 + n2) ** 2 / (n1 * n2)


def d_to_r(d: float, n1: int | None = None, n2: int | None = None) -> float:
    """The point-biserial r for d: r = d / √(d² + a).

    a = 4 for equal groups (no sizes given); a = (n1 + n2)² / (n1 n2) for unequal ones."""
    d = _finite("d", d)
    return d / math.sqrt(d**2 + _groups_a(n1, n2))


def r_to_d(r: float, n1: int | None = None, n2: int | None = None) -> float:
    """d = r √a / √(1 − r²), `d_to_r` solved for d: a = 4 for equal groups (no sizes given;
    then d = 2r / √(1 − r²), Borenstein et al. 2009, ch. 7), a = (n1 + n2)² / (n1 n2) for
    unequal ones. With p = n1/N and q = n2/N the same is r / √((1 − r²) p q)."""
    r = _correlation(r)
    return r * math.sqrt(_groups_a(n1, n2)) / math.sqrt(1 - r**2)


@dataclass(frozen=True)
class Besd:
    """Rosenthal & Rubin's (1982) display: success rates of 50% ± r/2, as proportions."""

    r: float
    treatment: float
    control: float

    @property
    def percent(self) -> tuple[float, float]:
        return (100 * self.treatment, 100 * self.control)


def besd(r: float) -> Besd:
    """The binomial effect size display for r: treatment 0.5 + r/2, control 0.5 − r/2."""
    r = _correlation(r)
    return Besd(r=r, treatment=0.5 + r / 2, control=0.5 - r / 2)


def _nnt(difference: float, what: str) -> float:
    if difference == 0:
        raise ValueError(f"{what} is 0: no number needed to treat exists (it would be infinite).")
    return 1 / difference


def nnt_from_d(d: float) -> float:
    """Kraemer & Kupfer's (2006) NNT = 1 / (2Φ(d/√2) − 1).

    2Φ(d/√2) − 1 is the chance that a treated person does better than an untreated one minus
    the reverse. A negative result is a number needed to harm."""
    d = _finite("d", d)
    difference = 2 * float(stats.norm.cdf(d / math.sqrt(2))) - 1
    return _nnt(difference, "d")


def nnt_from_risk_difference(risk_difference: float) -> float:
    """NNT = 1 / risk difference (the difference in success rates, treatment − control)."""
    rd = _finite("risk_difference", risk_difference)
    if not -1 <= rd <= 1:
        raise ValueError(f"risk_difference must lie between -1 and 1, got {risk_difference!r}.")
    return _nnt(rd, "The risk difference")


def nnt_from_success_rates(treatment: float, control: float) -> float:
    """NNT from the two groups' success rates (proportions): 1 / (treatment − control)."""
    t = _proportion("treatment", treatment)
    c = _proportion("control", control)
    return _nnt(t - c, "The difference in success rates")


def log_odds_ratio_to_d(log_odds_ratio: float) -> float:
    """The logit method (Chinn 2000): d = ln(OR) · √3 / π."""
    return _finite("log_odds_ratio", log_odds_ratio) * _LOGIT_SCALE


def odds_ratio_to_d(odds_ratio: float) -> float:
    """d from an odds ratio by the logit method: d = ln(OR) · √3 / π."""
    return log_odds_ratio_to_d(math.log(_positive("odds_ratio", odds_ratio)))


def d_to_log_odds_ratio(d: float) -> float:
    """ln(OR) = d · π / √3, the inverse of `log_odds_ratio_to_d`."""
    return _finite("d", d) / _LOGIT_SCALE


def d_to_odds_ratio(d: float) -> float:
    """OR = exp(d · π / √3)."""
    return math.exp(d_to_log_odds_ratio(d))


def log_odds_ratio_variance_to_d_variance(variance: float) -> float:
    """The variance of d from the variance of ln(OR): V_d = V_lnOR · 3 / π²."""
    return _positive("variance", variance) * _LOGIT_SCALE**2


def d_variance_to_log_odds_ratio_variance(variance: float) -> float:
    """The variance of ln(OR) from the variance of d: V_lnOR = V_d · π² / 3."""
    return _positive("variance", variance) / _LOGIT_SCALE**2
