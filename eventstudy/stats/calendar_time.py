"""Calendar-time portfolio abnormal returns, for overlapping (long) event windows.

When event windows overlap in calendar time, the events' abnormal returns are
cross-correlated and the cross-sectional tests over-reject (Mitchell & Stafford 2000,
JB 73(3), section IV). The calendar-time approach (Jaffe 1974, JF 29(2); Mandelker 1974;
Fama 1998; Mitchell & Stafford 2000, eq. 3) forms, on every calendar bar t, the equally
weighted portfolio of the securities that are inside their event window [tau_1, tau_2] on t,

    R_pt = sum_e w_et R_{s(e),t} / sum_e w_et,   w_et = 1 if day 0 of event e + tau_1 <= t <= day 0 + tau_2

(an event counts once per bar: a security with two overlapping events weighs twice), keeps
the bars with at least ``min_events`` events, and regresses the portfolio on the benchmark
or factors:

    R_pt - RF_t = a + b' F_t + e_t           (market model: F = R_m, RF = 0)

The intercept a is the mean abnormal return per bar of the event portfolio; its OLS t (or a
Newey-West t with ``hac_lags``) tests H0: a = 0 with reference t(T - k). The portfolio's
changing composition makes e_t heteroskedastic (Mitchell & Stafford 2000 discuss WLS); the
HAC option covers it in large samples. Dependence across events is absorbed because each
bar is one observation, whatever the number of events on it.
"""

from __future__ import annotations

import math

import numpy as np

from .result import TestResult, nan_result, t_label


def event_weights(T: int, S: int, pos: np.ndarray, col: np.ndarray, window: tuple[int, int]) -> np.ndarray:
    """(T, S) count of events of each security inside their window on each bar (difference array)."""
    a, b = window
    lo = np.clip(np.asarray(pos) + a, 0, T)
    hi = np.clip(np.asarray(pos) + b + 1, 0, T)
    D = np.zeros((T + 1, S))
    np.add.at(D, (lo, col), 1.0)
    np.add.at(D, (hi, col), -1.0)
    return np.cumsum(D, axis=0)[:T]


def calendar_portfolio(R: np.ndarray, pos: np.ndarray, col: np.ndarray, window: tuple[int, int],
                       min_events: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Equally weighted event portfolio per bar: (R_p (T,), events on the bar (T,)); NaN below
    ``min_events``. ``R`` (T, S) returns on one calendar; ``pos``/``col`` each event's day-0
    row and security column; ``window`` (tau_1, tau_2) in bars."""
    T, S = R.shape
    Wt = event_weights(T, S, pos, col, window)
    have = np.isfinite(R)
    Wv = np.where(have, Wt, 0.0)
    n = Wv.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        rp = np.where(n >= max(min_events, 1), (Wv * np.where(have, R, 0.0)).sum(axis=1) / n, np.nan)
    return rp, n


def calendar_time_alpha(rp: np.ndarray, F: np.ndarray, rf: np.ndarray | None = None, *,
                        hac_lags: int | None = None, n_events: np.ndarray | None = None) -> TestResult:
    """Intercept of R_p - RF on the factors ``F`` (T, q) (module docstring); estimate = alpha per bar."""
    import statsmodels.api as sm  # imported when used: it takes seconds to import

    y = np.asarray(rp, float) - (0.0 if rf is None else np.asarray(rf, float))
    F = np.asarray(F, float).reshape(len(y), -1)
    ok = np.isfinite(y) & np.isfinite(F).all(axis=1)
    T, k = int(ok.sum()), F.shape[1] + 1
    if T <= k + 1:
        return nan_result(T, "t", note=f"needs more than {k + 1} portfolio bars, has {T}")
    X = np.column_stack([np.ones(T), F[ok]])
    if hac_lags:
        res = sm.OLS(y[ok], X).fit(cov_type="HAC", cov_kwds={"maxlags": int(hac_lags)}, use_t=True)
    else:
        res = sm.OLS(y[ok], X).fit()
    a, t = float(res.params[0]), float(res.tvalues[0])
    df = float(res.df_resid)
    avg = float(np.mean(n_events[ok])) if n_events is not None else math.nan
    note = (f"{T} portfolio bars, {avg:.1f} events per bar on average" if np.isfinite(avg) else f"{T} portfolio bars")
    if hac_lags:
        note += f"; Newey-West errors, {int(hac_lags)} lags"
    return TestResult(t, float(res.pvalues[0]), T, t_label(df), a, df, note=note)
