"""The analyses page of a study: the engagement model fitted on the study's own pseudonymised
rows, and an example meta-analysis (with a form for the researcher's own studies).

The model's data are the export's rows (research.export.package.ROWS, the same generators that
write the files a researcher downloads), read into data frames in memory and put together by
research.recipe, so `engagement_frame` on the downloaded files gives the same frame and the same
model. Nothing here shows one client's record: only the model's effects and counts.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from django.utils.translation import gettext as _

from bridgework.research import forest, recipe
from bridgework.research.export.context import Context
from bridgework.research.export.package import ROWS
from bridgework.research.export.tables import TABLES
from bridgework.research.meta_analysis import (
    DidNotConverge,
    MetaAnalysis,
    log_risk_ratios,
    meta_analysis,
)
from bridgework.research.models import Study
from bridgework.research.multilevel import (
    EngagementModel,
    ModelDidNotConverge,
    engagement_model,
    lagged_design,
)
from bridgework.research.replica import research_database

BCG_CSV = Path(__file__).resolve().parent / "data" / "dat_bcg.csv"
# Fewer than this and a between-client effect is one number per handful of people.
MIN_CLIENTS = 5
MIN_OBSERVATIONS = 20


@dataclass(frozen=True)
class EngagementResult:
    """The fitted model, or (model None) the reason there is none, in words to act on."""

    model: EngagementModel | None
    problem: str = ""


def study_tables(study: Study, names: tuple[str, ...], using: str) -> dict[str, pd.DataFrame]:
    """The study's export tables, as the export writes them (pseudonymised, dates shifted)."""
    ctx = Context.of(study, using)
    columns = {name: [column.name for column in TABLES[name].columns] for name in names}
    return {name: pd.DataFrame(list(ROWS[name](ctx)), columns=columns[name]) for name in names}


def engagement_on_study(study: Study, *, using: str | None = None) -> EngagementResult:
    left_out = [name for name in recipe.MODEL_TABLES if name not in (study.tables or [])]
    if left_out:
        return EngagementResult(
            None,
            _("The study does not include the table(s) %(names)s the model needs.")
            % {"names": ", ".join(left_out)},
        )
    frame = recipe.engagement_frame(
        study_tables(study, recipe.MODEL_TABLES, using or research_database())
    )
    return fit(frame)


def fit(frame: pd.DataFrame) -> EngagementResult:
    """The model on the recipe's frame, or why it cannot be fitted: never a silent number."""
    try:
        usable = lagged_design(frame)
    except ValueError as error:
        return EngagementResult(None, str(error))
    clients, observations = usable["client"].nunique(), len(usable)
    if clients < MIN_CLIENTS or observations < MIN_OBSERVATIONS:
        return EngagementResult(
            None,
            _(
                "Too few data for the model: %(clients)s clients and %(rows)s sessions with a "
                "reviewed plan before them and a PHQ-9; it needs at least %(min_clients)s "
                "clients and %(min_rows)s such sessions."
            )
            % {
                "clients": clients,
                "rows": observations,
                "min_clients": MIN_CLIENTS,
                "min_rows": MIN_OBSERVATIONS,
            },
        )
    try:
        return EngagementResult(engagement_model(frame))
    except ModelDidNotConverge:
        return EngagementResult(
            None,
            _(
                "The model did not converge with any optimiser tried, so it gives no "
                "estimate. More clients or sessions may help; the toolkit can also fit it "
                "with a random intercept only (random_slope=None)."
            ),
        )
    except ValueError as error:
        return EngagementResult(None, str(error))


def in_words(model: EngagementModel) -> str:
    """One plain sentence for each effect, saying whether its interval excludes no effect."""
    within, between = model.within, model.between
    return _(
        "In a week when a client did one point more of their plan than they usually do (on "
        "the review's 0–4 scale), their PHQ-9 at the next session was %(within)s points "
        "%(within_way)s (95%% CI %(wl)s to %(wh)s). Clients who did one point more on average "
        "had PHQ-9 scores %(between)s points %(between_way)s (95%% CI %(bl)s to %(bh)s). "
        "Associations in observational data, not proof that engagement caused the change."
    ) % {
        "within": f"{abs(within.estimate):.2f}",
        "within_way": _("lower") if within.estimate < 0 else _("higher"),
        "wl": f"{within.ci_lower:.2f}",
        "wh": f"{within.ci_upper:.2f}",
        "between": f"{abs(between.estimate):.2f}",
        "between_way": _("lower") if between.estimate < 0 else _("higher"),
        "bl": f"{between.ci_lower:.2f}",
        "bh": f"{between.ci_upper:.2f}",
    }


# --- meta-analysis ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Pooled:
    """The same studies pooled four ways, and the forest plot of the REML fit."""

    labels: tuple[str, ...]
    fits: tuple[tuple[str, MetaAnalysis], ...]
    forest_svg: str


class StudiesRefused(ValueError):
    """The pasted studies cannot be pooled; the message says which line and why."""


def pool(
    labels: list[str], yi: list[float], vi: list[float], *, measure: str, prefix: str = "yours"
) -> Pooled:
    """FE, DL, REML and REML with Knapp–Hartung; the forest plot of REML."""
    try:
        fits = (
            (_("Fixed effect"), meta_analysis(yi, vi, method="FE")),
            (_("DerSimonian–Laird"), meta_analysis(yi, vi, method="DL")),
            (_("REML"), meta_analysis(yi, vi, method="REML")),
            (_("REML, Knapp–Hartung"), meta_analysis(yi, vi, method="REML", knapp_hartung=True)),
        )
    except DidNotConverge as error:
        raise StudiesRefused(str(error)) from error
    except ValueError as error:
        raise StudiesRefused(str(error)) from error
    svg = forest.forest_svg(
        fits[2][1], labels, title=_("Forest plot (REML)"), measure=measure, id_prefix=prefix
    )
    return Pooled(tuple(labels), fits, svg)


def bcg_example() -> Pooled:
    """The BCG trials (data/dat_bcg.csv) as log risk ratios, pooled."""
    with BCG_CSV.open(encoding="utf-8") as file:
        trials = list(csv.DictReader(file))
    effects = log_risk_ratios(
        *([int(trial[column]) for trial in trials] for column in ("tpos", "tneg", "cpos", "cneg"))
    )
    labels = [f"{trial['author']} {trial['year']}" for trial in trials]
    return pool(
        labels, list(effects.yi), list(effects.vi), measure=_("Log risk ratio"), prefix="bcg"
    )


def parse_studies(text: str) -> tuple[list[str], list[float], list[float]]:
    """Studies pasted one a line as "label, yi, vi" (commas, semicolons or tabs)."""
    labels: list[str] = []
    yi: list[float] = []
    vi: list[float] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.replace("\t", ",").replace(";", ",").split(",")]
        if len(parts) != 3:
            raise StudiesRefused(
                _(
                    "Line %(n)s: give a label, the effect (yi) and its variance (vi), e.g. "
                    "“Smith 2020, -0.35, 0.04”."
                )
                % {"n": number}
            )
        label, effect, variance = parts[0], number_on(parts[1], number), number_on(parts[2], number)
        if not variance > 0:
            raise StudiesRefused(
                _("Line %(n)s: the variance must be a positive number; got %(v)s.")
                % {"n": number, "v": parts[2]}
            )
        labels.append(label or _("Study %(n)s") % {"n": len(labels) + 1})
        yi.append(effect)
        vi.append(variance)
    if len(labels) < 2:
        raise StudiesRefused(
            _("Give at least two studies, one a line: a meta-analysis pools several.")
        )
    return labels, yi, vi


def number_on(text: str, line: int) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise StudiesRefused(
            _("Line %(n)s: “%(text)s” is not a number.") % {"n": line, "text": text}
        )
    return value
