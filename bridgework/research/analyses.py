"""The analyses page of a study: the engagement model fitted on the study's own pseudonymised
rows, and an example meta-analysis (with a form for the researcher's own studies).

The model's data are the export's rows, narrowed to the columns the recipe reads
(research.export.recipe_rows: the export's own querysets, pseudonyms and date shifts), read on
PostgreSQL in one read-only snapshot as the export is (research.export.snapshot), and put
together by research.recipe, so `engagement_frame` on the downloaded files gives the same frame
and the same model. Nothing here shows one client's record: only the model's effects and counts.

The fit is the slow part (statsmodels MixedLM, up to four optimisers), so its result is kept in
Django's cache under the study and a digest of the frame it was fitted on: any change to what
the model sees (a new PHQ-9, a review, a rescheduled session, a consent withdrawn, the study's
period or tables) makes another frame and so another key, while a page shown again on the same
data reads the fit instead of making it. The digest is of the frame itself, not of counts and
latest times, because sessions and consents have no "updated" time to watch and a rescheduled
session changes the model without changing any count. What the cache keeps is the fit only:
effects, variance components, counts and the optimisers' words, no row and no pseudonym.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd
from django.core.cache import cache
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from bridgework.research import forest, recipe
from bridgework.research.export import recipe_rows
from bridgework.research.export.context import Context
from bridgework.research.export.snapshot import one_snapshot
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
from bridgework.research.pasted import StudiesRefused
from bridgework.research.replica import research_database

BCG_CSV = Path(__file__).resolve().parent / "data" / "dat_bcg.csv"
# Fewer than this and a between-client effect is one number per handful of people.
MIN_CLIENTS = 5
MIN_OBSERVATIONS = 20
# Part of every cache key: bump it when research.multilevel would fit the same frame otherwise,
# so a shared cache never serves a fit the new code would not make.
FIT_VERSION = 1
CACHE_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class EngagementResult:
    """The fitted model, or (model None) the reason there is none, in words to act on; with
    the counts of clients and sessions the model used, and whether the study's rows were read
    (the page then showed study data, and records so)."""

    model: EngagementModel | None
    problem: str = ""
    clients: int = 0
    observations: int = 0
    rows_read: bool = False


@dataclass(frozen=True)
class Fitted:
    """What fitting one frame gave, in no language (the page words it): the model, or the
    toolkit's refusal, or (neither) no optimiser converged. This is what the cache keeps."""

    model: EngagementModel | None
    refusal: str = ""


def model_tables(study: Study, using: str) -> dict[str, pd.DataFrame]:
    """The recipe's columns of the study's tables, as the export writes them (consented
    clients, the study period, pseudonyms, shifted dates). On PostgreSQL all of it is read in
    the export's one read-only snapshot, so a review or PHQ-9 saved meanwhile is in all the
    tables or in none: the model never pairs a session with a review it cannot see."""
    with one_snapshot(using) as reading:
        ctx = Context.of(study, reading)
        return {
            "sessions": frame_of("sessions", recipe_rows.session_times(ctx)),
            "reviews": frame_of("reviews", recipe_rows.reviews_done(ctx)),
            "measure_responses": frame_of(
                "measure_responses", recipe_rows.symptom_totals(ctx, recipe.SYMPTOMS)
            ),
        }


def frame_of(table: str, rows: Iterator[tuple[Any, ...]]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(recipe.COLUMNS[table]))


def engagement_on_study(study: Study, *, using: str | None = None) -> EngagementResult:
    left_out = [name for name in recipe.MODEL_TABLES if name not in (study.tables or [])]
    if left_out:
        return EngagementResult(
            None,
            _("The study does not include the table(s) %(names)s the model needs.")
            % {"names": ", ".join(left_out)},
        )
    frame = recipe.engagement_frame(model_tables(study, using or research_database()))
    return replace(fit(frame, study_id=study.pk), rows_read=True)


def fit(frame: pd.DataFrame, *, study_id: int | None = None) -> EngagementResult:
    """The model on the recipe's frame, or why it cannot be fitted: never a silent number.
    With `study_id`, a fit of the same frame is taken from the cache (see above)."""
    if frame.empty:  # no row at all: the toolkit would only say a column holds no numbers
        return EngagementResult(None, too_few(0, 0))
    try:
        usable = lagged_design(frame)
    except ValueError as error:
        return EngagementResult(None, str(error))
    clients, observations = int(usable["client"].nunique()), len(usable)
    if clients < MIN_CLIENTS or observations < MIN_OBSERVATIONS:
        return EngagementResult(None, too_few(clients, observations), clients, observations)
    fitted = fit_now(frame) if study_id is None else cached_fit(frame, study_id)
    if fitted.model is not None:
        return EngagementResult(fitted.model, "", clients, observations)
    problem = fitted.refusal or _(
        "The model did not converge with any optimiser tried, so it gives no "
        "estimate. More clients or sessions may help; the toolkit can also fit it "
        "with a random intercept only (random_slope=None)."
    )
    return EngagementResult(None, problem, clients, observations)


def too_few(clients: int, observations: int) -> str:
    return _(
        "Too few data for the model: %(clients)s clients and %(rows)s sessions with a "
        "reviewed plan before them and a PHQ-9; it needs at least %(min_clients)s "
        "clients and %(min_rows)s such sessions."
    ) % {
        "clients": clients,
        "rows": observations,
        "min_clients": MIN_CLIENTS,
        "min_rows": MIN_OBSERVATIONS,
    }


def fit_now(frame: pd.DataFrame) -> Fitted:
    try:
        return Fitted(engagement_model(frame))
    except ModelDidNotConverge:
        return Fitted(None)
    except ValueError as error:  # the toolkit's words: what is wrong with the frame
        return Fitted(None, str(error))


def cached_fit(frame: pd.DataFrame, study_id: int) -> Fitted:
    key = cache_key(study_id, frame)
    found = cache.get(key)
    if isinstance(found, Fitted):
        return found
    fitted = fit_now(frame)
    cache.set(key, fitted, CACHE_SECONDS)
    return fitted


def cache_key(study_id: int, frame: pd.DataFrame) -> str:
    """The study, the fit's version and a SHA-256 of the frame: its columns, their types and
    every value (pandas' own stable row hashes, the same in every process)."""
    digest = hashlib.sha256(
        repr([(name, str(kind)) for name, kind in frame.dtypes.items()]).encode()
    )
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return f"research:engagement-model:{study_id}:{FIT_VERSION}:{digest.hexdigest()}"


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
        "within": decimal(abs(within.estimate)),
        "within_way": _("lower") if within.estimate < 0 else _("higher"),
        "wl": decimal(within.ci_lower),
        "wh": decimal(within.ci_upper),
        "between": decimal(abs(between.estimate)),
        "between_way": _("lower") if between.estimate < 0 else _("higher"),
        "bl": decimal(between.ci_lower),
        "bh": decimal(between.ci_upper),
    }


def decimal(value: float) -> str:
    """Two decimals in the reader's language (0,66 in German), as the table beside it."""
    return number_format(value, 2)


# --- meta-analysis ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Pooled:
    """The same studies pooled four ways, and the forest plot of the REML fit."""

    labels: tuple[str, ...]
    fits: tuple[tuple[str, MetaAnalysis], ...]
    forest_svg: str


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
        fits[2][1],
        labels,
        title=_("Forest plot (REML)"),
        measure=measure,
        id_prefix=prefix,
        words=forest_words(),
    )
    return Pooled(tuple(labels), fits, svg)


def forest_words() -> forest.ForestWords:
    """The forest plot's own words in the page's language. The braces are str.format's
    fields, filled in by research.forest."""
    return forest.ForestWords(
        study=_("Study"),
        weight=_("Weight"),
        # Translators: {level} is the confidence level, e.g. 95%.
        interval_heading=_("{measure} [{level} CI]"),
        # Translators: {method} is FE, DL, REML or PM.
        pooled=_("{method} model"),
        pooled_knapp_hartung=_("{method} model (Knapp–Hartung)"),
        method_knapp_hartung=_("{method} with Knapp–Hartung"),
        # Translators: PI is the prediction interval.
        prediction=_("PI {low} to {high}"),
        log_scale=_("{measure} (log scale)"),
        summary=_(
            "{k} studies. {measure}, pooled ({method}): {interval}, prediction interval "
            "{low} to {high}; I² {i2}%, τ² {tau2}. Horizontal axis: {axis}."
        ),
    )


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
