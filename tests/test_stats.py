"""Each test statistic on a hand-computed case, plus invariants."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from eventstudy.stats.bootstrap import bootstrap_mean_ci
from eventstudy.stats.battery import mean_cross_correlation
from eventstudy.stats.nonparametric import (corrado_rank, generalized_sign, normalised_ranks, rank_day_series,
                                            sign_test, wilcoxon_signed_rank)
from eventstudy.stats.parametric import (bmp_t, brown_warner_t, cross_sectional_t, kolari_pynnonen_factor,
                                         kp_adjusted, patell_z)


def test_cross_sectional_t_by_hand():
    r = cross_sectional_t(np.array([0.01, 0.03, 0.02, np.nan]))
    assert r.n == 3 and r.estimate == pytest.approx(0.02)
    assert r.statistic == pytest.approx(0.02 / (0.01 / math.sqrt(3)))
    assert r.p_value == pytest.approx(2 * stats.t.sf(r.statistic, 2))
    assert r.distribution == "t(2)"


def test_patell_z_by_hand():
    r = patell_z(np.array([1.0, 2.0, -0.5]), np.array([10.0, 10.0, 10.0]))
    assert r.statistic == pytest.approx(2.5 / math.sqrt(3 * 10 / 8))  # df/(df-2) = (L-2)/(L-4) for L = 12
    assert r.p_value == pytest.approx(2 * stats.norm.sf(r.statistic))


def test_patell_leaves_out_df_at_most_2():
    r = patell_z(np.array([1.0, 2.0]), np.array([10.0, 2.0]))
    assert r.n == 1 and r.statistic == pytest.approx(1 / math.sqrt(10 / 8))


def test_bmp_by_hand():
    sx = np.array([1.0, 2.0, -0.5])
    r = bmp_t(sx)
    sd = math.sqrt(((1 - 5 / 6) ** 2 + (2 - 5 / 6) ** 2 + (-0.5 - 5 / 6) ** 2) / 2)
    assert r.statistic == pytest.approx((5 / 6) / (sd / math.sqrt(3)))
    assert r.distribution == "t(2)"


def test_kolari_pynnonen_factors():
    assert kolari_pynnonen_factor(0.1, 3, "bmp") == pytest.approx(math.sqrt(0.9 / 1.2))
    assert kolari_pynnonen_factor(0.1, 3, "patell") == pytest.approx(math.sqrt(1 / 1.2))
    assert kolari_pynnonen_factor(0.0, 50, "bmp") == pytest.approx(1.0)
    base = bmp_t(np.array([1.0, 2.0, -0.5, 0.7]))
    adj = kp_adjusted(base, 0.2, "bmp")
    assert adj.statistic == pytest.approx(base.statistic * math.sqrt(0.8 / 1.6))
    assert adj.p_value > base.p_value


def test_mean_cross_correlation_within_clusters_only():
    rng = np.random.default_rng(0)
    a = rng.normal(size=60)
    resid = np.vstack([a, a, rng.normal(size=60)])  # events 0 and 1 identical (rho = 1), same date
    rbar, pairs = mean_cross_correlation(resid, np.array([0, 0, 1]))
    assert rbar == pytest.approx(2 * 1.0 / (3 * 2))  # cross-cluster pairs count as 0
    assert pairs == 1
    rbar_all, _ = mean_cross_correlation(resid, np.array([0, 0, 0]))
    c02 = np.corrcoef(a, resid[2])[0, 1]
    assert rbar_all == pytest.approx((2 * 1.0 + 4 * c02) / 6)


def test_brown_warner_by_hand():
    aar_est = np.array([0.01, -0.01, 0.0, 0.02, -0.02])
    s = math.sqrt(10e-4 / 4)
    assert brown_warner_t(aar_est, 0.03, 1).statistic == pytest.approx(0.03 / s)
    r = brown_warner_t(aar_est, 0.03, 4)
    assert r.statistic == pytest.approx(0.03 / (2 * s)) and r.distribution == "t(4)"


def test_generalized_sign_by_hand():
    r = generalized_sign(np.array([0.01, 0.02, -0.01, 0.03]), np.array([0.5, 0.4, 0.6, 0.5]))
    assert r.statistic == pytest.approx((3 - 4 * 0.5) / math.sqrt(4 * 0.25))


def test_sign_test_exact_binomial():
    r = sign_test(np.array([0.01, 0.02, -0.01, 0.03]))
    assert r.statistic == 3 and r.p_value == pytest.approx(0.625)


def test_wilcoxon_by_hand():
    r = wilcoxon_signed_rank(np.array([0.01, -0.02, 0.03, 0.04]))
    assert r.statistic == 8.0                     # ranks 1 + 3 + 4
    assert r.p_value == pytest.approx(6 / 16)     # exact: P(V >= 8) = 3/16, two-sided


def test_normalised_ranks_and_corrado_by_hand():
    ar = np.array([[0.1, 0.3, 0.2, np.nan], [0.0, -0.1, 0.5, 0.2]])
    U = normalised_ranks(ar)
    np.testing.assert_allclose(U[0, :3], [1 / 4, 3 / 4, 2 / 4])
    assert np.isnan(U[0, 3])
    np.testing.assert_allclose(U[1], [2 / 5, 1 / 5, 4 / 5, 3 / 5])
    D = rank_day_series(U)
    np.testing.assert_allclose(D, [(-0.25 - 0.1) / 2, (0.25 - 0.3) / 2, (0 + 0.3) / 2, 0.1])
    s = math.sqrt(np.mean(D**2))
    assert corrado_rank(D, slice(2, 3), 2).statistic == pytest.approx(D[2] / s)
    assert corrado_rank(D, slice(2, 4), 2).statistic == pytest.approx((D[2] + D[3]) / (math.sqrt(2) * s))


def test_bootstrap_is_reproducible_and_brackets_the_mean():
    x = np.random.default_rng(3).normal(0.01, 0.02, size=40)
    a, b = bootstrap_mean_ci(x, seed=7), bootstrap_mean_ci(x, seed=7)
    assert a == b
    assert a.ci_low < x.mean() < a.ci_high
    assert a.ci_high - a.ci_low == pytest.approx(2 * 1.96 * x.std(ddof=1) / math.sqrt(40), rel=0.2)


def test_too_few_values_give_nan_not_numbers():
    for r in (cross_sectional_t(np.array([0.1])), bmp_t(np.array([np.nan, 1.0])), bootstrap_mean_ci(np.array([1.0]))):
        assert math.isnan(r.statistic) and math.isnan(r.p_value)


def test_pairwise_correlation_matches_pandas_with_gaps():
    import pandas as pd

    from eventstudy.stats.battery import pairwise_correlation

    x = np.random.default_rng(9).normal(size=(5, 80))
    x[1, :30] = np.nan
    x[3, 50:] = np.nan
    x[4, :70] = np.nan  # only 10 bars: below the overlap minimum
    want = pd.DataFrame(x.T).corr(min_periods=20).to_numpy()
    np.testing.assert_allclose(pairwise_correlation(x, 20), want, rtol=1e-10, equal_nan=True)
