"""The textbook battery as map and reduce, so that partitions of a group's events give the same tests.

:func:`battery_map` reads one partition of a group's events (an
:class:`~eventstudy.estimation.engine.EventEstimates` and the events' place in the group) and
returns a :class:`BatteryPartial`: per-event values (ARs and CARs, their standardised values, df)
and reducible sums. Everything that needs the estimation windows (the average estimation AR of the
Brown-Warner test, the Corrado ranks, the generalized sign's estimation share of positive ARs, the
Kolari-Pynnönen r-bar, the portfolio of a common-date group) is summed over the partition's events
chunk by chunk, so memory does not grow with the number of events. :func:`battery_reduce` merges
the partials of every partition (in any order) into :class:`GroupStats`, from which every test of
the battery is computed (:mod:`eventstudy.stats.battery`). An in-process run is one partition.

Per column j (event day or CAR window) the reducible quantities are, over the events with a value:
N, mean and sum of squared deviations of x (AR or CAR) and of sx (SAR or SCAR) (cross-sectional t,
BMP t, Brown-Warner); N, sum of sx and sum of df/(df-2) with df > 2 (Patell Z); the counts of
positive and non-zero values (sign test) and the sum of each event's estimation share of positive
ARs (generalized sign). The Wilcoxon test and the bootstrap need the values themselves: the reduce
gathers them per column (K values, never K^2), ordered by the events' place in the group so the
bootstrap draws the same resamples whatever the partitioning.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..estimation.engine import EventEstimates, Windows, estimate_events
from ..estimation.models import NormalReturnModel
from .crosscorr import ClusterSums, cluster_sums, rbar_from_sums
from .moments import Moments, Sums
from .nonparametric import centred_rank_sums
from .parametric import patell_sums

#: Estimation bars read at once per chunk of events (the map's memory bound).
CHUNK_CELLS = 500_000


@dataclass(frozen=True)
class BatteryContext:
    """What every partition of a group shares."""

    group: str
    windows: Windows
    car_labels: tuple[str, ...]
    dates: tuple                # event-window bar labels of the group's first pair (common-date groups)
    model: NormalReturnModel
    min_estimation: int = 30
    seed: int = 20250121
    min_overlap: int = 20


@dataclass(frozen=True)
class BatteryEvents:
    """One partition of a group's events: the engine's output and, per event, its place in the
    group (``order``, ascending), its calendar, day 0 (datetime64[ns]) and benchmark."""

    est: EventEstimates
    order: np.ndarray
    calendar: np.ndarray
    day0: np.ndarray
    benchmark: np.ndarray
    labels: np.ndarray | None = None   # how each event is named in the test table's ``members``


@dataclass(frozen=True)
class Portfolio:
    """Sums for the equally weighted portfolio of the events estimated with the study's model."""

    r_est: Sums
    r_evt: Sums
    n_ok: int
    first: tuple | None          # (order, f_est (Le, q), f_evt (W, q)) of the first such event
    benchmarks: frozenset
    q: int


@dataclass(frozen=True)
class BatteryPartial:
    """What one partition hands to the reduce (see the module doc). Per-event arrays cover the
    partition's kept events (status not "dropped"), in ``order``."""

    order: np.ndarray
    x: np.ndarray                # (k, J) AR on each event day, then CAR on each window
    sx: np.ndarray               # (k, J) standardised: AR / sd(AR), CAR / sd(CAR)
    df: np.ndarray               # (k,) residual degrees of freedom
    p_hat: np.ndarray            # (k,) estimation share of positive ARs
    x_m: Moments
    sx_m: Moments
    patell: tuple[np.ndarray, np.ndarray, np.ndarray]   # (N, sum sx, sum df/(df-2)) per column
    sign: tuple[np.ndarray, np.ndarray]                 # (N non-zero, N positive) per column
    gsign: tuple[np.ndarray, np.ndarray, np.ndarray]    # (N, N positive, sum p_hat) per column
    aar: Sums                    # estimation-window ARs per estimation bar
    rank: Sums                   # normalised ranks - 1/2 per estimation + event bar
    portfolio: Portfolio
    clusters: ClusterSums
    n_keep: int
    cluster_first: dict = field(default_factory=dict)   # cluster key -> (order, calendar, day0) of its first event
    has_est: np.ndarray | None = None   # (k,) the event has estimation-window ARs (it is in the AAR of Brown-Warner)
    status_ok: np.ndarray | None = None  # (k,) estimated with the study's model (a member of the portfolio)
    labels: np.ndarray | None = None     # (k,) names of the events
    x_est_m: Moments | None = None       # moments of x over the events with estimation-window ARs


def _cluster_codes(calendar: np.ndarray, day0: np.ndarray) -> tuple[np.ndarray, tuple]:
    """Cluster code per event (first appearance order) and the keys (calendar, day 0 in ns)."""
    d = np.asarray(day0, dtype="datetime64[ns]").view(np.int64)
    c_codes, c_uniq = pd.factorize(np.asarray(calendar, dtype=object))
    d_codes, d_uniq = pd.factorize(d)
    pair = pd.factorize(c_codes.astype(np.int64) * max(len(d_uniq), 1) + d_codes)[0]
    first = pd.Series(np.arange(len(pair))).groupby(pair).first().to_numpy() if len(pair) else np.array([], int)
    keys = tuple((str(c_uniq[c_codes[i]]), int(d[i])) for i in first)
    return pair.astype(np.int64), keys


def battery_map(ev: BatteryEvents, ctx: BatteryContext, chunk_cells: int = CHUNK_CELLS) -> BatteryPartial:
    """The partial sums and per-event values of one partition (see the module doc)."""
    est = ev.est
    keep = est.status != "dropped"
    k_idx = np.flatnonzero(keep)
    W = est.ar.shape[1]
    Le = ctx.windows.estimation[1] - ctx.windows.estimation[0] + 1
    every = len(k_idx) == len(keep)

    def kept(a):  # the kept events' rows (the array itself when every event is kept)
        return a if every else a[k_idx]

    C = est.car.shape[1]
    x = np.empty((len(k_idx), W + C))
    x[:, :W], x[:, W:] = kept(est.ar), kept(est.car)
    sx = np.empty_like(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        np.sqrt(kept(est.var_ar), out=sx[:, :W])
        np.sqrt(kept(est.var_car), out=sx[:, W:])
        np.divide(x, sx, out=sx)  # SAR = AR / sd(AR), SCAR = CAR / sd(CAR)
    df = est.df[k_idx]
    J = x.shape[1]
    xt, sxt = np.ascontiguousarray(x.T), np.ascontiguousarray(sx.T)  # one contiguous row per column
    x_m, sx_m = Moments.of_columns(xt.T), Moments.of_columns(sxt.T)
    pat = [np.zeros(J, dtype=np.int64), np.zeros(J), np.zeros(J)]
    sgn = [np.zeros(J, dtype=np.int64), np.zeros(J, dtype=np.int64)]
    for j in range(J):
        n, s, v = patell_sums(sxt[j], df)
        pat[0][j], pat[1][j], pat[2][j] = n, s, v
        col = xt[j]
        nz = col[np.isfinite(col) & (col != 0)]
        sgn[0][j], sgn[1][j] = len(nz), int(np.sum(nz > 0))

    # the estimation windows, chunk by chunk
    std_ok = np.isfinite(est.sigma2[k_idx])
    ok = est.status[k_idx] == "ok"
    codes, keys = _cluster_codes(ev.calendar[k_idx], ev.day0[k_idx])
    one_cluster = len(keys) == 1  # else the group cannot share one day 0: no portfolio
    p_hat = np.full(len(k_idx), np.nan)
    aar_s, aar_n = np.zeros(Le), np.zeros(Le, dtype=np.int64)
    rank_s, rank_n = np.zeros(Le + W), np.zeros(Le + W, dtype=np.int64)
    port_est = Sums.zeros(Le)
    q = est.f_evt.shape[2]
    first_ok = None
    m_cl = len(keys)
    cl = ClusterSums(keys, np.zeros((m_cl, Le)), np.zeros((m_cl, Le), dtype=np.int64), np.zeros(m_cl),
                     np.zeros(m_cl, dtype=np.int64), np.zeros(m_cl, dtype=np.int64))
    start = 0
    has_est = np.zeros(len(k_idx), dtype=bool)
    for rows, r_est, f_est, resid in est.chunks(k_idx, chunk_cells):
        loc = np.arange(start, start + len(rows))
        start += len(rows)
        present = np.isfinite(resid)
        n_bars = present.sum(axis=1)
        has_est[loc] = n_bars > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            p_hat[loc] = (resid > 0).sum(axis=1) / n_bars  # estimation share of positive ARs
        aar_s += np.where(present, resid, 0.0).sum(axis=0)
        aar_n += present.sum(axis=0)
        # an event without estimation-window ARs has no ranks to compare its event bars with
        full = np.concatenate([resid, est.ar[rows]], axis=1)
        s_, n_ = centred_rank_sums(full if has_est[loc].all() else full[has_est[loc]])
        rank_s += s_
        rank_n += n_
        s_ok = std_ok[loc]
        part = (cluster_sums(resid, codes[loc], keys, ctx.min_overlap, present) if s_ok.all() else
                cluster_sums(resid[s_ok], codes[loc][s_ok], keys, ctx.min_overlap, present[s_ok]))
        for name in ("z_sum", "z_cnt", "z_sq", "n_std", "n_z"):  # same keys in every chunk: add in place
            getattr(cl, name)[...] += getattr(part, name)
        o = ok[loc]
        if one_cluster and o.any():
            port_est = port_est + Sums.of_rows(r_est[o])
            if first_ok is None:
                i = int(np.flatnonzero(o)[0])
                first_ok = (int(ev.order[k_idx][loc[i]]), f_est[i].copy(), est.f_evt[rows[i]].copy())
    aar, rank = Sums(aar_s, aar_n), Sums(rank_s, rank_n)
    ok_rows = k_idx[ok] if one_cluster else k_idx[:0]
    port = Portfolio(port_est, Sums.of_rows(est.r_evt[ok_rows]) if len(ok_rows) else Sums.zeros(W), int(ok.sum()),
                     first_ok, frozenset("" if not isinstance(b, str) else b for b in ev.benchmark[ok_rows]), q)
    fin_p = np.isfinite(p_hat)
    gs = [np.zeros(J, dtype=np.int64), np.zeros(J, dtype=np.int64), np.zeros(J)]
    for j in range(J):
        good = np.isfinite(xt[j]) & fin_p
        gs[0][j], gs[1][j] = int(good.sum()), int(np.sum(xt[j][good] > 0))
        gs[2][j] = float(p_hat[good].sum()) if good.any() else 0.0
    order = ev.order[k_idx]
    firsts = {}
    if len(codes):
        idx_first = pd.Series(np.arange(len(codes))).groupby(codes).first().to_numpy()
        cal_k, day_k = ev.calendar[k_idx][idx_first], pd.DatetimeIndex(ev.day0[k_idx][idx_first])
        for c, i in enumerate(idx_first):  # one entry per cluster (distinct day 0), not per event
            firsts[keys[c]] = (int(order[i]), str(cal_k[c]), day_k[c])
    labels = (np.asarray(ev.labels, dtype=object)[k_idx] if ev.labels is not None else
              ("event " + pd.Series(order).astype(str)).to_numpy(dtype=object))
    x_est_m = Moments.of_columns(xt.T) if has_est.all() else Moments.of_columns(np.where(has_est[:, None], x, np.nan))
    return BatteryPartial(order, x, sx, df, p_hat, x_m, sx_m, tuple(pat), tuple(sgn), tuple(gs), aar, rank, port, cl,
                          len(k_idx), firsts, has_est, ok, labels, x_est_m)


@dataclass(frozen=True)
class ColumnStats:
    """One event day or CAR window of a group, reduced over all partitions."""

    kind: str                  # "day" or "car"
    window: str                # label, e.g. "[0,0]" or "[0,1]"
    rel_day: int | None
    date: object
    length: int                # bars in the window (1 for a day)
    rank_slice: slice          # its bars in the estimation + event ranks
    x: tuple[int, float, float]     # (N, mean, sum of squared deviations) of the ARs or CARs
    sx: tuple[int, float, float]    # the same for the standardised values
    patell: tuple[int, float, float]
    sign: tuple[int, int]
    gsign: tuple[int, int, float]
    values: np.ndarray         # the kept events' values (NaN included), in the group's order
    portfolio_value: float
    portfolio_var: float
    x_est: tuple[int, float, float] = (0, np.nan, np.nan)  # x over the events with estimation-window ARs


@dataclass(frozen=True)
class GroupStats:
    """Everything the battery's tests read about one group (reduced over every partition)."""

    context: BatteryContext
    n_keep: int
    n_ok: int
    clustered: bool
    cluster_note: str
    rbar: float
    rbar_pairs: int
    aar_est: np.ndarray        # mean estimation-window AR per estimation bar
    rank_days: np.ndarray      # D_t = mean over events of (U_it - 1/2), estimation then event bars
    portfolio: EventEstimates | None
    columns: list[ColumnStats]
    values_sx: np.ndarray      # (K, J) standardised values of the kept events, in the group's order
    df: np.ndarray             # (K,) their residual degrees of freedom
    p_hat: np.ndarray          # (K,) their estimation shares of positive ARs
    has_est: np.ndarray | None = None    # (K,) with estimation-window ARs
    status_ok: np.ndarray | None = None  # (K,) estimated with the study's model
    labels: np.ndarray | None = None     # (K,) their names
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def bootstrap(self, column: "ColumnStats"):
        """The bootstrap CI of a CAR window's CAAR (all windows computed together on first use,
        sharing their resample indices: see :func:`eventstudy.stats.bootstrap.bootstrap_mean_cis`)."""
        if "bootstrap" not in self._cache:
            from .bootstrap import bootstrap_mean_cis

            cars = [c for c in self.columns if c.kind == "car"]
            self._cache["bootstrap"] = dict(zip((c.window for c in cars),
                                                bootstrap_mean_cis([c.values for c in cars], seed=self.context.seed)))
        return self._cache["bootstrap"][column.window]


def battery_reduce(parts: list[BatteryPartial], ctx: BatteryContext) -> GroupStats:
    """Merge the partials of every partition of a group (any order) into :class:`GroupStats`."""
    parts = [p for p in parts if p is not None]
    order = np.concatenate([p.order for p in parts])
    sort = np.argsort(order, kind="stable")
    ident = np.array_equal(sort, np.arange(len(sort)))

    def cat(name):
        a = np.concatenate([getattr(p, name) for p in parts])
        return a if ident else a[sort]

    x, sx, df, p_hat = cat("x"), cat("sx"), cat("df"), cat("p_hat")
    has_est, status_ok, labels = cat("has_est"), cat("status_ok"), cat("labels")
    x_m = Moments.combine([p.x_m for p in parts])
    sx_m = Moments.combine([p.sx_m for p in parts])
    x_est_m = Moments.combine([p.x_est_m for p in parts])
    pat = [sum(p.patell[i] for p in parts) for i in range(3)] if len(parts) > 1 else list(parts[0].patell)
    sgn = [sum(p.sign[i] for p in parts) for i in range(2)] if len(parts) > 1 else list(parts[0].sign)
    gs = [sum(p.gsign[i] for p in parts) for i in range(3)] if len(parts) > 1 else list(parts[0].gsign)
    aar = parts[0].aar
    rank = parts[0].rank
    for p in parts[1:]:
        aar, rank = aar + p.aar, rank + p.rank
    Le = ctx.windows.estimation[1] - ctx.windows.estimation[0] + 1
    cl = ClusterSums.combine([p.clusters for p in parts], Le) if len(parts) > 1 else parts[0].clusters
    rbar, pairs = rbar_from_sums(cl)
    n_keep = int(sum(p.n_keep for p in parts))
    firsts: dict = {}
    for p in parts:
        for k, v in p.cluster_first.items():
            if k not in firsts or v[0] < firsts[k][0]:
                firsts[k] = v
    clustered = len(firsts) == 1 and n_keep >= 2
    cnote = ""
    if clustered:
        _, cal, d0 = next(iter(firsts.values()))
        cnote = f"{n_keep} events share day 0 ({cal} {d0:%Y-%m-%d})"
    portfolio, n_ok = _portfolio([p.portfolio for p in parts], ctx) if clustered else (None, 0)
    if not clustered:
        n_ok = int(sum(p.portfolio.n_ok for p in parts))
    windows = ctx.windows
    offsets = windows.evt_offsets
    W = len(offsets)
    columns = []
    for j in range(W + len(windows.cars)):
        if j < W:
            rel = int(offsets[j])
            kind, label, rel_day = "day", f"[{rel},{rel}]", rel
            date = ctx.dates[j] if j < len(ctx.dates) else None
            length, rs = 1, slice(Le + j, Le + j + 1)
            pv = portfolio.ar[0, j] if portfolio is not None else np.nan
            pvar = portfolio.var_ar[0, j] if portfolio is not None else np.nan
        else:
            c = j - W
            a, b = windows.cars[c]
            ia, ib = a - offsets[0], b - offsets[0]
            kind, label, rel_day, date = "car", ctx.car_labels[c], None, None
            length, rs = b - a + 1, slice(Le + ia, Le + ib + 1)
            pv = portfolio.car[0, c] if portfolio is not None else np.nan
            pvar = portfolio.var_car[0, c] if portfolio is not None else np.nan
        columns.append(ColumnStats(
            kind, label, rel_day, date, int(length), rs, x_m.column(j), sx_m.column(j),
            (int(pat[0][j]), float(pat[1][j]), float(pat[2][j])), (int(sgn[0][j]), int(sgn[1][j])),
            (int(gs[0][j]), int(gs[1][j]), float(gs[2][j])), x[:, j], float(pv), float(pvar), x_est_m.column(j)))
    return GroupStats(ctx, n_keep, n_ok, clustered, cnote, rbar, pairs, aar.mean, rank.mean, portfolio, columns,
                      sx, df, p_hat, has_est, status_ok, labels)


def _portfolio(parts: list[Portfolio], ctx: BatteryContext) -> tuple[EventEstimates | None, int]:
    """The equally weighted portfolio of the events estimated with the study's model, re-estimated
    as one series (Jaffe 1974; Mandelker 1974): only for a group whose events share day 0."""
    n_ok = int(sum(p.n_ok for p in parts))
    benches = frozenset().union(*(p.benchmarks for p in parts))
    firsts = [p.first for p in parts if p.first is not None]
    q = parts[0].q
    if n_ok < 2 or q > 1 or len(benches) > 1 or not firsts:
        return None, n_ok
    first = min(firsts, key=lambda t: t[0])
    r_est = parts[0].r_est
    r_evt = parts[0].r_evt
    for p in parts[1:]:
        r_est, r_evt = r_est + p.r_est, r_evt + p.r_evt
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        pe = estimate_events(r_est.mean[None, :], first[1][None], r_evt.mean[None, :], first[2][None], ctx.model,
                             ctx.windows, min_estimation=ctx.min_estimation, short_estimation="drop")
    return (None if pe.status[0] == "dropped" else pe), n_ok
