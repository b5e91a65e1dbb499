"""BHAR and its LBT tests, abnormal volume, abnormal volatility: hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from eventstudy.estimation.engine import Windows
from eventstudy.stats.bhar import (bhar, bootstrap_skewness_adjusted_t, buy_and_hold, conventional_t,
                                   skewness_adjusted_t, to_simple)
from eventstudy.stats.volatility import abnormal_volatility, squared_standardised, volatility_rank, volatility_t
from eventstudy.stats.volume import abnormal_volume, volume_measure


def test_bhar_by_hand():
    r = np.array([[0.10, -0.05, 0.02], [0.01, np.nan, 0.03]])
    m = np.array([[0.02, 0.01, 0.00], [0.00, 0.01, 0.01]])
    w = np.array([[0, 1], [0, 0], [2, 2]])
    got = bhar(r, m, w)
    assert got[0, 0] == pytest.approx((1.1 * 0.95 - 1) - (1.02 * 1.01 - 1))   # 0.045 - 0.0302
    assert got[0, 1] == pytest.approx(0.10 - 0.02)
    assert got[1, 2] == pytest.approx(0.03 - 0.01)
    assert np.isnan(got[1, 0])  # a missing bar: no partial product
    np.testing.assert_allclose(to_simple(np.log1p(r[:1]), "log"), r[:1])
    assert buy_and_hold(np.array([[0.5, -0.5]]), np.array([[0, 1]]))[0, 0] == pytest.approx(-0.25)


def test_skewness_adjusted_t_by_hand():
    x = np.array([0.10, 0.0, -0.05, 0.30, 0.02])
    n, m, sd = 5, x.mean(), x.std(ddof=1)
    g = np.sum((x - m) ** 3) / (n * sd**3)
    S = m / sd
    r = skewness_adjusted_t(x)
    assert r.statistic == pytest.approx(math.sqrt(n) * (S + g * S**2 / 3 + g / (6 * n)))
    assert r.p_value == pytest.approx(2 * stats.norm.sf(abs(r.statistic)))
    c = conventional_t(x)
    assert c.statistic == pytest.approx(math.sqrt(n) * S) and c.distribution == "t(4)"
    # symmetric data: no skewness adjustment
    sym = np.array([-2.0, -1.0, 0.0, 1.0, 2.0]) + 0.5
    assert skewness_adjusted_t(sym).statistic == pytest.approx(conventional_t(sym).statistic)


def test_lbt_bootstrap_is_seeded_and_rejects_a_real_effect():
    rng = np.random.default_rng(0)
    x = rng.lognormal(0, 0.8, 200) - math.exp(0.32)  # right-skewed, mean 0
    a, b = bootstrap_skewness_adjusted_t(x, seed=3), bootstrap_skewness_adjusted_t(x, seed=3)
    assert a == b and 0 < a.p_value <= 1 and "resamples of 50" in a.distribution
    assert bootstrap_skewness_adjusted_t(x + 0.5).p_value < 0.01
    assert math.isnan(bootstrap_skewness_adjusted_t(x[:5]).p_value)


def test_volume_measures_by_hand():
    np.testing.assert_allclose(volume_measure(np.array([0.0, 99.0, -1.0])), [0.0, math.log(100), np.nan])
    got = volume_measure(np.array([1000.0]), "log_turnover", shares=np.array([1e6]))
    assert got[0] == pytest.approx(math.log(100 * 1000 / 1e6 + 0.000255))
    with pytest.raises(ValueError):
        volume_measure(np.array([1.0]), "log_turnover")


def test_abnormal_volume_is_the_market_model_on_volume():
    rng = np.random.default_rng(1)
    vm = rng.normal(15, 0.3, (2, 60))
    v = 2.0 + 0.8 * vm + rng.normal(0, 0.2, (2, 60))
    v[:, -3] += 1.0  # a volume spike on day 0
    win = Windows((-57, -11), (-2, 2), ((0, 0),))
    est_idx, evt_idx = np.arange(0, 47), np.arange(55, 60)
    av = abnormal_volume(v[:, est_idx], vm[:, est_idx], v[:, evt_idx], vm[:, evt_idx], win)
    for k in range(2):
        b = np.polyfit(vm[k, est_idx], v[k, est_idx], 1)
        np.testing.assert_allclose(av.ar[k], v[k, evt_idx] - np.polyval(b, vm[k, evt_idx]), atol=1e-10)
    assert (av.car[:, 0] > 0.5).all()
    cm = abnormal_volume(v[:, est_idx], vm[:, est_idx], v[:, evt_idx], vm[:, evt_idx], win, model="constant_mean")
    np.testing.assert_allclose(cm.ar, v[:, evt_idx] - v[:, est_idx].mean(axis=1, keepdims=True))


def test_abnormal_volatility_by_hand():
    ar = np.array([[0.02, 0.01], [np.nan, 0.0]])
    var = np.array([[1e-4, 1e-4], [1e-4, 4e-4]])
    np.testing.assert_allclose(squared_standardised(ar, var), [[4.0, 1.0], [np.nan, 0.0]])
    av = abnormal_volatility(ar, var, np.array([10.0, 10.0]), np.array([[0, 0], [0, 1], [1, 1]]))
    assert av[0, 0] == pytest.approx(4.0 - 10 / 8)
    assert av[0, 1] == pytest.approx(2.5 - 10 / 8)
    assert np.isnan(av[1, 0]) and av[1, 2] == pytest.approx(-1.25)
    t = volatility_t(np.array([1.0, 2.0, 3.0]))
    assert t.statistic == pytest.approx(2.0 / (1.0 / math.sqrt(3)))


def test_volatility_rank_detects_a_variance_increase():
    rng = np.random.default_rng(2)
    e = rng.normal(0, 0.01, (30, 100))
    ar = rng.normal(0, 0.01, (30, 3))
    ar[:, 1] *= 4.0  # volatility quadruples on day 0
    var = np.full((30, 3), 1e-4)
    s2 = np.full(30, 1e-4)
    up = volatility_rank(e, s2, ar, var, slice(101, 102))
    calm = volatility_rank(e, s2, ar, var, slice(100, 101))
    assert up.statistic > 3 and abs(calm.statistic) < 3
