"""Parametric tests across securities/events (textbook conventions).

Notation: N events with a usable value on the day/window; AR_i an abnormal return (fraction) on
one event day, CAR_i over a window of L2 bars; SAR_i = AR_i / s(AR_i) and SCAR_i = CAR_i / s(CAR_i)
standardised by their estimation-based standard errors *including the prediction-error term*
(MacKinlay 1997, eq. 4.14-4.15); df_i = the estimation window's residual degrees of freedom.
All p-values are two-sided.
"""

from __future__ import annotations

import math

import numpy as np

from .result import TestResult, nan_result, p_normal, p_student, t_label


def _finite(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    return x[np.isfinite(x)]


def cross_sectional_t(x: np.ndarray) -> TestResult:
    """Cross-sectional t test of the mean AR (or CAR) (Brown & Warner 1985, sect. 3.1; MacKinlay 1997).

    t = mean(x) / (sd(x) / sqrt(N)), sd with divisor N - 1; reference t(N - 1). Robust to
    event-induced variance, not to cross-correlation of the events.
    """
    return cross_sectional_t_from(*_moments(x))


def _moments(x: np.ndarray) -> tuple[int, float, float]:
    """(N, mean, sum of squared deviations) of the finite values (numpy's own mean and std steps)."""
    x = _finite(x)
    if not len(x):
        return 0, math.nan, math.nan
    mean = x.mean()
    d = x - mean
    return len(x), mean, np.sum(d * d)


def cross_sectional_t_from(n: int, mean: float, m2: float) -> TestResult:
    """:func:`cross_sectional_t` from the reducible summary (N, mean, sum of squared deviations)."""
    if n < 2:
        return nan_result(n, "t(N-1)", mean if n else math.nan, "needs N >= 2")
    sd = math.sqrt(m2 / (n - 1))
    t = mean / (sd / math.sqrt(n)) if sd > 0 else math.nan
    return TestResult(t, p_student(t, n - 1), n, t_label(n - 1), mean, n - 1)


def patell_z(sx: np.ndarray, df: np.ndarray) -> TestResult:
    """Patell (1976) Z: the sum of standardised ARs (or CARs) over its null standard deviation.

    Z = sum_i SAR_i / sqrt(sum_i df_i / (df_i - 2)); df_i / (df_i - 2) is the variance of a
    Student-t(df_i) variable, i.e. (L_i - 2) / (L_i - 4) for the market model with L_i
    estimation bars. Reference N(0,1). For a CAR the standardised CAR (SCAR) is used (Campbell,
    Lo & MacKinlay 1997, J2 statistic). Events with df_i <= 2 are left out.
    """
    return patell_z_from(*patell_sums(sx, df))


def patell_sums(sx: np.ndarray, df: np.ndarray) -> tuple[int, float, float]:
    """(N, sum of SAR, sum of df / (df - 2)) over the events with a value and df > 2."""
    sx, df = np.asarray(sx, float), np.asarray(df, float)
    ok = np.isfinite(sx) & np.isfinite(df) & (df > 2)
    n = int(ok.sum())
    if n < 1:
        return 0, 0.0, 0.0
    return n, sx[ok].sum(), np.sum(df[ok] / (df[ok] - 2))


def patell_z_from(n: int, s: float, v: float) -> TestResult:
    """:func:`patell_z` from the reducible sums (N, sum of SAR, sum of df / (df - 2))."""
    if n < 1:
        return nan_result(n, "N(0,1)", note="needs standardised values with df > 2")
    z = s / math.sqrt(v)
    return TestResult(z, p_normal(z), n, "N(0,1)", s / n)


def bmp_t(sx: np.ndarray) -> TestResult:
    """Standardised cross-sectional test (Boehmer, Musumeci & Poulsen 1991, "BMP").

    t = mean(SAR) / (sd(SAR) / sqrt(N)), sd with divisor N - 1; reference t(N - 1). Robust to
    event-induced variance changes; assumes independent events.
    """
    return bmp_t_from(*_moments(sx))


def bmp_t_from(n: int, mean: float, m2: float) -> TestResult:
    """:func:`bmp_t` from the reducible summary (N, mean, sum of squared deviations) of the SARs."""
    if n < 2:
        return nan_result(n, "t(N-1)", note="needs N >= 2 standardised values")
    sd = math.sqrt(m2 / (n - 1))
    t = mean / (sd / math.sqrt(n)) if sd > 0 else math.nan
    return TestResult(t, p_student(t, n - 1), n, t_label(n - 1), mean, n - 1)


def kolari_pynnonen_factor(rbar: float, n: int, kind: str) -> float:
    """Variance correction for cross-correlated events (Kolari & Pynnönen 2010, RFS 23(11), sect. 2).

    ``kind = "bmp"``: sqrt((1 - rbar) / (1 + (N - 1) rbar)); ``kind = "patell"``:
    sqrt(1 / (1 + (N - 1) rbar)). ``rbar`` is the average pairwise correlation of the events'
    estimation-window residuals (diagonal excluded).
    """
    denom = 1.0 + (n - 1) * rbar
    if denom <= 0 or not np.isfinite(rbar):
        return math.nan
    return math.sqrt((1.0 - rbar) / denom) if kind == "bmp" else math.sqrt(1.0 / denom)


def kp_adjusted(result: TestResult, rbar: float, kind: str) -> TestResult:
    """Kolari & Pynnönen (2010) adjustment of a BMP t (``kind="bmp"``) or Patell Z (``"patell"``)."""
    f = kolari_pynnonen_factor(rbar, result.n, kind)
    stat = result.statistic * f
    if kind == "bmp":
        p = p_student(stat, result.df)
    else:
        p = p_normal(stat)
    return TestResult(stat, p, result.n, result.distribution, result.estimate, result.df,
                      note=f"r\u0304 = {rbar:.3f} (mean cross-correlation of estimation residuals), factor {f:.3f}")


def brown_warner_t(aar_est: np.ndarray, value: float, length: int, n_events: int | None = None) -> TestResult:
    """Time-series ("crude dependence adjustment") t test (Brown & Warner 1980, 1985).

    S = sd of the average abnormal return AAR_tau over the estimation window (divisor T - 1, T
    the estimation bars with a value); t = AAR_0 / S for a day, CAAR / (sqrt(L2) S) for a window
    of L2 bars; reference t(T - 1). Because S comes from the time series of the *portfolio* AAR,
    it carries the cross-correlation of events that share dates.
    """
    a = _finite(aar_est)
    T = len(a)
    n = T if n_events is None else n_events
    if T < 3 or not np.isfinite(value):
        return nan_result(n, "t(T-1)", value, "needs estimation-window AARs")
    s = a.std(ddof=1)
    t = value / (math.sqrt(length) * s) if s > 0 else math.nan
    return TestResult(t, p_student(t, T - 1), n, t_label(T - 1), value, T - 1,
                      note=f"S(AAR) from the AARs of {T} estimation bars")
