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

The battery is linear in the events and runs as map and reduce (:mod:`eventstudy.stats.partials`):
each partition of a group's events gives a :class:`~eventstudy.stats.partials.BatteryPartial`, the
reduce merges them into :class:`~eventstudy.stats.partials.GroupStats`, and every test is a function
of those (:data:`TEXTBOOK_TESTS`, a list a new test joins by appending a :class:`BatteryTest`).
The Kolari-Pynnönen r-bar uses the pooled definition of :mod:`eventstudy.stats.crosscorr` (equal to
the pairwise average of correlations when no estimation bar is missing).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ..estimation.engine import EventEstimates
from ..estimation.models import NormalReturnModel
from . import estudy2 as e2
from .crosscorr import mean_cross_correlation, pairwise_correlation, pairwise_mean_cross_correlation  # noqa: F401
from .nonparametric import corrado_rank, generalized_sign_from, sign_test_from, wilcoxon_signed_rank
from .parametric import bmp_t_from, brown_warner_t, cross_sectional_t_from, kp_adjusted, patell_z_from
from .partials import (BatteryContext, BatteryEvents, BatteryPartial, ColumnStats, GroupStats, battery_map,
                       battery_reduce)
from .result import TestResult, nan_result, p_student, t_label

TEST_COLUMNS = ["test", "group", "kind", "window", "rel_day", "date", "n", "estimate", "statistic", "p_value",
                "distribution", "robust_to_clustering", "primary", "ci_low", "ci_high", "signif", "note", "members"]


@dataclass(frozen=True)
class MinN:
    """The fewest events a test needs (``n``) and what each of them must have (``needs``);
    ``reach`` is the fewest with which a two-sided p < 0.05 can occur at all (exact tests)."""

    n: int
    needs: str
    reach: int = 1


#: Minimum N per test. A row with fewer members than ``n`` is reported n/a with the reason; a
#: test is never marked primary on a row where it could not be computed.
MIN_N: dict[str, MinN] = {
    "cross_sectional_t": MinN(2, "ARs (CARs) of 2 events, not all equal"),
    "brown_warner_t": MinN(1, "events with estimation-window ARs (the AAR and S(AAR) average the same events), "
                              "and 3 estimation bars of their AAR"),
    "patell_z": MinN(1, "standardised values: an estimation variance with df > 2"),
    "bmp_t": MinN(2, "standardised values of 2 events, not all equal"),
    "kp_patell_z": MinN(2, "standardised values of 2 events and an r-bar (2 events with 20 common estimation bars)"),
    "kp_bmp_t": MinN(2, "standardised values of 2 events and an r-bar (2 events with 20 common estimation bars)"),
    "portfolio_t": MinN(2, "2 events estimated with the study's model (status ok) on a common day 0 and benchmark, "
                           "and min_estimation bars of their portfolio"),
    "corrado_rank": MinN(1, "events with estimation-window ARs (ranks over estimation and event bars)"),
    "generalized_sign": MinN(10, "events with estimation-window ARs; the normal approximation to the binomial "
                                 "needs N p\u0302 >= 5 and N (1 - p\u0302) >= 5"),
    "sign": MinN(1, "non-zero ARs (CARs)", reach=6),
    "wilcoxon": MinN(1, "non-zero ARs (CARs)", reach=6),
    "bootstrap_ci": MinN(10, "ARs (CARs) of 10 events: with fewer the resamples cannot represent the sampling "
                             "distribution"),
}
#: Members listed by name in the ``members`` column up to this many; beyond, a count (and the
#: events left out when they are few).
MAX_MEMBERS_LISTED = 10


@dataclass(frozen=True)
class GroupInput:
    """What the battery needs about one group (the engine's output plus labels).

    ``stats`` holds the group's reduced battery inputs once the battery ran (the CAAR band reads
    the portfolio from it).
    """

    name: str
    est: EventEstimates
    meta: pd.DataFrame          # one row per event: ticker, calendar, day0, benchmark, status
    car_labels: list[str]
    dates: list                 # event-window bar labels of the first event (for common-date groups)
    model: NormalReturnModel
    min_estimation: int = 30
    seed: int = 20250121
    order: np.ndarray | None = None   # each event's place in the group (default 0, 1, ...)
    stats: GroupStats | None = None

    def context(self) -> BatteryContext:
        return BatteryContext(self.name, self.est.windows, tuple(self.car_labels), tuple(self.dates), self.model,
                              self.min_estimation, self.seed)

    def events(self) -> BatteryEvents:
        """The group's events as one partition of the map."""
        meta = self.meta.reset_index(drop=True)
        order = np.arange(len(meta)) if self.order is None else np.asarray(self.order)
        return BatteryEvents(self.est, order, meta["calendar"].to_numpy(dtype=object),
                             pd.to_datetime(meta["day0"]).to_numpy(dtype="datetime64[ns]"),
                             meta["benchmark"].to_numpy(dtype=object) if "benchmark" in meta else
                             np.full(len(meta), None, dtype=object), event_labels(meta))


def event_labels(meta: pd.DataFrame) -> np.ndarray | None:
    """How the test table names each event: its ticker, with the event id when a group has several."""
    if "ticker" not in meta:
        return None
    tickers = meta["ticker"].astype(str).to_numpy(dtype=object)
    if "event" in meta and meta["event"].nunique() > 1:
        return (meta["ticker"].astype(str) + " (" + meta["event"].astype(str) + ")").to_numpy(dtype=object)
    return tickers


def clusters(meta: pd.DataFrame) -> np.ndarray:
    """Cluster id per event: events sharing day 0 on one calendar form a cluster."""
    frame = pd.DataFrame({"c": meta["calendar"].to_numpy(dtype=object),
                          "d": pd.to_datetime(meta["day0"]).to_numpy(dtype="datetime64[ns]")})
    return frame.groupby(["c", "d"], sort=False, dropna=False).ngroup().to_numpy()


# --- the textbook tests, as functions of the reduced inputs --------------------------------------

@dataclass(frozen=True)
class BatteryTest:
    """One test of the battery: ``compute(column, group)`` returns its result on one event day or
    CAR window, or None where it does not apply (e.g. the portfolio t without a common date)."""

    name: str
    compute: Callable[[ColumnStats, GroupStats], TestResult | None]
    robust: bool = False             # robust to events that share a date (cross-correlation)
    standardised: bool = False       # runs on standardised values; its row reports the AAR/CAAR
    primary_clustered: bool = False  # a primary test when the events share day 0
    primary_independent: bool = False


def _cross_sectional(c: ColumnStats, g: GroupStats) -> TestResult:
    return cross_sectional_t_from(*c.x)


def _brown_warner(c: ColumnStats, g: GroupStats) -> TestResult:
    # the AAR over the same events as S(AAR): those with estimation-window ARs
    n, mean, _ = c.x_est
    return brown_warner_t(g.aar_est, mean if n else math.nan, c.length, n)


def _patell(c: ColumnStats, g: GroupStats) -> TestResult:
    return patell_z_from(*c.patell)


def _bmp(c: ColumnStats, g: GroupStats) -> TestResult:
    return bmp_t_from(*c.sx)


def _kp_patell(c: ColumnStats, g: GroupStats) -> TestResult:
    pz = _patell(c, g)
    if np.isfinite(g.rbar):
        return kp_adjusted(pz, g.rbar, "patell")
    return nan_result(pz.n, "N(0,1)", note="no cross-correlation estimate")


def _kp_bmp(c: ColumnStats, g: GroupStats) -> TestResult:
    bt = _bmp(c, g)
    if np.isfinite(g.rbar):
        return kp_adjusted(bt, g.rbar, "bmp")
    return nan_result(bt.n, bt.distribution, note="no cross-correlation estimate")


def _portfolio_t(c: ColumnStats, g: GroupStats) -> TestResult | None:
    pf = g.portfolio
    if pf is None:  # a row only where the events share day 0: there it says why it is missing
        return nan_result(g.n_ok, "t(n-p)", c.portfolio_value, "no portfolio") if g.clustered else None
    t = c.portfolio_value / math.sqrt(c.portfolio_var) if c.portfolio_var > 0 else math.nan
    return TestResult(t, p_student(t, pf.df[0]), g.n_ok, t_label(pf.df[0]), c.portfolio_value, pf.df[0],
                      note="equally weighted portfolio re-estimated as one series")


def _corrado(c: ColumnStats, g: GroupStats) -> TestResult:
    return corrado_rank(g.rank_days, c.rank_slice, g.n_keep)


def _generalized_sign(c: ColumnStats, g: GroupStats) -> TestResult:
    return generalized_sign_from(*c.gsign)


def _sign(c: ColumnStats, g: GroupStats) -> TestResult:
    return sign_test_from(*c.sign)


def _wilcoxon(c: ColumnStats, g: GroupStats) -> TestResult:
    return wilcoxon_signed_rank(c.values)


def _bootstrap(c: ColumnStats, g: GroupStats) -> TestResult | None:
    return g.bootstrap(c) if c.kind == "car" else None


#: The textbook battery, in the order of its rows (see the module doc for sources).
TEXTBOOK_TESTS: list[BatteryTest] = [
    BatteryTest("cross_sectional_t", _cross_sectional),
    BatteryTest("brown_warner_t", _brown_warner, robust=True, primary_clustered=True),
    BatteryTest("patell_z", _patell, standardised=True),
    BatteryTest("bmp_t", _bmp, standardised=True, primary_independent=True),
    BatteryTest("kp_patell_z", _kp_patell, robust=True, standardised=True),
    BatteryTest("kp_bmp_t", _kp_bmp, robust=True, standardised=True, primary_clustered=True),
    BatteryTest("portfolio_t", _portfolio_t, robust=True, primary_clustered=True),
    BatteryTest("corrado_rank", _corrado, robust=True, primary_clustered=True, primary_independent=True),
    BatteryTest("generalized_sign", _generalized_sign, primary_independent=True),
    BatteryTest("sign", _sign),
    BatteryTest("wilcoxon", _wilcoxon),
    BatteryTest("bootstrap_ci", _bootstrap),
]

STANDARDISED = {t.name for t in TEXTBOOK_TESTS if t.standardised}
ROBUST = {t.name for t in TEXTBOOK_TESTS if t.robust}
PRIMARY_CLUSTERED = {t.name for t in TEXTBOOK_TESTS if t.primary_clustered}
PRIMARY_INDEPENDENT = {t.name for t in TEXTBOOK_TESTS if t.primary_independent}


def members_mask(test: str, j: int, g: GroupStats) -> np.ndarray:
    """Which of the group's kept events enter ``test`` on column ``j`` (K,): the rule of
    :data:`MIN_N` (raw values; standardised values; events with estimation-window ARs; ...)."""
    cache = getattr(g, "_cache", {})
    base = cache.get(("members", j))
    if base is None:  # the column's values once per column, not once per test
        x = np.asarray(g.columns[j].values, dtype=float)
        sx_j = np.ascontiguousarray(g.values_sx[:, j]) if g.values_sx.size else np.full(len(x), np.nan)
        base = cache[("members", j)] = (x, np.isfinite(x), sx_j)
    x, fin, sx = base
    K = len(x)
    has_est = g.has_est if g.has_est is not None else np.ones(K, dtype=bool)
    if test in ("patell_z",):
        return np.isfinite(sx) & np.isfinite(g.df) & (g.df > 2)
    if test in ("bmp_t", "kp_patell_z", "kp_bmp_t"):
        return np.isfinite(sx)
    if test in ("brown_warner_t", "corrado_rank"):
        return fin & has_est
    if test == "generalized_sign":
        return fin & np.isfinite(g.p_hat)
    if test == "portfolio_t":
        ok = g.status_ok if g.status_ok is not None else np.ones(K, dtype=bool)
        return fin & ok
    if test in ("sign", "wilcoxon"):
        return fin & (x != 0)
    return fin


def members_text(labels: np.ndarray | None, mask: np.ndarray) -> str:
    """The members of an average by name (few), else a count and the events left out (few)."""
    n, K = int(mask.sum()), len(mask)
    if labels is None:
        return f"{n} of {K} events"
    if n <= MAX_MEMBERS_LISTED:
        return ", ".join(str(v) for v in labels[mask])
    out = K - n
    if 0 < out <= MAX_MEMBERS_LISTED:
        return f"{n} of {K} events: all but " + ", ".join(str(v) for v in labels[~mask])
    return f"{n} of {K} events"


def _min_n_check(test: str, res: TestResult, n_members: int, c: ColumnStats) -> TestResult:
    """A result with fewer members than the test's minimum becomes n/a, saying what it needs."""
    rule = MIN_N.get(test)
    if rule is None:
        return res
    short = n_members < rule.n
    if test == "generalized_sign" and not short and c.gsign[0]:
        n, _, p_sum = c.gsign
        p_hat = p_sum / n
        short = not (n * p_hat >= 5 and n * (1 - p_hat) >= 5)
    if short:
        kept = [part for part in res.note.split("; ") if part and not part.startswith("needs")]
        return replace(res, statistic=math.nan, p_value=math.nan, ci_low=math.nan, ci_high=math.nan,
                       note="; ".join([f"n/a: {n_members} event(s); needs N >= {rule.n}: {rule.needs}", *kept]))
    if n_members < rule.reach:
        return replace(res, note="; ".join(filter(None, [res.note, f"with N = {n_members} a two-sided p < 0.05 "
                                                                   f"cannot occur (needs N >= {rule.reach})"])))
    return res


def battery_rows(g: GroupStats, tests: list[BatteryTest] | None = None) -> list[dict]:
    """The test table's rows of one group: every test on every event day, then every CAR window.

    Each row's ``n`` and ``members`` say which events enter it (see :func:`members_mask`); a test
    with fewer members than :data:`MIN_N` asks for is n/a, and ``primary`` is only set on rows
    whose statistic could be computed.
    """
    tests = TEXTBOOK_TESTS if tests is None else tests
    if g.n_keep == 0:
        return []
    rows: list[dict] = []
    for j, c in enumerate(g.columns):
        for t in tests:
            res = t.compute(c, g)
            if res is None:
                continue
            mask = members_mask(t.name, j, g)
            if t.standardised:  # report the AAR/CAAR of its members; the test runs on standardised values
                mine = c.values[mask]
                res = replace(res, estimate=float(mine.mean()) if len(mine) else math.nan, note="; ".join(filter(None, [
                    f"mean standardised value {res.estimate:.3f}" if np.isfinite(res.estimate) else "", res.note])))
            res = _min_n_check(t.name, res, int(mask.sum()), c)
            if t.name == "brown_warner_t" and int(mask.sum()) < int(np.isfinite(c.values).sum()):
                res = replace(res, note="; ".join(filter(None, [res.note, "AAR and S(AAR) over the events with "
                                                                "estimation-window ARs only"])))
            note = g.cluster_note if t.robust else ""
            primary = (t.primary_clustered if g.clustered else t.primary_independent) and bool(np.isfinite(res.statistic))
            rows.append({
                "test": t.name, "group": g.context.group, "kind": c.kind, "window": c.window, "rel_day": c.rel_day,
                "date": c.date, "n": int(mask.sum()), "estimate": res.estimate, "statistic": res.statistic,
                "p_value": res.p_value, "distribution": res.distribution, "robust_to_clustering": t.robust,
                "primary": primary, "ci_low": res.ci_low, "ci_high": res.ci_high, "signif": "",
                "note": "; ".join(x for x in (res.note, note) if x), "members": members_text(g.labels, mask),
            })
    return rows


def group_stats(g: GroupInput) -> GroupStats | None:
    """The battery's reduced inputs of one group run in one partition (map, then reduce)."""
    if not (g.est.status != "dropped").any():
        return None
    return battery_reduce([battery_map(g.events(), g.context())], g.context())


def textbook_battery(g: GroupInput) -> list[dict]:
    """All textbook tests for every event day and every CAR window of one group."""
    stats = g.stats if g.stats is not None else group_stats(g)
    return battery_rows(stats) if stats is not None else []


def _portfolio(g: GroupInput, keep: np.ndarray) -> EventEstimates | None:
    """Equally weighted portfolio of the group's events re-estimated as one series (common date only)."""
    stats = g.stats if g.stats is not None else group_stats(g)
    return stats.portfolio if stats is not None else None


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


def reduced_battery(stats: list[GroupStats], tests: list[BatteryTest] | None = None) -> pd.DataFrame:
    """The textbook test table from groups already reduced (e.g. over the partitions of a run)."""
    rows: list[dict] = []
    for s in stats:
        rows.extend(battery_rows(s, tests))
    return pd.DataFrame(rows, columns=TEST_COLUMNS)


__all__ = ["BatteryContext", "BatteryEvents", "BatteryPartial", "BatteryTest", "ColumnStats", "GroupInput",
           "GroupStats", "TEST_COLUMNS", "TEXTBOOK_TESTS", "battery_map", "battery_reduce", "battery_rows",
           "clusters", "estudy2_battery", "group_stats", "mean_cross_correlation", "pairwise_correlation",
           "reduced_battery", "run_battery", "textbook_battery"]
