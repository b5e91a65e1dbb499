"""Bootstrap confidence interval for a mean abnormal return (CAAR)."""

from __future__ import annotations

import math

import numpy as np

from .result import TestResult, nan_result


MIN_N = 10  # fewest events for a bootstrap interval
MAX_RESAMPLED = 10_000_000  # values drawn per interval: bounds time and memory for large samples


def bootstrap_mean_ci(x: np.ndarray, *, level: float = 0.95, n_boot: int = 2000, seed: int = 20250121) -> TestResult:
    """Percentile bootstrap CI of the cross-sectional mean (Efron & Tibshirani 1993, ch. 13).

    Events are resampled with replacement ``n_boot`` times from a fixed ``seed`` (reproducible);
    for very large samples the number of draws is capped so that at most 10 million values are
    resampled (never fewer than 500 draws); the draws used are stated in the result.
    The p-value is the two-sided bootstrap p of H0: mean = 0 from the centred bootstrap
    distribution, 2 min(P(m* - m >= m), P(m* - m <= m)). Resampling events treats them as
    independent: with events on a common date the interval is too narrow (see the
    dependence-robust tests).
    """
    x = np.asarray(x, float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n < MIN_N:
        return nan_result(n, "bootstrap", x.mean() if n else math.nan,
                          f"needs N >= {MIN_N}: with fewer events the resamples cannot represent the sampling distribution")
    n_boot = int(max(500, min(n_boot, MAX_RESAMPLED // n)))
    rng = np.random.default_rng(seed)
    chunk = max(1, min(n_boot, 4_000_000 // n))  # bounded memory for large N
    means = np.concatenate([x[rng.integers(0, n, size=(min(chunk, n_boot - i), n), dtype=np.int32)].mean(axis=1)
                            for i in range(0, n_boot, chunk)])
    m = x.mean()
    lo, hi = np.quantile(means, [(1 - level) / 2, 1 - (1 - level) / 2])
    centred = means - m
    p = 2 * min(np.mean(centred >= abs(m)), np.mean(centred <= -abs(m)))
    return TestResult(float(m / x.std(ddof=1) * math.sqrt(n)) if x.std(ddof=1) > 0 else math.nan,
                      float(min(1.0, max(p, 1.0 / n_boot))), n, f"bootstrap ({n_boot} draws, seed {seed})",
                      float(m), ci_low=float(lo), ci_high=float(hi),
                      note=f"{int(level * 100)}% percentile interval [{100 * lo:+.2f}%, {100 * hi:+.2f}%]")
