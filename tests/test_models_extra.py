"""The extra normal-return models: rolling window, Scholes-Williams, GARCH(1,1), factor presets."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from eventstudy.errors import DataError, StudyFileError
from eventstudy.estimation.engine import Windows
from eventstudy.estimation.factor_presets import read_factor_preset
from eventstudy.estimation.garch import GarchMarketModel, estimate_garch_events, fit_garch_one, variance_forecast
from eventstudy.estimation.models import MarketModel
from eventstudy.estimation.rolling import RollingMarketModel, rolling_coefficients
from eventstudy.estimation.scholes_williams import ScholesWilliams, scholes_williams_beta


# --- rolling --------------------------------------------------------------------------------------

def test_rolling_coefficients_match_a_loop_of_ols():
    rng = np.random.default_rng(1)
    m = rng.normal(0, 0.01, (2, 40))
    r = 0.001 + 1.3 * m + rng.normal(0, 0.005, (2, 40))
    r[1, 7] = np.nan
    a, b, s2 = rolling_coefficients(r, m, 10)
    for k in range(2):
        for t in (9, 20, 39):
            sl = slice(t - 9, t + 1)
            ok = np.isfinite(r[k, sl])
            X = np.c_[np.ones(ok.sum()), m[k, sl][ok]]
            coef, ssr, *_ = np.linalg.lstsq(X, r[k, sl][ok], rcond=None)
            assert (a[k, t], b[k, t]) == pytest.approx(tuple(coef))
            assert s2[k, t] == pytest.approx(ssr[0] / (ok.sum() - 2))
    assert np.isnan(a[0, :2]).all()  # fewer than 3 bars


def test_rolling_model_with_a_long_window_is_the_market_model():
    rng = np.random.default_rng(2)
    m = rng.normal(0, 0.01, (3, 50, 1))
    r = 0.002 + 0.8 * m[..., 0] + rng.normal(0, 0.004, (3, 50))
    a = RollingMarketModel(window=500).fit(r, m)
    b = MarketModel().fit(r, m)
    np.testing.assert_allclose(a.coef, b.coef)
    np.testing.assert_allclose(a.sigma2, b.sigma2)
    with pytest.raises(ValueError):
        RollingMarketModel(window=2)


# --- Scholes-Williams -----------------------------------------------------------------------------

def test_scholes_williams_by_the_formula():
    m = np.array([[0.01, -0.02, 0.015, 0.0, -0.01, 0.02, 0.005]])
    r = np.array([[0.02, -0.01, 0.01, 0.005, -0.02, 0.015, 0.0]])
    alpha, beta, n = scholes_williams_beta(r, m)
    t = np.arange(1, 6)  # bars with a lag and a lead
    slope = lambda x, y: np.polyfit(x, y, 1)[0]  # noqa: E731
    bm, b0, bp = slope(m[0, t - 1], r[0, t]), slope(m[0, t], r[0, t]), slope(m[0, t + 1], r[0, t])
    rho = np.corrcoef(m[0, t], m[0, t - 1])[0, 1]
    want = (bm + b0 + bp) / (1 + 2 * rho)
    assert beta[0] == pytest.approx(want) and n[0] == 5
    assert alpha[0] == pytest.approx(r[0, t].mean() - want * m[0, t].mean())


def test_scholes_williams_undoes_the_thin_trading_bias():
    """A stock that trades on 80 % of the days (true beta 1): OLS beta is about p = 0.8; SW's picks up
    what reaches the price within one bar, 1 - (1 - p)^2 = 0.96 (SW assume at most one stale bar)."""
    rng = np.random.default_rng(5)
    L = 4000
    m = rng.normal(0, 0.01, L)
    true = m + rng.normal(0, 0.005, L)
    traded = rng.random(L) < 0.8
    traded[-1] = True
    r = np.zeros(L)
    acc = 0.0
    for t in range(L):  # returns accumulate until the next trade (a test helper, not library code)
        acc += true[t]
        if traded[t]:
            r[t], acc = acc, 0.0
    ols = MarketModel().fit(r[None], m[None, :, None]).coef[0, 1]
    sw = ScholesWilliams().fit(r[None], m[None, :, None]).coef[0, 1]
    assert ols < 0.85 and abs(sw - 0.96) < 0.03


# --- GARCH ----------------------------------------------------------------------------------------

def _garch_series(n, seed, omega=2e-6, a=0.08, g=0.9, mu=0.0005, b=1.1):
    rng = np.random.default_rng(seed)
    m = rng.normal(0, 0.01, n)
    h = np.empty(n)
    e = np.empty(n)
    h[0] = omega / (1 - a - g)
    for t in range(n):
        if t:
            h[t] = omega + a * e[t - 1] ** 2 + g * h[t - 1]
        e[t] = math.sqrt(h[t]) * rng.normal()
    return mu + b * m + e, m


def test_garch_recovers_its_parameters_and_the_ar_identity():
    r, m = _garch_series(3000, 7)
    model = GarchMarketModel()
    fit = model.fit(r[None], m[None, :, None])
    assert fit.converged[0]
    assert fit.coef[0, 1] == pytest.approx(1.1, abs=0.05)
    assert fit.alpha[0] + fit.beta_g[0] == pytest.approx(0.98, abs=0.03)
    r_evt, m_evt = np.array([[0.01, -0.02]]), np.array([[[0.005], [0.0]]])
    exp, ar = model.abnormal(fit, r_evt, m_evt)
    np.testing.assert_allclose(ar, r_evt - (fit.coef[0, 0] + fit.coef[0, 1] * m_evt[..., 0]), atol=1e-15)


def test_garch_variance_forecast_matches_arch():
    r, m = _garch_series(600, 8)
    fit = GarchMarketModel().fit(r[None], m[None, :, None])
    res = fit_garch_one(r * 100, m * 100)
    H = 6
    want = res.forecast(horizon=H, x={"x0": np.zeros((1, H))}, reindex=False).variance.to_numpy()[0] / 1e4
    np.testing.assert_allclose(variance_forecast(fit, np.arange(1, H + 1))[0], want, rtol=1e-8)
    with pytest.raises(ValueError):
        variance_forecast(fit, np.array([0]))


def test_garch_events_use_the_forecasts_and_fall_back_with_a_reason():
    r, m = _garch_series(400, 9)
    win = Windows((-150, -11), (-5, 5), ((0, 0), (-1, 1)))
    pos = np.array([200, 300, 380])
    est_off, evt_off = win.est_offsets, win.evt_offsets
    R, M = r[:, None], m[:, None]
    gat = lambda X, off: X[pos[:, None] + off[None, :], 0]  # noqa: E731
    r_est = gat(R, est_off)
    r_est[2, :130] = np.nan  # too few bars: falls back
    est, fit = estimate_garch_events(r_est, gat(M, est_off)[..., None], gat(R, evt_off), gat(M, evt_off)[..., None],
                                     win, min_estimation=30)
    assert list(est.status) == ["ok", "ok", "fallback"]
    h = variance_forecast(fit, evt_off - win.estimation[1])
    np.testing.assert_allclose(est.var_ar[:2], h[:2])
    j0 = 5  # day 0 in the event window
    np.testing.assert_allclose(est.var_car[:2, 1], h[:2, j0 - 1 : j0 + 2].sum(axis=1))
    np.testing.assert_allclose(est.var_car_path[:2, j0], h[:2, j0])  # path anchored at day -1
    np.testing.assert_allclose(est.var_car_path[:2, 0], h[:2, 1:j0].sum(axis=1))
    assert "fewer than min_estimation" in est.reason[2]
    assert np.isfinite(est.var_ar[2]).all()  # the market-adjusted fallback's variances


# --- factor presets -------------------------------------------------------------------------------

def _write(tmp_path, text, name="ff.csv"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_preset_reads_aliases_and_kenneth_french_dates(tmp_path):
    p = _write(tmp_path, ",MKT_RF,smb,HML,Mom   ,RF,extra\n20240102,0.01,0.002,-0.001,0.003,0.0002,9\n"
                         "20240103,-0.02,0.001,0.002,-0.001,0.0002,9\n")
    ff = read_factor_preset(p, "carhart", units="fraction")
    assert list(ff.frame.columns) == ["Mkt-RF", "SMB", "HML", "MOM", "RF"]
    assert ff.columns["Mkt-RF"] == "MKT_RF" and ff.columns["MOM"] == "Mom"
    assert ff.frame.index[0] == pd.Timestamp("2024-01-02")
    assert "extra" in ff.notes[0]


def test_preset_missing_factor_says_which_and_suggests(tmp_path):
    p = _write(tmp_path, "date,Mkt-RF,SMB,HMLx\n2024-01-02,0.01,0.0,0.0\n")
    with pytest.raises(DataError, match=r"HML not found.*did you mean 'HMLx'"):
        read_factor_preset(p, "ff3")
    with pytest.raises(StudyFileError, match="did you mean 'ff5'"):
        read_factor_preset(p, "ff55")


def test_preset_percent_files_are_detected(tmp_path):
    rows = "\n".join(f"2024-01-{d:02d},{v},{-v / 2},{v / 3},0.02" for d, v in zip(range(2, 12), [0.5, -1.2, 0.8, 0.3,
                                                                                                     -0.6, 1.1, -0.4, 0.9,
                                                                                                     -0.2, 0.7]))
    p = _write(tmp_path, "date,Mkt-RF,SMB,HML,RF\n" + rows + "\n")
    ff = read_factor_preset(p, "ff3")
    assert ff.frame["Mkt-RF"].iloc[0] == pytest.approx(0.005) and ff.frame["RF"].iloc[0] == pytest.approx(0.0002)
    assert "divided by 100" in ff.notes[-1]
    with pytest.raises(DataError, match="look like percent"):
        read_factor_preset(p, "ff3", units="fraction")
    small = _write(tmp_path, "date,Mkt-RF,SMB,HML\n2024-01-02,0.005,0.001,0.0\n2024-01-03,-0.01,0.0,0.002\n", "f.csv")
    with pytest.raises(DataError, match="look like fractions"):
        read_factor_preset(small, "ff3", units="percent")


@pytest.mark.parametrize("model", [RollingMarketModel(window=30), ScholesWilliams(), GarchMarketModel()])
def test_the_panel_engine_takes_the_gathering_path_for_models_that_are_not_whole_window_ols(model):
    from eventstudy.estimation.engine import estimate_events, estimate_panel, gather, gather_columns

    r, m = _garch_series(300, 12)
    R = np.column_stack([r, m])
    win = Windows((-120, -11), (-5, 5), ((0, 0), (-1, 1)))
    pos, col, fcol = np.array([150, 200, 280]), np.array([0, 0, 0]), np.array([[1], [1], [1]])
    got = estimate_panel(R, R, pos, col, fcol, model, win)
    est_off, evt_off = win.est_offsets, win.evt_offsets
    args = (gather(R, pos, col, est_off), gather_columns(R, pos, fcol, est_off), gather(R, pos, col, evt_off),
            gather_columns(R, pos, fcol, evt_off))
    if isinstance(model, GarchMarketModel):
        want, _ = estimate_garch_events(*args, win)
    else:
        want = estimate_events(*args, model, win)
    np.testing.assert_allclose(got.ar, want.ar)
    np.testing.assert_allclose(got.var_car, want.var_car)
    assert (got.model == model.name).all()
