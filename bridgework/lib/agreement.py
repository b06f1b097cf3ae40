"""Agreement between raters: the intraclass correlations of Shrout & Fleiss (1979), with the
confidence intervals of Shrout & Fleiss and McGraw & Wong (1996), pure and without Django.

`icc(ratings)` takes a targets × judges matrix (one row per rated session, one column per rater,
no missing values) and returns all six forms with their 95% intervals, F tests and the ANOVA
mean squares; `pairs` and `largest_disagreements` turn two raters' scores keyed by target into
that matrix and into the list a calibration page shows. The formulas, the mapping between the
two papers' names and the reference check are in docs/agreement.md.

Why written here: statsmodels has no ICC, and pingouin, which has one, would bring matplotlib,
seaborn, scikit-learn and pandas into a web app for a single function. The arithmetic is a
two-way ANOVA and a few F quantiles, so numpy and scipy's F distribution are enough.

What comes back when a form cannot be computed (no variance to divide by, e.g. every rating the
same): its `value`, `lower` and `upper` are None and `note` says why; never a division error or a
NaN. A zero error mean square with variance between targets (perfect agreement, or consistency
with judges offset by a constant) is no failure: the form is 1 with the interval [1, 1], F is
infinite and p is 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from numbers import Real
from typing import Any, Generic, Protocol, TypeVar

import numpy as np
import numpy.typing as npt
from scipy import stats

FORMS = ("ICC(1,1)", "ICC(2,1)", "ICC(3,1)", "ICC(1,k)", "ICC(2,k)", "ICC(3,k)")
LEVEL = 0.95

# Deviations this small next to the largest rating are rounding, not disagreement: without the
# snap, identical ratings such as 0.1 leave a mean of 0.10000000000000002 and a "variance" that
# turns a 0/0 into a confident number.
_ROUNDING = 1e-12

Matrix = npt.NDArray[np.float64]
Bounds = tuple[float | None, float | None]


@dataclass(frozen=True)
class MeanSquares:
    """The ANOVA mean squares of an n targets × k judges matrix."""

    msr: float  # between targets (rows), df n − 1
    msw: float  # within targets (judges and error together), df n(k − 1)
    msc: float  # between judges (columns), df k − 1
    mse: float  # residual of the two-way model, df (n − 1)(k − 1)


@dataclass(frozen=True)
class IccForm:
    """One form: its value, 95% interval, and the F test of "the ICC is 0".

    `ci_df` is the second degrees of freedom the interval's F quantiles use: df2 for ICC(1,*) and
    ICC(3,*), McGraw & Wong's approximate df for ICC(2,*). Whatever is None, `note` says why."""

    name: str
    value: float | None
    lower: float | None
    upper: float | None
    F: float | None
    df1: int
    df2: int
    p: float | None
    ci_df: float | None = None
    note: str = ""


@dataclass(frozen=True)
class IccResult:
    """All six forms (`result["ICC(2,1)"]`, in `FORMS` order in `forms`) and the mean squares."""

    targets: int
    judges: int
    mean_squares: MeanSquares
    forms: tuple[IccForm, ...]

    def __getitem__(self, name: str) -> IccForm:
        for form in self.forms:
            if form.name == name:
                return form
        raise KeyError(f"no ICC form {name!r}; the forms are {', '.join(FORMS)}")


def icc(ratings: Iterable[Iterable[float]]) -> IccResult:
    """The six Shrout & Fleiss forms for `ratings`, one row per target and one column per judge.

    Raises ValueError, saying what is wrong and what is expected, for fewer than 2 targets or
    judges, rows of different lengths, or a rating that is not a finite number."""
    matrix = _matrix(ratings)
    n, k = matrix.shape
    ms = _mean_squares(matrix)
    if ms == MeanSquares(0.0, 0.0, 0.0, 0.0):
        return IccResult(n, k, ms, tuple(_identical(name, n, k) for name in FORMS))
    one_single, one_average = _f_based("1", "MSW", ms.msr, ms.msw, (n - 1, n * (k - 1)), k)
    three_single, three_average = _f_based(
        "3", "MSE", ms.msr, ms.mse, (n - 1, (n - 1) * (k - 1)), k
    )
    two_single, two_average = _absolute(ms, n, k)
    forms = (one_single, two_single, three_single, one_average, two_average, three_average)
    return IccResult(n, k, ms, forms)


def _matrix(ratings: Iterable[Iterable[float]]) -> Matrix:
    if isinstance(ratings, str | bytes):
        raise ValueError("ratings must be rows of numbers (targets × judges), not text")
    rows = [_row(row, number) for number, row in enumerate(ratings, start=1)]
    if len(rows) < 2:
        raise ValueError(
            f"an ICC needs at least 2 targets (rows), each rated by every judge; got {len(rows)}"
        )
    for number, row in enumerate(rows, start=1):
        if row.size != rows[0].size:
            raise ValueError(
                f"target {number} (row {number}) has {row.size} ratings but target 1 has "
                f"{rows[0].size}: every target needs a rating from every judge, with no missing "
                "values (leave out a target that was not rated by everyone)"
            )
    if rows[0].size < 2:
        raise ValueError(f"an ICC needs at least 2 judges (columns) per target; got {rows[0].size}")
    return np.vstack(rows)


def _row(row: Iterable[float], number: int) -> npt.NDArray[np.float64]:
    if isinstance(row, str | bytes) or not isinstance(row, Iterable):
        raise ValueError(f"target {number} (row {number}) must be a sequence of ratings")
    values = list(row)
    for judge, value in enumerate(values, start=1):
        if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
            raise ValueError(
                f"the rating of target {number} by judge {judge} is {value!r}; every rating "
                "must be a finite number (leave out a target that was not rated by everyone)"
            )
    return np.asarray(values, dtype=np.float64)


def _mean_squares(matrix: Matrix) -> MeanSquares:
    n, k = matrix.shape
    tolerance = _ROUNDING * float(np.abs(matrix).max())
    grand = matrix.mean()
    target_means = matrix.mean(axis=1, keepdims=True)
    judge_means = matrix.mean(axis=0, keepdims=True)
    between_targets = _sum_of_squares(target_means - grand, tolerance) * k
    between_judges = _sum_of_squares(judge_means - grand, tolerance) * n
    within = _sum_of_squares(matrix - target_means, tolerance)
    residual = _sum_of_squares(matrix - target_means - judge_means + grand, tolerance)
    return MeanSquares(
        msr=between_targets / (n - 1),
        msw=within / (n * (k - 1)),
        msc=between_judges / (k - 1),
        mse=residual / ((n - 1) * (k - 1)),
    )


def _sum_of_squares(deviations: Matrix, tolerance: float) -> float:
    kept = np.where(np.abs(deviations) > tolerance, deviations, 0.0)
    return float(np.sum(kept * kept))


def _identical(name: str, n: int, k: int) -> IccForm:
    df2 = n * (k - 1) if name.startswith("ICC(1") else (n - 1) * (k - 1)
    note = "cannot be computed: every rating is the same, so there is no variance to compare"
    return IccForm(name, None, None, None, None, n - 1, df2, None, None, note)


def _f_based(
    model: str, error_name: str, msr: float, ms_error: float, dfs: tuple[int, int], k: int
) -> tuple[IccForm, IccForm]:
    """ICC(1,*) (ms_error = MSW) or ICC(3,*) (ms_error = MSE): both of the shape
    (MSR − error) / (MSR + (k − 1) error), with the exact F-based interval of Shrout & Fleiss."""
    df1, df2 = dfs
    scale = msr + ms_error
    f, p = _f_test(msr, ms_error, df1, df2)
    single = _ratio(msr - ms_error, msr + (k - 1) * ms_error, scale, f"MSR + (k − 1) {error_name}")
    average = _ratio(msr - ms_error, msr, scale, "MSR")
    bounds_single: Bounds = (None, None)
    bounds_average: Bounds = (None, None)
    if f is not None and math.isinf(f):
        bounds_single = bounds_average = (1.0, 1.0)
    elif f is not None:
        low, high = _f_range(f, df1, df2)
        bounds_single = ((low - 1) / (low + k - 1), (high - 1) / (high + k - 1))
        bounds_average = (_one_minus_inverse(low), _one_minus_inverse(high))
    name_single, name_average = f"ICC({model},1)", f"ICC({model},k)"
    return (
        _form(name_single, single, bounds_single, f, df1, df2, p, float(df2)),
        _form(name_average, average, bounds_average, f, df1, df2, p, float(df2)),
    )


def _absolute(ms: MeanSquares, n: int, k: int) -> tuple[IccForm, IccForm]:
    """ICC(2,1) = McGraw & Wong's ICC(A,1) and ICC(2,k) = ICC(A,k). The F test is the two-way
    one (MSR / MSE); the interval needs the approximate df of McGraw & Wong."""
    df1, df2 = n - 1, (n - 1) * (k - 1)
    f, p = _f_test(ms.msr, ms.mse, df1, df2)
    scale = ms.msr + ms.msc + ms.mse
    spread = k * (ms.msc - ms.mse) / n
    single = _ratio(
        ms.msr - ms.mse,
        ms.msr + (k - 1) * ms.mse + spread,
        scale,
        "MSR + (k − 1) MSE + k (MSC − MSE) / n",
    )
    average = _ratio(ms.msr - ms.mse, ms.msr + spread / k, scale, "MSR + (MSC − MSE) / n")
    bounds_single, bounds_average, v = _absolute_bounds(ms, n, k, single[0])
    return (
        _form("ICC(2,1)", single, bounds_single, f, df1, df2, p, v),
        _form("ICC(2,k)", average, bounds_average, f, df1, df2, p, v),
    )


def _absolute_bounds(
    ms: MeanSquares, n: int, k: int, rho: float | None
) -> tuple[Bounds, Bounds, float | None]:
    if rho is None:
        return (None, None), (None, None), None
    if ms.mse == 0.0 and ms.msc == 0.0:  # every judge gives every target the same rating
        return (1.0, 1.0), (1.0, 1.0), None
    v = _approximate_df(ms, n, k, rho)
    if v is None:
        return (None, None), (None, None), None
    above = float(stats.f.ppf(_upper_tail(), n - 1, v))
    below = float(stats.f.ppf(_upper_tail(), v, n - 1))
    pooled = k * ms.msc + (k * n - k - n) * ms.mse
    single = (
        _bound(n * (ms.msr - above * ms.mse), above * pooled + n * ms.msr),
        _bound(n * (below * ms.msr - ms.mse), pooled + n * below * ms.msr),
    )
    average = (
        _bound(n * (ms.msr - above * ms.mse), above * (ms.msc - ms.mse) + n * ms.msr),
        _bound(n * (below * ms.msr - ms.mse), ms.msc - ms.mse + n * below * ms.msr),
    )
    return single, average, v


def _approximate_df(ms: MeanSquares, n: int, k: int, rho: float) -> float | None:
    """McGraw & Wong's (Satterthwaite-type) df for a·MSC + b·MSE, with ρ̂ = ICC(2,1)."""
    a = k * rho / (n * (1 - rho))
    b = 1 + k * rho * (n - 1) / (n * (1 - rho))
    spread, error = a * ms.msc, b * ms.mse
    denominator = spread**2 / (k - 1) + error**2 / ((n - 1) * (k - 1))
    # Where ρ̂ is at its lowest the two terms cancel: an exact 0 in one order of the ratings is a
    # rounding crumb in another, and must give no interval in both rather than a zero-width one.
    if denominator <= 0.0 or abs(spread + error) <= _ROUNDING * (abs(spread) + abs(error)):
        return None
    v = (spread + error) ** 2 / denominator
    return v if math.isfinite(v) and v > 0.0 else None


def _f_test(
    mean_square: float, error: float, df1: int, df2: int
) -> tuple[float | None, float | None]:
    """F = mean_square / error and its upper-tail p. An error of 0 gives F = ∞ and p = 0 when
    there is variance between targets, and no test at all (None, None) when there is none."""
    if error == 0.0:
        return (math.inf, 0.0) if mean_square > 0.0 else (None, None)
    f = mean_square / error
    return f, float(stats.f.sf(f, df1, df2))


def _f_range(f: float, df1: int, df2: int) -> tuple[float, float]:
    """Shrout & Fleiss's F_L and F_U: the observed F scaled by the two F quantiles."""
    low = f / float(stats.f.ppf(_upper_tail(), df1, df2))
    high = f * float(stats.f.ppf(_upper_tail(), df2, df1))
    return low, high


def _upper_tail() -> float:
    return 1 - (1 - LEVEL) / 2


def _one_minus_inverse(f: float) -> float | None:
    return None if f == 0.0 else 1 - 1 / f


def _bound(numerator: float, denominator: float) -> float | None:
    return None if denominator <= 0.0 else numerator / denominator


def _ratio(
    numerator: float, denominator: float, scale: float, what: str
) -> tuple[float | None, str]:
    """The form's value, or None and the reason when its denominator is not positive next to
    the mean squares (`scale`): no variance between targets to speak of, or an average of
    judges below what the single-judge form allows (ICC(2,1) ≤ −1/(k − 1))."""
    if denominator <= _ROUNDING * scale:
        return None, f"cannot be computed: its denominator {what} is not positive here"
    return numerator / denominator, ""


def _form(
    name: str,
    value: tuple[float | None, str],
    bounds: Bounds,
    f: float | None,
    df1: int,
    df2: int,
    p: float | None,
    ci_df: float | None,
) -> IccForm:
    number, note = value
    lower, upper = bounds if number is not None else (None, None)
    if number is not None and not _encloses(lower, number, upper):
        # McGraw & Wong's df can fall towards 0 for a negative ICC(2,1) (its weights a and b
        # turn negative), and the quantiles then give NaN or bounds beside the estimate:
        # no interval is better than a wrong one.
        note = "its 95% interval cannot be computed for these ratings"
        lower = upper = None
    return IccForm(name, number, lower, upper, f, df1, df2, p, ci_df, note)


def _encloses(lower: float | None, value: float, upper: float | None) -> bool:
    if lower is None or upper is None or not (math.isfinite(lower) and math.isfinite(upper)):
        return False
    slack = _ROUNDING * max(1.0, abs(value))
    return lower - slack <= value <= upper + slack


class _Sortable(Protocol):
    def __lt__(self, other: Any, /) -> bool: ...


Target = TypeVar("Target", bound=_Sortable)


@dataclass(frozen=True)
class Paired(Generic[Target]):
    """Two raters' scores of the targets both rated, in target order: `ratings` is the
    targets × 2 matrix `icc` takes, row i belonging to `targets[i]`."""

    targets: tuple[Target, ...]
    ratings: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Disagreement(Generic[Target]):
    target: Target
    first: float
    second: float
    difference: float  # second − first, so the sign says who rated higher


def pairs(
    first: Mapping[Target, float | None], second: Mapping[Target, float | None]
) -> Paired[Target]:
    """The targets both raters scored (a score of None counts as not scored), sorted by target,
    so the order depends neither on the mappings' order nor on which rater comes first."""
    both = sorted(
        target
        for target, score in first.items()
        if score is not None and second.get(target) is not None
    )
    ratings = tuple((_score(first, target), _score(second, target)) for target in both)
    return Paired(tuple(both), ratings)


def _score(scores: Mapping[Target, float | None], target: Target) -> float:
    score = scores[target]
    if isinstance(score, bool) or not isinstance(score, Real) or not math.isfinite(score):
        raise ValueError(f"the score of target {target!r} is {score!r}; expected a finite number")
    return float(score)


def largest_disagreements(
    paired: Paired[Target], *, limit: int | None = None
) -> list[Disagreement[Target]]:
    """The paired targets by absolute difference, largest first; ties keep the target order.
    `limit` keeps only the first so many."""
    rows = [
        Disagreement(target, one, other, other - one)
        for target, (one, other) in zip(paired.targets, paired.ratings, strict=True)
    ]
    rows.sort(key=lambda row: -abs(row.difference))  # sort is stable: ties stay in target order
    return rows if limit is None else rows[:limit]
