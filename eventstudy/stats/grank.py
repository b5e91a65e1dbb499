"""Generalized rank test GRANK (Kolari & Pynnönen 2011).

Kolari & Pynnönen (2011, "Nonparametric rank tests for event studies", JEF 18(5), 953-971)
extend Corrado's rank test to CAR windows and make it robust to event-induced volatility
and (largely) to cross-correlation. For event i with estimation bars t = 1..L1 and a CAR
window [tau_1, tau_2] (a single day is the window [tau, tau]):

1. SAR_it = AR_it / S_i on the estimation bars, S_i the estimation residual sd (eq. 3);
   SCAR_i = CAR_i / S_CAR_i, S_CAR_i the sd of the CAR with the prediction-error term (eq. 4);
2. re-standardise the SCARs by their cross-sectional sd: SCAR*_i = SCAR_i / S_SCAR,
   S_SCAR^2 = sum (SCAR_i - mean)^2 / (N - 1) (eq. 5; this is what absorbs event-induced
   volatility);
3. the generalized SARs: GSAR_it = SCAR*_i at the cumulated event "day" t = 0, SAR_it on the
   estimation bars (eq. 6);
4. demeaned standardised ranks U_it = rank(GSAR_it) / (T_i + 1) - 1/2 over the T_i valid
   GSARs of event i (T = L1 + 1 with no missing bar; eq. 7);
5. Z = U_bar_0 / S_U, with U_bar_t = mean over the N_t events of U_it and
   S_U^2 = (1/T) sum_t (N_t / N) U_bar_t^2 over every t (the L1 estimation bars and t = 0) (eq. 9);
6. t_grank = Z sqrt((T - 2) / (T - 1 - Z^2)), reference t(T - 2), two-sided (eq. 10).

Estimation bars are aligned by their position relative to day 0 (as for ``corrado_rank``);
T is the number of positions (L1 + 1).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from .result import TestResult, nan_result, p_student, t_label


def generalized_sar(resid_est: np.ndarray, sigma2: np.ndarray, scar: np.ndarray) -> np.ndarray:
    """GSAR (N, L1 + 1): estimation SARs then the re-standardised SCAR* in the last column."""
    with np.errstate(invalid="ignore", divide="ignore"):
        sar = resid_est / np.sqrt(sigma2)[:, None]
    s = scar[np.isfinite(scar)]
    sd = s.std(ddof=1) if len(s) >= 2 else math.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        star = scar / sd if sd > 0 else np.full_like(scar, np.nan)
    return np.concatenate([sar, star[:, None]], axis=1)


def grank_t(resid_est: np.ndarray, sigma2: np.ndarray, scar: np.ndarray) -> TestResult:
    """t_grank of Kolari & Pynnönen (2011) for one CAR window (see the module docstring).

    ``resid_est`` (N, L1) estimation ARs, ``sigma2`` (N,) their variance, ``scar`` (N,) the
    standardised CARs of the window (CAR / sd with the prediction-error term). Events without
    an SCAR are left out.
    """
    ok = np.isfinite(scar) & np.isfinite(sigma2) & (sigma2 > 0)
    N = int(ok.sum())
    if N < 2:
        return nan_result(N, "t(T-2)", note="needs N >= 2 events with a standardised CAR")
    G = generalized_sar(resid_est[ok], sigma2[ok], scar[ok])
    T = G.shape[1]
    ranks = stats.rankdata(G, axis=1, nan_policy="omit")
    Ti = np.sum(np.isfinite(G), axis=1, keepdims=True)
    U = ranks / (Ti + 1.0) - 0.5
    Nt = np.sum(np.isfinite(U), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        Ubar = np.where(Nt > 0, np.nansum(U, axis=0) / np.maximum(Nt, 1), 0.0)
    SU = math.sqrt(np.sum((Nt / N) * Ubar**2) / T)
    if not SU > 0:
        return nan_result(N, t_label(T - 2), note="no variation in the ranks")
    Z = Ubar[-1] / SU
    denom = T - 1 - Z**2
    if denom <= 0:
        return nan_result(N, t_label(T - 2), note=f"Z = {Z:.3f} at the bound of the statistic")
    t = Z * math.sqrt((T - 2) / denom)
    return TestResult(t, p_student(t, T - 2), N, t_label(T - 2), float(Ubar[-1] + 0.5), T - 2,
                      note=f"Z = {Z:.3f}; estimate = mean standardised rank of the cumulated event day; T = {T}")
