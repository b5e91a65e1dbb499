"""Gather a study's inputs for the confounding check (:mod:`eventstudy.stats.confounding`).

Pure: it takes the groups the engine estimated, the price series already loaded and the
article's extraction, and returns a :class:`~eventstudy.stats.confounding.ConfoundingReport`.
Returns are recomputed on each calendar from the closes (the study's simple or log returns), so
the benchmark's and the group's equally weighted returns are known on every estimation and event
bar, whatever model the group uses.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from ..estimation.panel import build_panel
from ..labels import concat_tables, constant_labels, labels
from ..plan.calendars import CRYPTO_CALENDAR, get_calendar, positions_on
from .confounding import (K_ROBUST, MIN_EW_MEMBERS, ConfoundingReport, DatedItem, WindowSet, clean_windows,
                          dated_items, market_shocks, overlapping_events, sort_frame, WindowLabels, _frame)

#: Calendar days per bar when extending the calendar around the windows (room for holidays).
_DAYS_PER_BAR = 1.6
#: Article dates coarser than a day that are still reported, with the span they cover.
_SPANS = {"week": pd.Timedelta(days=7)}


def assess_confounding(groups: Sequence[Any], *, series: dict[str, Any], frequency: str = "1d",
                       returns: str = "simple", crypto_cutoff: dt.time | None = None, extraction: Any = None,
                       event_date: dt.date | None = None, events_file: bool = False,
                       k: float = K_ROBUST) -> ConfoundingReport:
    """Flag market-wide shocks, overlapping events and the article's dates in every window.

    ``groups`` are the battery's group inputs (name, est, meta, car_labels); ``series`` maps a
    symbol to its price series; ``event_date`` is the studied event's date (None for an events
    file); ``events_file`` turns on the overlap check between the file's events.
    """
    items = article_items(extraction, event_date, groups)
    frames, notes, cars, rows_all, spans_all = [], [], {}, [], []
    for g in groups:
        keep = np.asarray(g.est.status) != "dropped"
        meta = g.meta.reset_index(drop=True)[keep].reset_index(drop=True)
        if meta.empty:
            continue
        w = g.est.windows
        est_label = f"[{w.estimation[0]},{w.estimation[1]}]"
        car_defs = tuple((label, int(a), int(b)) for label, (a, b) in zip(g.car_labels, w.cars))
        car_labels = list(g.car_labels)  # one list for the group's events
        for event in pd.unique(meta["event"]):
            cars[(g.name, event)] = car_labels
        for cal_name in pd.unique(meta["calendar"]):
            m = meta[meta["calendar"] == cal_name].reset_index(drop=True)
            _assess_block(g.name, cal_name, m, w, est_label, car_defs, series, frequency, returns, crypto_cutoff,
                          items, k, events_file, frames, notes, rows_all, spans_all)
    if events_file and rows_all:
        rows, spans = concat_tables(rows_all), concat_tables(spans_all)
        rows_all.clear(), spans_all.clear()  # one copy of the inputs while the overlaps are found
        overlaps, overlap_notes = overlapping_events(rows, spans)
        del rows, spans
        frames.append(overlaps)
        del overlaps  # the list holds the only reference: freed with the other pieces below
        notes += overlap_notes
    frame = _frame(frames)
    frames.clear()
    frame = sort_frame(frame, consume=True)  # the unsorted rows are freed column by column
    return ConfoundingReport(frame, clean_windows(frame, cars), tuple(dict.fromkeys(notes)), k)


def _assess_block(group, cal_name, m, w, est_label, car_defs, series, frequency, returns, cutoff, items, k,
                  events_file, frames, notes, rows_all, spans_all) -> None:
    """Market shocks and article dates of one (group, calendar) block, and its overlap inputs
    (appended to the lists; the block's arrays are freed on return)."""
    block = _block(group, cal_name, m, w, est_label, car_defs, series, frequency, returns, cutoff)
    if block is None:
        return
    ws, market, row_labels = block
    shocks, block_notes = market_shocks(ws, market, k)
    frames += [shocks, dated_items(ws, items)]
    notes += block_notes
    if events_file:
        r, s = _overlap_inputs(group, cal_name, m, w, est_label, car_defs, row_labels, ws.bar)
        rows_all.append(r)
        spans_all.append(s)


def _block(group: str, cal_name: str, m: pd.DataFrame, w, est_label: str, car_defs, series: dict[str, Any],
           frequency: str, returns: str, cutoff):
    """The window set of one group's events on one calendar, and its market series."""
    # meta holds the calendar's own name ("24/7 4h" for 4-hour bars); get_calendar takes the base one
    base = CRYPTO_CALENDAR if cal_name.startswith(CRYPTO_CALENDAR) else cal_name
    cal = get_calendar(base, frequency, cutoff)
    tickers = [t for t in pd.unique(m["ticker"]) if t in series]
    benches = [b for b in pd.unique(m["benchmark"].dropna()) if b in series]
    closes = {s: series[s].close for s in dict.fromkeys([*tickers, *benches])}
    if not closes:
        return None
    panel = _panel(cal, closes, returns)
    intraday = getattr(cal, "bar", "daily") == "intraday"
    bar = getattr(cal, "freq", None) if intraday else None
    day0 = pd.to_datetime(m["day0"])
    per_bar = (bar / pd.Timedelta(days=1) if intraday else 1.0) * _DAYS_PER_BAR
    lo = day0.min() - pd.Timedelta(days=per_bar * (abs(w.estimation[0]) + 2) + 15)
    hi = day0.max() + pd.Timedelta(days=per_bar * (abs(w.event[1]) + 2) + 15)
    ext = cal.sessions(lo, hi).union(panel.index)
    R = pd.DataFrame(panel.returns, index=panel.index, columns=list(panel.symbols)).reindex(ext)
    sec = R[tickers].to_numpy(dtype=float) if tickers else np.full((len(ext), 0), np.nan)
    count = np.isfinite(sec).sum(axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ew = np.where(count >= MIN_EW_MEMBERS, np.nanmean(sec, axis=1), np.nan) if sec.shape[1] else \
            np.full(len(ext), np.nan)

    est_rel = np.arange(w.estimation[0] - 1, w.estimation[1] + 1)
    evt_rel = np.arange(w.event[0] - 1, w.event[1] + 1)
    labels = ext.to_numpy("datetime64[ns]")

    def take(values: np.ndarray, pos: np.ndarray) -> np.ndarray:
        inside = (pos >= 0) & (pos < len(values))
        return np.where(inside, values[np.clip(pos, 0, len(values) - 1)], np.nan)

    pos_all = ext.get_indexer(day0)
    row_labels = (_rows_of(labels, pos_all, est_rel), _rows_of(labels, pos_all, evt_rel))
    sets = m.assign(_b=m["benchmark"].fillna("")).drop_duplicates(["event", "day0", "_b"]).reset_index(drop=True)
    pos0 = ext.get_indexer(pd.to_datetime(sets["day0"]))
    n_sec = m.groupby("event")["ticker"].nunique().reindex(sets["event"]).to_numpy()
    only = m.groupby("event")["ticker"].first().reindex(sets["event"]).to_numpy(dtype=object)
    security = np.where(n_sec == 1, only, "").astype(object)
    if len(sets) == len(m):  # no row was a duplicate: the sets' windows are the rows' (share the arrays)
        set_labels = row_labels
    else:
        set_labels = (_rows_of(labels, pos0, est_rel), _rows_of(labels, pos0, evt_rel))
    ws = WindowSet(group, cal.name, sets["event"].to_numpy(dtype=object), security, w.est_offsets, w.evt_offsets,
                   *set_labels, car_defs, est_label, bar)
    # a market series' windows depend only on day 0's bar (and the benchmark): one row per distinct one,
    # with ``ids`` mapping every set to its row (many events share a day 0)
    market: dict[str, tuple] = {}
    bcol = {b: R[b].to_numpy(dtype=float) for b in benches}
    bnames = sets["_b"].to_numpy(dtype=object)
    if bcol:
        bcode = pd.factorize(bnames)[0]
        _, first, ids = np.unique(pos0.astype(np.int64) * (int(bcode.max()) + 1) + bcode, return_index=True,
                                  return_inverse=True)
        est_b = np.full((len(first), len(est_rel) - 1), np.nan)
        evt_b = np.full((len(first), len(evt_rel) - 1), np.nan)
        for b, values in bcol.items():
            rows = np.flatnonzero(bnames[first] == b)
            est_b[rows] = take(values, pos0[first[rows], None] + est_rel[1:])
            evt_b[rows] = take(values, pos0[first[rows], None] + evt_rel[1:])
        market["benchmark"] = ("benchmark", est_b, evt_b, bnames, ids.ravel())
    if len(tickers) >= MIN_EW_MEMBERS:
        name = f"equal-weighted ({len(tickers)} securities)"
        _, first, ids = np.unique(pos0, return_index=True, return_inverse=True)
        market[name] = ("equal-weighted", take(ew, pos0[first, None] + est_rel[1:]), take(ew, pos0[first, None] + evt_rel[1:]),
                        np.full(len(sets), name, dtype=object), ids.ravel())
    return ws, market, row_labels


def _panel(cal, closes: dict[str, pd.Series], kind: str) -> SimpleNamespace:
    """``index``, ``returns`` and ``symbols`` of :func:`~eventstudy.estimation.panel.build_panel`,
    from one matrix of closes on the calendar (P_t / P_{t-1} - 1, or the log, NaN where either bar
    has no close: a symbol's first bar and the bars outside its data get none, as there). Series
    with duplicate or unsorted bars go through ``build_panel`` itself (its checks and messages)."""
    clean = {s: c.dropna() for s, c in closes.items()}
    if any(c.index.has_duplicates or not c.index.is_monotonic_increasing for c in clean.values()):
        return build_panel(cal, closes, kind)
    symbols = tuple(closes)
    held = [c for c in clean.values() if len(c)]
    if not held:
        return SimpleNamespace(index=pd.DatetimeIndex([]), returns=np.empty((0, len(symbols))), symbols=symbols)
    index = cal.sessions(min(c.index[0] for c in held), max(c.index[-1] for c in held))
    P = np.full((len(index), len(symbols)), np.nan)
    for j, c in enumerate(clean.values()):
        pos, ok = positions_on(index, c.index)
        P[pos[ok], j] = c.to_numpy(dtype=float)[ok]
    R = np.full_like(P, np.nan)
    if len(index) > 1:
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = P[1:] / P[:-1]
            R[1:] = np.log(ratio) if kind == "log" else ratio - 1.0
    return SimpleNamespace(index=index, returns=R, symbols=symbols)


def _rows_of(labels: np.ndarray, pos: np.ndarray, rel: np.ndarray) -> WindowLabels:
    """labels[pos + rel] per row (positions clipped to the labels), ``rel`` consecutive bars, as
    ranges (:class:`WindowLabels`: no (rows, bars) array of dates)."""
    return WindowLabels(labels, pos.astype(np.int64) + int(rel[0]), len(rel))


def _overlap_inputs(group, cal_name, m, w, est_label, car_defs, row_labels, bar):
    """Rows (day-0 spans) and window spans of one block, for :func:`overlapping_events`; text
    columns are categoricals (:mod:`eventstudy.labels`: a code per row, not a string)."""
    est_lab, evt_lab = row_labels
    day = np.timedelta64(1, "D")
    step = day if bar is None else np.timedelta64(bar.value, "ns")
    d0 = pd.to_datetime(m["day0"]).to_numpy("datetime64[ns]")
    n = len(m)
    event, security = labels(m["event"].to_numpy(dtype=object)), labels(m["ticker"].to_numpy(dtype=object))
    rows = pd.DataFrame({"group": constant_labels(group, n), "event": event, "security": security,
                         "day0_start": d0, "day0_end": d0 + step})
    spans = []

    def add(kind, label, lab, first_offset, order):
        start = lab[:, 0] + day if bar is None else lab[:, 1]
        end = lab[:, -1] + step
        spans.append(pd.DataFrame({"group": constant_labels(group, n), "event": event, "security": security,
                                   "calendar": constant_labels(cal_name, n), "window_kind": constant_labels(kind, n),
                                   "window": constant_labels(label, n), "start": start,
                                   "end": end, "_bars": [lab.bars] * len(lab), "_start": lab.start, "_width": lab.width,
                                   "first_offset": first_offset,
                                   "order": order}))

    add("estimation", est_label, est_lab, int(w.estimation[0]) - 1, 0)
    for c, (label, a, b) in enumerate(car_defs, start=1):
        i, j = a - int(w.event[0]), b - int(w.event[0])
        add("car", label, evt_lab[:, i:j + 2], a - 1, c)
    return rows, concat_tables(spans)


def article_items(extraction: Any, event_date: dt.date | None, groups: Sequence[Any]) -> list[DatedItem]:
    """The article's other dated events, and the moves it reports before the studied event."""
    if extraction is None:
        return []
    items: list[DatedItem] = []
    events = list(getattr(extraction, "events", ()))
    for ev in events[1:]:
        if ev.date is None:
            continue
        precision = ev.date_precision or "day"
        start = pd.Timestamp(ev.date)
        if precision == "day":
            end = start + pd.Timedelta(days=1)
        elif precision == "month":
            end = start + pd.offsets.MonthBegin(1)
        elif precision in _SPANS:
            end = start + _SPANS[precision]
        else:
            continue
        when = f"dated {ev.date_text!r}" if ev.date_text else f"dated {ev.date}"
        coarse = "" if precision == "day" else f" ({precision} only: its bar is not known)"
        items.append(DatedItem(start, end, "article", ev.kind,
                               f"the article's event {ev.name!r}, {when}{coarse}", contaminates=precision == "day"))
    if event_date is None:
        return items
    members: dict[str, set[str]] = {}
    for g in groups:
        syms = set(g.meta["ticker"]) | set(g.meta["benchmark"].dropna())
        for s in syms:
            members.setdefault(s, set()).add(g.name)
    for c in getattr(extraction, "claims", ()):
        if c.date is None or c.date >= event_date:
            continue
        start = pd.Timestamp(c.date)
        move = f"{c.percent:+.2f}%" + (f" ({c.horizon})" if c.horizon else "")
        if c.ticker is not None:
            if c.ticker not in members:
                continue
            items.append(DatedItem(start, start + pd.Timedelta(days=1), "article", c.ticker,
                                   f"the article reports a move of {c.ticker} of {move} on that date, before the event",
                                   c.percent / 100, True, frozenset(members[c.ticker])))
        else:
            items.append(DatedItem(start, start + pd.Timedelta(days=1), "article", c.name,
                                   f"the article reports a move of {move} for {c.name!r} on that date, before the "
                                   "event; it names no security of the study", c.percent / 100, False))
    return items
