"""Per-security regression diagnostics of the normal-return model, with statsmodels.

For each studied security: alpha and beta with standard errors (OLS, or Newey-West HAC when
``newey_west_lags`` is given), R^2, residual autocorrelation (Durbin-Watson statistic and the
Ljung-Box p-value at 5 lags) and normality (Jarque-Bera p-value). These use the same
estimation arrays as the fast engine, so they also check it (alpha and sigma must agree).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

DRIFT_T = 2.58  # |t(alpha)| above which the estimation window's drift is flagged (1 % two-sided)


def model_diagnostics(groups, newey_west_lags: int | None = None) -> pd.DataFrame:
    """One row per (event, security) fitted by OLS: coefficients, errors, R^2 and residual tests.

    ``groups`` are the :class:`~eventstudy.stats.battery.GroupInput` of a run. Securities on a
    parameter-free model (market-adjusted) or with fewer than 10 bars get no regression row.
    """
    from statsmodels.regression.linear_model import OLS  # not statsmodels.api: its import is ~2x longer
    from statsmodels.stats.diagnostic import acorr_ljungbox
    from statsmodels.stats.stattools import durbin_watson, jarque_bera

    rows = []
    for g in groups:
        est, meta = g.est, g.meta.reset_index(drop=True)
        for k in range(len(meta)):
            if est.status[k] != "ok" or est.coef.shape[1] == 0:
                continue
            y = est.r_est[k]
            X = g.model.design(est.f_est[k: k + 1])[0]
            ok = np.isfinite(y) & np.isfinite(X).all(axis=1)
            if ok.sum() < 10:
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = OLS(y[ok], X[ok])
                fit = model.fit(cov_type="HAC", cov_kwds={"maxlags": newey_west_lags}) if newey_west_lags else model.fit()
                resid = fit.resid
                lb = acorr_ljungbox(resid, lags=[min(5, len(resid) // 5)], return_df=True)["lb_pvalue"].iloc[0]
                jb_p = jarque_bera(resid)[1]
            params, bse, tvals = np.asarray(fit.params), np.asarray(fit.bse), np.asarray(fit.tvalues)
            rows.append({
                "event": meta.loc[k, "event"], "ticker": meta.loc[k, "ticker"], "group": g.name, "model": est.model[k],
                "n": int(fit.nobs), "alpha": params[0], "alpha_se": bse[0], "alpha_t": tvals[0],
                "beta": params[1] if len(params) > 1 else math.nan, "beta_se": bse[1] if len(params) > 1 else math.nan,
                "r2": fit.rsquared if X.shape[1] > 1 else math.nan, "sigma": math.sqrt(fit.scale),
                "durbin_watson": float(durbin_watson(resid)), "ljung_box_p": float(lb), "jarque_bera_p": float(jb_p),
                "errors": f"Newey-West HAC ({newey_west_lags} lags)" if newey_west_lags else "OLS",
            })
    return pd.DataFrame(rows)


def drift_warnings(diag: pd.DataFrame, event_bars: int) -> list[dict]:
    """Flag securities whose estimation window has a significant drift (alpha) that the model
    extrapolates into the event window as "normal" return."""
    out = []
    for r in diag.itertuples():
        if abs(r.alpha_t) > DRIFT_T:
            out.append({"ticker": r.ticker, "check": "estimation-window drift",
                        "message": f"alpha = {100 * r.alpha:+.2f}% per bar (t = {r.alpha_t:.1f}): the model expects "
                                   f"{100 * r.alpha * event_bars:+.1f}% over the {event_bars}-bar event window from "
                                   "drift alone",
                        "action": "kept; consider model = \"market_adjusted\" for this group"})
    return out
