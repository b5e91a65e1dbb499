"""Bootstrap confidence interval for a mean abnormal return (CAAR)."""

from __future__ import annotations

import math

import numpy as np

from .result import TestResult, nan_result


MIN_N = 10  # fewest events for a bootstrap interval
MAX_RESAMPLED = 10_000_000  # values drawn per interval: bounds time and memory for large samples
CACHE_VALUES = 65_536  # resampled values gathered in one step (0.5 MB): the draws themselves are unchanged


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
    return bootstrap_mean_cis([x], level=level, n_boot=n_boot, seed=seed)[0]


def bootstrap_mean_cis(xs: list[np.ndarray], *, level: float = 0.95, n_boot: int = 2000,
                       seed: int = 20250121) -> list[TestResult]:
    """:func:`bootstrap_mean_ci` of several samples (e.g. the CARs of each window), each exactly as
    that function computes it alone. Samples of the same size draw the same resample indices from
    the same seed, so the indices are drawn once per size and shared: the numbers are unchanged,
    the random draws are not repeated for every window."""
    out: list[TestResult | None] = [None] * len(xs)
    finite = [np.asarray(x, float)[np.isfinite(np.asarray(x, float))] for x in xs]
    by_n: dict[int, list[int]] = {}
    for i, x in enumerate(finite):
        n = len(x)
        if n < MIN_N:
            out[i] = nan_result(n, "bootstrap", x.mean() if n else math.nan,
                                f"needs N >= {MIN_N}: with fewer events the resamples cannot represent the sampling "
                                "distribution")
        else:
            by_n.setdefault(n, []).append(i)
    for n, members in by_n.items():
        draws = int(max(500, min(n_boot, MAX_RESAMPLED // n)))
        rng = np.random.default_rng(seed)
        chunk = max(1, min(draws, 4_000_000 // n))  # bounded memory for large N
        means = {i: [] for i in members}
        step = max(1, CACHE_VALUES // n)  # resamples gathered at once: the values stay in cache
        for start in range(0, draws, chunk):
            idx = rng.integers(0, n, size=(min(chunk, draws - start), n), dtype=np.int32)
            for i in members:
                means[i].extend(finite[i][idx[j: j + step]].mean(axis=1) for j in range(0, len(idx), step))
        for i in members:
            out[i] = _result(finite[i], np.concatenate(means[i]), level, draws, seed)
    return out


def _result(x: np.ndarray, means: np.ndarray, level: float, n_boot: int, seed: int) -> TestResult:
    n = len(x)
    m = x.mean()
    lo, hi = np.quantile(means, [(1 - level) / 2, 1 - (1 - level) / 2])
    centred = means - m
    p = 2 * min(np.mean(centred >= abs(m)), np.mean(centred <= -abs(m)))
    return TestResult(float(m / x.std(ddof=1) * math.sqrt(n)) if x.std(ddof=1) > 0 else math.nan,
                      float(min(1.0, max(p, 1.0 / n_boot))), n, f"bootstrap ({n_boot} draws, seed {seed})",
                      float(m), ci_low=float(lo), ci_high=float(hi),
                      note=f"{int(level * 100)}% percentile interval [{100 * lo:+.2f}%, {100 * hi:+.2f}%]")
