"""Confounding events: what else happened inside a study's CAR and estimation windows.

An abnormal return measures the event only if nothing else moved the security in its window
(McWilliams & Siegel 1997, "confounding events"). Three sources are flagged, each a row of a
tidy frame (:data:`CONFOUNDING_COLUMNS`), one row per window and flagged date:

(a) **market-wide shocks** (``source`` = ``benchmark`` or ``equal-weighted``): a bar where the
    benchmark's return, or the group's equally weighted return, lies beyond
    ``median +- K_ROBUST * MAD_TO_SIGMA * MAD`` of the same series over the event's estimation
    window (the Hampel identifier; Hampel 1974; Leys et al. 2013). ``robust_z`` is the bar's
    distance from the median in robust standard deviations (MAD_TO_SIGMA * MAD, which equals
    the standard deviation for normal data). The equal-weighted return averages the group's
    securities on that calendar bar (at least :data:`MIN_EW_MEMBERS` of them); a series needs
    :data:`MIN_BAND_BARS` estimation bars for a threshold, else it is not assessed (said in the
    notes).
(b) **overlapping events of the events file** (``source`` = ``events-file``): another event
    whose day 0 falls inside the window, of the *same security* (CAR and estimation windows: the
    security's own returns carry it) or of *another security of the same group* (CAR windows
    only: the group's average mixes the two events); ``what`` says which.
(c) **dates the article gives** (``source`` = ``article``): the extraction's other events, and
    the moves it reports on a date before the studied event (they cannot be the event's own
    effect). A date of day precision falls on one bar; a month or week covers its days and is
    reported but cannot mark a window contaminated (the bar is unknown).

``contaminates`` says whether the row marks its window contaminated. It is False for (1) an
equal-weighted shock on the announcement bars :data:`ANNOUNCEMENT_BARS` (day 0 and day +1:
the group moving together there is what the study measures; a benchmark shock there still
counts), (2) a reported move whose subject is not a security of the group (a sector figure),
(3) an article date coarser than a day. A CAR window is *clean* when no contaminating row
falls in it (:func:`clean_windows`).

Conventions: returns are the study's returns (simple or log), fractions; ``magnitude``,
``center`` and ``threshold`` (the half-width ``K_ROBUST * MAD_TO_SIGMA * MAD``) are fractions;
``rel_day`` counts bars of the row's calendar from day 0. A daily bar dated D carries the news
of the days after the previous bar up to D (a Saturday date falls on Monday's bar).
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..labels import concat_tables, constant_labels, labels

#: Robust standard deviations beyond which a bar is a shock. With normal returns 1 bar in about
#: 16,000 lies beyond 4; daily returns have fat tails: on the embedded snapshot a band built like
#: an event's ([-120, -11] before each bar) flags 1.0-2.1 % of the bars of SPY, QQQ, BTC and the
#: Stargate equities' equal-weighted return at 4 (3.6-5.8 % at 3), so a 6-bar CAR window holds a
#: chance flag 6-12 % of the time (``python tests/benchmarks/confounding_rates.py``).
K_ROBUST = 4.0
#: MAD -> standard deviation for normal data: 1 / Phi^-1(3/4) (Rousseeuw & Croux 1993).
MAD_TO_SIGMA = 1.4826
#: Fewest estimation bars with a value for a series to get a threshold.
MIN_BAND_BARS = 20
#: Fewest securities with a return on a bar for the group's equal-weighted return to exist.
MIN_EW_MEMBERS = 2
#: Relative bars on which the group's own equal-weighted move is the event's reaction (day 0 and
#: the next bar: the two-day announcement window of daily event studies, for news that reaches
#: prices after the close), so a shock of it there does not mark the window contaminated.
ANNOUNCEMENT_BARS = (0, 1)

CONFOUNDING_COLUMNS = ["group", "event", "security", "calendar", "window_kind", "window", "date", "rel_day",
                       "source", "series", "what", "magnitude", "center", "threshold", "robust_z", "contaminates"]
SOURCES = ("benchmark", "equal-weighted", "events-file", "article")
#: The text columns of the frame held as categoricals (:mod:`eventstudy.labels`; ``what`` stays text).
LABEL_COLUMNS = ("group", "event", "security", "calendar", "window_kind", "window", "source", "series")


#: Rows of estimation values per chunk in :func:`robust_band`.
_BAND_CHUNK = 8192


def robust_band(x: np.ndarray, min_bars: int = MIN_BAND_BARS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Median, robust standard deviation (MAD_TO_SIGMA * MAD) and count of each row of ``x``
    (NaN ignored); NaN median/sigma where fewer than ``min_bars`` values or a zero MAD."""
    x = np.atleast_2d(np.asarray(x, dtype=float))
    n = np.isfinite(x).sum(axis=1)
    med, sigma = np.empty(len(x)), np.empty(len(x))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for a in range(0, len(x), _BAND_CHUNK):  # rows in chunks: the temporaries stay small
            part = x[a:a + _BAND_CHUNK]
            median = np.median if np.isfinite(part).all() else np.nanmedian  # same value; nanmedian is slower
            m = median(part, axis=1)
            med[a:a + _BAND_CHUNK] = m
            sigma[a:a + _BAND_CHUNK] = MAD_TO_SIGMA * median(np.abs(part - m[:, None]), axis=1)
    bad = (n < min_bars) | ~(sigma > 0)
    return np.where(bad, np.nan, med), np.where(bad, np.nan, sigma), n


@dataclass(frozen=True)
class WindowLabels:
    """Bar labels of ``n`` windows of ``width`` consecutive bars of one calendar, kept as ranges.

    Row ``i`` is ``bars[clip(start[i] + j)]`` for ``j < width`` (positions clipped to the calendar's
    bars): the (n, width) array of dates is never built; a column, a slice of columns, (row, column)
    pairs or a few rows are gathered when asked for. ``bars`` is sorted (datetime64[ns]).
    """

    bars: np.ndarray
    start: np.ndarray
    width: int

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.start), self.width)

    def __len__(self) -> int:
        return len(self.start)

    def _at(self, pos: np.ndarray) -> np.ndarray:
        return self.bars[np.clip(pos, 0, len(self.bars) - 1)]

    def __getitem__(self, key):
        if isinstance(key, tuple):
            rows, cols = key
            if isinstance(rows, slice) and rows == slice(None):
                if isinstance(cols, slice):
                    a, b, step = cols.indices(self.width)
                    if step != 1:
                        raise IndexError("WindowLabels: column slices have step 1")
                    return WindowLabels(self.bars, self.start + a, max(b - a, 0))
                c = int(cols)
                return self._at(self.start + (c + self.width if c < 0 else c))
            return self._at(self.start[rows] + np.asarray(cols))
        return self._at(self.start[key][:, None] + np.arange(self.width))


@dataclass(frozen=True)
class WindowSet:
    """The windows of ``n`` rows (one per distinct group event, day 0 and benchmark) on one calendar.

    ``est_labels`` (n, Le + 1) and ``evt_labels`` (n, W + 1) are the bar labels of the estimation
    and event windows, each starting with the bar *before* the window (whose close the window's
    first return starts from). ``bar`` is the length of an intraday bar (None for daily bars).
    """

    group: str
    calendar: str
    event: np.ndarray
    security: np.ndarray
    est_offsets: np.ndarray
    evt_offsets: np.ndarray
    est_labels: "np.ndarray | WindowLabels"
    evt_labels: "np.ndarray | WindowLabels"
    cars: tuple[tuple[str, int, int], ...]
    est_label: str
    bar: pd.Timedelta | None = None

    def spans(self) -> list[tuple[str, str, np.ndarray, np.ndarray, np.ndarray]]:
        """(kind, label, start, end, offsets) per window: [start, end) in time for each row
        (n,), and the window's relative bars. Daily bar D spans (previous bar, D]."""
        out = [("estimation", self.est_label, *self._span(self.est_labels), self.est_offsets)]
        for label, a, b in self.cars:
            i, j = a - int(self.evt_offsets[0]), b - int(self.evt_offsets[0])
            out.append(("car", label, *self._span(self.evt_labels[:, i:j + 2]), np.arange(a, b + 1)))
        return out

    def _span(self, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.bar is None:
            day = np.timedelta64(1, "D")
            return labels[:, 0] + day, labels[:, -1] + day
        step = np.timedelta64(self.bar.value, "ns")
        return labels[:, 1], labels[:, -1] + step


def market_shocks(ws: WindowSet, series: dict[str, tuple[str, np.ndarray, np.ndarray, np.ndarray]],
                  k: float = K_ROBUST) -> tuple[pd.DataFrame, list[str]]:
    """Flag the bars of every window where a market series lies beyond its robust band.

    ``series`` maps a series name (a benchmark symbol, "equal-weighted (N securities)") to
    (source, est (n, Le), evt (n, W), name per row (n,)[, ids (n,)]); the band of each row comes from its
    estimation values. With ``ids``, ``est`` and ``evt`` hold one row per distinct window (rows
    sharing day 0 and the series share it) and ``ids`` gives each row's: bands and shocks are computed
    once per window and reported for every row. Returns the rows (:data:`CONFOUNDING_COLUMNS`) and notes on series that
    could not be assessed.
    """
    frames, notes = [], []
    for key, (source, est, evt, names, *shared) in series.items():
        ids = shared[0] if shared else np.arange(len(names))
        members = _members(ids, len(est))
        center_u, sigma_u, count_u = robust_band(est)
        center, sigma, count = center_u[ids], sigma_u[ids], count_u[ids]
        missing = ~np.isfinite(sigma)
        if missing.any():
            need = (f"at least {MIN_EW_MEMBERS} securities with a return on at least {MIN_BAND_BARS} estimation bars"
                    if source == "equal-weighted" else f"at least {MIN_BAND_BARS} estimation bars with a return")
            notes.append(f"{ws.group}: the {key} return is not assessed for {_few(ws.event[missing])}: its estimation "
                         f"window has {int(count[missing].max())} usable bars; a threshold needs {need}.")
        thr = k * sigma
        for order, (kind, label, values_u, offsets) in enumerate(_windows(ws, est, evt)):
            hit_u, hit_c = _beyond(values_u, center_u, sigma_u, k)
            if not len(hit_u):
                continue
            rows, cols, src, hit = _expand(hit_u, hit_c, members)
            rel = offsets[cols]
            mag = values_u[src, cols]
            zz = (mag - center[rows]) / sigma[rows]
            dates = (ws.est_labels[rows, cols + 1] if kind == "estimation" else
                     ws.evt_labels[rows, rel - int(ws.evt_offsets[0]) + 1])
            own = np.isin(rel, ANNOUNCEMENT_BARS) & (source == "equal-weighted") & (kind == "car")
            # the text depends on the shared window's hit only (the rows sharing it share its series,
            # value and band): formatted once per hit, the rows hold references to it
            first = np.unique(hit, return_index=True)[1]
            r0 = rows[first]
            what_u = np.array([f"{names[r]} return {100 * m:+.2f}% ({v:+.1f} robust sigma of its estimation window; "
                               f"beyond {k:g})" + (" on an announcement bar: the event's own move cannot be told "
                                                   "from a coincident shock" if o else "")
                               for r, m, v, o in zip(r0, mag[first], zz[first], own[first])], dtype=object)
            what = what_u[np.searchsorted(hit[first], hit)] if len(first) else what_u
            frames.append(pd.DataFrame({
                "group": ws.group, "event": ws.event[rows], "security": ws.security[rows], "calendar": ws.calendar,
                "window_kind": kind, "window": label, "date": pd.to_datetime(dates), "rel_day": rel,
                "source": source, "series": names[rows], "what": what, "magnitude": mag, "center": center[rows],
                "threshold": thr[rows], "robust_z": zz, "contaminates": ~own, "_w": order}))
    return _frame(frames), notes


def _members(ids: np.ndarray, n_ids: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows sorted by id, start of each id's rows) for rows sharing a market window."""
    order = np.argsort(ids, kind="stable")
    return order, np.searchsorted(ids[order], np.arange(n_ids + 1))


def _expand(hit_u: np.ndarray, hit_c: np.ndarray, members) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Hits on shared windows -> (row, column, shared window, hit) for every row of each, ordered by row
    then column (as if each row had been scanned on its own); ``hit`` indexes ``hit_u``/``hit_c``."""
    order, start = members
    n = start[hit_u + 1] - start[hit_u]
    which = np.repeat(np.arange(len(hit_u)), n)
    pos = np.repeat(start[hit_u] - np.cumsum(n) + n, n) + np.arange(int(n.sum()))
    rows, cols, src = order[pos], hit_c[which], hit_u[which]
    o = np.lexsort((cols, rows))
    return rows[o], cols[o], src[o], which[o]


def _beyond(values: np.ndarray, center: np.ndarray, sigma: np.ndarray, k: float) -> tuple[np.ndarray, np.ndarray]:
    """(rows, columns) where |(value - center) / sigma| > k (NaN never), in row chunks."""
    rows, cols = [], []
    for a in range(0, len(values), _BAND_CHUNK):
        with np.errstate(invalid="ignore", divide="ignore"):
            z = (values[a:a + _BAND_CHUNK] - center[a:a + _BAND_CHUNK, None]) / sigma[a:a + _BAND_CHUNK, None]
        r, c = np.nonzero(np.abs(np.nan_to_num(z)) > k)
        rows.append(r + a)
        cols.append(c)
    return (np.concatenate(rows), np.concatenate(cols)) if rows else (np.empty(0, int), np.empty(0, int))


def _windows(ws: WindowSet, est: np.ndarray, evt: np.ndarray):
    """(kind, label, values (n, L), offsets (L,)) for the estimation window and each CAR window."""
    yield "estimation", ws.est_label, est, ws.est_offsets
    for label, a, b in ws.cars:
        i, j = a - int(ws.evt_offsets[0]), b - int(ws.evt_offsets[0])
        yield "car", label, evt[:, i:j + 1], np.arange(a, b + 1)


@dataclass(frozen=True)
class DatedItem:
    """Something dated the windows may hold: [start, end) in time, and how to report it.

    ``groups`` limits it to those groups (None: every group); ``contaminates`` is False when it
    cannot mark a window contaminated (a coarse date, a move of something not in the group).
    """

    start: pd.Timestamp
    end: pd.Timestamp
    source: str
    series: str
    what: str
    magnitude: float = math.nan
    contaminates: bool = True
    groups: frozenset[str] | None = None
    kinds: tuple[str, ...] = ("estimation", "car")


def dated_items(ws: WindowSet, items: Sequence[DatedItem]) -> pd.DataFrame:
    """Rows for every item whose time span overlaps a window of a row of ``ws``."""
    frames = []
    items = [it for it in items if it.groups is None or ws.group in it.groups]
    if not items:
        return _frame([])
    for order, (kind, label, start, end, offsets) in enumerate(ws.spans()):
        labels = ws.est_labels if kind == "estimation" else ws.evt_labels
        for it in items:
            if kind not in it.kinds:
                continue
            s, e = np.datetime64(it.start, "ns"), np.datetime64(it.end, "ns")
            hit = np.flatnonzero((s < end) & (e > start))
            if not len(hit):
                continue
            frames.append(pd.DataFrame({
                "group": ws.group, "event": ws.event[hit], "security": ws.security[hit], "calendar": ws.calendar,
                "window_kind": kind, "window": label, "date": it.start.normalize() if ws.bar is None else it.start,
                "rel_day": _rel_day(ws, labels[hit], s, kind, offsets), "source": it.source, "series": it.series,
                "what": it.what, "magnitude": it.magnitude, "center": math.nan, "threshold": math.nan,
                "robust_z": math.nan, "contaminates": it.contaminates, "_w": order}))
    return _frame(frames)


def _rel_day(ws: WindowSet, labels: np.ndarray, t: np.datetime64, kind: str, offsets: np.ndarray) -> np.ndarray:
    """Relative bar that carries time ``t``: daily, the first bar dated on or after t; intraday,
    the last bar opening at or before t (clipped to the window)."""
    first = ws.est_offsets[0] - 1 if kind == "estimation" else ws.evt_offsets[0] - 1
    if ws.bar is None:
        pos = np.argmax(labels >= t, axis=1)
        pos = np.where((labels >= t).any(axis=1), pos, labels.shape[1] - 1)
    else:
        pos = (labels <= t).sum(axis=1) - 1
    rel = first + pos
    return np.clip(rel, offsets[0], offsets[-1])


#: Event-securities of a group beyond which the *same group* relation is not listed: in a large
#: sample, events of other securities inside a window are event-date clustering (the battery's
#: Kolari-Pynnönen tests account for it), not a confounder of one security's own returns; the
#: notes give how many CAR windows hold another security's day 0.
MAX_GROUP_OVERLAP = 100
#: Overlapping pairs beyond which a relation lists one row per window holding other events (their
#: count, and the first of them) instead of one row per pair; whether a window is clean is the same.
MAX_OVERLAP_PAIRS = 200_000


def overlapping_events(rows: pd.DataFrame, spans: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Events of an events file whose day 0 falls inside another event's windows.

    ``rows``: one row per (group, event, security) with ``day0_start``, ``day0_end`` (the time
    span of its day-0 bar). ``spans``: one row per (group, event, security, window) with
    ``window_kind``, ``window``, ``start``, ``end``, ``calendar`` and ``labels`` (the window's
    bar labels, bar before first) and ``first_offset``. A pair counts when the events differ and
    the securities are the same (any window) or the group is (CAR windows only, in a group of at
    most :data:`MAX_GROUP_OVERLAP` event-securities). Sorted look-ups (``searchsorted``) keep it
    O(n log n) plus the pairs found; beyond :data:`MAX_OVERLAP_PAIRS` pairs a relation gives one
    row per window (``what`` says how many other events, and names the first). Returns the rows
    and notes.
    """
    frames, notes = [], []
    sizes = rows.groupby("group", sort=False).size()
    large = sizes[sizes > MAX_GROUP_OVERLAP]
    for relation, key, kinds in (("same security", "security", ("estimation", "car")),
                                 ("same group", "group", ("car",))):
        # one relation at a time: its look-up arrays are freed before the next one starts
        frames += _relation_rows(rows, spans, relation, key, kinds, large, notes)
    return _frame(frames), notes


def _relation_rows(rows: pd.DataFrame, spans: pd.DataFrame, relation: str, key: str, kinds: tuple[str, ...],
                   large: pd.Series, notes: list[str]) -> list[pd.DataFrame]:
    """The rows of one relation of :func:`overlapping_events` (its notes appended to ``notes``)."""
    others = rows.sort_values([key, "day0_start"]).reset_index(drop=True)
    other_codes, uniques = pd.factorize(others[key])  # codes in sorted order: they sort like the key
    code = pd.Index(uniques)
    mask = (spans["window_kind"].isin(kinds) & (code.get_indexer(spans[key]) >= 0)).to_numpy().copy()
    if relation == "same group" and len(large):
        in_group = spans["group"].to_numpy(dtype=object)
        cols = ["group", "security", "window", "start", "end"]  # what the note reads (not a copy of every column)
        notes.extend(n for n in (_clustering_note(g, int(k), rows, spans.loc[mask & (in_group == g), cols])
                                 for g, k in large.items()) if n)
        mask &= ~spans["group"].isin(large.index).to_numpy()
    sp = spans[mask].reset_index(drop=True)
    if sp.empty:
        return []
    sorted_keys = _sort_key(pd.Series(other_codes), others["day0_start"])
    span_codes = pd.Series(code.get_indexer(sp[key]))
    lo = np.searchsorted(sorted_keys, _sort_key(span_codes, sp["start"]), side="left")
    hi = np.searchsorted(sorted_keys, _sort_key(span_codes, sp["end"]), side="left")
    del sorted_keys, span_codes
    count = hi - lo
    if not count.sum():
        return []
    o_event, o_sec = others["event"].to_numpy(dtype=object), others["security"].to_numpy(dtype=object)
    # equality of events and securities on integer codes (no Python string per window)
    oe, se = _shared_codes(o_event, sp["event"])
    os_, ss = _shared_codes(o_sec, sp["security"])
    if count.sum() <= MAX_OVERLAP_PAIRS:
        which = np.repeat(np.arange(len(sp)), count)
        other = np.repeat(lo - np.cumsum(count) + count, count) + np.arange(int(count.sum()))
        keep = oe[other] != se[which]
        if relation == "same group":
            keep &= os_[other] != ss[which]
        which, other = which[keep], other[keep]
        n_other = None
    else:  # one row per window: the first qualifying other event, and how many there are
        which, other, n_other = _first_others(lo, hi, oe, os_, se, ss, relation, others, sp, key, code)
    del lo, hi, count, oe, se, os_, ss
    if not len(which):
        return []
    need = ["group", "event", "security", "calendar", "window_kind", "window", "first_offset", "order",
            *(["labels"] if "labels" in sp else ["_bars", "_start", "_width"])]
    sp = sp[need]
    frames = []
    for c in range(0, len(which), _OVERLAP_CHUNK):  # rows in chunks: the texts' temporaries stay small
        part = slice(c, c + _OVERLAP_CHUNK)
        frames.append(_overlap_rows(sp.iloc[which[part]].reset_index(drop=True), others, other[part],
                                    o_event, o_sec, relation, None if n_other is None else n_other[part]))
    return frames


def _shared_codes(a: np.ndarray, b: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of ``a`` and ``b`` from one factorisation (equal codes: equal values)."""
    codes = pd.factorize(np.concatenate([a, b.to_numpy(dtype=object)]))[0]
    return codes[:len(a)], codes[len(a):]


#: Overlap rows formatted per chunk in :func:`overlapping_events`.
_OVERLAP_CHUNK = 100_000


def _overlap_rows(a: pd.DataFrame, others: pd.DataFrame, other: np.ndarray, o_event: np.ndarray, o_sec: np.ndarray,
                  relation: str, n_other: np.ndarray | None) -> pd.DataFrame:
    """The rows (:data:`CONFOUNDING_COLUMNS`) of windows ``a`` holding the other events ``other``."""
    d0 = others["day0_start"].to_numpy("datetime64[ns]")[other]
    rel = ((_rel_of(a["labels"].to_numpy(dtype=object), d0) if "labels" in a else _rel_of_ranges(a, d0))
           + a["first_offset"].to_numpy(np.int64))
    # texts formatted once per distinct event, security and day, then one string per row (no
    # intermediate arrays of partial strings)
    parts = zip(_repr_text(o_event[other]), _str_text(o_sec[other]), _day_text(d0))
    if n_other is None:
        what = [f"event {e} of {sec} ({relation}), day 0 {day}" for e, sec, day in parts]
    else:
        what = [f"{c} other events of the events file ({relation}) with day 0 in the window; the first: event {e} "
                f"of {sec}, day 0 {day}" for c, (e, sec, day) in zip(n_other.tolist(), parts)]
    return pd.DataFrame({
        "group": a["group"], "event": a["event"], "security": a["security"], "calendar": a["calendar"],
        "window_kind": a["window_kind"], "window": a["window"], "date": d0,
        "rel_day": rel, "source": constant_labels("events-file", len(a)), "series": labels(o_sec[other]),
        "what": pd.array(what, dtype="str"),
        "magnitude": math.nan, "center": math.nan, "threshold": math.nan, "robust_z": math.nan,
        "contaminates": True, "_w": a["order"].to_numpy()})


def _first_others(lo, hi, o_event, o_sec, s_event, s_sec, relation, others, sp, key, code):
    """Per window (span row): the position of the first other event whose day 0 is in it (sorted
    by day 0) and the number of them; windows without one are left out. Counts by sorted look-ups
    (inclusion-exclusion over the same event and the same security), the first by scanning from
    ``lo`` in vectorised rounds (the excluded rows are the window's own event and security only)."""
    n = len(sp)
    first = np.full(n, -1, dtype=np.int64)
    active = np.flatnonzero(hi > lo)
    k = 0
    while len(active):
        pos = lo[active] + k
        inside = pos < hi[active]
        active, pos = active[inside], pos[inside]
        ok = o_event[pos] != s_event[active]
        if relation == "same group":
            ok &= o_sec[pos] != s_sec[active]
        first[active[ok]] = pos[ok]
        active = active[~ok]
        k += 1

    def in_window(cols: list[str]) -> np.ndarray:
        # one integer code per distinct key tuple, from per-column codes (no groupby on strings)
        c = np.zeros(len(others) + len(sp), dtype=np.int64)
        for col in cols:
            codes, uniques = pd.factorize(np.concatenate([others[col].to_numpy(dtype=object),
                                                          sp[col].to_numpy(dtype=object)]))
            c = pd.factorize(c * (len(uniques) + 1) + codes)[0].astype(np.int64)
        rc, sc = c[:len(others)], c[len(others):]
        order = np.lexsort((others["day0_start"].to_numpy("datetime64[m]").astype(np.int64), rc))
        keys = _sort_key(pd.Series(rc[order]), others["day0_start"].iloc[order])
        return (np.searchsorted(keys, _sort_key(pd.Series(sc), sp["end"]), side="left")
                - np.searchsorted(keys, _sort_key(pd.Series(sc), sp["start"]), side="left"))

    total = hi - lo
    if relation == "same security":
        n_other = total - in_window(["security", "event"])
    else:
        n_other = (total - in_window(["group", "event"]) - in_window(["group", "security"])
                   + in_window(["group", "event", "security"]))
    found = np.flatnonzero(first >= 0)
    return found, first[found], n_other[found]


def _clustering_note(group: str, n: int, rows: pd.DataFrame, sp: pd.DataFrame) -> str:
    """How many of a large group's CAR windows hold the day 0 of another security's event."""
    if sp.empty:
        return ""
    g = rows[rows["group"] == group]
    t = np.sort(g["day0_start"].to_numpy("datetime64[ns]"))
    start, end = sp["start"].to_numpy("datetime64[ns]"), sp["end"].to_numpy("datetime64[ns]")
    total = np.searchsorted(t, end, side="left") - np.searchsorted(t, start, side="left")
    own = g.assign(_k=g["security"]).sort_values(["_k", "day0_start"])
    own_codes, uniques = pd.factorize(own["_k"])
    keys = _sort_key(pd.Series(own_codes), own["day0_start"])
    sc = pd.Series(pd.Index(uniques).get_indexer(sp["security"]))
    same = (np.searchsorted(keys, _sort_key(sc, sp["end"]), side="left")
            - np.searchsorted(keys, _sort_key(sc, sp["start"]), side="left"))
    held = pd.Series((total - same) > 0).groupby(sp["window"].to_numpy(), sort=False).mean()
    shares = ", ".join(f"{w}: {100 * v:.0f} %" for w, v in held.items())
    return (f"{group}: {n:,} event-securities, so events of other securities of the group inside a CAR window "
            f"(share of windows holding one: {shares}) are event-date clustering, not listed as confounders "
            f"(more than {MAX_GROUP_OVERLAP}); the Kolari-Pynnönen tests account for the cross-correlation.")


def _rel_of(labels: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Per pair: the position (from the window's first bar, at least 1) of the bar that carries time
    ``t``, in that pair's window labels (bar before first); vectorised per window length, in chunks."""
    out = np.empty(len(t), dtype=np.int64)
    lengths = np.fromiter((len(x) for x in labels), dtype=np.int64, count=len(labels))
    for L in np.unique(lengths):
        idx = np.flatnonzero(lengths == L)
        for c in range(0, len(idx), 20_000):
            part = idx[c:c + 20_000]
            m = np.stack(labels[part]).astype("datetime64[ns]")
            out[part] = np.maximum((m < t[part, None]).sum(axis=1), 1)
    return out


def _rel_of_ranges(a: pd.DataFrame, t: np.ndarray) -> np.ndarray:
    """:func:`_rel_of` for spans given as ranges (``_bars``: the calendar's labels, ``_start``,
    ``_width``): sorted look-ups per calendar, no per-pair label arrays."""
    out = np.empty(len(t), dtype=np.int64)
    bars = a["_bars"].to_numpy(dtype=object)
    codes, uniques = pd.factorize(np.fromiter((id(b) for b in bars), dtype=np.int64, count=len(bars)))
    first = np.unique(codes, return_index=True)[1]  # a row of each calendar (codes 0, 1, ... in order)
    start, width = a["_start"].to_numpy(np.int64), a["_width"].to_numpy(np.int64)
    for c, row in enumerate(first):
        idx = np.flatnonzero(codes == c)
        b = bars[row]
        k = np.searchsorted(b, t[idx], side="left")
        w = width[idx]
        count = np.where(k == 0, 0, np.where(k >= len(b), w, np.clip(k - start[idx], 0, w)))
        out[idx] = np.maximum(count, 1)
    return out


def _day_text(d: np.ndarray) -> np.ndarray:
    """'YYYY-MM-DD' of each datetime64, formatted once per distinct day."""
    days = d.astype("datetime64[D]")
    u, inv = np.unique(days, return_inverse=True)
    return np.array([str(x) for x in u], dtype=object)[inv]


def _str_text(values: np.ndarray) -> np.ndarray:
    """``str`` of each value as an object array (for elementwise concatenation)."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object))
    return np.array([str(x) for x in uniques], dtype=object)[codes] if len(values) else np.array([], dtype=object)


def _repr_text(values: np.ndarray) -> np.ndarray:
    """``repr`` of each value, computed once per distinct value."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object))
    return np.array([repr(x) for x in uniques], dtype=object)[codes] if len(values) else np.array([], dtype=object)


def _sort_key(code: pd.Series, when: pd.Series) -> np.ndarray:
    """One int64 per (key code, time) that sorts like the pair: code * 2^40 + minutes since 1970."""
    minutes = when.to_numpy("datetime64[m]").astype(np.int64)
    return code.to_numpy(np.int64) * (1 << 40) + minutes


def _few(values: np.ndarray, n: int = 3) -> str:
    u = list(dict.fromkeys(str(v) for v in values))
    return ", ".join(u[:n]) + (f" and {len(u) - n} more" if len(u) > n else "")


def _frame(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The pieces as one frame (:data:`CONFOUNDING_COLUMNS`, text labels as categoricals)."""
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=CONFOUNDING_COLUMNS)
    out = concat_tables(frames, LABEL_COLUMNS)
    wanted = [*CONFOUNDING_COLUMNS, *(["_w"] if "_w" in out else [])]
    if list(out.columns) != wanted:  # the pieces are built in this order: no copy then
        out = out[wanted]
    out["contaminates"] = out["contaminates"].astype(bool)
    return out


def sort_frame(frame: pd.DataFrame, consume: bool = False) -> pd.DataFrame:
    """CAR windows first, then the estimation window; by date within a window. With ``consume``,
    ``frame``'s columns are dropped as they are taken (the rows are held once plus one column)."""
    if frame.empty:
        return frame.reset_index(drop=True)
    order = {"car": 0, "estimation": 1}
    w = frame["_w"] if "_w" in frame else 0
    keys = pd.DataFrame({"group": frame["group"], "event": frame["event"], "_k": _codes(frame["window_kind"], order),
                         "_w": w, "date": frame["date"], "_s": _codes(frame["source"], SOURCES),
                         "series": frame["series"]})
    at = keys.sort_values(list(keys.columns), kind="stable").index.to_numpy()  # the keys only, then one take
    del keys
    if consume:
        data = {}
        for c in [c for c in frame.columns if c != "_w"]:
            data[c] = frame[c].array.take(at)
            del frame[c]
        return pd.DataFrame(data, copy=False)
    cols = [i for i, c in enumerate(frame.columns) if c != "_w"]
    out = frame.iloc[at, cols]  # rows and columns in one take (no intermediate copy)
    out.index = pd.RangeIndex(len(out))
    return out


def _codes(values: pd.Series, order) -> np.ndarray:
    """Position of each value in ``order`` (values not in it after every one that is), vectorised."""
    codes = pd.Categorical(values, categories=list(order)).codes.astype(np.int64)
    return np.where(codes < 0, len(order), codes)


def clean_windows(frame: pd.DataFrame, cars: dict[tuple[str, str], Sequence[str]]) -> pd.DataFrame:
    """Per (group, event) and CAR window: ``clean`` (no contaminating row) and the flagged dates.

    ``cars`` maps (group, event) to its CAR window labels, in the study's order. One pass over the
    flagged rows (distinct dates per window, sorted, joined), merged on the windows: linear in events.
    """
    columns = ["group", "event", "window", "clean", "flagged_dates"]
    n = np.fromiter((len(v) for v in cars.values()), dtype=np.int64, count=len(cars))
    if not n.sum():
        return pd.DataFrame(columns=columns)
    pairs = list(cars)
    group, event = labels(np.array([k[0] for k in pairs], dtype=object)), labels(np.array([k[1] for k in pairs],
                                                                                     dtype=object))
    if not isinstance(group, pd.Categorical) or not isinstance(event, pd.Categorical):  # labels that are not text
        group, event = pd.Categorical(np.array([k[0] for k in pairs], dtype=object)), \
            pd.Categorical(np.array([k[1] for k in pairs], dtype=object))
    out = pd.DataFrame({"group": pd.Categorical.from_codes(np.repeat(group.codes, n), dtype=group.dtype),
                        "event": pd.Categorical.from_codes(np.repeat(event.codes, n), dtype=event.dtype),
                        "window": labels(np.fromiter(itertools.chain.from_iterable(cars.values()), dtype=object,
                                                     count=int(n.sum())))})
    keys = ["group", "event", "window"]
    # the keys and dates of the contaminating CAR rows only (not a copy of every column)
    bad = frame.loc[frame["contaminates"] & (frame["window_kind"] == "car"), [*keys, "date"]] if not frame.empty \
        else frame
    if bad.empty:
        return out.assign(clean=True, flagged_dates=pd.array([""] * len(out), dtype="str"))[columns]
    hit = bad[keys].assign(_d=pd.to_datetime(bad["date"])).drop_duplicates()
    del bad
    code = hit.groupby(keys, sort=False, observed=True).ngroup().to_numpy()
    when = hit["_d"].to_numpy("datetime64[ns]")
    order = np.lexsort((when, code))  # by window, then date
    code, when = code[order], when[order]
    u, inv = np.unique(when, return_inverse=True)
    starts = np.flatnonzero(np.r_[True, code[1:] != code[:-1]])
    # "d1, d2, d3" per window, joined by Arrow (one string per distinct date, no Python string per window)
    import pyarrow as pa
    import pyarrow.compute as pc

    texts = pa.array([_when(d) for d in u], type=pa.large_string()).take(pa.array(inv.ravel()))
    joined = pc.binary_join(pa.LargeListArray.from_arrays(np.r_[starts, len(code)].astype(np.int64), texts),
                            pa.scalar(", ", pa.large_string()))
    first_rows = hit.iloc[order[starts]]
    at = pd.MultiIndex.from_frame(first_rows[keys]).get_indexer(pd.MultiIndex.from_frame(out[keys]))
    flagged = joined.take(pa.array(at, mask=at < 0))
    out["clean"] = at < 0
    out["flagged_dates"] = pd.array(pc.fill_null(flagged, ""), dtype="str")
    return out[columns]


def contaminating(frame: pd.DataFrame) -> np.ndarray:
    """Boolean mask of the confounding rows that spoil their window: ``contaminates`` true. Only a
    true value counts: missing (NaN, None) is not true, and text read back from a CSV
    ("true"/"false") is read as the word, not as a non-empty string. A frame without the column
    (another detector's) counts every row."""
    if "contaminates" not in frame:
        return np.ones(len(frame), dtype=bool)
    c = frame["contaminates"]
    if pd.api.types.is_bool_dtype(c.dtype) and not c.hasnans:
        return c.to_numpy(dtype=bool)
    if pd.api.types.is_numeric_dtype(c.dtype):
        return (c.fillna(0) != 0).to_numpy()
    return c.astype("string").str.strip().str.lower().isin(["true", "1", "yes"]).fillna(False).to_numpy(dtype=bool)


@dataclass(frozen=True)
class ConfoundingReport:
    """The flagged rows (:data:`CONFOUNDING_COLUMNS`), the clean/contaminated CAR windows and notes."""

    frame: pd.DataFrame
    windows: pd.DataFrame
    notes: tuple[str, ...] = ()
    k: float = K_ROBUST
    assessed: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        # a frame read back from confounding.csv (or built by hand) says "true"/"false": read the words
        f = self.frame
        if "contaminates" in f and not (pd.api.types.is_bool_dtype(f["contaminates"].dtype)
                                        and not f["contaminates"].hasnans):
            object.__setattr__(self, "frame", f.assign(contaminates=contaminating(f)))
        w = self.windows
        if "clean" in w and not pd.api.types.is_bool_dtype(w["clean"].dtype):
            object.__setattr__(self, "windows", w.assign(
                clean=contaminating(w.rename(columns={"clean": "contaminates"}))))

    def sentences(self, max_events: int = 3) -> list[str]:
        """Plain sentences for ``results.caveats()`` and the summary."""
        out: list[str] = []
        f, w = self.frame, self.windows
        for group in pd.unique(w["group"]):
            gw = w[w["group"] == group]
            events = list(pd.unique(gw["event"]))
            gf = f[f["group"] == group] if not f.empty else f
            if len(events) > max_events:
                dirty = gw[~gw["clean"]]
                n_dirty = dirty["event"].nunique()
                if n_dirty:
                    per = dirty.groupby("window", sort=False)["event"].nunique()
                    out.append(f"{group}: {n_dirty} of {len(events)} events have a CAR window with a flagged bar ("
                               + ", ".join(f"{win}: {m}" for win, m in per.items())
                               + "); see confounding.csv (results.confounding) for the dates and the clean windows.")
                est = gf[(gf["window_kind"] == "estimation") & gf["contaminates"]] if not gf.empty else gf
                if not est.empty:
                    out.append(f"{group}: {est['event'].nunique()} of {len(events)} estimation windows hold flagged "
                               "bars (market-wide shocks or own events); they weigh on the fitted model.")
                continue
            for event in events:
                ew = gw[gw["event"] == event]
                ef = gf[gf["event"] == event] if not gf.empty else gf
                who = group if len(events) == 1 else f"{group} ({event})"
                dirty = ew[~ew["clean"]]
                for r in dirty.itertuples():
                    rows = ef[(ef["window_kind"] == "car") & (ef["window"] == r.window) & ef["contaminates"]]
                    out.append(f"{who}: CAR window {r.window} holds " + "; ".join(_describe(rows)) + ".")
                if len(dirty):
                    clean = list(ew.loc[ew["clean"], "window"])
                    out.append(f"{who}: CAR windows without a flagged bar: {', '.join(clean)}." if clean else
                               f"{who}: every CAR window holds a flagged bar.")
                est = ef[(ef["window_kind"] == "estimation") & ef["contaminates"]] if not ef.empty else ef
                if not est.empty:
                    out.append(f"{who}: the estimation window {est['window'].iloc[0]} holds {est['date'].nunique()} "
                               f"flagged bar(s) (beyond {self.k:g} robust sigma, or other events): "
                               + "; ".join(_describe(est, 4, short=True)) + "; they weigh on the fitted model.")
                info = ef[~ef["contaminates"] & (ef["source"] == "article")] if not ef.empty else ef
                for (what, date), rows in info.groupby(["what", "date"], sort=False):
                    wins = ", ".join(pd.unique(rows["window"]))
                    out.append(f"{who}: {what} ({_when(date)}, in {wins}).")
        out.extend(self.notes)
        return out


def summary_lines(report: "ConfoundingReport", max_events: int = 3) -> list[str]:
    """One line per group for the text summary: contaminated and clean CAR windows."""
    w = report.windows
    if w.empty:
        return []
    out = [f"Confounding events (bars beyond {report.k:g} robust sigma of the estimation window, other events of the "
           "events file, the article's dates; results.confounding, confounding.csv):"]
    f = report.frame
    for group in pd.unique(w["group"]):
        gw = w[w["group"] == group]
        events = list(pd.unique(gw["event"]))
        dirty = gw[~gw["clean"]]
        est = f[(f["group"] == group) & (f["window_kind"] == "estimation") & f["contaminates"]] if not f.empty else f
        est_line = (f"  {group}: estimation windows hold {est[['event', 'date']].drop_duplicates().shape[0]} "
                    "flagged bar(s) (see results.caveats())") if len(est) else ""
        if dirty.empty:
            out.append(f"  {group}: no CAR window holds a flagged bar")
        elif len(events) > max_events:
            out.append(f"  {group}: {dirty['event'].nunique()} of {len(events)} events have a contaminated CAR window")
        else:
            for event in events:
                ew = gw[gw["event"] == event]
                bad = ew[~ew["clean"]]
                who = f"  {group}" + (f" ({event})" if len(events) > 1 else "")
                if bad.empty:
                    out.append(f"{who}: no CAR window holds a flagged bar")
                    continue
                clean = ", ".join(ew.loc[ew["clean"], "window"]) or "none"
                out.append(f"{who}: " + "; ".join(f"{r.window} contaminated ({r.flagged_dates})" for r in bad.itertuples())
                           + f"; clean: {clean}")
        if est_line:
            out.append(est_line)
    out.extend(f"  {note}" for note in report.notes)
    return out


def _when(ts) -> str:
    ts = pd.Timestamp(ts)
    return f"{ts:%Y-%m-%d}" if ts == ts.normalize() else f"{ts:%Y-%m-%d %H:%M} UTC"


def _describe(rows: pd.DataFrame, limit: int = 6, short: bool = False) -> list[str]:
    """'2025-01-27 (day 4): equal-weighted (4 securities) return -10.77% (...)' per date; with
    ``short``, market shocks as 'SPY -2.91% (-5.3 robust sigma)'."""
    parts = []
    for date, sub in rows.groupby("date", sort=True):
        rel = sub["rel_day"].iloc[0]
        day = f" (day {int(rel)})" if pd.notna(rel) else ""
        texts = [f"{r.series} {100 * r.magnitude:+.2f}% ({r.robust_z:+.1f} robust sigma)"
                 if short and r.source in ("benchmark", "equal-weighted") else r.what for r in sub.itertuples()]
        parts.append(f"{_when(date)}{day}: " + ", ".join(dict.fromkeys(texts)))
    if len(parts) > limit:
        parts = parts[:limit] + [f"{len(parts) - limit} more in confounding.csv"]
    return parts
