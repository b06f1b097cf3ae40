"""Effect sizes against the literature's cases in shared/reference/effect_sizes_expected.json,
the conversions' round trips, and the refusals of impossible input."""

from __future__ import annotations

import math

import pytest

from bridgework.research import effect_sizes as es
from bridgework.research.tests.reference import expected

EXPECTED = expected("effect_sizes_expected.json")
TOLERANCE = 0.0005
CASES = EXPECTED["cases"]
# Each case starts from the value the literature quoted (its first key) and converts to the other.
FROM_D = [case for case in CASES if next(iter(case)) == "d"]
FROM_R = [case for case in CASES if next(iter(case)) == "r"]


@pytest.mark.parametrize("case", FROM_D)
def test_d_converts_to_the_reference_r_for_equal_groups(case) -> None:
    assert abs(es.d_to_r(case["d"]) - case["r"]) < TOLERANCE


@pytest.mark.parametrize("case", FROM_R)
def test_r_converts_to_the_reference_d(case) -> None:
    assert abs(es.r_to_d(case["r"]) - case["d"]) < TOLERANCE


@pytest.mark.parametrize("case", CASES)
def test_the_besd_of_each_case_matches_the_reference_percentages(case) -> None:
    r = case["r"] if case in FROM_R else es.d_to_r(case["d"])
    treatment, control = es.besd(r).percent
    assert abs(treatment - case["besd_percent"][0]) < 100 * TOLERANCE
    assert abs(control - case["besd_percent"][1]) < 100 * TOLERANCE


def test_every_case_in_the_reference_is_checked() -> None:
    assert (len(FROM_D), len(FROM_R)) == (3, 1)


@pytest.mark.parametrize("case", EXPECTED["hedges_g"]["cases"])
def test_hedges_g_with_the_exact_j_matches_the_reference(case) -> None:
    g = es.hedges_g(case["d"], case["n1"], case["n2"])
    assert abs(g - case["g"]) < TOLERANCE
    if "J" in case:
        assert abs(es.hedges_j(case["n1"] + case["n2"] - 2) - case["J"]) < 0.000005


def test_the_approximate_j_is_close_to_the_exact_one_and_converges_to_one() -> None:
    assert abs(es.hedges_j_approximate(18) - es.hedges_j(18)) < 0.0002
    assert abs(es.hedges_g(0.48, 10, 10, exact=False) - 0.4597) < TOLERANCE
    assert es.hedges_j(10_000) == pytest.approx(1, abs=1e-4)


def test_unequal_groups_use_a_from_the_group_sizes() -> None:
    # Equal sizes give a = 4, the equal-groups formula; 10 vs 90 gives a = 100²/900.
    assert es.d_to_r(0.5, 50, 50) == pytest.approx(es.d_to_r(0.5))
    assert es.d_to_r(0.5, 10, 90) == pytest.approx(0.5 / math.sqrt(0.25 + 10_000 / 900))


def test_d_and_r_convert_back_and_forth() -> None:
    for d in (-1.2, 0.0, 0.3, 2.5):
        assert es.r_to_d(es.d_to_r(d)) == pytest.approx(d)


def test_r_converts_to_d_for_unequal_groups_by_hand() -> None:
    # r = .3 with 10 and 30: a = 40²/300 = 16/3, d = .3·√(16/3)/√.91 = .726273; the same as
    # r/√((1 − r²)pq) with p = .25, q = .75: .3/√(.91 · .1875).
    assert es.r_to_d(0.3, 10, 30) == pytest.approx(0.726273, abs=5e-7)
    assert es.r_to_d(0.3, 10, 30) == pytest.approx(0.3 / math.sqrt(0.91 * 0.1875))
    # Equal groups give a = 4, the equal-groups formula, to the reference's 4 dp.
    mausbach = FROM_R[0]
    assert abs(es.r_to_d(mausbach["r"], 50, 50) - mausbach["d"]) < TOLERANCE


@pytest.mark.parametrize(("n1", "n2"), [(10, 90), (12, 30), (50, 50), (200, 7)])
def test_d_and_r_convert_back_and_forth_for_unequal_groups(n1: int, n2: int) -> None:
    for d in (-1.2, 0.0, 0.48, 2.5):
        r = es.d_to_r(d, n1, n2)
        assert es.r_to_d(r, n1, n2) == pytest.approx(d)
    for case in FROM_D:  # the reference's d_to_r_unequal_groups formula, inverted
        a = (n1 + n2) ** 2 / (n1 * n2)
        r = case["d"] / math.sqrt(case["d"] ** 2 + a)
        assert abs(es.r_to_d(r, n1, n2) - case["d"]) < TOLERANCE


def test_unequal_groups_need_both_sizes_to_convert_r() -> None:
    with pytest.raises(ValueError, match="Give both group sizes"):
        es.r_to_d(0.3, 10)
    with pytest.raises(ValueError, match="n2 must be a whole number of at least 2"):
        es.r_to_d(0.3, 10, 1)


def test_the_variance_of_g_is_j_squared_times_the_variance_of_d() -> None:
    # d = .48 with 10 and 10: V_d = 20/100 + .2304/40 = .20576; J = .95765 (reference, df 18).
    case = EXPECTED["hedges_g"]["cases"][0]
    by_hand = case["J"] ** 2 * (20 / 100 + 0.48**2 / 40)
    assert abs(es.g_variance(case["d"], case["n1"], case["n2"]) - by_hand) < 0.00001
    assert abs(by_hand - 0.1887) < TOLERANCE
    # d = .5 with 20 and 40, approximate J = 1 − 3/231: V_g = .987013² · .0770833 = .075094.
    assert es.g_variance(0.5, 20, 40, exact=False) == pytest.approx(0.075094, abs=5e-7)
    assert es.g_variance(0.5, 20, 40) < es.d_variance(0.5, 20, 40)


def test_d_from_means_uses_the_pooled_sd() -> None:
    # Pooled SD of 4 (n 10) and 6 (n 30): √((9·16 + 29·36)/38) = √31.263…
    sd = math.sqrt((9 * 16 + 29 * 36) / 38)
    assert es.pooled_sd(4, 10, 6, 30) == pytest.approx(sd)
    assert es.cohens_d(12, 4, 10, 10, 6, 30) == pytest.approx(2 / sd)


def test_nnt_from_d_follows_kraemer_and_kupfer() -> None:
    # d = 0.8: 2Φ(0.8/√2) − 1 = 0.4284, NNT ≈ 2.33; negative d is a number needed to harm.
    assert es.nnt_from_d(0.8) == pytest.approx(2.334, abs=0.001)
    assert es.nnt_from_d(-0.8) == pytest.approx(-es.nnt_from_d(0.8))


def test_nnt_from_risks_is_one_over_the_difference() -> None:
    assert es.nnt_from_risk_difference(0.25) == pytest.approx(4)
    assert es.nnt_from_success_rates(0.6167, 0.3833) == pytest.approx(1 / 0.2334)


def test_odds_ratios_and_d_convert_by_the_logit_method() -> None:
    assert es.odds_ratio_to_d(math.e) == pytest.approx(math.sqrt(3) / math.pi)
    assert es.d_to_odds_ratio(es.odds_ratio_to_d(3.5)) == pytest.approx(3.5)
    assert es.log_odds_ratio_variance_to_d_variance(1.0) == pytest.approx(3 / math.pi**2)
    assert es.d_variance_to_log_odds_ratio_variance(3 / math.pi**2) == pytest.approx(1.0)


def test_the_variance_of_d_follows_the_large_sample_formula() -> None:
    assert es.d_variance(0.5, 20, 20) == pytest.approx(40 / 400 + 0.25 / 80)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: es.r_to_d(1.0), "r must lie strictly between -1 and 1"),
        (lambda: es.besd(-1.5), "r must lie strictly between -1 and 1"),
        (lambda: es.hedges_g(0.5, 1, 10), "n1 must be a whole number of at least 2"),
        (
            lambda: es.hedges_g(0.5, 10, 2.5),  # type: ignore[arg-type]
            "n2 must be a whole number of at least 2",
        ),
        (lambda: es.cohens_d(1, 0, 10, 0, 1, 10), "sd1 must be greater than 0"),
        (lambda: es.cohens_d(1, 1, 10, 0, -1, 10), "sd2 must be greater than 0"),
        (lambda: es.d_to_r(math.nan), "d must be a finite number"),
        (lambda: es.d_to_r(0.5, 10), "Give both group sizes"),
        (lambda: es.g_variance(0.5, 1, 10), "n1 must be a whole number of at least 2"),
        (lambda: es.g_variance(math.inf, 10, 10), "d must be a finite number"),
        (lambda: es.hedges_j(1), "df must be a whole number of at least 2"),
        (lambda: es.nnt_from_d(0.0), "no number needed to treat"),
        (lambda: es.nnt_from_success_rates(1.2, 0.3), "treatment must be a proportion"),
        (lambda: es.nnt_from_risk_difference(0.0), "no number needed to treat"),
        (lambda: es.odds_ratio_to_d(0.0), "odds_ratio must be greater than 0"),
        (lambda: es.log_odds_ratio_variance_to_d_variance(0.0), "variance must be greater"),
    ],
)
def test_it_refuses_impossible_input_with_a_clear_message(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()
