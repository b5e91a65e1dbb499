"""Abnormal return volatility: squared abnormal returns relative to the estimation variance.

Measure (Beaver 1968's U statistic, standardised as in Patell & Wolfson 1979): for event i
on event bar tau,

    U_i,tau = AR_i,tau^2 / Var(AR_i,tau)

with Var(AR) the engine's (estimation-window sigma^2 with the prediction-error term,
MacKinlay 1997, eq. 4.14). Under H0 (no change in variance) and normal residuals
AR / sqrt(Var) ~ t(df_i), so E[U] = df_i / (df_i - 2); the *abnormal* volatility is

    AV_i,tau = U_i,tau - df_i / (df_i - 2)                 (0 under H0)

and over a window of L2 bars its mean, AV_i = mean_tau U_i,tau - df_i / (df_i - 2).

Tests across events:

* :func:`volatility_t`: cross-sectional t of AV_i (t(N - 1), two-sided). Its variance comes from
  the cross-section, so it needs no normality of U, but U is heavily right-skewed (a chi-square
  like variable): with few events the t is unreliable (simulation);
* :func:`volatility_rank`: Corrado (1989) rank test on |AR| / sqrt(Var) (ranking squares or
  absolute values is the same), each event ranked over its estimation + event bars with the
  Corrado & Zivney (1992) 1/(M+1) scaling: the same machinery as ``corrado_rank``. It is the
  recommended one (distribution free, robust to the skewness of U).

R EventStudy's VolatilityModel uses the raw return instead: r_tau^2 / var(r_est) - 1 (see
:mod:`eventstudy.stats.eventstudy_r`).
"""

from __future__ import annotations

import numpy as np

from .nonparametric import corrado_rank, normalised_ranks, rank_day_series
from .parametric import cross_sectional_t
from .result import TestResult


def squared_standardised(ar: np.ndarray, var_ar: np.ndarray) -> np.ndarray:
    """U = AR^2 / Var(AR), elementwise (NaN where either is missing or Var <= 0)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(var_ar > 0, ar**2 / var_ar, np.nan)


def abnormal_volatility(ar: np.ndarray, var_ar: np.ndarray, df: np.ndarray, windows: np.ndarray) -> np.ndarray:
    """AV per event and window (K, C): mean over the window's bars of U minus df / (df - 2).

    ``windows`` (C, 2) inclusive positions in the event window; NaN if a bar is missing or df <= 2.
    """
    U = squared_standardised(ar, var_ar)
    df = np.asarray(df, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        centre = np.where(df > 2, df / (df - 2.0), np.nan)
    out = np.empty((U.shape[0], len(windows)))
    for c, (a, b) in enumerate(windows):
        out[:, c] = U[:, a : b + 1].mean(axis=1) - centre  # NaN if any bar is missing
    return out


def volatility_t(av: np.ndarray) -> TestResult:
    """Cross-sectional t of the abnormal volatility AV_i (see the module docstring)."""
    return cross_sectional_t(av)


def volatility_rank(resid_est: np.ndarray, sigma2: np.ndarray, ar: np.ndarray, var_ar: np.ndarray,
                    window: slice) -> TestResult:
    """Corrado rank test on |standardised AR| over estimation + event bars (module docstring).

    ``resid_est`` (K, Le) estimation residuals, standardised by sqrt(sigma2); ``ar``/``var_ar``
    (K, W); ``window`` a slice of the concatenated bars (estimation first) for the day/window.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        s_est = np.abs(resid_est) / np.sqrt(sigma2)[:, None]
        s_evt = np.abs(ar) / np.sqrt(var_ar)
    D = rank_day_series(normalised_ranks(np.concatenate([s_est, s_evt], axis=1)))
    res = corrado_rank(D, window, int(np.isfinite(ar).any(axis=1).sum()))
    return res
