"""What the prices cover: the checks of the plan that need the data, vectorised over its rows.

:func:`check_prices` drops the pairs whose security or benchmark has no usable prices.
:func:`check_coverage` reads where each symbol's prices sit on its calendar
(:class:`~eventstudy.estimation.panel.SymbolBars`, a few dates per symbol: a distributed run can
compute them before it partitions the plan) and

* fixes windows given as dates on the bars of the data;
* drops a pair whose day 0 lies outside the data of its group's calendar, whose benchmark does not
  cover the windows (an error in a one-event study) or whose own prices do not cover day 0 and the
  CAR windows (the bar before each window included: it gives the window's first return);
* warns about partial event windows and short estimation windows, and about rows on days that are
  not bars of the calendar;
* numbers the studied pairs (``seq``): per group, calendar by calendar in the order the calendars
  first appear, then in study order. Every result table lists the pairs in that order.

Messages are built only for the pairs they concern.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ..errors import StudyFileError, WindowError
from ..estimation.panel import SymbolBars
from ..study.spec import StudySpec
from .plan import DROP_CODES, KEPT, EventPlan, GroupPlan, drop, fmt_bar
from .windows import windows_from_dates


@dataclass(frozen=True)
class Coverage:
    """The plan after the coverage checks, and the warnings they raised, per group (study order)."""

    plan: EventPlan
    warnings: dict[int, list[dict]]


def check_prices(plan: EventPlan, available: set[str] | dict, missing: dict[str, str]) -> EventPlan:
    """Drop the pairs whose security (or benchmark) has no usable prices, with the source's reason."""
    f = plan.frame.copy()
    tick = f["ticker"].to_numpy(dtype=object)
    has = np.fromiter((t in available for t in tick), bool, len(tick))
    if (~has).any():
        reasons = [missing.get(t, "not found") for t in tick[~has]]
        drop(f, ~has, DROP_CODES["no prices"],
             [r if r.startswith("data quality") else f"no price data: {r}" for r in reasons])
    bench = f["benchmark"].to_numpy(dtype=object)
    given = pd.notna(bench)
    b_has = np.fromiter(((not g) or (b in available) for b, g in zip(bench, given)), bool, len(bench))
    if (~b_has).any():
        drop(f, ~b_has, DROP_CODES["no benchmark prices"],
             [f"benchmark {b} has no usable prices ({missing.get(b, '')})" for b in bench[~b_has]])
    return plan.with_frame(f)


def _members(f: pd.DataFrame) -> np.ndarray:
    """Pairs that passed the price, benchmark and calendar checks (they form the calendar blocks)."""
    code = f["drop_code"].to_numpy()
    return (code == KEPT) | (code >= DROP_CODES["outside calendar"])


def check_coverage(spec: StudySpec, plan: EventPlan, bars: dict[str, SymbolBars]) -> Coverage:
    """Run the data-dependent checks of the plan (see the module doc)."""
    f = plan.frame.copy()
    members = _members(f)
    bad_cal = members & (f["calendar_error"].to_numpy(dtype=object) != "")
    if bad_cal.any():
        raise StudyFileError(f["calendar_error"].to_numpy(dtype=object)[bad_cal][0])
    warnings: dict[int, list[dict]] = {}
    groups = list(plan.groups)
    for gi, gp in enumerate(plan.groups):
        in_group = members & (f["group_order"].to_numpy() == gp.order)
        if not in_group.any():
            continue
        cal_order = list(pd.unique(f.loc[in_group, "calendar"]))
        if len(cal_order) > 1 and gp.spec.windows.uses_dates:
            raise StudyFileError(f"group {gp.name!r} mixes calendars ({', '.join(cal_order)}) with windows given as "
                                 "dates; use relative windows or split the group")
        out: list[dict] = []
        for b, cal in enumerate(cal_order):
            sel = np.flatnonzero(in_group & (f["calendar"].to_numpy(dtype=object) == cal))
            f.iloc[sel, f.columns.get_loc("block")] = b
            if cal in plan.calendars and cal in bars:  # else every pair of the block was dropped by the plan
                gp = _check_block(spec, plan, f, gp, cal, sel, bars[cal], out)
        groups[gi] = gp
        warnings[gp.order] = out
    kept = f["drop_code"].to_numpy() == KEPT
    order = np.lexsort((f["row"].to_numpy(), f["block"].to_numpy(), f["group_order"].to_numpy()))
    order = order[kept[order]]
    seq = np.full(len(f), -1, dtype=np.int64)
    seq[order] = np.arange(len(order))
    f["seq"] = seq
    return Coverage(replace(plan, frame=f, groups=tuple(groups)), warnings)


def _check_block(spec: StudySpec, plan: EventPlan, f: pd.DataFrame, gp: GroupPlan, cal: str, sel: np.ndarray,
                 sb: SymbolBars, out: list[dict]) -> GroupPlan:
    """The checks of one group's pairs on one calendar (in place on ``f``); returns the group plan
    with its windows fixed when they were given as dates."""
    cb = plan.calendars[cal]
    index = cb.index
    rows = f.iloc[sel]
    tick = rows["ticker"].to_numpy(dtype=object)
    bench = rows["benchmark"].to_numpy(dtype=object)
    symbols = list(dict.fromkeys([*pd.unique(tick), *[b for b in pd.unique(bench) if isinstance(b, str)]]))
    for sym in symbols:
        off = sb.off_calendar.get(sym, pd.DatetimeIndex([]))
        if len(off):
            shown = ", ".join(d.strftime("%Y-%m-%d") for d in off[:5])
            out.append({"ticker": sym, "check": "rows off the calendar",
                        "message": f"{len(off)} row(s) on days that are not {cal} bars ({shown}"
                                   f"{', ...' if len(off) > 5 else ''})", "action": "rows ignored"})
    alive = rows["drop_code"].to_numpy() == KEPT
    data = sb.data_range(symbols)
    pos0 = rows["pos0"].to_numpy()
    day0 = pd.DatetimeIndex(rows["day0"].to_numpy())

    def at(ts):
        return None if ts is None else int(index.searchsorted(ts))

    def at_last(ts):
        return None if ts is None else int(index.searchsorted(ts, side="right")) - 1

    first = {s: at(sb.first.get(s)) for s in symbols}
    last = {s: at_last(sb.last.get(s)) for s in symbols}
    have = {s: (f"{fmt_bar(sb.first[s])} .. {fmt_bar(sb.last[s])}" if sb.first.get(s) is not None else "no bars")
            for s in symbols}

    # day 0 outside the data of this calendar's symbols
    if data is None:
        outside = alive.copy()
        span = "no bars"
    else:
        outside = alive & ((day0 < data[0]) | (day0 > data[1]))
        span = f"{fmt_bar(data[0])} .. {fmt_bar(data[1])}"
    if outside.any():
        _drop_rows(f, sel, outside, DROP_CODES["day 0 outside data"],
                   [f"day 0 ({d.date()}, {cal}) is outside the data ({span})" for d in day0[outside]])
    alive &= ~outside
    if not alive.any():
        return gp

    windows = gp.windows
    if windows is None:  # windows given as dates: counted on the bars of the data
        lo, hi = at(data[0]), at_last(data[1])
        p0 = int(pos0[alive][0])
        windows = windows_from_dates(index, p0, gp.spec.windows, (lo, hi), cal, cb.label)
        gp = replace(gp, windows=windows)
        for col, v in zip(("est_start", "est_end", "evt_start", "evt_end"), (*windows.estimation, *windows.event)):
            f.iloc[sel, f.columns.get_loc(col)] = pos0 + v
    est, evt = windows.estimation, windows.event

    # the benchmark must cover the estimation window (and the bar before) and the event window
    has_b = alive & pd.notna(bench)
    if has_b.any():
        bf = np.array([first.get(b) if first.get(b) is not None else -1 for b in bench[has_b]])
        bl = np.array([last.get(b) if last.get(b) is not None else -1 for b in bench[has_b]])
        none = np.array([sb.first.get(b) is None for b in bench[has_b]])
        lo = pos0[has_b] + est[0] - 1
        hi = pos0[has_b] + evt[1]
        if gp.spec.windows.uses_dates:
            lo = np.maximum(lo, bf)  # date windows take what the data holds, as estudy2 does
        fail = none | (lo < bf) | (hi > bl)
        if fail.any():
            k = np.flatnonzero(has_b)[fail]
            msgs = []
            for j, b, l, h, p in zip(k, bench[k], lo[fail], hi[fail], pos0[k]):
                problem = f"{cb.label(l)} .. {cb.label(h)}, but the benchmark {b} has {have[b]}"
                msgs.append((f"{spec.path}: " if spec.path else "") +
                            f"group {gp.name!r}: the windows (estimation {list(est)}, event {list(evt)} around day 0 = "
                            f"{cb.label(p)}) need {cal} prices {problem}. Shorten the windows or add data.")
            if not plan.many:
                raise WindowError(msgs[0])
            mask = np.zeros(len(sel), dtype=bool)
            mask[k] = True
            _drop_rows(f, sel, mask, DROP_CODES["benchmark coverage"], msgs)
            alive &= ~mask

    # the security must cover day 0 and every CAR window (the bar before each included)
    car_lo = min([0, *(a for a, _ in windows.cars)])
    car_hi = max([0, *(b for _, b in windows.cars)])
    sf = np.array([first[t] if first[t] is not None else -1 for t in tick])
    sl = np.array([last[t] if last[t] is not None else -1 for t in tick])
    nob = np.array([sb.first.get(t) is None for t in tick])
    need_lo, need_hi = pos0 + car_lo - 1, pos0 + car_hi
    short = alive & (nob | (sf > need_lo) | (sl < need_hi))
    if short.any():
        k = np.flatnonzero(short)
        _drop_rows(f, sel, short, DROP_CODES["car coverage"],
                   [f"day 0 and the CAR windows [{car_lo}, {car_hi}] need prices from {cb.label(need_lo[j])} to "
                    f"{cb.label(need_hi[j])} ({cal}); {tick[j]} has {have[tick[j]]}" for j in k])
    alive &= ~short

    # warnings: partial event windows, estimation windows that start before the prices
    labels = rows["label"].to_numpy(dtype=object)
    evt_lo, evt_hi = pos0 + evt[0] - 1, pos0 + evt[1]
    partial_evt = alive & ((sf > evt_lo) | (sl < evt_hi))
    start = pos0 + est[0] - (0 if gp.spec.windows.uses_dates else 1)
    partial_est = alive & (sf > start)
    n_est = est[1] - est[0] + 1
    notes = np.full(len(sel), "", dtype=object)
    for j in np.flatnonzero(partial_evt | partial_est):  # only the pairs concerned
        if partial_evt[j]:
            out.append({"ticker": labels[j], "check": "partial event window",
                        "message": f"event window [{evt[0]}, {evt[1]}] needs prices from {cb.label(evt_lo[j])} to "
                                   f"{cb.label(evt_hi[j])}; {tick[j]} has {have[tick[j]]}",
                        "action": "bars outside the data are missing (NaN); CAR windows are complete"})
        if partial_est[j]:
            covered = max(0, int(pos0[j] + est[1] - sf[j]))
            notes[j] = f"estimation window covers {covered} of {n_est} bars (prices start {cb.label(sf[j])})"
            if covered >= spec.model.min_estimation:  # shorter windows are reported by the engine
                out.append({"ticker": labels[j], "check": "partial estimation window", "message": notes[j],
                            "action": "estimated on the bars available"})
    f.iloc[sel, f.columns.get_loc("note")] = notes
    return gp


def _drop_rows(f: pd.DataFrame, sel: np.ndarray, mask: np.ndarray, code: int, reasons: list[str]) -> None:
    full = np.zeros(len(f), dtype=bool)
    full[sel[mask]] = True
    drop(f, full, code, reasons)
