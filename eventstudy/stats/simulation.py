"""Size and power of the tests by simulation on real returns (Brown & Warner 1980, 1985 design).

Pseudo-events are drawn at random dates from real return series, so under the null hypothesis
no abnormal return is present; a test at level alpha should reject in about alpha of the
samples. Injecting a known abnormal return on day 0 measures power.
"""

from __future__ import annotations

import math
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
    R, m, pos, col = _draw_pseudo_events(rng, returns, market, windows, n_samples * n_events)
    K = len(pos)
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


# --- every method: size and power on the same pseudo-events ------------------------------------

def _unique_pairs(pos: np.ndarray, col: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first index of each distinct (pos, col), inverse map) so expensive fits run once per pair."""
    code = pos.astype(np.int64) * (int(col.max(initial=0)) + 1) + col
    _, first, inverse = np.unique(code, return_index=True, return_inverse=True)
    return first, inverse


def size_power(
    returns: pd.DataFrame,
    market: pd.Series,
    *,
    volume: pd.DataFrame | None = None,
    market_volume: pd.Series | None = None,
    n_samples: int = 1000,
    n_events: int = 20,
    windows: Windows = Windows((-110, -11), (-5, 5), ((0, 0), (-1, 1), (0, 5))),
    inject: float = 0.0,
    inject_volume: float = 0.0,
    inject_volatility: float = 1.0,
    alpha: float = 0.05,
    seed: int = 12345,
    families: tuple[str, ...] | None = None,
    garch: bool = False,
    centre_bhar: bool = False,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Rejection rates of every new method over ``n_samples`` samples of ``n_events`` pseudo-events.

    The pseudo-events are drawn as in :func:`pseudo_event_rejections` (random security and
    date of the real ``returns``, market model). ``inject`` (fraction) is added to day 0's
    return; ``inject_volume`` to day 0's log volume (ln 2 = doubling); ``inject_volatility``
    scales day 0's abnormal return (2 = doubles its sd) by adding an independent normal draw of
    sd (factor^2 - 1)^(1/2) sigma_i. ``families``: names of
    :data:`eventstudy.stats.simulation_families.FAMILIES` (default: all that the inputs allow);
    ``garch`` adds the GARCH(1,1) model (one fit per distinct security-date, slow);
    ``centre_bhar`` subtracts from every BHAR the mean BHAR of the pool of distinct
    security-dates (before injection), which imposes H0 on a pool whose securities drift
    against their benchmark (long windows). Returns one
    row per family, test and window: rejections, samples (with a finite p-value), rate.
    """
    from ..estimation.garch import estimate_garch_events
    from ..estimation.rolling import RollingMarketModel
    from ..estimation.scholes_williams import ScholesWilliams
    from .simulation_families import FAMILIES, SimContext
    from .volume import abnormal_volume, volume_measure

    rng = np.random.default_rng(seed)
    R, m, pos, col = _draw_pseudo_events(rng, returns, market, windows, n_samples * n_events)
    K = len(pos)
    est_off, evt_off = windows.est_offsets, windows.evt_offsets
    j0 = -windows.event[0]
    mm, zeros = m[:, None], np.zeros(K, dtype=int)
    r_est, r_evt = gather(R, pos, col, est_off), gather(R, pos, col, evt_off)
    m_est = gather(mm, pos, zeros, est_off)[..., None]
    m_evt = gather(mm, pos, zeros, evt_off)[..., None]
    r_evt[:, j0] += inject
    base = estimate_events(r_est, m_est, r_evt, m_evt, MarketModel(), windows, min_estimation=30,
                           short_estimation="drop")
    if inject_volatility != 1.0:
        extra = rng.normal(size=K) * np.sqrt(base.sigma2) * math.sqrt(max(inject_volatility**2 - 1.0, 0.0))
        r_evt[:, j0] += extra
        base = estimate_events(r_est, m_est, r_evt, m_evt, MarketModel(), windows, min_estimation=30,
                               short_estimation="drop")
    ctx = SimContext(windows=windows, est=base, pos=pos, col=col, r_evt=r_evt, m_evt=m_evt[..., 0], R=R, m=m,
                     inject=inject, char=rng.normal(size=K), seed=seed)
    wanted = list(FAMILIES) if families is None else list(families)
    if centre_bhar:
        from .bhar import bhar as _bhar

        first, _ = _unique_pairs(pos, col)
        w = np.array([[a - windows.event[0], b - windows.event[0]] for a, b in windows.cars])
        r0 = r_evt[first].copy()
        r0[:, j0] -= inject
        ctx.bhar_centre = {tag: np.nanmean(_bhar(r0, bench[first], w), axis=0)
                           for tag, bench in (("mm", base.expected), ("madj", m_evt[..., 0]))}
    if volume is not None and market_volume is not None and "volume" in wanted:
        V = volume_measure(volume.reindex(returns.index).to_numpy(float))
        Vm = volume_measure(market_volume.reindex(returns.index).to_numpy(float))[:, None]
        v_evt = gather(V, pos, col, evt_off)
        v_evt[:, j0] += inject_volume
        ctx.volume = abnormal_volume(gather(V, pos, col, est_off), gather(Vm, pos, zeros, est_off), v_evt,
                                     gather(Vm, pos, zeros, evt_off), windows)
    else:
        wanted = [f for f in wanted if f != "volume"]
    if "models" in wanted:
        for name, model in (("rolling_market", RollingMarketModel(60)), ("scholes_williams", ScholesWilliams())):
            ctx.models[name] = estimate_events(r_est, m_est, r_evt, m_evt, model, windows, min_estimation=30,
                                               short_estimation="drop")
        if garch:
            first, inverse = _unique_pairs(pos, col)
            g, _ = estimate_garch_events(r_est[first], m_est[first], r_evt[first], m_evt[first], windows,
                                         short_estimation="drop")
            take = lambda a: a[inverse]  # noqa: E731
            ctx.models["garch"] = type(g)(**{f: take(getattr(g, f)) for f in (
                "model", "status", "reason", "n", "df", "sigma2", "coef", "r_evt", "f_evt", "expected", "ar", "var_ar",
                "car_path", "var_car_path", "car", "var_car")}, windows=windows,
                est_arrays=lambda: (r_est, m_est, g.resid_est[inverse]))
    counts: dict[tuple[str, str, str], list[int]] = {}
    for s in range(n_samples):
        idx = np.arange(s * n_events, (s + 1) * n_events)
        idx = idx[base.status[idx] != "dropped"]
        for fam in wanted:
            for (name, window), res in FAMILIES[fam](ctx, idx).items():
                hit = counts.setdefault((fam, name, window), [0, 0])
                if np.isfinite(res.p_value):
                    hit[0] += int(res.p_value < alpha)
                    hit[1] += 1
        if progress:
            progress(s + 1)
    rows = [{"family": k[0], "test": k[1], "window": k[2], "rejections": v[0], "samples": v[1],
             "rate": v[0] / v[1] if v[1] else np.nan} for k, v in counts.items()]
    return pd.DataFrame(rows)


def _draw_pseudo_events(rng: np.random.Generator, returns: pd.DataFrame, market: pd.Series, windows: Windows,
                        k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Returns and market as arrays, and ``k`` random (day-0 bar, column) pairs whose windows fit."""
    R = returns.to_numpy(dtype=float)
    m = market.reindex(returns.index).to_numpy(dtype=float)
    T, S = R.shape
    lo, hi = -windows.estimation[0], T - 1 - windows.event[1]
    if hi <= lo:
        raise ValueError("the return series are too short for these windows")
    return R, m, rng.integers(lo, hi + 1, size=k), rng.integers(0, S, size=k)
