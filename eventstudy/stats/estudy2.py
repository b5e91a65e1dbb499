"""The test battery of R's estudy2 (v0.10), reproduced convention for convention.

Selected with ``conventions = "estudy2"`` in the study's [model]. Every number matches
estudy2's published COVID example (see tests/test_estudy2_golden.py). The conventions differ
from the textbook ones in documented ways; each is named here because it changes a number:

* N is the number of securities passed in; N_t those with an AR on day t.
* s_i = sd of security i's estimation ARs, divisor L_i - 1 (not the regression's L_i - 2).
* Sums over securities are written ``rowMeans(x, na.rm=TRUE) * N`` ("pseudo-sum",
  :func:`pseudo_sum`): it equals the sum only when no security is missing on that bar.
* Patell/Boehmer prediction-error factor C_it = sqrt(1 + 1/L_i + (Rm_t - mean Rm)^2 / SS_m)
  with the market mean and sum of squares over *all* estimation bars with a market return.
* Brown-Warner 1980/1985 use Student t with df = mean(L_i) - 1; the t test and Boehmer use
  t(N_t - 1); every other test uses N(0,1). Two-sided; marks "*", "**", "***" at 10/5/1 %.
* Generalized sign: p_hat pooled over all firm-days of the estimation window.
* Corrado sign and the rank tests rank over estimation + event bars, each security over its
  own available bars; ``rank`` uses raw ranks, ``modified_rank`` ranks / (n_i + 1).
* Wilcoxon: V = sum of ranks of positive ARs across securities; its marks use the upper
  one-sided level qsignrank(1 - a) and the lower level n(n+1)/2 - qsignrank(1 - a/2).
* CAR tests use event days with more than 90 % of securities present; ``car_mean`` is the
  *average* daily mean AR, not the cumulative sum; car_lamb and car_brown_warner_1985 add the
  daily statistics and divide by sqrt(T); car_rank_test centres on one grand mean rank.

Sources cited by estudy2: Brown & Warner (1980, 1985), Patell (1976), Boehmer, Musumeci &
Poulsen (1991), Lamb (1995), Cowan (1992), Corrado (1989), Corrado & Zivney (1992), Campbell &
Wasley (1993), Wilcoxon (1945).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from .distributions import norm_sf, t_sf
from .nonparametric import row_ranks

ALPHAS = ((0.10, "*"), (0.05, "**"), (0.01, "***"))
CAR_MIN_PERCENTAGE = 90.0


@dataclass(frozen=True)
class Estudy2Input:
    """Arrays on common dates. E: (Te, N) estimation ARs; V: (Tv, N) event ARs; m_est, m_ev:
    market returns on those bars (first security's benchmark); L: (N,) complete-case
    estimation lengths."""

    E: np.ndarray
    V: np.ndarray
    m_est: np.ndarray
    m_ev: np.ndarray
    L: np.ndarray

    @property
    def N(self) -> int:
        return self.V.shape[1]

    @property
    def F(self) -> np.ndarray:
        return np.vstack([self.E, self.V])

    @property
    def is_event(self) -> np.ndarray:
        return np.r_[np.zeros(len(self.E), bool), np.ones(len(self.V), bool)]


def _rowmean(a: np.ndarray) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(a, axis=1)


def pseudo_sum(a: np.ndarray) -> np.ndarray:
    """estudy2's "sum" over securities: mean of the available values times N (all securities)."""
    return _rowmean(a) * a.shape[1]


def _count(a: np.ndarray) -> np.ndarray:
    return np.sum(~np.isnan(a), axis=1).astype(float)


def _sd(a: np.ndarray, axis=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanstd(a, axis=axis, ddof=1)


def _rank_keep(a: np.ndarray) -> np.ndarray:
    """Average ranks per column, NaN kept as NaN (R: rank(x, na.last = "keep"))."""
    return row_ranks(np.asarray(a, dtype=float).T).T


def p_normal(z: np.ndarray) -> np.ndarray:
    return 2.0 * norm_sf(np.abs(z))


def p_student(t: np.ndarray, df) -> np.ndarray:
    df = np.broadcast_to(np.asarray(df, float), np.shape(t))
    out = np.full(np.shape(t), np.nan)
    ok = np.isfinite(t) & (df > 0)
    out[ok] = 2.0 * t_sf(np.abs(np.asarray(t)[ok]), df[ok])
    return out


def marks(p: np.ndarray) -> list[str]:
    """Significance marks from two-sided p-values (p <= 0.10 "*", 0.05 "**", 0.01 "***")."""
    out = []
    for x in np.atleast_1d(p):
        m = ""
        if np.isfinite(x):
            for a, s in ALPHAS:
                if x <= a:
                    m = s
        out.append(m)
    return out


# --- daily parametric tests -------------------------------------------------------------------

def mean_ar(x: Estudy2Input) -> np.ndarray:
    return _rowmean(x.V)


def percentage(x: Estudy2Input) -> np.ndarray:
    return _count(x.V) / x.N * 100.0


def brown_warner_1980(x: Estudy2Input):
    """t = mean AR_t / (sqrt(sum_i s_i^2) / N); df = mean(L_i) - 1 (Brown & Warner 1980)."""
    sd = math.sqrt(np.nansum(_sd(x.E, axis=0) ** 2)) / x.N
    stat = mean_ar(x) / sd
    df = float(np.mean(x.L) - 1)
    return stat, p_student(stat, df), df


def brown_warner_1985(x: Estudy2Input):
    """t = mean AR_t / sd over the estimation window of the daily mean AR (Brown & Warner 1985)."""
    stat = mean_ar(x) / _sd(_rowmean(x.E))
    df = float(np.mean(x.L) - 1)
    return stat, p_student(stat, df), df


def t_test(x: Estudy2Input):
    """Cross-sectional t = mean AR_t / sd_i(AR_it) * sqrt(N_t); df = N_t - 1."""
    n = _count(x.V)
    stat = mean_ar(x) / _sd(x.V, axis=1) * np.sqrt(n)
    return stat, p_student(stat, n - 1), n - 1


def _market_moments(x: Estudy2Input) -> tuple[float, float]:
    m = x.m_est[np.isfinite(x.m_est)]
    return float(m.mean()), float(np.sum((m - m.mean()) ** 2))


def standardized_ar(x: Estudy2Input) -> np.ndarray:
    """SAR_it = AR_it / (s_i C_it), C_it = sqrt(1 + 1/L_i + (Rm_t - mean Rm)^2 / SS_m)."""
    mbar, ssm = _market_moments(x)
    s = _sd(x.E, axis=0)
    C = np.sqrt(1.0 + 1.0 / x.L[None, :] + ((x.m_ev - mbar) ** 2 / ssm)[:, None])
    return x.V / (s[None, :] * C)


def patell(x: Estudy2Input):
    """Z = pseudo-sum of SAR_t / sqrt(sum_i (L_i - 2) / (L_i - 4)); N(0,1) (Patell 1976)."""
    stat = pseudo_sum(standardized_ar(x)) / math.sqrt(np.sum((x.L - 2) / (x.L - 4)))
    return stat, p_normal(stat)


def boehmer(x: Estudy2Input):
    """t = mean SAR_t / sd(SAR_t) * sqrt(N_t); df = N_t - 1 (Boehmer, Musumeci & Poulsen 1991)."""
    sar = standardized_ar(x)
    n = _count(sar)
    stat = _rowmean(sar) / _sd(sar, axis=1) * np.sqrt(n)
    return stat, p_student(stat, n - 1), n - 1


def lamb(x: Estudy2Input):
    """z = mean AR_t / (S_BW85 sqrt(1 + 1/mean(L) + (Rm_t - mean Rm)^2 / SS_m)); N(0,1) (Lamb 1995)."""
    mbar, ssm = _market_moments(x)
    sd = _sd(_rowmean(x.E)) * np.sqrt(1.0 + 1.0 / np.mean(x.L) + (x.m_ev - mbar) ** 2 / ssm)
    stat = mean_ar(x) / sd
    return stat, p_normal(stat)


# --- daily non-parametric tests ---------------------------------------------------------------

def _positive(a: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(a), np.nan, (a > 0).astype(float))


def sign(x: Estudy2Input):
    """z = (w_t - N_t/2) / sqrt(N_t/4), w_t = pseudo-sum of 1{AR > 0}."""
    n = _count(x.V)
    stat = (pseudo_sum(_positive(x.V)) - 0.5 * n) / np.sqrt(0.25 * n)
    return stat, p_normal(stat)


def generalized_sign(x: Estudy2Input):
    """z = (w_t - N_t p) / sqrt(N_t p (1 - p)), p pooled over estimation firm-days (Cowan 1992)."""
    p_hat = float(np.nanmean(_positive(x.E)))
    n = _count(x.V)
    stat = (pseudo_sum(_positive(x.V)) - n * p_hat) / np.sqrt(n * p_hat * (1 - p_hat))
    return stat, p_normal(stat)


def _full_sd(sums: np.ndarray, scale: np.ndarray, n_i_mean: float) -> float:
    with np.errstate(invalid="ignore", divide="ignore"):
        return math.sqrt(np.nansum((sums / scale) ** 2) / n_i_mean)


def corrado_sign(x: Estudy2Input):
    """Corrado & Zivney (1992) sign test; median over estimation + event bars."""
    F = x.F
    G = np.sign(F - np.nanmedian(F, axis=0)[None, :])
    n_full = _count(G)
    n_full[n_full == 0] = np.nan
    sd = _full_sd(pseudo_sum(G), np.sqrt(n_full), float(np.sum(~np.isnan(F), axis=0).mean()))
    Gev = G[x.is_event]
    stat = pseudo_sum(Gev) / np.sqrt(_count(Gev)) / sd
    return stat, p_normal(stat)


def rank(x: Estudy2Input):
    """Corrado (1989) rank test on raw ranks over estimation + event bars."""
    F = x.F
    K = _rank_keep(F)
    D = K - np.nanmean(K, axis=0)[None, :]
    n_full = _count(K)
    n_full[n_full == 0] = np.nan
    sd = _full_sd(pseudo_sum(D), n_full, float(np.sum(~np.isnan(F), axis=0).mean()))
    Dev = D[x.is_event]
    stat = pseudo_sum(Dev) / _count(Dev) / sd
    return stat, p_normal(stat)


def modified_rank(x: Estudy2Input):
    """Corrado & Zivney (1992) rank test on ranks / (n_i + 1)."""
    F = x.F
    n_i = np.sum(~np.isnan(F), axis=0)
    D = _rank_keep(F) / (1.0 + n_i[None, :]) - 0.5
    n_full = _count(D)
    n_full[n_full == 0] = np.nan
    sd = _full_sd(pseudo_sum(D), np.sqrt(n_full), float(n_i.mean()))
    Dev = D[x.is_event]
    stat = pseudo_sum(Dev) / np.sqrt(_count(Dev)) / sd
    return stat, p_normal(stat)


def _signrank_cdf(n: int) -> np.ndarray:
    """Exact null CDF of the Wilcoxon V statistic for n untied non-zero values: P(V <= k)."""
    counts = np.zeros(n * (n + 1) // 2 + 1)
    counts[0] = 1.0
    for k in range(1, n + 1):
        shifted = np.zeros_like(counts)
        shifted[k:] = counts[: len(counts) - k]
        counts = counts + shifted
    return np.cumsum(counts) / counts.sum()


def _qsignrank(p: float, n: int) -> int:
    """Smallest v with P(V <= v) >= p (R's qsignrank)."""
    return int(np.searchsorted(_signrank_cdf(n), p * (1 - 64 * np.finfo(float).eps)))


def wilcoxon(x: Estudy2Input):
    """V_t = pseudo-sum of the ranks (across securities) of |AR| for positive ARs (zeros dropped).

    Returns (V, p, marks, n): ``p`` is the p-value implied by estudy2's marking rule (upper tail
    one-sided P(V' > V), lower tail 2 P(V' < V)); ``marks`` follow estudy2 exactly.
    """
    A = np.abs(x.V).astype(float)
    A[A == 0] = np.nan
    R = row_ranks(A)
    R = np.where(x.V < 0, 0.0, R)
    n = _count(A)
    V = pseudo_sum(R)
    p_out, mk = [], []
    for v, k in zip(V, n):
        k = int(k)
        if k == 0 or not np.isfinite(v):
            p_out.append(np.nan)
            mk.append("")
            continue
        cdf = _signrank_cdf(k)
        vi = int(round(v))
        p_out.append(min(1 - cdf[vi], 2 * (cdf[vi - 1] if vi >= 1 else 0.0)))
        total = k * (k + 1) / 2
        m = ""
        for a, s in ALPHAS:
            if v >= _qsignrank(1 - a, k) or v <= total - _qsignrank(1 - a / 2, k):
                m = s
        mk.append(m)
    return V, np.array(p_out), mk, n


# --- CAR tests --------------------------------------------------------------------------------

def car_days(x: Estudy2Input, window: np.ndarray) -> np.ndarray:
    """Event-window bars inside the CAR window with more than 90 % of securities present."""
    return window & (percentage(x) > CAR_MIN_PERCENTAGE)


def car_from_daily(daily_stat: np.ndarray, keep: np.ndarray) -> float:
    """car_lamb / car_brown_warner_1985: sum of the daily statistics / sqrt(T)."""
    return float(np.nansum(daily_stat[keep]) / math.sqrt(keep.sum())) if keep.any() else math.nan


def car_rank_test(x: Estudy2Input, keep: np.ndarray) -> float:
    """Cowan (1992) CAR rank statistic around one grand mean rank (estudy2's car_rank_test)."""
    if not keep.any():
        return math.nan
    F = x.F
    K = _rank_keep(F)
    Kbar = float(np.nanmean(np.nanmean(K, axis=0)))
    n_i_mean = float(np.sum(~np.isnan(F), axis=0).mean())
    Kev = K[x.is_event][keep]
    denom = math.sqrt(np.nansum((_rowmean(K) - Kbar) ** 2) / n_i_mean)
    return float(math.sqrt(Kev.shape[0]) * (np.nanmean(Kev) - Kbar) / denom)
