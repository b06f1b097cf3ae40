"""The intraclass correlations of the supervision issue, for researchers: a re-export of
`bridgework.lib.agreement` (Shrout & Fleiss 1979; McGraw & Wong 1996), pure and without Django.

Kept as a re-export rather than a copy so the raters' calibration pages and a researcher's
analysis can never disagree about an ICC; docs/agreement.md has the formulas.
"""

from __future__ import annotations

from bridgework.lib.agreement import (
    FORMS,
    LEVEL,
    Disagreement,
    IccForm,
    IccResult,
    MeanSquares,
    Paired,
    icc,
    largest_disagreements,
    pairs,
)

__all__ = [
    "FORMS",
    "LEVEL",
    "Disagreement",
    "IccForm",
    "IccResult",
    "MeanSquares",
    "Paired",
    "icc",
    "largest_disagreements",
    "pairs",
]
