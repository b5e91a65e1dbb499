"""The tests of the study file's [tests] and [cross_section] tables, as rows of the test table.

The pipeline calls three functions (the rest is pure):

* :func:`extra_partials` in the map (one partition of the plan): abnormal volume through the
  engine and the battery's map, and the calendar-time portfolio's sums per calendar bar;
* :func:`extra_rows` in the reduce: GRANK, BHAR and its LBT tests, abnormal volatility, abnormal
  volume (the textbook battery run on log volume), the calendar-time alpha, the CAR regressions
  and R EventStudy's battery (``conventions = "eventstudy_r"``);
* :func:`finish_table`: multiple-testing adjusted p-values over each test's days or windows.

:func:`extra_battery_tests` gives the wild-bootstrap entries of the battery's registry (they
read only the reduced values). Rows follow :data:`eventstudy.stats.battery.TEST_COLUMNS`; test
names say what they are (``grank_t``, ``bhar_skew_adjusted_t``, ``volume_bmp_t``, ...).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ..errors import DataError
from ..estimation.blocks import GroupEstimates, estimate_groups
from ..estimation.panel import CalendarPanel
from . import eventstudy_r as er
from .battery import TEST_COLUMNS, TEXTBOOK_TESTS, BatteryTest, GroupInput, battery_rows
from .bhar import bhar, bootstrap_skewness_adjusted_t, conventional_t, skewness_adjusted_t, to_simple
from .calendar_time import calendar_time_alpha, event_weights
from .cross_section import car_regression
from .grank import grank_from_sums, rank_sums_many, restandardise
from .multitest import adjust_table
from .nonparametric import corrado_rank, normalised_ranks
from .partials import BatteryContext, BatteryEvents, battery_map, battery_reduce
from .result import TestResult, nan_result, t_label
from .volatility import abnormal_volatility, volatility_t
from .volume import volume_measure
from .wild_bootstrap import wild_bootstrap_t


# --- rows -----------------------------------------------------------------------------------------

def _row(test: str, group: str, kind: str, window: str, rel_day, date, r: TestResult, *, robust: bool = False,
         note: str = "") -> dict:
    return {"test": test, "group": group, "kind": kind, "window": window, "rel_day": rel_day, "date": date,
            "n": r.n, "estimate": r.estimate, "statistic": r.statistic, "p_value": r.p_value,
            "distribution": r.distribution, "robust_to_clustering": robust, "primary": False, "ci_low": r.ci_low,
            "ci_high": r.ci_high, "signif": "", "note": "; ".join(x for x in (r.note, note) if x)}


@dataclass(frozen=True)
class Column:
    """One event day or CAR window of a group: label, positions in the event window (inclusive)."""

    kind: str
    window: str
    rel_day: int | None
    date: object
    a: int
    b: int


def columns_of(g: GroupInput) -> list[Column]:
    """The group's event days, then its CAR windows (the battery's order)."""
    w = g.est.windows
    offs = w.evt_offsets
    out = [Column("day", f"[{r},{r}]", int(r), g.dates[j] if j < len(g.dates) else None, j, j)
           for j, r in enumerate(offs)]
    for c, (a, b) in enumerate(w.cars):
        out.append(Column("car", g.car_labels[c], None, None, int(a - offs[0]), int(b - offs[0])))
    return out


def _standardised(g: GroupInput, keep: np.ndarray) -> np.ndarray:
    """(k, J): SAR on each event day, then SCAR on each CAR window (prediction error included)."""
    est = g.est
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.concatenate([est.ar[keep] / np.sqrt(est.var_ar[keep]), est.car[keep] / np.sqrt(est.var_car[keep])],
                              axis=1)


# --- wild bootstrap: registry entries ---------------------------------------------------------------

def extra_battery_tests(weights: str) -> list[BatteryTest]:
    """Wild-bootstrap entries for the battery's registry (``weights``: rademacher or mammen; none: [])."""
    if weights == "none":
        return []

    def on_values(c, g):
        return wild_bootstrap_t(c.values, weights=weights, seed=g.context.seed)

    def on_standardised(c, g):
        j = g.columns.index(c)
        return wild_bootstrap_t(g.values_sx[:, j], weights=weights, seed=g.context.seed)

    return [BatteryTest(f"wild_{weights}_cross_sectional_t", on_values),
            BatteryTest(f"wild_{weights}_bmp_t", on_standardised)]


# --- GRANK and abnormal volatility (one pass over the estimation windows, chunk by chunk) ------------

def grank_rows(g: GroupInput) -> list[dict]:
    """Kolari & Pynnönen (2011) GRANK t on every event day and CAR window of a group."""
    est = g.est
    keep = np.flatnonzero((est.status != "dropped") & np.isfinite(est.sigma2) & (est.sigma2 > 0))
    cols = columns_of(g)
    if keep.size < 2:
        return []
    sx = _standardised(g, keep)
    star = np.column_stack([restandardise(sx[:, j]) for j in range(sx.shape[1])])
    Le = est.windows.estimation[1] - est.windows.estimation[0] + 1
    su = np.zeros((len(cols), Le + 1))
    cnt = np.zeros((len(cols), Le + 1))
    start = 0
    for rows, _, _, resid in est.chunks(keep):
        loc = slice(start, start + len(rows))
        start += len(rows)
        with np.errstate(invalid="ignore", divide="ignore"):
            sar = resid / np.sqrt(est.sigma2[rows])[:, None]
        s, c = rank_sums_many(sar, star[loc])
        su += s
        cnt += c
    out = []
    for j, col in enumerate(cols):
        n = int(np.isfinite(star[:, j]).sum())
        out.append(_row("grank_t", g.name, col.kind, col.window, col.rel_day, col.date, grank_from_sums(su[j], cnt[j], n),
                        robust=True))
    return out


def volatility_rows(g: GroupInput) -> list[dict]:
    """Abnormal volatility U = AR^2/Var(AR) - df/(df - 2): its cross-sectional t and Corrado rank test."""
    est = g.est
    keep = np.flatnonzero((est.status != "dropped") & np.isfinite(est.sigma2) & (est.sigma2 > 0))
    cols = columns_of(g)
    if keep.size == 0:
        return []
    w = np.array([[c.a, c.b] for c in cols])
    av = abnormal_volatility(est.ar[keep], est.var_ar[keep], est.df[keep], w)
    Le = est.windows.estimation[1] - est.windows.estimation[0] + 1
    W = est.ar.shape[1]
    total, count = np.zeros(Le + W), np.zeros(Le + W)
    for rows, _, _, resid in est.chunks(keep):
        with np.errstate(invalid="ignore", divide="ignore"):
            a = np.concatenate([np.abs(resid) / np.sqrt(est.sigma2[rows])[:, None],
                                np.abs(est.ar[rows]) / np.sqrt(est.var_ar[rows])], axis=1)
        U = normalised_ranks(a) - 0.5
        total += np.nansum(U, axis=0)
        count += np.sum(np.isfinite(U), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        D = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    out = []
    note = "abnormal volatility U = AR^2 / Var(AR) minus df/(df-2)"
    for j, col in enumerate(cols):
        out.append(_row("volatility_t", g.name, col.kind, col.window, col.rel_day, col.date, volatility_t(av[:, j]),
                        note=note))
        r = corrado_rank(D, slice(Le + col.a, Le + col.b + 1), int(keep.size))
        out.append(_row("volatility_rank", g.name, col.kind, col.window, col.rel_day, col.date,
                        replace(r, note="rank of |SAR| over estimation + event bars"), robust=True))
    return out


# --- BHAR --------------------------------------------------------------------------------------------

def bhar_rows(g: GroupInput, returns: str, benchmark: str, seed: int) -> list[dict]:
    """BHAR over each CAR window: conventional t, LBT skewness-adjusted t and its bootstrap."""
    est = g.est
    keep = np.flatnonzero(est.status != "dropped")
    cols = [c for c in columns_of(g) if c.kind == "car"]
    if keep.size == 0 or not cols:
        return []
    r = to_simple(est.r_evt[keep], returns)
    if benchmark == "benchmark":
        if est.f_evt.shape[2] == 0 or g.model.name == "factor":
            why = "bhar_benchmark = \"benchmark\" needs a benchmark return (this group has " + \
                  ("factors" if est.f_evt.shape[2] else "none") + ")"
            return [_row(t, g.name, "car", c.window, None, None, nan_result(int(keep.size), "-", note=why))
                    for c in cols for t in ("bhar_t",)]
        bench = to_simple(est.f_evt[keep, :, 0], returns)
        what = "BHAR against the benchmark (market-adjusted)"
    else:
        bench = to_simple(est.expected[keep], returns)
        what = "BHAR against the model's expected returns"
    w = np.array([[c.a, c.b] for c in cols])
    B = bhar(r, bench, w)
    out = []
    for j, col in enumerate(cols):
        for name, res in (("bhar_t", conventional_t(B[:, j])), ("bhar_skew_adjusted_t", skewness_adjusted_t(B[:, j])),
                          ("bhar_lbt_bootstrap", bootstrap_skewness_adjusted_t(B[:, j], seed=seed))):
            out.append(_row(name, g.name, "car", col.window, None, None, res, note=what))
    return out


# --- abnormal volume: the engine and the battery on log volume ---------------------------------------

def volume_panels(plan, prices: dict, measure: str = "log_volume") -> dict[str, CalendarPanel]:
    """Per calendar of the plan, the volume measure of its symbols on the plan's bars."""
    f = plan.frame[plan.pending]
    out = {}
    for name, cb in plan.calendars.items():
        on = f["calendar"].to_numpy(dtype=object) == name
        if not on.any():
            continue
        syms = list(dict.fromkeys([*f.loc[on, "ticker"], *[b for b in f.loc[on, "benchmark"] if isinstance(b, str)]]))
        V = np.full((len(cb.index), len(syms)), np.nan)
        for j, s in enumerate(syms):
            ps = prices.get(s)
            if ps is None or "volume" not in ps.bars:
                continue
            V[:, j] = ps.bars["volume"].reindex(cb.index).to_numpy(dtype=float)
        out[name] = CalendarPanel(cb.calendar, cb.index, tuple(syms), volume_measure(V, measure), {}, {}, {})
    return out


def volume_estimates(spec, plan, prices: dict) -> list[GroupEstimates]:
    """Abnormal log volume of every studied pair (the study's windows; market model on the
    benchmark's log volume, or constant mean): the engine run on the volume measure. Pairs
    with fewer than ``min_estimation`` volume bars are dropped (no market-adjusted fallback)."""
    kind = spec.tests.volume_model
    vplan = plan.with_groups(tuple(replace(gp, model_kind=kind) for gp in plan.groups))
    vspec = replace(spec, model=replace(spec.model, short_estimation="drop"))
    return estimate_groups(vspec, vplan, volume_panels(plan, prices), None)


# --- calendar-time portfolio -------------------------------------------------------------------------

@dataclass(frozen=True)
class CalendarSums:
    """Sums of the calendar-time portfolio of one group on one calendar (summable over partitions):
    per CAR window, the sum over events in their window of R and the number of events, per bar."""

    index: pd.DatetimeIndex
    num: np.ndarray        # (C, T)
    den: np.ndarray        # (C, T)
    F: np.ndarray          # (T, q) regressors (benchmark returns or factors)
    rf: np.ndarray | None  # (T,) risk-free rate (factor files with RF)
    labels: tuple[str, ...]

    def __add__(self, other: "CalendarSums") -> "CalendarSums":
        return replace(self, num=self.num + other.num, den=self.den + other.den)


def calendar_sums(g: GroupEstimates, plan, panel: CalendarPanel, factors: pd.DataFrame | None) -> CalendarSums | None:
    """The calendar-time sums of one group's pairs on one calendar (None without one regressor set)."""
    f = plan.frame
    rows = f.set_index("row").loc[g.rows]
    on = rows["calendar"].to_numpy(dtype=object) == panel.calendar.name
    if not on.any():
        return None
    where = {s: j for j, s in enumerate(panel.symbols)}
    tick = rows["ticker"].to_numpy(dtype=object)[on]
    col = np.array([where[t] for t in tick], dtype=np.int64)
    pos = rows["pos0"].to_numpy()[on]
    R = panel.returns
    T = len(panel.index)
    rf = None
    if factors is not None:
        fm = factors.reindex(panel.index)
        F = fm[[c for c in fm.columns if c != "RF"]].to_numpy(dtype=float)
        rf = fm["RF"].to_numpy(dtype=float) if "RF" in fm.columns else None
    else:
        benches = {b for b in rows["benchmark"].to_numpy(dtype=object)[on] if isinstance(b, str)}
        if len(benches) != 1:
            return None
        F = R[:, [where[next(iter(benches))]]]
    num, den = [], []
    for a, b in g.group.windows.cars:
        Wt = event_weights(T, R.shape[1], pos, col, (a, b))
        have = np.isfinite(R)
        Wv = np.where(have, Wt, 0.0)
        num.append((Wv * np.where(have, R, 0.0)).sum(axis=1))
        den.append(Wv.sum(axis=1))
    return CalendarSums(panel.index, np.array(num), np.array(den), F, rf, tuple(g.group.car_labels))


def calendar_rows(group: str, sums: dict[str, CalendarSums], hac: int | None) -> list[dict]:
    """The calendar-time alpha of each CAR window, per calendar of the group."""
    out = []
    for cal, s in sums.items():
        for c, label in enumerate(s.labels):
            with np.errstate(invalid="ignore", divide="ignore"):
                rp = np.where(s.den[c] >= 1, s.num[c] / s.den[c], np.nan)
            res = calendar_time_alpha(rp, s.F, s.rf, hac_lags=hac, n_events=s.den[c])
            out.append(_row("calendar_time_alpha", group, "car", label, None, None, res, robust=True,
                            note=f"calendar {cal}; alpha per bar of the equally weighted portfolio of the events in "
                                 "their window"))
    return out


# --- the map and the reduce ----------------------------------------------------------------------------

def extra_partials(spec, plan, groups: list[GroupEstimates], panels: dict[str, CalendarPanel], prices: dict,
                   frames, factors: pd.DataFrame | None) -> dict:
    """What the extra tests need from one partition: {"volume": {group: BatteryPartial},
    "calendar": {group: {calendar: CalendarSums}}}."""
    out: dict = {"volume": {}, "calendar": {}, "volume_context": {}}
    t = spec.tests
    if t.volume:
        f = plan.frame
        seq_of = pd.Series(f["seq"].to_numpy(), index=f["row"].to_numpy())
        for vg in volume_estimates(spec, plan, prices):
            est = vg.est
            meta = frames.meta[vg.group.name]
            if not (est.status != "dropped").any():
                continue
            ctx = BatteryContext(vg.group.name, est.windows, vg.group.car_labels, tuple(pd.DatetimeIndex(vg.dates[0])),
                                 vg.model, spec.model.min_estimation)
            ev = BatteryEvents(est, seq_of.loc[vg.rows].to_numpy(), meta["calendar"].to_numpy(dtype=object),
                               meta["day0"].to_numpy(dtype="datetime64[ns]"), meta["benchmark"].to_numpy(dtype=object))
            out["volume"][vg.group.name] = battery_map(ev, ctx)
            out["volume_context"][vg.group.name] = ctx
    if t.calendar_time:
        for g in groups:
            per = {}
            for cal, panel in panels.items():
                s = calendar_sums(g, plan, panel, factors)
                if s is not None:
                    per[cal] = s
            out["calendar"][g.group.name] = per
    return out


#: R EventStudy's test names (its short codes) for our functions.
R_NAMES = {"csect_t": "CSectT", "patell_z": "PatellZ", "bmp_t": "BMP", "sign_z": "SignT",
           "generalized_sign_z": "GSignT", "rank_z": "RankT", "calendar_time_t": "CalTimeT", "kolari_pynnonen_t": "KP"}


def _r_result(s, j: int, cum: bool, aar: float, what: str) -> TestResult:
    """One R statistic at position j as a TestResult: estimate = the AAR (or CAAR), R's own quantity in the note."""
    val, p = (s.cum[j], s.cum_p[j]) if cum else (s.day[j], s.day_p[j])
    n = int(s.n[j])
    dist = t_label(n - 1) if s.distribution == "t(N-1)" else s.distribution
    own = s.cum_estimate[j] if cum else s.estimate[j]
    note = "; ".join(x for x in (f"{what} {own:.4g}" if np.isfinite(own) else "", s.note) if x)
    return TestResult(float(val), float(p), n, dist, float(aar), note=note)


#: R EventStudy's test names (its short codes), and what each reports as its own quantity.
R_NAMES = {"csect_t": ("CSectT", "AAR"), "patell_z": ("PatellZ", "sum of SARs"), "bmp_t": ("BMP", "mean SAR"),
           "sign_z": ("SignT", "positive ARs"), "generalized_sign_z": ("GSignT", "positive ARs"),
           "rank_z": ("RankT", "mean centred rank"), "calendar_time_t": ("CalTimeT", "AAR"),
           "kolari_pynnonen_t": ("KP", "mean SAR")}


def eventstudy_r_battery(g: GroupInput) -> list[dict]:
    """R EventStudy's statistics: each on every event day (day statistics over the event window), and
    on each CAR window (its cumulative statistic on the window's last day, cumulated from its first);
    ``estimate`` is the AAR (CAAR for a window)."""
    est = g.est
    keep = np.flatnonzero(est.status != "dropped")
    if keep.size == 0:
        return []
    out = []
    x = er.RInput.from_estimates(est, keep=keep)
    day_stats = {name: fn(x) for name, fn in er.MULTI_EVENT.items()}
    aar = day_stats["csect_t"].estimate
    for col in columns_of(g):
        if col.kind == "day":
            for name, s in day_stats.items():
                test, what = R_NAMES[name]
                out.append(_row(test, g.name, "day", col.window, col.rel_day, col.date,
                                _r_result(s, col.a, False, aar[col.a], what), note="R EventStudy conventions"))
            continue
        xw = er.RInput.from_estimates(est, (col.a, col.b), keep=keep)
        single = col.a == col.b
        caar = er.csect_t(xw).cum_estimate[-1]
        for name, fn in er.MULTI_EVENT.items():
            if name == "rank_z" and not single:
                continue  # R has no cumulative rank statistic
            test, what = R_NAMES[name]
            res = _r_result(fn(xw), -1, not single, caar, what)
            out.append(_row(test, g.name, "car", col.window, None, None, res,
                            note="R EventStudy conventions; cumulated from the window's first day"))
    return out


def read_characteristics(cs) -> pd.DataFrame:
    """The characteristics file of [cross_section] (I/O at the edge): keys as text, characteristics
    numeric where every cell parses, else text (dummies); empty cells missing."""
    try:
        raw = pd.read_csv(cs.file, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"{cs.file}: cannot read the characteristics file ({exc})") from None
    raw.columns = [c.strip() for c in raw.columns]
    out = pd.DataFrame({k.lower(): raw[k].str.strip() for k in cs.keys})
    for c in cs.columns:
        cells = raw[c].str.strip()
        num = pd.to_numeric(cells, errors="coerce")
        bad = num.isna() & (cells != "")
        out[c] = num if not bad.any() else cells.where(cells != "", None)
    if out.duplicated(subset=[k.lower() for k in cs.keys]).any():
        i = int(np.argmax(out.duplicated(subset=[k.lower() for k in cs.keys]).to_numpy()))
        raise DataError(f"{cs.file}, line {i + 2}: this event appears twice ({', '.join(cs.keys)})")
    return out


def cross_section_rows(g: GroupInput, plan_frame: pd.DataFrame, chars: pd.DataFrame, cs) -> list[dict]:
    """The CAR regression of every CAR window of a group on the characteristics."""
    est = g.est
    f = plan_frame[(plan_frame["group"] == g.name) & (plan_frame["seq"] >= 0)].sort_values("seq")
    if len(f) != len(est.status):
        return []
    keys = [k.lower() for k in cs.keys]
    left = pd.DataFrame({"security": f["ticker"].astype(str).to_numpy()})
    if "event" in keys:
        left["event"] = f["event"].astype(str).to_numpy()
    if "date" in keys:
        left["date"] = pd.to_datetime(f["event_date"]).dt.strftime("%Y-%m-%d").to_numpy()
    merged = left.merge(chars, on=keys, how="left")
    keep = est.status != "dropped"
    X = merged.loc[keep, list(cs.columns)].reset_index(drop=True)
    date = pd.to_datetime(f["day0"]).to_numpy()[keep]
    firm = f["ticker"].to_numpy(dtype=object)[keep]
    kw = {} if cs.cluster == "none" else {"cov_type": "cluster", "cluster": cs.cluster, "date": date, "firm": firm}
    out = []
    unmatched = int(merged.loc[keep, list(cs.columns)].isna().all(axis=1).sum())
    for c, label in enumerate(g.car_labels):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tab = car_regression(est.car[keep, c], X, **kw)
        except (DataError, ValueError) as exc:
            out.append(_row("car_regression", g.name, "car", label, None, None,
                            nan_result(int(keep.sum()), "-", note=str(exc))))
            continue
        for r in tab.itertuples():
            note = f"term {r.term}; {r.cov_type}" + (f", {r.clusters} clusters" if r.clusters else "") + \
                   f"; R^2 {r.r2:.3f}" + (f"; {r.note}" if r.note else "") + \
                   (f"; {unmatched} events not in {cs.file.name}" if unmatched else "")
            res = TestResult(float(r.t), float(r.p_value), int(r.n), f"t({r.df:.0f})", float(r.coef))
            out.append(_row(f"car_regression[{r.term}]", g.name, "car", label, None, None, res, robust=cs.cluster != "none",
                            note=note))
    return out


def extra_rows(spec, groups: list[GroupInput], extras: list[dict], plan_frame: pd.DataFrame,
               characteristics: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every extra test's rows for the groups of a run (the reduce of :func:`extra_partials`)."""
    t = spec.tests
    rows: list[dict] = []
    for g in groups:
        if spec.model.conventions == "eventstudy_r":
            rows.extend(eventstudy_r_battery(g))
        if t.grank_on(spec.model.conventions):
            rows.extend(grank_rows(g))
        if t.bhar:
            rows.extend(bhar_rows(g, spec.model.returns, t.bhar_benchmark, g.seed))
        if t.volatility:
            rows.extend(volatility_rows(g))
        parts = [e["volume"][g.name] for e in extras if g.name in e.get("volume", {})]
        if parts:
            ctx = next(e["volume_context"][g.name] for e in extras if g.name in e.get("volume_context", {}))
            vstats = battery_reduce(parts, ctx)
            for r in battery_rows(vstats, [x for x in TEXTBOOK_TESTS if x.name not in ("portfolio_t", "bootstrap_ci")]):
                r["test"] = "volume_" + r["test"]
                r["primary"] = False
                r["note"] = "; ".join(filter(None, [f"abnormal log volume ({t.volume_model} model on log(volume + 1))",
                                                    r["note"]]))
                rows.append(r)
        cal: dict[str, CalendarSums] = {}
        for e in extras:
            for k, s in e.get("calendar", {}).get(g.name, {}).items():
                cal[k] = cal[k] + s if k in cal else s
        if cal:
            rows.extend(calendar_rows(g.name, cal, t.calendar_time_hac))
        if characteristics is not None and spec.cross_section is not None:
            rows.extend(cross_section_rows(g, plan_frame, characteristics, spec.cross_section))
    return pd.DataFrame(rows, columns=TEST_COLUMNS)


def finish_table(tests: pd.DataFrame, spec) -> pd.DataFrame:
    """The test table with multiple-testing adjusted p-values (``p_adjusted``) when asked for:
    each test of each group over its event days, and over its CAR windows, is one family."""
    method = spec.tests.multiple_testing
    if method == "none" or tests.empty:
        return tests
    return adjust_table(tests, method)


__all__ = ["extra_battery_tests", "extra_partials", "extra_rows", "eventstudy_r_battery", "finish_table",
           "read_characteristics"]
