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

from .nonparametric import row_ranks
from .result import TestResult, nan_result, p_student, t_label


def rank_sums(sar_est: np.ndarray, star: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per position t (the L1 estimation bars, then the cumulated event day), the sum over events of
    U_it and the number of events with a value, for events whose SCAR* is finite.

    ``sar_est`` (n, L1) estimation SARs, ``star`` (n,) SCAR*. U_it = rank_i(GSAR_it) / (T_i + 1) - 1/2
    with average ranks for ties, over the T_i valid GSARs of event i. Computed without sorting the
    joint vector: the estimation ranks shift by one where SAR > SCAR*, the event day's rank is one
    plus the number of SARs below it (ties counted half). Summable over partitions of events.
    """
    ok = np.isfinite(star)
    sar, star = sar_est[ok], star[ok]
    valid = np.isfinite(sar)
    r_est = row_ranks(sar)
    below = np.sum(valid & (sar < star[:, None]), axis=1)
    equal = np.sum(valid & (sar == star[:, None]), axis=1)
    Ti = valid.sum(axis=1) + 1.0
    shift = np.where(sar > star[:, None], 1.0, np.where(sar == star[:, None], 0.5, 0.0))
    U_est = np.where(valid, (r_est + shift) / (Ti[:, None] + 1.0) - 0.5, np.nan)
    U_0 = (1.0 + below + 0.5 * equal) / (Ti + 1.0) - 0.5
    U = np.concatenate([U_est, U_0[:, None]], axis=1)
    return np.nansum(U, axis=0), np.sum(np.isfinite(U), axis=0)


def _row_ranks(x: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Ranks (1..T_i, average for ties) of each row's finite values, 0 where not finite. One argsort;
    rows with ties are ranked by :func:`~eventstudy.stats.nonparametric.row_ranks` (average ranks)."""
    order = np.argsort(x, axis=1, kind="stable")  # NaN last
    ranks = np.empty(x.shape)
    np.put_along_axis(ranks, order, np.arange(1.0, x.shape[1] + 1.0)[None, :].repeat(len(x), axis=0), axis=1)
    srt = np.take_along_axis(x, order, axis=1)
    tied = np.flatnonzero((srt[:, 1:] == srt[:, :-1]).any(axis=1))
    if len(tied):
        ranks[tied] = row_ranks(x[tied])
    return np.where(valid, ranks, 0.0)


def rank_sums_many(sar_est: np.ndarray, stars: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`rank_sums` for k windows at once: ``stars`` (n, k) SCAR* of each window; returns
    (k, L1 + 1) sums of U and counts. The estimation ranks are computed once (they do not depend on
    the window); per window only the comparisons with SCAR* remain, summed with weights
    1 / (T_i + 1) (a matrix product), so the cost is one ``rankdata`` plus O(n L1) per window.
    Equal to :func:`rank_sums` column by column up to the order of the floating-point sums.
    """
    sar = np.asarray(sar_est, dtype=float)
    stars = np.asarray(stars, dtype=float).reshape(len(sar), -1)
    k, L = stars.shape[1], sar.shape[1]
    sum_u, count = np.zeros((k, L + 1)), np.zeros((k, L + 1))
    if not len(sar):
        return sum_u, count
    valid = np.isfinite(sar)
    r_est = _row_ranks(sar, valid)
    Ti = valid.sum(axis=1) + 1.0
    inv = 1.0 / (Ti + 1.0)
    levels = np.unique(Ti)
    # rows share 1 / (T_i + 1) when they have the same number of valid bars (all of them, without
    # missing bars): the weighted sums of a comparison are then plain column sums per level
    by_level = [(1.0 / (t + 1.0), None if len(levels) == 1 else np.flatnonzero(Ti == t)) for t in levels] \
        if len(levels) <= 8 else None

    def weighted(mask: np.ndarray, w: np.ndarray) -> np.ndarray:
        if by_level is None:
            return w @ mask
        return sum(c * (mask.sum(axis=0) if rows is None else mask[rows].sum(axis=0)) for c, rows in by_level)

    base_r, base_n = weighted(r_est, inv), valid.sum(axis=0).astype(float)  # every row; rows without SCAR* removed below
    for j in range(k):
        s = stars[:, j]
        ok = np.isfinite(s)
        w = np.where(ok, inv, 0.0)
        out = np.flatnonzero(~ok)
        gt = sar > s[:, None]  # NaN SARs and NaN SCAR* compare False: rows without SCAR* add nothing
        eq = sar == s[:, None]
        n_gt, n_eq = gt.sum(axis=1), eq.sum(axis=1)
        ties = 0.5 * weighted(eq, w) if n_eq.any() else 0.0
        if len(out):
            r_sum = base_r - inv[out] @ r_est[out]
            n_sum = base_n - valid[out].sum(axis=0)
        else:
            r_sum, n_sum = base_r, base_n
        sum_u[j, :L] = r_sum + weighted(gt, w) + ties - 0.5 * n_sum
        count[j, :L] = n_sum
        below = (Ti - 1.0) - n_gt - n_eq
        U_0 = (1.0 + below + 0.5 * n_eq) * inv - 0.5
        sum_u[j, L] = U_0[ok].sum()
        count[j, L] = ok.sum()
    return sum_u, count


def grank_from_sums(sum_u: np.ndarray, count: np.ndarray, n: int) -> TestResult:
    """t_grank from :func:`rank_sums` (summed over every partition) and N events (eq. 9-10)."""
    if n < 2:
        return nan_result(n, "t(T-2)", note="needs N >= 2 events with a standardised CAR")
    T = len(sum_u)
    with np.errstate(invalid="ignore", divide="ignore"):
        Ubar = np.where(count > 0, sum_u / np.maximum(count, 1), 0.0)
    SU = math.sqrt(np.sum((count / n) * Ubar**2) / T)
    if not SU > 0:
        return nan_result(n, t_label(T - 2), note="no variation in the ranks")
    Z = Ubar[-1] / SU
    denom = T - 1 - Z**2
    if denom <= 0:
        return nan_result(n, t_label(T - 2), note=f"Z = {Z:.3f} at the bound of the statistic")
    t = Z * math.sqrt((T - 2) / denom)
    return TestResult(t, p_student(t, T - 2), n, t_label(T - 2), float(Ubar[-1] + 0.5), T - 2,
                      note=f"Z = {Z:.3f}; estimate = mean standardised rank of the cumulated event day; T = {T}")


def restandardise(scar: np.ndarray) -> np.ndarray:
    """SCAR* = SCAR / S_SCAR, S_SCAR the cross-sectional sd (divisor N - 1) of the finite SCARs (eq. 5)."""
    s = scar[np.isfinite(scar)]
    sd = s.std(ddof=1) if len(s) >= 2 else math.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        return scar / sd if sd > 0 else np.full_like(scar, np.nan, dtype=float)


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
    with np.errstate(invalid="ignore", divide="ignore"):
        sar = resid_est[ok] / np.sqrt(sigma2[ok])[:, None]
    su, cnt = rank_sums(sar, restandardise(scar[ok]))
    return grank_from_sums(su, cnt, N)
