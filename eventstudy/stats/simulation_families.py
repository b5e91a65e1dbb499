"""The test families of the size/power simulation beyond the textbook battery.

Each family takes a :class:`SimContext` (everything computed once for every pseudo-event) and
the indices of one sample's events, and returns ``{(test, window): TestResult}``. The
orchestration (drawing pseudo-events from real returns, injecting abnormal returns, counting
rejections) is :func:`eventstudy.stats.simulation.size_power`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from ..estimation.engine import EventEstimates, Windows
from . import eventstudy_r as er
from .bhar import bhar, bootstrap_skewness_adjusted_t, conventional_t, skewness_adjusted_t
from .calendar_time import calendar_portfolio, calendar_time_alpha
from .cross_section import robust_ols
from .grank import grank_t
from .multitest import adjust_pvalues
from .nonparametric import corrado_rank, estimation_positive_share, generalized_sign, normalised_ranks, rank_day_series
from .parametric import bmp_t, cross_sectional_t, patell_z
from .result import TestResult
from .volatility import abnormal_volatility, volatility_rank, volatility_t
from .wild_bootstrap import wild_bootstrap_t


@dataclass
class SimContext:
    """Per-pseudo-event arrays shared by the families (K pseudo-events)."""

    windows: Windows
    est: EventEstimates                      # market model on returns (prediction error included)
    pos: np.ndarray                          # (K,) day-0 rows in the return matrix
    col: np.ndarray                          # (K,) security columns
    r_evt: np.ndarray                        # (K, W) simple returns on the event window (injection included)
    m_evt: np.ndarray                        # (K, W) market returns on the event window
    R: np.ndarray | None = None              # (T, S) returns, for the calendar-time portfolio
    m: np.ndarray | None = None              # (T,) market returns
    inject: float = 0.0                      # abnormal return injected on day 0 (calendar-time family)
    bhar_centre: dict | None = None          # {benchmark tag: (C,) pool mean BHAR to subtract} (H0 imposed)
    volume: EventEstimates | None = None     # market model on log volume
    models: dict[str, EventEstimates] = field(default_factory=dict)  # other normal-return models
    char: np.ndarray | None = None           # (K,) a random characteristic (independent of the CARs)
    seed: int = 0

    @property
    def Le(self) -> int:
        return len(self.windows.est_offsets)

    def car_slices(self):
        """(label, position a, position b) of each CAR window in the event window."""
        e0 = self.windows.event[0]
        return [(f"[{a},{b}]", a - e0, b - e0) for a, b in self.windows.cars]


def _std(est: EventEstimates, idx: np.ndarray, c: int) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return est.car[idx, c] / np.sqrt(est.var_car[idx, c])


def fam_grank(ctx: SimContext, idx: np.ndarray) -> dict:
    est = ctx.est
    return {("grank_t", lab): grank_t(est.resid_est[idx], est.sigma2[idx], _std(est, idx, c))
            for c, (lab, _, _) in enumerate(ctx.car_slices())}


def fam_wild(ctx: SimContext, idx: np.ndarray) -> dict:
    est, out = ctx.est, {}
    for c, (lab, _, _) in enumerate(ctx.car_slices()):
        for w in ("rademacher", "mammen"):
            seed = ctx.seed + int(idx[0])
            out[(f"wild_{w}_cross_sectional_t", lab)] = wild_bootstrap_t(est.car[idx, c], weights=w, n_boot=999, seed=seed)
            out[(f"wild_{w}_bmp_t", lab)] = wild_bootstrap_t(_std(est, idx, c), weights=w, n_boot=999, seed=seed)
    return out


def fam_eventstudy_r(ctx: SimContext, idx: np.ndarray) -> dict:
    """R EventStudy's statistics, each CAR window taken as its cumulation window (the value on its last day)."""
    out = {}
    for lab, a, b in ctx.car_slices():
        x = er.RInput.from_estimates(ctx.est, (a, b), keep=idx)
        for name, fn in er.MULTI_EVENT.items():
            s = fn(x)
            single = a == b
            if name == "rank_z":
                if not single:
                    continue  # R has no cumulative rank statistic
                val, p = s.day[-1], s.day_p[-1]
            else:
                val, p = (s.day[-1], s.day_p[-1]) if single else (s.cum[-1], s.cum_p[-1])
            out[(f"r_{name}", lab)] = TestResult(float(val), float(p), int(s.n[-1]), s.distribution)
    return out


def fam_bhar(ctx: SimContext, idx: np.ndarray) -> dict:
    """BHARs against the market model's expected returns ("_mm") and against the market itself
    ("_madj", the market-adjusted BHAR, biased when the securities drift against the index)."""
    w = np.array([[a, b] for _, a, b in ctx.car_slices()])
    out = {}
    for tag, bench in (("mm", ctx.est.expected[idx]), ("madj", ctx.m_evt[idx])):
        B = bhar(ctx.r_evt[idx], bench, w)
        if ctx.bhar_centre is not None:
            B = B - ctx.bhar_centre[tag][None, :]
        for c, (lab, _, _) in enumerate(ctx.car_slices()):
            out[(f"bhar_{tag}_t", lab)] = conventional_t(B[:, c])
            out[(f"bhar_{tag}_skew_adjusted_t", lab)] = skewness_adjusted_t(B[:, c])
            out[(f"bhar_{tag}_lbt_bootstrap", lab)] = bootstrap_skewness_adjusted_t(B[:, c], n_boot=500,
                                                                                  seed=ctx.seed + int(idx[0]))
    return out


def _standard_tests(est: EventEstimates, idx: np.ndarray, ctx: SimContext, prefix: str, ranks: bool = True) -> dict:
    out = {}
    Le = est.resid_est.shape[1]
    D = rank_day_series(normalised_ranks(np.concatenate([est.resid_est[idx], est.ar[idx]], axis=1))) if ranks else None
    keep = idx[est.status[idx] != "dropped"]
    for c, (lab, a, b) in enumerate(ctx.car_slices()):
        s = _std(est, keep, c)
        out[(f"{prefix}cross_sectional_t", lab)] = cross_sectional_t(est.car[keep, c])
        out[(f"{prefix}patell_z", lab)] = patell_z(s, est.df[keep])
        out[(f"{prefix}bmp_t", lab)] = bmp_t(s)
        if ranks:
            out[(f"{prefix}corrado_rank", lab)] = corrado_rank(D, slice(Le + a, Le + b + 1), len(idx))
            out[(f"{prefix}generalized_sign", lab)] = generalized_sign(
                est.car[idx, c], estimation_positive_share(est.resid_est[idx]))
    return out


def fam_volume(ctx: SimContext, idx: np.ndarray) -> dict:
    return _standard_tests(ctx.volume, idx, ctx, "volume_")


def fam_volatility(ctx: SimContext, idx: np.ndarray) -> dict:
    est = ctx.est
    w = np.array([[a, b] for _, a, b in ctx.car_slices()])
    av = abnormal_volatility(est.ar[idx], est.var_ar[idx], est.df[idx], w)
    out = {}
    for c, (lab, a, b) in enumerate(ctx.car_slices()):
        out[("volatility_t", lab)] = volatility_t(av[:, c])
        out[("volatility_rank", lab)] = volatility_rank(est.resid_est[idx], est.sigma2[idx], est.ar[idx],
                                                        est.var_ar[idx], slice(ctx.Le + a, ctx.Le + b + 1))
    return out


def fam_models(ctx: SimContext, idx: np.ndarray) -> dict:
    out = {}
    for name, est in ctx.models.items():
        out.update(_standard_tests(est, idx, ctx, f"{name}:", ranks=False))
    return out


def fam_multiple_testing(ctx: SimContext, idx: np.ndarray) -> dict:
    """Family-wise rejection over the event window's days: any day significant, raw / Holm / BH.

    Encoded as a TestResult whose p-value is the smallest (adjusted) p over the days, so
    "p < alpha" means "the family rejects somewhere"."""
    est = ctx.est
    W = est.ar.shape[1]
    out = {}
    with np.errstate(invalid="ignore", divide="ignore"):
        sar = est.ar[idx] / np.sqrt(est.var_ar[idx])
    for name, fn, x in (("cross_sectional_t", cross_sectional_t, est.ar[idx]), ("bmp_t", bmp_t, sar)):
        p = np.array([fn(x[:, j]).p_value for j in range(W)])
        lab = f"days {ctx.windows.event[0]}..{ctx.windows.event[1]}"
        out[(f"any_day_{name}_unadjusted", lab)] = TestResult(float(np.nanmin(p)), float(np.nanmin(p)), len(idx), "min p")
        for method in ("holm", "bh"):
            q = float(np.nanmin(adjust_pvalues(p, method)))
            out[(f"any_day_{name}_{method}", lab)] = TestResult(q, q, len(idx), "min adjusted p")
    return out


def fam_cross_section(ctx: SimContext, idx: np.ndarray) -> dict:
    """Slope t of CAR on a random characteristic (true slope 0): HC3, by date, by firm, two-way.

    One CAR window (the first multi-bar one) keeps the cost down: four statsmodels fits per sample."""
    est, out = ctx.est, {}
    slices = ctx.car_slices()
    c = next((i for i, (_, a, b) in enumerate(slices) if b > a), 0)
    lab = slices[c][0]
    car = est.car[idx, c]
    ok = np.isfinite(car)
    y, X = car[ok], np.column_stack([np.ones(ok.sum()), ctx.char[idx][ok]])
    date = np.unique(ctx.pos[idx][ok], return_inverse=True)[1]
    firm = np.unique(ctx.col[idx][ok], return_inverse=True)[1]
    for key, cov, groups in (("hc3", "HC3", None), ("cluster_date", "cluster", date), ("cluster_firm", "cluster", firm),
                             ("cluster_both", "cluster", np.column_stack([date, firm]))):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _, _, t, p, df, _, _ = robust_ols(y, X, cov, groups)
        out[(f"car_regression_{key}", lab)] = TestResult(float(t[1]), float(p[1]), int(ok.sum()), f"t({df:.0f})")
    return out


def fam_calendar_time(ctx: SimContext, idx: np.ndarray) -> dict:
    """Calendar-time portfolio alpha over each CAR window (market model on the portfolio)."""
    out = {}
    for lab, a, b in ctx.car_slices():
        w0, w1 = a + ctx.windows.event[0], b + ctx.windows.event[0]
        R = ctx.R
        if ctx.inject:
            R = R.copy()
            np.add.at(R, (ctx.pos[idx], ctx.col[idx]), ctx.inject)
        rp, n = calendar_portfolio(R, ctx.pos[idx], ctx.col[idx], (w0, w1))
        out[("calendar_time_alpha", lab)] = calendar_time_alpha(rp, ctx.m[:, None], n_events=n)
    return out


FAMILIES = {
    "grank": fam_grank, "wild_bootstrap": fam_wild, "eventstudy_r": fam_eventstudy_r, "bhar": fam_bhar,
    "volume": fam_volume, "volatility": fam_volatility, "models": fam_models,
    "multiple_testing": fam_multiple_testing, "cross_section": fam_cross_section, "calendar_time": fam_calendar_time,
}
