"""Buy-and-hold abnormal returns (BHAR) and the Lyon, Barber & Tsai (1999) tests.

BHAR of event i over a window of bars tau_1..tau_2 (Barber & Lyon 1997, JFE 43(3), eq. 3;
Lyon, Barber & Tsai 1999, JF 54(1), eq. 1):

    BHAR_i = prod_{t=tau_1}^{tau_2} (1 + R_it) - prod_{t=tau_1}^{tau_2} (1 + E_it)

with R simple returns (fractions) and E the benchmark's simple return (the market or reference
portfolio: a market-adjusted BHAR) or the model's expected return (``expected``). Log returns
are converted first: R = exp(r) - 1. A window with a missing bar has no BHAR (NaN), never a
partial product.

Tests across events (N events with a BHAR, S = mean / sd with divisor N - 1):

* conventional t = sqrt(N) S, reference t(N - 1) (LBT 1999, eq. 4);
* skewness-adjusted t (LBT 1999, eq. 5; Johnson 1978):
  t_sa = sqrt(N) (S + gamma S^2 / 3 + gamma / (6 N)),
  gamma = sum (BHAR_i - mean)^3 / (N sd^3);
  reference N(0, 1) (t(N - 1) makes no difference at the N it is meant for);
* its bootstrap (LBT 1999, section III.B, their "bootstrapped skewness-adjusted t"):
  B resamples of size n_b = N / 4 drawn with replacement; on each, t_sa^b computed with the
  resample's mean minus the *full sample's* mean (the null imposed), the resample's sd and
  skewness; H0 is rejected at level a when t_sa < t*_(a/2) or t_sa > t*_(1 - a/2), the
  quantiles of the B values. p-value: 2 min(P*(t^b <= t_sa), P*(t^b >= t_sa)).

Why: long-horizon BHARs are right-skewed (compounding, rebalancing, new listings), and the
conventional t is then biased towards rejecting on the negative side; LBT show the
skewness-adjusted bootstrapped t is well specified in random samples. Neither test corrects
for cross-correlation of overlapping windows (use the calendar-time portfolio for that).
"""

from __future__ import annotations

import math

import numpy as np

from .result import TestResult, nan_result, p_normal, p_student, t_label

MIN_N_BOOTSTRAP = 8  # n_b = N/4 must leave at least 2 values per resample


def to_simple(r: np.ndarray, kind: str) -> np.ndarray:
    """Simple returns from ``kind`` = "simple" (unchanged) or "log" returns (exp(r) - 1)."""
    if kind == "simple":
        return np.asarray(r, float)
    if kind == "log":
        return np.expm1(np.asarray(r, float))
    raise ValueError(f"returns kind {kind!r} is not simple or log")


def buy_and_hold(r: np.ndarray, windows: np.ndarray) -> np.ndarray:
    """prod(1 + r) - 1 over each window: ``r`` (K, W) simple returns, ``windows`` (C, 2) inclusive
    positions; (K, C), NaN where a bar of the window is missing. Summed in logs (log1p) for accuracy."""
    lr = np.log1p(r)
    nan = ~np.isfinite(lr)
    S = np.concatenate([np.zeros((r.shape[0], 1)), np.cumsum(np.where(nan, 0.0, lr), axis=1)], axis=1)
    M = np.concatenate([np.zeros((r.shape[0], 1), int), np.cumsum(nan, axis=1)], axis=1)
    a, b = windows[:, 0], windows[:, 1] + 1
    total = S[:, b] - S[:, a]
    gaps = M[:, b] - M[:, a]
    return np.where(gaps == 0, np.expm1(total), np.nan)


def bhar(r: np.ndarray, benchmark: np.ndarray, windows: np.ndarray) -> np.ndarray:
    """BHAR (K, C): buy-and-hold return of the security minus that of the benchmark (simple returns)."""
    return buy_and_hold(r, windows) - buy_and_hold(benchmark, windows)


def _moments(x: np.ndarray) -> tuple[float, float, float]:
    n = len(x)
    m = x.mean()
    sd = x.std(ddof=1)
    gamma = float(np.sum((x - m) ** 3) / (n * sd**3)) if sd > 0 else math.nan
    return float(m), float(sd), gamma


def skewness_adjusted_t(x: np.ndarray) -> TestResult:
    """Lyon, Barber & Tsai (1999, eq. 5) skewness-adjusted t of the mean BHAR; N(0,1), two-sided."""
    x = np.asarray(x, float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n < 3:
        return nan_result(n, "N(0,1)", x.mean() if n else math.nan, "needs N >= 3")
    m, sd, gamma = _moments(x)
    if not sd > 0:
        return nan_result(n, "N(0,1)", m, "no dispersion across events")
    S = m / sd
    t = math.sqrt(n) * (S + gamma * S**2 / 3.0 + gamma / (6.0 * n))
    return TestResult(t, p_normal(t), n, "N(0,1)", m, note=f"skewness {gamma:.3f}; conventional t "
                                                          f"{math.sqrt(n) * S:.3f} (t({n - 1}))")


def conventional_t(x: np.ndarray) -> TestResult:
    """Conventional t of the mean BHAR, sqrt(N) mean / sd (LBT 1999, eq. 4); t(N - 1), two-sided."""
    x = np.asarray(x, float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n < 2:
        return nan_result(n, "t(N-1)", x.mean() if n else math.nan, "needs N >= 2")
    sd = x.std(ddof=1)
    t = math.sqrt(n) * x.mean() / sd if sd > 0 else math.nan
    return TestResult(t, p_student(t, n - 1), n, t_label(n - 1), float(x.mean()), n - 1)


def bootstrap_skewness_adjusted_t(x: np.ndarray, *, n_boot: int = 1000, seed: int = 20250121,
                                  fraction: float = 0.25) -> TestResult:
    """LBT (1999) bootstrapped skewness-adjusted t: resamples of size N/4 (see the module docstring).

    The statistic reported is t_sa of the full sample; the p-value and the note's critical
    values come from the bootstrap distribution of t_sa^b. Seeded, reproducible; B = ``n_boot``.
    """
    x = np.asarray(x, float)
    x = x[np.isfinite(x)]
    n = len(x)
    base = skewness_adjusted_t(x)
    if n < MIN_N_BOOTSTRAP or not np.isfinite(base.statistic):
        return nan_result(n, "bootstrap", base.estimate,
                          f"needs N >= {MIN_N_BOOTSTRAP} for resamples of size N/4")
    nb = max(2, int(n * fraction))
    rng = np.random.default_rng(seed)
    xb = x[rng.integers(0, n, size=(n_boot, nb))]
    mb = xb.mean(axis=1)
    sdb = xb.std(axis=1, ddof=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        gb = np.sum((xb - mb[:, None]) ** 3, axis=1) / (nb * sdb**3)
        Sb = (mb - x.mean()) / sdb
        tb = math.sqrt(nb) * (Sb + gb * Sb**2 / 3.0 + gb / (6.0 * nb))
    tb = tb[np.isfinite(tb)]
    if tb.size < n_boot // 2:
        return nan_result(n, "bootstrap", base.estimate, "too many degenerate resamples (ties)")
    t = base.statistic
    p = 2.0 * min(np.mean(tb <= t), np.mean(tb >= t))
    lo, hi = np.quantile(tb, [0.025, 0.975])
    return TestResult(t, float(min(1.0, max(p, 1.0 / tb.size))), n,
                      f"bootstrap ({tb.size} resamples of {nb}, seed {seed})", base.estimate,
                      note=f"5% critical values [{lo:.2f}, {hi:.2f}] (LBT 1999 resampling, n_b = N/4)")
