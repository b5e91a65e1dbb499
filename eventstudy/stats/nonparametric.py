"""Non-parametric tests across securities/events (textbook conventions). p-values two-sided."""

from __future__ import annotations

import math
import warnings

import numpy as np

from .distributions import binom_two_sided_half, norm_sf
from .result import TestResult, nan_result, p_normal


def normalised_ranks(ar_full: np.ndarray) -> np.ndarray:
    """Ranks of each event's ARs over its estimation + event bars, divided by (M_i + 1).

    ``ar_full`` is (K, T): estimation then event bars. Missing bars stay NaN and are not ranked;
    M_i is the number of non-missing bars of event i; ties get average ranks. Corrado & Zivney
    (1992) normalisation U = K / (M + 1), so events with different numbers of valid bars are
    comparable (mean 1/2 under the null).
    """
    K = row_ranks(ar_full)
    m = np.sum(~np.isnan(ar_full), axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return K / (m + 1.0)


def centred_rank_sums(ar_full: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per bar, the sum over events of U_it - 1/2 (U the :func:`normalised_ranks`) and the number
    of events with a value: what :func:`rank_day_series` averages, as sums a partition hands on.

    One sort per row; each value's centred rank is added to its bar with :func:`numpy.bincount`
    in row order (the same additions, in the same order, as summing the (K, T) matrix of U - 1/2
    over events), so the ranks are never scattered back into a matrix.
    """
    a = np.asarray(ar_full, dtype=float)
    k, L = a.shape
    fin = ~np.isnan(a)
    counts = fin.sum(axis=0)
    if not a.size:
        return np.zeros(L), counts
    m = fin.sum(axis=1)
    order = np.argsort(a, axis=1)  # NaN sorts last: the finite values hold sorted positions 0 .. m_i - 1
    ranks = _sorted_ranks(np.sort(a, axis=1))
    ranks /= (m + 1.0)[:, None]
    ranks -= 0.5
    ranks[np.arange(L)[None, :] >= m[:, None]] = 0.0  # the missing bars (sorted last) add nothing
    return np.bincount(order.ravel(), weights=ranks.ravel(), minlength=L), counts


def _sorted_ranks(s: np.ndarray) -> np.ndarray:
    """Average ranks (1-based) of each row's values given sorted rows ``s`` (ties share the mean
    of their positions)."""
    k, L = s.shape
    ranks = np.broadcast_to(np.arange(1, L + 1, dtype=float), (k, L)).copy()
    tie = s[:, 1:] == s[:, :-1]  # NaN == NaN is False: missing bars never tie
    if tie.any():
        new = np.ones((k, L), dtype=bool)
        new[:, 1:] = ~tie
        run = np.cumsum(new.ravel()) - 1  # every row starts a run
        ranks = (np.bincount(run, weights=ranks.ravel()) / np.bincount(run))[run].reshape(k, L)
    return ranks


def row_ranks(a: np.ndarray) -> np.ndarray:
    """Average ranks (1 = smallest) of the values of each row of ``a`` (K, L); NaN stays NaN and is
    not ranked. The same numbers as ``scipy.stats.rankdata(a, axis=1, nan_policy="omit")`` from
    one sort per row (ties share the mean of their positions)."""
    a = np.asarray(a, dtype=float)
    k, L = a.shape
    if not a.size:
        return np.full(a.shape, np.nan)
    order = np.argsort(a, axis=1)  # NaN sorts last, so the finite values take ranks 1..m
    ranks = _sorted_ranks(np.sort(a, axis=1))
    out = np.empty((k, L))
    np.put_along_axis(out, order, ranks, axis=1)
    out[np.isnan(a)] = np.nan
    return out


def rank_day_series(U: np.ndarray) -> np.ndarray:
    """D_t = mean over available events of (U_it - 1/2), for every bar t (NaN if none)."""
    if not U.size:
        return np.full(U.shape[1], np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # bars no event has (e.g. before a listing)
        return np.nanmean(U - 0.5, axis=0)


def corrado_rank(D: np.ndarray, window: slice, n: int) -> TestResult:
    """Corrado (1989) rank test with Corrado & Zivney (1992) normalised ranks; CAR form of
    Cowan (1992) / Campbell & Wasley (1993).

    D_t = mean_i (U_it - 1/2) over the estimation + event bars; S = sqrt(mean_t D_t^2) over every
    bar with a value. Day statistic D_0 / S; window statistic sum_{t in window} D_t / (sqrt(L2) S).
    Reference N(0,1). S comes from the time series of average ranks, so it reflects
    cross-correlation between events that share dates.
    """
    Dall = D[np.isfinite(D)]
    dw = D[window]
    if len(Dall) < 3 or not np.isfinite(dw).all():
        return nan_result(n, "N(0,1)", note="needs ranks on every bar of the window")
    s = math.sqrt(np.mean(Dall**2))
    z = dw.sum() / (math.sqrt(len(dw)) * s) if s > 0 else math.nan
    return TestResult(z, p_normal(z), n, "N(0,1)", float(dw.mean() + 0.5), note="estimate = mean normalised rank")


def estimation_positive_share(resid_est: np.ndarray) -> np.ndarray:
    """Each event's share of positive estimation-window ARs (missing bars left out)."""
    valid = ~np.isnan(resid_est)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sum((resid_est > 0) & valid, axis=1) / np.sum(valid, axis=1)


def generalized_sign(x: np.ndarray, p_hat_i: np.ndarray) -> TestResult:
    """Generalized sign test (Cowan 1992).

    w = number of events with x_i > 0; p_hat = mean over the events of their estimation-window
    share of positive ARs; Z = (w - N p_hat) / sqrt(N p_hat (1 - p_hat)); reference N(0,1).
    """
    x, p_hat_i = np.asarray(x, float), np.asarray(p_hat_i, float)
    ok = np.isfinite(x) & np.isfinite(p_hat_i)
    n = int(ok.sum())
    return generalized_sign_from(n, int(np.sum(x[ok] > 0)), float(p_hat_i[ok].sum()) if n else 0.0)


def generalized_sign_from(n: int, w: int, p_sum: float) -> TestResult:
    """:func:`generalized_sign` from the reducible counts: N events, w positive, sum of their p_hat_i."""
    if n < 1:
        return nan_result(n, "N(0,1)")
    p_hat = p_sum / n
    if not 0 < p_hat < 1:
        return nan_result(n, "N(0,1)", w, "p_hat is 0 or 1")
    z = (w - n * p_hat) / math.sqrt(n * p_hat * (1 - p_hat))
    return TestResult(z, p_normal(z), n, "N(0,1)", float(w), note=f"{w} of {n} positive; p\u0302 = {p_hat:.3f}")


def sign_test(x: np.ndarray) -> TestResult:
    """Sign test: number of positive values against Binomial(N, 1/2), exact two-sided p-value."""
    x = np.asarray(x, float)
    x = x[np.isfinite(x) & (x != 0)]
    return sign_test_from(len(x), int(np.sum(x > 0)))


def sign_test_from(n: int, w: int) -> TestResult:
    """:func:`sign_test` from the counts: N non-zero values, w of them positive."""
    if n < 1:
        return nan_result(n, "Binomial(N,1/2)")
    p = binom_two_sided_half(w, n)
    return TestResult(float(w), float(p), n, f"Binomial({n},1/2)", float(w), note=f"{w} of {n} positive")


def wilcoxon_signed_rank(x: np.ndarray) -> TestResult:
    """Wilcoxon (1945) signed-rank test that the values are centred on zero.

    Statistic: the sum of the ranks of the positive values, V; exact two-sided p-value for
    N <= 50 without ties or zeros, normal approximation otherwise (scipy's ``method="auto"``);
    zeros are dropped (Wilcox's convention).
    """
    x = np.asarray(x, float)
    x = x[np.isfinite(x)]
    xnz = x[x != 0]
    n = len(xnz)
    if n < 1:
        return nan_result(n, "signed-rank")
    if n > 50:
        v, p = _wilcoxon_normal(xnz)
    else:
        from scipy import stats  # the exact distribution (0.6 s to import): only for N <= 50

        ranks = row_ranks(np.abs(xnz)[None, :])[0]
        v = float(ranks[xnz > 0].sum())
        p = float(stats.wilcoxon(xnz, zero_method="wilcox", alternative="two-sided").pvalue)
    return TestResult(v, p, n, "signed-rank (exact for small N)", float(np.median(x)),
                      note="statistic = sum of positive ranks; estimate = median")


def _wilcoxon_normal(xnz: np.ndarray) -> tuple[float, float]:
    """(V, two-sided p) of the normal approximation scipy's ``wilcoxon`` uses above 50 values
    (Wilcoxon 1945; tie correction of Lehmann 1975, eq. 3.24): V = sum of the average ranks of
    |x| over the positive values, mean n(n+1)/4, variance [n(n+1)(2n+1) - sum_g (t_g^3 - t_g)/2] / 24
    over the groups g of tied |x|, no continuity correction. One sort of |x|; the same floats as
    ``scipy.stats.wilcoxon(x, method="auto")`` (ranks are half-integers, so the sums are exact)."""
    a = np.abs(xnz)
    ranks = row_ranks(a[None, :])[0]
    v = float(ranks[xnz > 0].sum())
    s = np.sort(a)
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
    t = np.diff(np.r_[starts, len(s)]).astype(float)
    count = float(len(a))
    mn = count * (count + 1.0) * 0.25
    se = math.sqrt((count * (count + 1.0) * (2.0 * count + 1.0) - float(np.sum(t**3 - t)) / 2) / 24)
    z = (v - mn) / se
    return v, float(2 * norm_sf(abs(z)))
