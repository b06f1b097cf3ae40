"""Reliable change and clinical significance (Jacobson & Truax 1991), pure Python (no Django).

The reliable change index divides a client's change by the standard error of a difference,
S_diff = √2 · SD · √(1 − reliability); |RCI| > 1.96 is a change unlikely (p < .05) to be
measurement error alone. The clinical significance cut-offs place a score in the functional or
the dysfunctional population: a = two SDs beyond the dysfunctional mean, b = two SDs inside the
functional mean, c = the point between the two means weighted by their SDs.

Direction matters: on the PHQ-9 lower is better (`lower_is_better=True`, the default), so an
improvement is a fall and the cut-offs sit on the other side of each mean than for a scale where
higher is better. The categories: recovered (reliable improvement that crosses the cut-off from
the clinical to the functional side), improved (reliable improvement otherwise), deteriorated
(reliable worsening), unchanged (no reliable change).

Why written here: no library in the stack has it, and it is a few lines of arithmetic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from bridgework.research.checks import finite as _finite
from bridgework.research.checks import positive as _positive

__all__ = [
    "Change",
    "ChangeCategory",
    "Cutoffs",
    "classify_change",
    "clinical_cutoffs",
    "reliable_change_index",
    "reliable_change_threshold",
    "standard_error_of_difference",
]

# The two-sided 5% point of the normal distribution, as Jacobson & Truax use it.
RELIABLE_Z = 1.96


class ChangeCategory(StrEnum):
    RECOVERED = "recovered"
    IMPROVED = "improved"
    UNCHANGED = "unchanged"
    DETERIORATED = "deteriorated"


def standard_error_of_difference(sd: float, reliability: float) -> float:
    """S_diff = √2 · SEm, SEm = SD · √(1 − reliability)."""
    sd = _positive("sd", sd)
    r = _finite("reliability", reliability)
    if not 0 <= r < 1:
        raise ValueError(f"reliability must be at least 0 and below 1, got {reliability!r}.")
    return math.sqrt(2) * sd * math.sqrt(1 - r)


def reliable_change_threshold(
    sd: float, reliability: float, *, whole_points: bool = False
) -> float:
    """The smallest reliable change, 1.96 · S_diff; `whole_points=True` rounds it up, as on an
    integer scale (PHQ-9: SD 5, reliability .84 give 5.54, so 6 points)."""
    threshold = RELIABLE_Z * standard_error_of_difference(sd, reliability)
    return float(math.ceil(threshold)) if whole_points else threshold


def reliable_change_index(pre: float, post: float, sd: float, reliability: float) -> float:
    """RCI = (post − pre) / S_diff (negative when the score fell)."""
    change = _finite("post", post) - _finite("pre", pre)
    return change / standard_error_of_difference(sd, reliability)


@dataclass(frozen=True)
class Cutoffs:
    """Jacobson & Truax's cut-offs a, b and c on the measure's own scale."""

    a: float
    b: float
    c: float


def clinical_cutoffs(
    dysfunctional_mean: float,
    dysfunctional_sd: float,
    functional_mean: float,
    functional_sd: float,
    *,
    lower_is_better: bool = True,
) -> Cutoffs:
    """a = M_dys ∓ 2·SD_dys, b = M_func ± 2·SD_func (the sign by direction), and
    c = (SD_func·M_dys + SD_dys·M_func) / (SD_func + SD_dys)."""
    m_dys, m_func = (
        _finite("dysfunctional_mean", dysfunctional_mean),
        _finite("functional_mean", functional_mean),
    )
    sd_dys = _positive("dysfunctional_sd", dysfunctional_sd)
    sd_func = _positive("functional_sd", functional_sd)
    if (m_func >= m_dys) if lower_is_better else (m_func <= m_dys):
        better = "below" if lower_is_better else "above"
        raise ValueError(
            f"With {'lower' if lower_is_better else 'higher'} scores better, the functional "
            f"mean must lie {better} the dysfunctional one; got {m_func} and {m_dys}."
        )
    sign = -1 if lower_is_better else 1
    return Cutoffs(
        a=m_dys + sign * 2 * sd_dys,
        b=m_func - sign * 2 * sd_func,
        c=(sd_func * m_dys + sd_dys * m_func) / (sd_func + sd_dys),
    )


@dataclass(frozen=True)
class Change:
    """One client's change: the RCI, whether it is reliable, and the category."""

    pre: float
    post: float
    rci: float
    reliable: bool
    category: ChangeCategory


def classify_change(
    pre: float,
    post: float,
    *,
    sd: float,
    reliability: float,
    cutoff: float,
    lower_is_better: bool = True,
) -> Change:
    """Jacobson & Truax's category for a change from `pre` to `post`.

    With lower scores better a score at or above `cutoff` is in the clinical range (as PHQ-9
    caseness is ≥ 10); with higher scores better, a score at or below it."""
    rci = reliable_change_index(pre, post, sd, reliability)
    cutoff = _finite("cutoff", cutoff)
    reliable = abs(rci) > RELIABLE_Z
    improved = reliable and (rci < 0 if lower_is_better else rci > 0)

    def clinical(score: float) -> bool:
        return score >= cutoff if lower_is_better else score <= cutoff

    if not reliable:
        category = ChangeCategory.UNCHANGED
    elif not improved:
        category = ChangeCategory.DETERIORATED
    elif clinical(pre) and not clinical(post):
        category = ChangeCategory.RECOVERED
    else:
        category = ChangeCategory.IMPROVED
    return Change(pre=float(pre), post=float(post), rci=rci, reliable=reliable, category=category)
