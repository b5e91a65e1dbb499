"""The statistics of R's EventStudy rewrite (GitHub ``sipemu/eventstudy``), convention for convention.

Selected with ``conventions = "eventstudy_r"``. Every formula below reproduces the package's
golden values (its ``tests/testthat/test_golden_values.R`` on the fixtures of
``helper-golden-data.R``) to 1e-10; see ``tests/test_eventstudy_r_golden.py``. Each convention
that differs from our textbook battery is named because it changes a number.

Windows. R's statistics run over the event window's days in order; the cumulative ("c")
statistic on day l cumulates from the window's first day. Here a *cumulation window* of W bars
plays that role (the study's event window, or one CAR window); day l = 1..W.

Single security (model sigma s_i = the model's residual sd: SSR / (m - k) for OLS models with
k parameters, sd with divisor m - 1 for market-adjusted and constant mean):

* ``ar_t = AR / s`` and ``car_t(l) = CAR(l) / (sqrt(l) s)``: no prediction-error term (ours
  includes it, MacKinlay 1997 eq. 4.14-4.15); reference t(df), df = m - k;
* BHAR(l) = prod_{1..l} (1 + R) - prod_{1..l} (1 + R_m) (Barber & Lyon 1997) with
  ``bhar_t(l) = BHAR(l) / (s_BH sqrt(l))``, s_BH = sd of R - R_m over the estimation window
  (divisor m - 1): the random-walk scaling, not LBT's cross-sectional t;
* volume: log(v + 1) minus its estimation-window mean (a constant-mean model on log volume;
  sd divisor m - 1);
* volatility: r^2 / var(r_est) - 1 on the *raw* return r (not the abnormal return), var with
  divisor m - 1; its sigma is the sd of the same ratio over the estimation window;
* rolling window: the market model on the last 60 estimation bars (df = ws - 2).

Across N events (sums over the events with a value; "AR" the event-window abnormal returns):

* cross-sectional t: aar_t = sqrt(N) AAR / sd(AR); caar = cumsum of the daily AARs,
  caar_t = sqrt(N) caar / sd_i(CAR_i(l)) (sd divisor N - 1); t(N - 1);
* Patell Z: SAR = AR / fec_i with the forecast-error-corrected sigma
  fec_i = s_i sqrt(1 + h_it), h_it = x_t'(X'X)^-1 x_t (1/m for market-adjusted);
  Q_i = df_i / (df_i - 2); aar_z = sum_i SAR_it / sqrt(sum_i Q_i);
  caar_z(l) = (1/sqrt(N)) sum_i CSAR_i(l) / sqrt(l Q_i); N(0, 1);
* BMP: SAR = AR / s_i, the *plain* model sigma (ours: the prediction-error sd);
  bmp_t = sqrt(N) mean(SAR) / sd(SAR), cbmp_t on the per-event cumulative SAR; t(N - 1);
* sign: z = (n_pos - N/2) / (sqrt(N)/2), n_pos = #{AR > 0} (zero is not positive), normal
  approximation (ours: exact binomial); the cumulative version counts CAR > 0; N(0, 1);
* generalized sign (Cowan 1992): p_hat = mean over events of each one's estimation share of
  positive ARs; z = (n_pos - N p_hat) / sqrt(N p_hat (1 - p_hat)); N(0, 1);
* Corrado rank: each event's ARs ranked over its estimation + event bars, K = rank / (T + 1)
  - 1/2 with T the number of bars (not of valid bars); per-day mean K_bar_t; S = *sample* sd
  (divisor n - 1) of K_bar over all estimation + event days (ours: sqrt(mean K_bar^2));
  rank_z = K_bar_t / S; day statistic only; N(0, 1);
* calendar-time t (R's CalendarTimePortfolioTest): t = AAR_t / S_AAR and
  ct(l) = CAAR(l) / (S_AAR sqrt(l)), S_AAR = sd of the estimation-window AARs (divisor n - 1);
  t(n - 1) with n the estimation days; a Brown-Warner time-series t, not a calendar-time
  portfolio regression (ours: :mod:`eventstudy.stats.calendar_time`);
* Kolari-Pynnönen: r_bar = mean off-diagonal correlation of the estimation SARs across *all*
  events (aligned by relative day, pairwise complete; ours: within events sharing day 0);
  kp = sqrt((1 - r_bar) / (1 + (N - 1) r_bar)); kp_t = bmp_t kp, ckp_t = cbmp_t kp; t(N - 1).

Reference distributions and two-sided p-values of the cross-event statistics are not pinned
by R's golden tests; the ones above follow its documentation.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .estudy2 import p_normal as _p_norm
from .nonparametric import row_ranks
from .estudy2 import p_student as _p_t


def _nanmean(a: np.ndarray, axis: int) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(a, axis=axis)


def _nansd(a: np.ndarray, axis: int) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanstd(a, axis=axis, ddof=1)


def _cumsum_nan(a: np.ndarray) -> np.ndarray:
    """R's cumsum along days: NaN from the first missing value on."""
    c = np.cumsum(np.where(np.isnan(a), 0.0, a), axis=1)
    return np.where(np.cumsum(np.isnan(a), axis=1) > 0, np.nan, c)


@dataclass(frozen=True)
class RStatistic:
    """One R-convention statistic over the W days of a cumulation window.

    ``day``/``day_p``: the day statistic and its p-value; ``cum``/``cum_p``: the cumulative one
    (NaN where R has none); ``estimate``: the day quantity (AAR, mean SAR, mean rank ...);
    ``cum_estimate``: its cumulation (CAAR ...); ``n``: events with a value per day;
    ``distribution``: the reference distribution.
    """

    day: np.ndarray
    day_p: np.ndarray
    cum: np.ndarray
    cum_p: np.ndarray
    estimate: np.ndarray
    cum_estimate: np.ndarray
    n: np.ndarray
    distribution: str
    note: str = ""


@dataclass(frozen=True)
class RInput:
    """Per-event arrays for the cross-event statistics.

    ar : (N, W) abnormal returns on the cumulation window's days; resid_est : (N, Le)
    estimation abnormal returns (aligned by relative day); sigma : (N,) model sigma; h : (N, W)
    leverage of each event day for the forecast-error correction; df : (N,) model residual df.
    """

    ar: np.ndarray
    resid_est: np.ndarray
    sigma: np.ndarray
    h: np.ndarray
    df: np.ndarray

    @classmethod
    def from_estimates(cls, est, window: tuple[int, int] | None = None, keep: np.ndarray | None = None) -> "RInput":
        """From the engine's estimates (computed *with* the prediction-error term, as by default).

        ``window``: (first, last) positions in the event window (default: the whole event
        window); ``keep``: events to use, a mask or indices (default: those not dropped). h = Var(AR)/sigma^2 - 1,
        which is x'(X'X)^-1 x for the OLS models, replaced by 1/m for market-adjusted events
        (R's constant-mean correction).
        """
        keep = (est.status != "dropped") if keep is None else keep
        a, b = (0, est.ar.shape[1] - 1) if window is None else window
        sl = slice(a, b + 1)
        sigma2 = est.sigma2[keep]
        with np.errstate(invalid="ignore", divide="ignore"):
            h = est.var_ar[keep, sl] / sigma2[:, None] - 1.0
        madj = est.model[keep] == "market_adjusted"
        with np.errstate(invalid="ignore", divide="ignore"):
            h[madj] = (1.0 / est.n[keep][madj])[:, None]
        return cls(est.ar[keep, sl], est.resid_est[keep], np.sqrt(sigma2), h, est.df[keep].astype(float))


# --- single security -------------------------------------------------------------------------

def ar_t(ar: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """AR / sigma (constant-sigma, no prediction-error term); ``ar`` (..., W), ``sigma`` (...)."""
    return np.asarray(ar, float) / np.asarray(sigma, float)[..., None]


def car_t(ar: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """CAR(l) / (sqrt(l) sigma), CAR cumulated from the window's first day, l = 1..W."""
    ar = np.atleast_2d(np.asarray(ar, float))
    l = np.arange(1, ar.shape[-1] + 1)
    return _cumsum_nan(ar) / (np.sqrt(l) * np.asarray(sigma, float).reshape(-1, 1))


def bhar_path(r: np.ndarray, m: np.ndarray) -> np.ndarray:
    """BHAR(l) = prod_{1..l}(1 + r) - prod_{1..l}(1 + m) (simple returns), (N, W)."""
    r, m = np.atleast_2d(np.asarray(r, float)), np.atleast_2d(np.asarray(m, float))
    return np.cumprod(1.0 + r, axis=1) - np.cumprod(1.0 + m, axis=1)


def bhar_sigma(r_est: np.ndarray, m_est: np.ndarray) -> np.ndarray:
    """sd of R - R_m over the estimation window (divisor m - 1): R's BHARModel sigma."""
    return _nansd(np.atleast_2d(r_est) - np.atleast_2d(m_est), axis=1)


def bhar_t(bhar: np.ndarray, sigma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(se, t): se(l) = sigma sqrt(l), t = BHAR(l) / se(l) (R's BHARTTest)."""
    bhar = np.atleast_2d(bhar)
    se = np.asarray(sigma, float).reshape(-1, 1) * np.sqrt(np.arange(1, bhar.shape[1] + 1))
    return se, bhar / se


def log_volume_abnormal(v_est: np.ndarray, v_evt: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(expected, sigma, abnormal): log(v + 1) minus its estimation mean; sigma = sd (m - 1)."""
    le, lv = np.log1p(np.atleast_2d(v_est)), np.log1p(np.atleast_2d(v_evt))
    mu = _nanmean(le, axis=1)
    return mu, _nansd(le, axis=1), lv - mu[:, None]


def volatility_abnormal(r_est: np.ndarray, r_evt: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(est_var, sigma, abnormal): r^2 / var(r_est) - 1 on raw returns; sigma = sd of the
    estimation-window ratio (divisor m - 1)."""
    re, rv = np.atleast_2d(r_est), np.atleast_2d(r_evt)
    var = _nansd(re, axis=1) ** 2
    ratio_est = re**2 / var[:, None] - 1.0
    return var, _nansd(ratio_est, axis=1), rv**2 / var[:, None] - 1.0


# --- across events ---------------------------------------------------------------------------

def _count(a: np.ndarray) -> np.ndarray:
    return np.sum(np.isfinite(a), axis=0).astype(float)


def csect_t(x: RInput) -> RStatistic:
    """Cross-sectional t (R CSectTTest): aar_t and caar_t (module docstring)."""
    n = _count(x.ar)
    aar = _nanmean(x.ar, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.sqrt(n) * aar / _nansd(x.ar, axis=0)
        caar = np.cumsum(aar)
        ct = np.sqrt(n) * caar / _nansd(_cumsum_nan(x.ar), axis=0)
    return RStatistic(t, _p_t(t, n - 1), ct, _p_t(ct, n - 1), aar, caar, n, "t(N-1)")


def patell_z(x: RInput) -> RStatistic:
    """Patell Z with the forecast-error-corrected sigma (R PatellZTest; module docstring)."""
    fec = x.sigma[:, None] * np.sqrt(1.0 + x.h)
    sar = x.ar / fec
    Q = x.df / (x.df - 2.0)
    n = _count(sar)
    ssar = np.nansum(sar, axis=0)
    z = ssar / math.sqrt(np.sum(Q))
    l = np.arange(1, sar.shape[1] + 1)
    csar = _cumsum_nan(sar) / np.sqrt(l[None, :] * Q[:, None])
    cz = np.nansum(csar, axis=0) / np.sqrt(sar.shape[0])
    ok = n >= 2
    z, cz = np.where(ok, z, np.nan), np.where(ok, cz, np.nan)
    return RStatistic(z, _p_norm(z), cz, _p_norm(cz), ssar, np.cumsum(ssar), n, "N(0,1)")


def _bmp_parts(sar: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = _count(sar)
    m = _nanmean(sar, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.sqrt(n) * m / _nansd(sar, axis=0)
        csar = _cumsum_nan(sar)
        ct = np.sqrt(_count(csar)) * _nanmean(csar, axis=0) / _nansd(csar, axis=0)
    return m, t, ct, n


def bmp_t(x: RInput) -> RStatistic:
    """BMP with SAR = AR / model sigma (R BMPTest; module docstring)."""
    sar = x.ar / x.sigma[:, None]
    m, t, ct, n = _bmp_parts(sar)
    return RStatistic(t, _p_t(t, n - 1), ct, _p_t(ct, n - 1), m, np.cumsum(m), n, "t(N-1)")


def sign_z(x: RInput) -> RStatistic:
    """Sign test, normal approximation (R SignTest): (n_pos - N/2) / (sqrt(N)/2)."""
    ar = x.ar
    n = _count(ar)
    pos = np.sum(ar > 0, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(n >= 2, (pos - 0.5 * n) / (0.5 * np.sqrt(n)), np.nan)
        car = _cumsum_nan(ar)
        nc = _count(car)
        cz = np.where(nc >= 2, (np.sum(car > 0, axis=0) - 0.5 * nc) / (0.5 * np.sqrt(nc)), np.nan)
    return RStatistic(z, _p_norm(z), cz, _p_norm(cz), pos.astype(float), np.full(len(z), np.nan), n, "N(0,1)")


def generalized_sign_z(x: RInput) -> RStatistic:
    """Generalized sign test (R GeneralizedSignTest; Cowan 1992): p_hat averaged over events."""
    valid = np.isfinite(x.resid_est)
    with np.errstate(invalid="ignore", divide="ignore"):
        p_i = np.sum((x.resid_est > 0) & valid, axis=1) / valid.sum(axis=1)
    p = float(np.nanmean(p_i))
    ar = x.ar
    n = _count(ar)
    pos = np.sum(ar > 0, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (pos - n * p) / np.sqrt(n * p * (1 - p))
        car = _cumsum_nan(ar)
        nc = _count(car)
        cz = (np.sum(car > 0, axis=0) - nc * p) / np.sqrt(nc * p * (1 - p))
    return RStatistic(z, _p_norm(z), cz, _p_norm(cz), pos.astype(float), np.full(len(z), np.nan), n, "N(0,1)")


def rank_z(x: RInput) -> RStatistic:
    """Corrado rank test (R RankTest): K = rank/(T+1) - 1/2, S = sample sd of the daily mean K."""
    F = np.concatenate([x.resid_est, x.ar], axis=1)
    T = F.shape[1]  # bars in the combined windows, missing ones included (R's n())
    K = row_ranks(F) / (T + 1.0) - 0.5
    Kbar = _nanmean(K, axis=0)
    S = float(np.nanstd(Kbar, ddof=1))
    ev = Kbar[x.resid_est.shape[1]:]
    z = ev / S if S > 0 else np.full(len(ev), np.nan)
    nan = np.full(len(ev), np.nan)
    return RStatistic(z, _p_norm(z), nan, nan, ev, nan, _count(x.ar), "N(0,1)")


def calendar_time_t(x: RInput) -> RStatistic:
    """R's CalendarTimePortfolioTest: AAR / sd(estimation AARs), CAAR(l) / (sd sqrt(l)); t(n - 1)."""
    aar_est = _nanmean(x.resid_est, axis=0)
    aar_est = aar_est[np.isfinite(aar_est)]
    sd = float(aar_est.std(ddof=1)) if len(aar_est) > 1 else math.nan
    df = len(aar_est) - 1
    aar = _nanmean(x.ar, axis=0)
    caar = np.cumsum(aar)
    l = np.arange(1, len(aar) + 1)
    t = aar / sd
    ct = caar / (sd * np.sqrt(l))
    return RStatistic(t, _p_t(t, df), ct, _p_t(ct, df), aar, caar, _count(x.ar), f"t({df})")


def mean_correlation_all(resid_est: np.ndarray, sigma: np.ndarray) -> float:
    """r_bar: mean off-diagonal Pearson correlation (pairwise complete) of the estimation SARs of
    all events, aligned by relative day (R KolariPynnonenTest)."""
    sar = resid_est / sigma[:, None]
    N = sar.shape[0]
    if N < 2:
        return 0.0
    C = pd.DataFrame(sar.T).corr().to_numpy()
    return float((np.sum(C) - N) / (N * (N - 1)))


def kolari_pynnonen_t(x: RInput) -> RStatistic:
    """Kolari-Pynnönen adjusted BMP (R KolariPynnonenTest): bmp_t and cbmp_t times
    sqrt((1 - r_bar) / (1 + (N - 1) r_bar)), N the events with a value on the first day."""
    sar = x.ar / x.sigma[:, None]
    m, t, ct, n = _bmp_parts(sar)
    rbar = mean_correlation_all(x.resid_est, x.sigma)
    denom = 1.0 + (n[0] - 1.0) * rbar
    adj = math.sqrt((1.0 - rbar) / denom) if denom > 0 and rbar <= 1 else math.nan
    return RStatistic(t * adj, _p_t(t * adj, n - 1), ct * adj, _p_t(ct * adj, n - 1), m, np.cumsum(m), n,
                      "t(N-1)", note=f"r\u0304 = {rbar:.4f} over all pairs of events, factor {adj:.4f}")


MULTI_EVENT = {
    "csect_t": csect_t, "patell_z": patell_z, "bmp_t": bmp_t, "sign_z": sign_z,
    "generalized_sign_z": generalized_sign_z, "rank_z": rank_z, "calendar_time_t": calendar_time_t,
    "kolari_pynnonen_t": kolari_pynnonen_t,
}
