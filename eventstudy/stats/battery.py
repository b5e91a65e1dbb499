"""Run the test battery for a group of events and return tidy rows.

Textbook battery (default), for every event day and every CAR window:

=======================  ==========================================  ==========  =================
test                     source                                      reference   robust to a
                                                                                 common event date
=======================  ==========================================  ==========  =================
cross_sectional_t        Brown & Warner 1985; MacKinlay 1997          t(N-1)      no
brown_warner_t           Brown & Warner 1980, 1985 (crude dependence) t(T-1)      yes
patell_z                 Patell 1976; Campbell, Lo & MacKinlay 1997   N(0,1)      no
bmp_t                    Boehmer, Musumeci & Poulsen 1991             t(N-1)      no
kp_patell_z              Kolari & Pynnönen 2010                       N(0,1)      yes
kp_bmp_t                 Kolari & Pynnönen 2010                       t(N-1)      yes
portfolio_t              Jaffe 1974; Mandelker 1974 (common date)     t(n-p)      yes
corrado_rank             Corrado 1989; Corrado & Zivney 1992; Cowan   N(0,1)      yes (time-series
                         1992 (CAR form)                                          variance of ranks)
generalized_sign         Cowan 1992                                   N(0,1)      no
sign                     binomial sign test                           Binomial    no
wilcoxon                 Wilcoxon 1945                                signed-rank no
bootstrap_ci (CAR only)  percentile bootstrap of CAAR                 bootstrap   no
=======================  ==========================================  ==========  =================

When every event of a group shares day 0 on one calendar (the Stargate case), abnormal
returns are cross-correlated and tests that assume independent events over-reject; the rows of
the dependence-robust tests are then marked ``primary``. Otherwise the BMP t and generalized
sign test are primary.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ..estimation.engine import EventEstimates, estimate_events
from ..estimation.models import NormalReturnModel
from . import estudy2 as e2
from .bootstrap import bootstrap_mean_ci
from .nonparametric import (corrado_rank, estimation_positive_share, generalized_sign, normalised_ranks,
                            rank_day_series, sign_test, wilcoxon_signed_rank)
from .parametric import bmp_t, brown_warner_t, cross_sectional_t, kp_adjusted, patell_z
from .result import TestResult, nan_result, p_student, t_label

TEST_COLUMNS = ["test", "group", "kind", "window", "rel_day", "date", "n", "estimate", "statistic", "p_value",
                "distribution", "robust_to_clustering", "primary", "ci_low", "ci_high", "signif", "note"]

STANDARDISED = {"patell_z", "bmp_t", "kp_patell_z", "kp_bmp_t"}
ROBUST = {"brown_warner_t", "kp_patell_z", "kp_bmp_t", "portfolio_t", "corrado_rank"}
PRIMARY_CLUSTERED = {"kp_bmp_t", "brown_warner_t", "portfolio_t", "corrado_rank"}
PRIMARY_INDEPENDENT = {"bmp_t", "generalized_sign", "corrado_rank"}


@dataclass(frozen=True)
class GroupInput:
    """What the battery needs about one group (the engine's output plus labels)."""

    name: str
    est: EventEstimates
    meta: pd.DataFrame          # one row per event: ticker, calendar, day0, benchmark, status
    car_labels: list[str]
    dates: list                 # event-window bar labels of the first event (for common-date groups)
    model: NormalReturnModel
    min_estimation: int = 30
    seed: int = 20250121


def clusters(meta: pd.DataFrame) -> np.ndarray:
    """Cluster id per event: events sharing day 0 on one calendar form a cluster."""
    keys = list(zip(meta["calendar"], pd.to_datetime(meta["day0"])))
    ids: dict = {}
    return np.array([ids.setdefault(k, len(ids)) for k in keys])


def pairwise_correlation(x: np.ndarray, min_overlap: int = 20) -> np.ndarray:
    """Pearson correlation of every pair of rows of ``x`` (n, L) over the bars both have
    (pairwise-complete, like pandas' ``DataFrame.corr``); NaN below ``min_overlap`` common bars."""
    v = np.isfinite(x).astype(float)
    x0 = np.where(v > 0, x, 0.0)
    n = v @ v.T                      # common bars of i and j
    s_i = x0 @ v.T                   # sum of x_i over bars common with j
    s_ii = (x0 * x0) @ v.T
    s_ij = x0 @ x0.T
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = n * s_ij - s_i * s_i.T
        var_i = n * s_ii - s_i * s_i
        corr = cov / np.sqrt(var_i * var_i.T)
    corr[n < min_overlap] = np.nan
    return corr


def mean_cross_correlation(resid: np.ndarray, cluster: np.ndarray, min_overlap: int = 20) -> tuple[float, int]:
    """Average pairwise correlation of estimation residuals, pairs within a cluster only.

    Pairs in different clusters (different event dates) are taken as uncorrelated (0), so
    r\u0304 = sum_c sum_{i != j in c} rho_ij / (N (N - 1)). Pairs with fewer than ``min_overlap``
    common bars are left out of the sum and of the count. Returns (r\u0304, pairs used).
    """
    N = len(cluster)
    if N < 2:
        return math.nan, 0
    total, pairs_used, pairs_excluded = 0.0, 0, 0
    for c in np.unique(cluster):
        idx = np.flatnonzero(cluster == c)
        if len(idx) < 2:
            continue
        corr = pairwise_correlation(resid[idx], min_overlap)
        off = ~np.eye(len(idx), dtype=bool)
        vals = corr[off]
        ok = np.isfinite(vals)
        total += vals[ok].sum()
        pairs_used += int(ok.sum())
        pairs_excluded += int((~ok).sum())
    denom = N * (N - 1) - pairs_excluded
    return (total / denom if denom > 0 else math.nan), pairs_used // 2


def _row(test: str, g: GroupInput, kind: str, window, rel_day, date, r: TestResult, clustered: bool,
         note: str = "") -> dict:
    primary = test in (PRIMARY_CLUSTERED if clustered else PRIMARY_INDEPENDENT)
    return {
        "test": test, "group": g.name, "kind": kind, "window": window, "rel_day": rel_day, "date": date,
        "n": r.n, "estimate": r.estimate, "statistic": r.statistic, "p_value": r.p_value,
        "distribution": r.distribution, "robust_to_clustering": test in ROBUST, "primary": primary,
        "ci_low": r.ci_low, "ci_high": r.ci_high, "signif": "", "note": "; ".join(x for x in (r.note, note) if x),
    }


def _portfolio(g: GroupInput, keep: np.ndarray) -> EventEstimates | None:
    """Equally weighted portfolio of the group's events re-estimated as one series (common date only)."""
    est = g.est
    ok = keep & (est.status == "ok")
    if ok.sum() < 2 or est.f_est.shape[2] > 1 or len(set(g.meta.loc[ok, "benchmark"].fillna(""))) > 1:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        r_est = np.nanmean(est.r_est[ok], axis=0)[None, :]
        r_evt = np.nanmean(est.r_evt[ok], axis=0)[None, :]
    first = np.flatnonzero(ok)[0]
    f_est, f_evt = est.f_est[first:first + 1], est.f_evt[first:first + 1]
    pe = estimate_events(r_est, f_est, r_evt, f_evt, g.model, est.windows, min_estimation=g.min_estimation,
                         short_estimation="drop")
    return None if pe.status[0] == "dropped" else pe


def textbook_battery(g: GroupInput) -> list[dict]:
    """All textbook tests for every event day and every CAR window of one group."""
    est = g.est
    keep = est.status != "dropped"
    if not keep.any():
        return []
    meta = g.meta.reset_index(drop=True)
    cl = clusters(meta)
    clustered = len(np.unique(cl[keep])) == 1 and keep.sum() >= 2
    with np.errstate(invalid="ignore", divide="ignore"):
        sar = est.ar / np.sqrt(est.var_ar)
        scar = est.car / np.sqrt(est.var_car)
    df = est.df
    std_ok = keep & np.isfinite(est.sigma2)
    rbar, pairs = mean_cross_correlation(est.resid_est[std_ok], cl[std_ok])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        aar_est = np.nanmean(est.resid_est[keep], axis=0)
    U = normalised_ranks(np.concatenate([est.resid_est[keep], est.ar[keep]], axis=1))
    D = rank_day_series(U)
    Le = est.resid_est.shape[1]
    p_hat = estimation_positive_share(est.resid_est)
    portfolio = _portfolio(g, keep) if clustered else None
    offsets = est.windows.evt_offsets
    rows: list[dict] = []
    cnote = (f"{int(keep.sum())} events share day 0 ({meta.loc[keep, 'calendar'].iloc[0]} "
             f"{pd.Timestamp(meta.loc[keep, 'day0'].iloc[0]):%Y-%m-%d})") if clustered else ""

    def battery(kind, window, rel_day, date, x, sx, length, rank_slice, port_val, port_var):
        out = [
            ("cross_sectional_t", cross_sectional_t(x[keep])),
            ("brown_warner_t", brown_warner_t(aar_est, _nanmean(x[keep]), length, int(np.isfinite(x[keep]).sum()))),
            ("patell_z", patell_z(sx[keep], df[keep])),
            ("bmp_t", bmp_t(sx[keep])),
        ]
        pz, bt = out[2][1], out[3][1]
        if np.isfinite(rbar):
            out.append(("kp_patell_z", kp_adjusted(pz, rbar, "patell")))
            out.append(("kp_bmp_t", kp_adjusted(bt, rbar, "bmp")))
        else:
            out.append(("kp_patell_z", nan_result(pz.n, "N(0,1)", note="no cross-correlation estimate")))
            out.append(("kp_bmp_t", nan_result(bt.n, bt.distribution, note="no cross-correlation estimate")))
        if portfolio is not None:
            t = port_val / math.sqrt(port_var) if port_var > 0 else math.nan
            out.append(("portfolio_t", TestResult(t, p_student(t, portfolio.df[0]), int((keep & (est.status == "ok")).sum()),
                                                  t_label(portfolio.df[0]), port_val, portfolio.df[0],
                                                  note="equally weighted portfolio re-estimated as one series")))
        out.append(("corrado_rank", corrado_rank(D, rank_slice, int(keep.sum()))))
        out.append(("generalized_sign", generalized_sign(x[keep], p_hat[keep])))
        out.append(("sign", sign_test(x[keep])))
        out.append(("wilcoxon", wilcoxon_signed_rank(x[keep])))
        if kind == "car":
            out.append(("bootstrap_ci", bootstrap_mean_ci(x[keep], seed=g.seed)))
        mean_x = _nanmean(x[keep])
        for name, res in out:
            if name in STANDARDISED:  # report the AAR/CAAR itself; the test runs on standardised values
                res = replace(res, estimate=mean_x, note="; ".join(filter(None, [
                    f"mean standardised value {res.estimate:.3f}" if np.isfinite(res.estimate) else "", res.note])))
            rows.append(_row(name, g, kind, window, rel_day, date, res, clustered, cnote if name in ROBUST else ""))

    for j, rel in enumerate(offsets):
        pv = portfolio.ar[0, j] if portfolio is not None else math.nan
        pvar = portfolio.var_ar[0, j] if portfolio is not None else math.nan
        date = g.dates[j] if j < len(g.dates) else None
        battery("day", f"[{rel},{rel}]", int(rel), date, est.ar[:, j], sar[:, j], 1, slice(Le + j, Le + j + 1), pv, pvar)
    for c, (a, b) in enumerate(est.windows.cars):
        ia, ib = a - offsets[0], b - offsets[0]
        pv = portfolio.car[0, c] if portfolio is not None else math.nan
        pvar = portfolio.var_car[0, c] if portfolio is not None else math.nan
        battery("car", g.car_labels[c], None, None, est.car[:, c], scar[:, c], b - a + 1,
                slice(Le + ia, Le + ib + 1), pv, pvar)
    return rows


def _nanmean(x: np.ndarray) -> float:
    x = x[np.isfinite(x)]
    return float(x.mean()) if len(x) else math.nan


def estudy2_battery(g: GroupInput) -> list[dict]:
    """estudy2's daily tests on every event day and its CAR tests on every CAR window."""
    est = g.est
    keep = est.status != "dropped"
    x = e2.Estudy2Input(E=est.resid_est[keep].T, V=est.ar[keep].T,
                        m_est=est.f_est[np.flatnonzero(keep)[0], :, 0], m_ev=est.f_evt[np.flatnonzero(keep)[0], :, 0],
                        L=est.n[keep].astype(float))
    offsets = est.windows.evt_offsets
    mean, pct = e2.mean_ar(x), e2.percentage(x)
    daily = {}
    s, p, df = e2.brown_warner_1980(x)
    daily["brown_warner_1980"] = (s, p, np.full(len(s), df), "t")
    s, p, df = e2.brown_warner_1985(x)
    daily["brown_warner_1985"] = (s, p, np.full(len(s), df), "t")
    s, p, df = e2.t_test(x)
    daily["t_test"] = (s, p, df, "t")
    s, p = e2.patell(x)
    daily["patell"] = (s, p, None, "N(0,1)")
    s, p, df = e2.boehmer(x)
    daily["boehmer"] = (s, p, df, "t")
    s, p = e2.lamb(x)
    daily["lamb"] = (s, p, None, "N(0,1)")
    for name, fn in [("sign", e2.sign), ("generalized_sign", e2.generalized_sign), ("corrado_sign", e2.corrado_sign),
                     ("rank", e2.rank), ("modified_rank", e2.modified_rank)]:
        s, p = fn(x)
        daily[name] = (s, p, None, "N(0,1)")
    V, pw, mw, nw = e2.wilcoxon(x)
    rows = []
    note_pct = [f"{q:.1f}% of securities present" for q in pct]
    for name, (s, p, df, dist) in daily.items():
        marks = e2.marks(p)
        for j, rel in enumerate(offsets):
            dlabel = f"t({df[j]:.2f})" if dist == "t" and df is not None else dist
            rows.append({"test": name, "group": g.name, "kind": "day", "window": f"[{rel},{rel}]", "rel_day": int(rel),
                         "date": g.dates[j] if j < len(g.dates) else None, "n": int(np.sum(np.isfinite(x.V[j]))),
                         "estimate": mean[j], "statistic": s[j], "p_value": p[j], "distribution": dlabel,
                         "robust_to_clustering": False, "primary": False, "ci_low": np.nan, "ci_high": np.nan,
                         "signif": marks[j], "note": f"estudy2 conventions; {note_pct[j]}"})
    for j, rel in enumerate(offsets):
        rows.append({"test": "wilcoxon", "group": g.name, "kind": "day", "window": f"[{rel},{rel}]", "rel_day": int(rel),
                     "date": g.dates[j] if j < len(g.dates) else None, "n": int(nw[j]), "estimate": mean[j],
                     "statistic": V[j], "p_value": pw[j], "distribution": "signed-rank (estudy2 marking rule)",
                     "robust_to_clustering": False, "primary": False, "ci_low": np.nan, "ci_high": np.nan,
                     "signif": mw[j], "note": "estudy2 conventions; statistic V = sum of positive ranks; p implied by "
                                             "estudy2's asymmetric marks"})
    for c, (a, b) in enumerate(est.windows.cars):
        window = (offsets >= a) & (offsets <= b)
        days = e2.car_days(x, window)
        ndays = int(days.sum())
        avg_pct = float(pct[days].mean()) if ndays else math.nan
        car_mean = float(np.nanmean(mean[days])) if ndays else math.nan
        for name, stat in [("car_lamb", e2.car_from_daily(daily["lamb"][0], days)),
                           ("car_brown_warner_1985", e2.car_from_daily(daily["brown_warner_1985"][0], days)),
                           ("car_rank_test", e2.car_rank_test(x, days))]:
            p = float(e2.p_normal(np.array([stat]))[0]) if np.isfinite(stat) else math.nan
            rows.append({"test": name, "group": g.name, "kind": "car", "window": g.car_labels[c], "rel_day": None,
                         "date": None, "n": ndays, "estimate": car_mean if name != "car_rank_test" else math.nan,
                         "statistic": stat, "p_value": p, "distribution": "N(0,1)", "robust_to_clustering": False,
                         "primary": False, "ci_low": np.nan, "ci_high": np.nan, "signif": e2.marks(np.array([p]))[0],
                         "note": f"estudy2 conventions; n = number of days; estimate = car_mean (average daily mean AR); "
                                 f"average percentage {avg_pct:.1f}"})
    return rows


def run_battery(groups: list[GroupInput], conventions: str = "textbook") -> pd.DataFrame:
    """The test table of a study: one row per test, group and day/window."""
    rows: list[dict] = []
    for g in groups:
        rows.extend(estudy2_battery(g) if conventions == "estudy2" else textbook_battery(g))
    return pd.DataFrame(rows, columns=TEST_COLUMNS)
