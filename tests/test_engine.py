"""The engine against statsmodels OLS and against explicit matrix formulas (MacKinlay 1997)."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from eventstudy.estimation.engine import Windows, estimate_events, gather
from eventstudy.estimation.models import ConstantMean, MarketAdjusted, MarketModel

WIN = Windows(estimation=(-30, -6), event=(-2, 3), cars=((0, 0), (0, 1), (-2, 3)))


def _sim(K=5, seed=0):
    rng = np.random.default_rng(seed)
    Le, W = 25, 6
    m_est, m_evt = rng.normal(0, 0.01, (K, Le)), rng.normal(0, 0.01, (K, W))
    beta = rng.uniform(0.5, 1.5, K)[:, None]
    r_est = 0.001 + beta * m_est + rng.normal(0, 0.02, (K, Le))
    r_evt = 0.001 + beta * m_evt + rng.normal(0, 0.02, (K, W))
    return r_est, m_est[..., None], r_evt, m_evt[..., None]


def test_market_model_matches_statsmodels_including_prediction_error():
    r_est, f_est, r_evt, f_evt = _sim()
    r_est[1, :4] = np.nan  # a missing stretch is left out of the fit
    est = estimate_events(r_est, f_est, r_evt, f_evt, MarketModel(), WIN, min_estimation=10)
    for k in range(r_est.shape[0]):
        ok = ~np.isnan(r_est[k])
        X = sm.add_constant(f_est[k, ok, 0])
        fit = sm.OLS(r_est[k, ok], X).fit()
        assert est.coef[k] == pytest.approx(fit.params, rel=1e-10)
        assert est.sigma2[k] == pytest.approx(fit.scale, rel=1e-10)  # SSR / (n - 2)
        assert est.n[k] == ok.sum()
        Xe = sm.add_constant(f_evt[k, :, 0], has_constant="add")
        pred = fit.get_prediction(Xe)
        # Var(AR) = sigma^2 + Var(x' b_hat): statsmodels' prediction variance of a new observation
        var_obs = pred.se_mean**2 + fit.scale
        assert est.var_ar[k] == pytest.approx(var_obs, rel=1e-9)
        assert est.ar[k] == pytest.approx(r_evt[k] - pred.predicted_mean, rel=1e-9, abs=1e-15)


def test_car_variance_is_gamma_v_gamma():
    """Var(CAR) = gamma' V gamma with V = sigma^2 (I + X* (X'X)^-1 X*') (MacKinlay 1997, eq. 4.15)."""
    r_est, f_est, r_evt, f_evt = _sim(K=2, seed=3)
    est = estimate_events(r_est, f_est, r_evt, f_evt, MarketModel(), WIN, min_estimation=10)
    for k in range(2):
        X = np.column_stack([np.ones(25), f_est[k, :, 0]])
        Xs = np.column_stack([np.ones(6), f_evt[k, :, 0]])
        V = est.sigma2[k] * (np.eye(6) + Xs @ np.linalg.inv(X.T @ X) @ Xs.T)
        for c, (a, b) in enumerate(WIN.cars):
            gamma = np.zeros(6)
            gamma[a - WIN.event[0]: b - WIN.event[0] + 1] = 1
            assert est.var_car[k, c] == pytest.approx(gamma @ V @ gamma, rel=1e-10)
            assert est.car[k, c] == pytest.approx(gamma @ est.ar[k], rel=1e-12)
        # The CAR path is anchored at day -1 (index 1 here): after it, CAR[0, t]; before it,
        # minus the CAR from the next bar to day -1. Its variance is gamma' V gamma as well.
        rel = np.arange(WIN.event[0], WIN.event[1] + 1)
        for j, t in enumerate(rel):
            gamma = ((rel >= 0) & (rel <= t)).astype(float) if t >= 0 else -((rel > t) & (rel <= -1)).astype(float)
            assert est.car_path[k, j] == pytest.approx(gamma @ est.ar[k], abs=1e-15)
            assert est.var_car_path[k, j] == pytest.approx(gamma @ V @ gamma, rel=1e-10, abs=1e-18)
        assert est.car_path[k, 1] == 0.0 and est.car_path[k, -1] == pytest.approx(est.ar[k, 2:].sum())


def test_hand_computed_constant_mean_case():
    r_est = np.array([[0.01, 0.03, 0.02, 0.00]])
    r_evt = np.array([[0.05, 0.02]])
    win = Windows((-5, -2), (0, 1), ((0, 1),))
    est = estimate_events(r_est, np.zeros((1, 4, 0)), r_evt, np.zeros((1, 2, 0)), ConstantMean(), win, min_estimation=3)
    # mean 0.015; SSR = 0.000025*2 + 0.000225 + 0.000025 = 0.0005 -> sigma^2 = 0.0005/3
    s2 = 0.0005 / 3
    assert est.sigma2[0] == pytest.approx(s2)
    assert est.ar[0] == pytest.approx([0.035, 0.005])
    assert est.var_ar[0] == pytest.approx([s2 * (1 + 1 / 4)] * 2)        # 1 + 1/n
    assert est.var_car[0, 0] == pytest.approx(s2 * (2 + 4 / 4))            # L2 + L2^2/n


def test_short_window_falls_back_to_market_adjusted_and_flags_it():
    r_est, f_est, r_evt, f_evt = _sim(K=3, seed=1)
    r_est[2, :20] = np.nan  # only 5 valid bars
    est = estimate_events(r_est, f_est, r_evt, f_evt, MarketModel(), WIN, min_estimation=10)
    assert list(est.status) == ["ok", "ok", "fallback"]
    assert est.model[2] == "market_adjusted" and "fewer than min_estimation = 10" in est.reason[2]
    assert est.ar[2] == pytest.approx(r_evt[2] - f_evt[2, :, 0])
    dropped = estimate_events(r_est, f_est, r_evt, f_evt, MarketModel(), WIN, min_estimation=10,
                              short_estimation="drop")
    assert dropped.status[2] == "dropped" and np.isnan(dropped.car[2]).all()


def test_market_adjusted_variance_is_sample_variance():
    r_est, f_est, r_evt, f_evt = _sim(K=1, seed=2)
    est = estimate_events(r_est, f_est, r_evt, f_evt, MarketAdjusted(), WIN, min_estimation=10)
    d = r_est[0] - f_est[0, :, 0]
    assert est.sigma2[0] == pytest.approx(d.var(ddof=1))
    assert est.var_car[0, 1] == pytest.approx(2 * d.var(ddof=1))  # no prediction-error term


def test_missing_event_bar_voids_only_the_windows_that_contain_it():
    r_est, f_est, r_evt, f_evt = _sim(K=1, seed=4)
    r_evt[0, 0] = np.nan  # rel day -2
    est = estimate_events(r_est, f_est, r_evt, f_evt, MarketModel(), WIN, min_estimation=10)
    assert np.isfinite(est.car[0, 0]) and np.isfinite(est.car[0, 1]) and np.isnan(est.car[0, 2])
    # the path from day -1 back to day -2 needs AR(-1) only; back to -2's own bar it is fine,
    # and everything after day -1 is unaffected by the missing bar at day -2
    assert np.isfinite(est.car_path[0, 0]) and (np.isfinite(est.car_path[0, 1:])).all()
    r_evt[0, 1] = np.nan  # now day -1 is missing: the path before day -1 is lost
    est = estimate_events(r_est, f_est, r_evt, f_evt, MarketModel(), WIN, min_estimation=10)
    assert np.isnan(est.car_path[0, 0]) and est.car_path[0, 1] == 0.0 and np.isfinite(est.car_path[0, 2:]).all()


def test_gather_pads_with_nan_outside():
    m = np.arange(10.0).reshape(5, 2)
    out = gather(m, np.array([0, 4]), np.array([1, 0]), np.array([-1, 0, 1]))
    assert np.isnan(out[0, 0]) and out[0, 1] == 1.0 and out[0, 2] == 3.0
    assert out[1, 0] == 6.0 and out[1, 1] == 8.0 and np.isnan(out[1, 2])


def test_panel_path_equals_array_path():
    """The prefix-sum fast path gives the same numbers as the gathering path (with gaps and a young security)."""
    from eventstudy.estimation.engine import estimate_panel

    rng = np.random.default_rng(5)
    T, S = 400, 6
    m = rng.normal(0.0005, 0.01, T)
    R = 0.001 + m[:, None] * rng.uniform(0.5, 1.5, S) + rng.normal(0, 0.02, (T, S))
    R[:345, 5] = np.nan           # a young security: falls back to market-adjusted
    R[100:110, 2] = np.nan        # a gap inside estimation windows
    F = m[:, None]
    win = Windows((-120, -11), (-5, 5), ((0, 0), (-1, 1), (-5, 5)))
    pos = np.array([200, 250, 300, 390, 340, 380, 125])
    col = np.array([0, 1, 2, 3, 4, 5, 0])
    fcol = np.zeros((7, 1), dtype=int)
    fast = estimate_panel(R, F, pos, col, fcol, MarketModel(), win, min_estimation=30)
    slow = estimate_events(gather(R, pos, col, win.est_offsets), gather(F, pos, fcol[:, 0], win.est_offsets)[..., None],
                           gather(R, pos, col, win.evt_offsets), gather(F, pos, fcol[:, 0], win.evt_offsets)[..., None],
                           MarketModel(), win, min_estimation=30)
    assert list(fast.status) == list(slow.status) and "fallback" in set(fast.status)
    for name in ("coef", "sigma2", "n", "ar", "var_ar", "car", "var_car", "car_path", "var_car_path", "resid_est"):
        np.testing.assert_allclose(getattr(fast, name), getattr(slow, name), rtol=1e-9, atol=1e-15, err_msg=name)


def test_diagnostics_with_newey_west_errors(stargate_results):
    from eventstudy.stats.diagnostics import model_diagnostics

    ols = stargate_results.diagnostics.set_index("ticker")
    hac = model_diagnostics(stargate_results.extras["groups"], newey_west_lags=5).set_index("ticker")
    assert hac.loc["ORCL", "errors"] == "Newey-West HAC (5 lags)"
    assert hac.loc["ORCL", "alpha"] == pytest.approx(ols.loc["ORCL", "alpha"])          # same fit
    assert hac.loc["ORCL", "alpha_se"] != pytest.approx(ols.loc["ORCL", "alpha_se"])    # other errors
    sec = stargate_results.securities.set_index("ticker")
    assert ols.loc["NVDA", "alpha"] == pytest.approx(sec.loc["NVDA", "alpha"], rel=1e-9)  # checks the fast path
    assert ols.loc["NVDA", "sigma"] == pytest.approx(sec.loc["NVDA", "sigma"], rel=1e-9)


def test_market_adjusted_panel_path_equals_array_path():
    from eventstudy.estimation.engine import estimate_panel, gather_columns

    rng = np.random.default_rng(0)
    R = rng.normal(0, 0.02, (400, 6))
    R[:50, 2] = np.nan   # a late listing: short windows, flagged "short"
    R[100:103, 3] = np.nan
    F = rng.normal(0, 0.01, (400, 2))
    win = Windows((-120, -11), (-5, 5), ((0, 0), (-1, 1)))
    K = 300
    pos, col, fcol = rng.integers(20, 394, K), rng.integers(0, 6, K), rng.integers(0, 2, (K, 1))
    fast = estimate_panel(R, F, pos, col, fcol, MarketAdjusted(), win, min_estimation=30)
    eo, vo = win.est_offsets, win.evt_offsets
    slow = estimate_events(gather(R, pos, col, eo), gather_columns(F, pos, fcol, eo), gather(R, pos, col, vo),
                           gather_columns(F, pos, fcol, vo), MarketAdjusted(), win, min_estimation=30)
    for name in ("n", "df", "sigma2", "ar", "var_ar", "car", "var_car", "car_path", "var_car_path"):
        np.testing.assert_allclose(getattr(fast, name), getattr(slow, name), rtol=1e-10, atol=1e-16, err_msg=name)
    assert (fast.status == slow.status).all() and (fast.status == "short").any()
    assert list(fast.reason) == list(slow.reason)
    np.testing.assert_allclose(fast.resid_est, slow.resid_est, rtol=1e-12)
