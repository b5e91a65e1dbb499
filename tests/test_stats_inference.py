"""GRANK, wild bootstrap, multiple testing, CAR regressions, calendar-time portfolios: hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from eventstudy.errors import DataError
from eventstudy.stats.calendar_time import calendar_portfolio, calendar_time_alpha, event_weights
from eventstudy.stats.cross_section import car_regression
from eventstudy.stats.grank import grank_t
from eventstudy.stats.multitest import adjust_pvalues, adjust_table
from eventstudy.stats.wild_bootstrap import MAMMEN_HIGH, MAMMEN_LOW, MAMMEN_P_LOW, draw_weights, wild_bootstrap_t


def test_grank_by_hand():
    resid = np.array([[1.0, -1.0, 0.5], [-0.5, 2.0, -1.0]])
    scar = np.array([3.0, 1.0])
    # SCAR* = scar / sd(scar) = [2.121, 0.707]; ranks [3,1,2,4] and [2,4,1,3] over T = 4 values;
    # U = rank/5 - 1/2: Ubar = [0, 0, -0.2, 0.2]; S_U^2 = (0.04 + 0.04)/4 = 0.02; Z = 0.2/sqrt(0.02);
    # t = Z sqrt((T-2)/(T-1-Z^2)) = sqrt(2) sqrt(2/1) = 2, df = 2.
    r = grank_t(resid, np.array([1.0, 1.0]), scar)
    assert r.statistic == pytest.approx(2.0) and r.distribution == "t(2)"
    assert r.estimate == pytest.approx(0.7)
    assert math.isnan(grank_t(resid[:1], np.array([1.0]), scar[:1]).statistic)


def test_wild_bootstrap_rademacher_is_exact_for_small_n():
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    r = wild_bootstrap_t(x)
    assert r.statistic == pytest.approx(math.sqrt(5) * 3 / x.std(ddof=1))
    assert r.p_value == pytest.approx(2 / 32)  # only all-plus and all-minus reach |t|
    assert "all 32 sign patterns" in r.distribution


def test_mammen_weights_have_the_three_moments():
    p = MAMMEN_P_LOW
    w = np.array([MAMMEN_LOW, MAMMEN_HIGH])
    probs = np.array([p, 1 - p])
    assert probs @ w == pytest.approx(0.0, abs=1e-15)
    assert probs @ w**2 == pytest.approx(1.0)
    assert probs @ w**3 == pytest.approx(1.0)
    draws = draw_weights("mammen", (200_000, 1), np.random.default_rng(0))
    assert draws.mean() == pytest.approx(0.0, abs=0.01)
    rng = np.random.default_rng(1)
    x = rng.normal(0.0, 1.0, 40)
    a, b = wild_bootstrap_t(x, weights="mammen", seed=4), wild_bootstrap_t(x, weights="mammen", seed=4)
    assert a == b and 0 < a.p_value <= 1
    assert wild_bootstrap_t(x + 1.0, weights="mammen").p_value < 0.01
    with pytest.raises(ValueError):
        draw_weights("gauss", (2, 2), rng)


def test_holm_and_bh_by_hand():
    p = np.array([0.01, 0.04, 0.03, np.nan])
    np.testing.assert_allclose(adjust_pvalues(p, "holm"), [0.03, 0.06, 0.06, np.nan])
    np.testing.assert_allclose(adjust_pvalues(p, "bh"), [0.03, 0.04, 0.04, np.nan])
    t = pd.DataFrame({"test": ["a", "a", "a", "b"], "group": "g", "kind": "day", "p_value": [0.01, 0.04, 0.03, 0.2]})
    out = adjust_table(t, "holm")
    np.testing.assert_allclose(out["p_adjusted"], [0.03, 0.06, 0.06, 0.2])  # b is its own family
    with pytest.raises(ValueError):
        adjust_pvalues(p, "bonferroni-ish")


@pytest.fixture
def cars():
    rng = np.random.default_rng(3)
    n = 60
    size = rng.normal(0, 1, n)
    sector = rng.choice(["tech", "energy", "bank"], n)
    date = np.repeat(np.arange(12), 5)
    firm = np.tile(np.arange(15), 4)
    car = 0.01 + 0.02 * size + rng.normal(0, 0.03, n) * (1 + np.abs(size))
    car[5] = np.nan
    return car, pd.DataFrame({"size": size, "sector": sector}), date, firm


def _manual(car, X, groups):
    """Sandwich by hand: CR1 for one-way, HC3 when groups is None."""
    ok = np.isfinite(car)
    y, Xm = car[ok], X[ok]
    n, k = Xm.shape
    A = np.linalg.inv(Xm.T @ Xm)
    b = A @ Xm.T @ y
    u = y - Xm @ b
    if groups is None:
        h = np.einsum("ij,jk,ik->i", Xm, A, Xm)
        meat = (Xm * (u / (1 - h))[:, None]).T @ (Xm * (u / (1 - h))[:, None])
        return b, A @ meat @ A
    g = groups[ok]
    G = len(np.unique(g))
    S = np.zeros((k, k))
    for c in np.unique(g):
        s = Xm[g == c].T @ u[g == c]
        S += np.outer(s, s)
    return b, G / (G - 1) * (n - 1) / (n - k) * A @ S @ A


def test_car_regression_hc3_and_one_way_cluster_by_hand(cars):
    car, ch, date, firm = cars
    X = np.column_stack([np.ones(len(car)), ch["size"], (ch["sector"] == "energy"), (ch["sector"] == "tech")]).astype(float)
    out = car_regression(car, ch)
    assert list(out.term) == ["const", "size", "sector[energy]", "sector[tech]"]
    b, V = _manual(car, X, None)
    np.testing.assert_allclose(out.coef, b)
    np.testing.assert_allclose(out.se, np.sqrt(np.diag(V)))
    assert out.df.iloc[0] == 59 - 4 and "1 events left out" in out.note.iloc[0]
    cl = car_regression(car, ch, cov_type="cluster", cluster="date", date=date, firm=firm)
    _, Vd = _manual(car, X, date)
    np.testing.assert_allclose(cl.se, np.sqrt(np.diag(Vd)))
    assert cl.df.iloc[0] == 11 and cl.clusters.iloc[0] == "12"


def test_two_way_cluster_is_cgm(cars):
    car, ch, date, firm = cars
    X = np.column_stack([np.ones(len(car)), ch["size"], (ch["sector"] == "energy"), (ch["sector"] == "tech")]).astype(float)
    both = car_regression(car, ch, cov_type="cluster", cluster="both", date=date, firm=firm)
    _, Vd = _manual(car, X, date)
    _, Vf = _manual(car, X, firm)
    _, Vi = _manual(car, X, date * 100 + firm)
    want = np.diag(Vd + Vf - Vi)
    np.testing.assert_allclose(both.se, np.sqrt(np.where(want > 0, want, np.nan)), equal_nan=True)
    assert both.df.iloc[0] == 11 and both.clusters.iloc[0] == "12 x 15"
    with pytest.raises(ValueError):
        car_regression(car, ch, cov_type="cluster", cluster="both", date=date)
    with pytest.raises(DataError):
        car_regression(car[:3], ch.iloc[:3])


def test_calendar_portfolio_by_hand():
    R = np.array([[0.0, 0.0], [0.01, 0.5], [0.02, 0.04], [0.3, 0.06], [0.0, 0.0]])
    pos, col = np.array([1, 2]), np.array([0, 1])
    W = event_weights(5, 2, pos, col, (0, 1))
    np.testing.assert_array_equal(W, [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]])
    rp, n = calendar_portfolio(R, pos, col, (0, 1))
    np.testing.assert_allclose(rp, [np.nan, 0.01, 0.03, 0.06, np.nan])
    np.testing.assert_array_equal(n, [0, 1, 2, 1, 0])
    r = calendar_time_alpha(rp, np.zeros((5, 0)), n_events=n)
    y = np.array([0.01, 0.03, 0.06])
    assert r.estimate == pytest.approx(y.mean())
    assert r.statistic == pytest.approx(y.mean() / (y.std(ddof=1) / math.sqrt(3)))
    assert r.distribution == "t(2)" and "1.3 events per bar" in r.note


def test_calendar_time_alpha_is_the_ols_intercept():
    rng = np.random.default_rng(5)
    m = rng.normal(0, 0.01, 300)
    rp = 0.001 + 1.2 * m + rng.normal(0, 0.004, 300)
    rp[:10] = np.nan
    r = calendar_time_alpha(rp, m[:, None])
    ref = sm.OLS(rp[10:], sm.add_constant(m[10:])).fit()
    assert r.estimate == pytest.approx(ref.params[0]) and r.statistic == pytest.approx(ref.tvalues[0])
    h = calendar_time_alpha(rp, m[:, None], hac_lags=5)
    refh = sm.OLS(rp[10:], sm.add_constant(m[10:])).fit(cov_type="HAC", cov_kwds={"maxlags": 5}, use_t=True)
    assert h.statistic == pytest.approx(refh.tvalues[0])


@pytest.mark.parametrize("method", ["holm", "bh"])
def test_adjustments_equal_statsmodels(method):
    from statsmodels.stats.multitest import multipletests

    from eventstudy.stats.multitest import METHODS

    rng = np.random.default_rng(8)
    for m in (1, 2, 7, 40):
        p = rng.uniform(0, 1, m) ** 3
        p[rng.random(m) < 0.2] = p[0]  # ties
        np.testing.assert_allclose(adjust_pvalues(p, method), multipletests(p, method=METHODS[method])[1])


def test_grank_rank_shortcut_equals_ranking_the_joint_vector():
    from scipy import stats as st

    rng = np.random.default_rng(0)
    e = rng.normal(size=(15, 60))
    e[2, 5] = np.nan
    s2 = np.nanvar(e, axis=1)
    scar = rng.normal(size=15)
    scar[4] = np.nan
    scar[6] = e[6, 3] / math.sqrt(s2[6]) * np.nanstd(np.delete(scar, 4), ddof=1)  # a tie with an estimation SAR
    ok = np.isfinite(scar)
    sar = e[ok] / np.sqrt(s2[ok])[:, None]
    star = scar[ok] / scar[ok].std(ddof=1)
    G = np.c_[sar, star]
    U = st.rankdata(G, axis=1, nan_policy="omit") / (np.isfinite(G).sum(1, keepdims=True) + 1) - 0.5
    Nt = np.isfinite(U).sum(0)
    Ub = np.nansum(U, 0) / Nt
    N, T = ok.sum(), G.shape[1]
    Z = Ub[-1] / math.sqrt(np.sum(Nt / N * Ub**2) / T)
    assert grank_t(e, s2, scar).statistic == pytest.approx(Z * math.sqrt((T - 2) / (T - 1 - Z * Z)))
