"""The meta-analysis against metafor's results on dat.bcg (shared/reference/
meta_analysis_expected.json, every value to its tolerance), the cases whose answer is known
without arithmetic, and the refusals of bad input."""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest
from statsmodels.stats.meta_analysis import combine_effects

from bridgework.research import meta_analysis as module
from bridgework.research.meta_analysis import (
    DidNotConverge,
    MetaAnalysis,
    log_risk_ratios,
    meta_analysis,
    risk_ratio,
)
from bridgework.research.tests.reference import REFERENCE, expected

EXPECTED = expected("meta_analysis_expected.json")
TOLERANCE = EXPECTED["tolerance"]

with (REFERENCE / "dat_bcg.csv").open(encoding="utf-8") as file:
    TRIALS = list(csv.DictReader(file))
BCG = log_risk_ratios(
    *([int(trial[column]) for trial in TRIALS] for column in ("tpos", "tneg", "cpos", "cneg"))
)


def close(actual: float | None, wanted: float) -> bool:
    return actual is not None and abs(actual - wanted) < TOLERANCE


def fit(method: str, **options: bool) -> MetaAnalysis:
    return meta_analysis(BCG.yi, BCG.vi, method=method, **options)  # type: ignore[arg-type]


def test_the_reference_trial_five_has_the_corrected_count() -> None:
    assert TRIALS[4]["cneg"] == "5761"


def test_the_first_three_log_risk_ratios_and_variances_match() -> None:
    for mine, wanted in zip(BCG.yi, EXPECTED["first_three"]["y"], strict=False):
        assert close(mine, wanted)
    for mine, wanted in zip(BCG.vi, EXPECTED["first_three"]["v"], strict=False):
        assert close(mine, wanted)
    assert not any(BCG.corrected)


def test_the_fixed_effect_model_matches_metafor() -> None:
    wanted, result = EXPECTED["fixed_effect"], fit("FE")
    assert close(result.estimate, wanted["estimate"]) and close(result.se, wanted["se"])
    assert close(result.ci_lower, wanted["ci"][0]) and close(result.ci_upper, wanted["ci"][1])
    assert close(result.Q, wanted["Q"]) and result.Q_df == wanted["df"]
    assert result.tau2 == 0


def test_dersimonian_laird_matches_metafor() -> None:
    wanted, result = EXPECTED["dersimonian_laird"], fit("DL")
    for name in ("estimate", "se", "tau2", "H2"):
        assert close(getattr(result, name), wanted[name]), name
    assert close(result.ci_lower, wanted["ci"][0]) and close(result.ci_upper, wanted["ci"][1])
    assert close(result.I2, wanted["I2_percent"])


def test_dersimonian_laird_back_transforms_to_the_reference_risk_ratio() -> None:
    wanted, ratio = EXPECTED["dersimonian_laird"], risk_ratio(fit("DL"))
    assert close(ratio.ratio, wanted["risk_ratio"])
    assert close(ratio.ci_lower, wanted["risk_ratio_ci"][0])
    assert close(ratio.ci_upper, wanted["risk_ratio_ci"][1])


def test_reml_matches_metafor_including_the_se_of_tau2_and_the_prediction_interval() -> None:
    wanted, result = EXPECTED["reml"], fit("REML")
    for name in ("estimate", "se", "tau2", "tau2_se"):
        assert close(getattr(result, name), wanted[name]), name
    assert close(result.ci_lower, wanted["ci"][0]) and close(result.ci_upper, wanted["ci"][1])
    # The reference gives I² to two places only.
    assert abs(result.I2 - wanted["I2_percent"]) < 0.005
    assert close(result.prediction_lower, wanted["prediction_interval"][0])
    assert close(result.prediction_upper, wanted["prediction_interval"][1])


def test_the_prediction_interval_uses_z_as_metafor_does_by_default() -> None:
    result = fit("REML")
    spread = 1.959964 * math.sqrt(result.se**2 + result.tau2)
    assert result.prediction_upper == pytest.approx(result.estimate + spread, abs=1e-6)


def test_reml_with_knapp_hartung_matches_metafor() -> None:
    wanted, result = EXPECTED["reml_knapp_hartung"], fit("REML", knapp_hartung=True)
    for name in ("estimate", "se", "p"):
        assert close(getattr(result, name), wanted[name]), name
    assert close(result.statistic, wanted["t"]) and result.df == wanted["df"]
    assert close(result.ci_lower, wanted["ci"][0]) and close(result.ci_upper, wanted["ci"][1])
    assert result.test == "t"


def test_maximum_likelihood_matches_metafor() -> None:
    wanted, result = EXPECTED["ml"], fit("ML")
    assert close(result.tau2, wanted["tau2"])
    assert close(result.log_likelihood, wanted["logLik"])


def test_paule_mandel_matches_metafor() -> None:
    wanted, result = EXPECTED["paule_mandel"], fit("PM")
    assert close(result.estimate, wanted["estimate"]) and close(result.tau2, wanted["tau2"])


def test_the_knapp_hartung_se_matches_statsmodels_hksj_for_dl() -> None:
    statsmodels_result = combine_effects(np.array(BCG.yi), np.array(BCG.vi), method_re="dl")
    hand = fit("DL", knapp_hartung=True)
    assert hand.se == pytest.approx(float(statsmodels_result.sd_eff_w_re_hksj), rel=1e-9)


@pytest.mark.parametrize("method", ["FE", "DL", "PM", "REML", "ML"])
def test_the_weights_are_percentages_that_sum_to_one_hundred(method: str) -> None:
    assert sum(fit(method).weights) == pytest.approx(100)


@pytest.mark.parametrize("method", ["DL", "PM", "REML", "ML"])
def test_identical_studies_give_no_heterogeneity(method: str) -> None:
    result = meta_analysis([0.3, 0.3, 0.3], [0.1, 0.2, 0.3], method=method)  # type: ignore[arg-type]
    assert result.tau2 == 0 and result.I2 == 0
    assert result.estimate == pytest.approx(0.3)
    assert result.ci == pytest.approx(result.prediction_interval)


def test_a_negative_dersimonian_laird_tau2_is_truncated_at_zero() -> None:
    # Q < df: statsmodels' DL τ² would be negative; the model is then the fixed-effect one.
    fe = meta_analysis([0.1, 0.12, 0.11], [0.5, 0.5, 0.5], method="FE")
    dl = meta_analysis([0.1, 0.12, 0.11], [0.5, 0.5, 0.5], method="DL")
    assert dl.tau2 == 0 and dl.estimate == pytest.approx(fe.estimate)
    assert dl.se == pytest.approx(fe.se) and dl.I2 == 0


def test_a_zero_cell_gets_a_half_added_to_that_study_only() -> None:
    sizes = log_risk_ratios([0, 4], [10, 6], [2, 3], [8, 7])
    assert sizes.corrected == (True, False)
    assert sizes.yi[0] == pytest.approx(math.log((0.5 / 11) / (2.5 / 11)))


@pytest.mark.parametrize(
    ("yi", "vi", "message"),
    [
        ([0.2], [0.1], "at least two studies; got 1"),
        ([], [], "at least two studies; got 0"),
        ([0.2, 0.3], [0.1], "yi has 2 effects but vi has 1"),
        ([0.2, 0.3], [0.1, 0.0], "Study 2's variance is 0.0; it must be a finite number above 0"),
        ([0.2, 0.3], [-0.1, 0.1], "Study 1's variance is -0.1"),
        ([0.2, 0.3], [0.1, math.inf], "Study 2's variance is inf"),
        ([0.2, 0.3], [0.1, math.nan], "Study 2's variance is nan"),
        ([math.nan, 0.3], [0.1, 0.1], "Study 1's effect is nan"),
    ],
)
def test_bad_input_raises_a_clear_message_never_a_number(yi, vi, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        meta_analysis(yi, vi)


def test_it_refuses_an_unknown_method_or_level() -> None:
    with pytest.raises(ValueError, match="method must be one of FE, DL, PM, REML, ML"):
        meta_analysis([0.1, 0.2], [0.1, 0.1], method="HS")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="level must lie strictly between 0 and 1"):
        meta_analysis([0.1, 0.2], [0.1, 0.1], level=95)


def test_it_refuses_counts_that_are_not_counts() -> None:
    with pytest.raises(ValueError, match="Study 1's counts must be whole numbers"):
        log_risk_ratios([-1], [10], [2], [8])
    with pytest.raises(ValueError, match="Study 1 has an empty group"):
        log_risk_ratios([0], [0], [2], [8])
    with pytest.raises(ValueError, match="same number of studies"):
        log_risk_ratios([1, 2], [10], [2], [8])


@pytest.mark.parametrize("method", ["REML", "ML"])
def test_an_estimate_that_does_not_settle_raises_instead_of_giving_a_number(
    method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(module, "_MAX_STEPS", 1)
    with pytest.raises(DidNotConverge, match=f"The {method} estimate of τ² did not converge"):
        fit(method)
