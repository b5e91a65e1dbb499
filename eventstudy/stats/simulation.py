"""Size and power of the tests by simulation on real returns (Brown & Warner 1980, 1985 design).

Pseudo-events are drawn at random dates from real return series, so under the null hypothesis
no abnormal return is present; a test at level alpha should reject in about alpha of the
samples. Injecting a known abnormal return on day 0 measures power.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from ..estimation.engine import Windows, estimate_events, gather
from ..estimation.models import MarketModel
from .nonparametric import (corrado_rank, estimation_positive_share, generalized_sign, normalised_ranks,
                            rank_day_series, sign_test, wilcoxon_signed_rank)
from .parametric import bmp_t, brown_warner_t, cross_sectional_t, patell_z
from .result import TestResult


def _tests_for_sample(est, idx: np.ndarray, c: int, Le: int, ia: int, ib: int) -> dict[str, TestResult]:
    x = est.car[idx, c]
    scar = est.car[idx, c] / np.sqrt(est.var_car[idx, c])
    with np.errstate(invalid="ignore"):
        aar_est = np.nanmean(est.resid_est[idx], axis=0)
    D = rank_day_series(normalised_ranks(np.concatenate([est.resid_est[idx], est.ar[idx]], axis=1)))
    length = ib - ia + 1
    return {
        "cross_sectional_t": cross_sectional_t(x),
        "brown_warner_t": brown_warner_t(aar_est, float(np.nanmean(x)), length),
        "patell_z": patell_z(scar, est.df[idx]),
        "bmp_t": bmp_t(scar),
        "corrado_rank": corrado_rank(D, slice(Le + ia, Le + ib + 1), len(idx)),
        "generalized_sign": generalized_sign(x, estimation_positive_share(est.resid_est[idx])),
        "sign": sign_test(x),
        "wilcoxon": wilcoxon_signed_rank(x),
    }


def pseudo_event_rejections(
    returns: pd.DataFrame,
    market: pd.Series,
    *,
    n_samples: int = 250,
    n_events: int = 20,
    windows: Windows = Windows((-110, -11), (-5, 5), ((0, 0), (-1, 1))),
    inject: float = 0.0,
    alpha: float = 0.05,
    seed: int = 12345,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Rejection rate of each test over ``n_samples`` samples of ``n_events`` pseudo-events.

    Each pseudo-event is a random (security, date) with the full windows inside the data;
    events of a sample are drawn independently (different dates as a rule). ``inject`` (a
    fraction, e.g. 0.01) is added to every event's day-0 return. Market model, prediction-error
    variances, two-sided tests at level ``alpha``. Returns one row per test and CAR window:
    rejections, samples, rate.
    """
    rng = np.random.default_rng(seed)
    R = returns.to_numpy(dtype=float)
    m = market.reindex(returns.index).to_numpy(dtype=float)
    T, S = R.shape
    lo, hi = -windows.estimation[0], T - 1 - windows.event[1]
    if hi <= lo:
        raise ValueError("the return series are too short for these windows")
    K = n_samples * n_events
    pos = rng.integers(lo, hi + 1, size=K)
    col = rng.integers(0, S, size=K)
    est_off, evt_off = windows.est_offsets, windows.evt_offsets
    r_evt = gather(R, pos, col, evt_off)
    r_evt[:, -windows.event[0]] += inject
    mm = m[:, None]
    zeros = np.zeros(K, dtype=int)
    est = estimate_events(gather(R, pos, col, est_off), gather(mm, pos, zeros, est_off)[..., None], r_evt,
                          gather(mm, pos, zeros, evt_off)[..., None], MarketModel(), windows, min_estimation=30,
                          short_estimation="drop")
    Le = len(est_off)
    counts: dict[tuple[str, str], list[int]] = {}
    for s in range(n_samples):
        idx = np.arange(s * n_events, (s + 1) * n_events)
        idx = idx[est.status[idx] != "dropped"]
        for c, (a, b) in enumerate(windows.cars):
            ia, ib = a - windows.event[0], b - windows.event[0]
            for name, res in _tests_for_sample(est, idx, c, Le, ia, ib).items():
                key = (name, f"[{a},{b}]")
                hit = counts.setdefault(key, [0, 0])
                if np.isfinite(res.p_value):
                    hit[0] += int(res.p_value < alpha)
                    hit[1] += 1
        if progress:
            progress(s + 1)
    rows = [{"test": k[0], "window": k[1], "rejections": v[0], "samples": v[1], "rate": v[0] / v[1] if v[1] else np.nan}
            for k, v in counts.items()]
    return pd.DataFrame(rows)
