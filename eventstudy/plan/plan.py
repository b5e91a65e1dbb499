"""The event plan: one tidy row per (event, security) before anything is computed.

A study is first a table (house style §8). :func:`build_plan` makes it from the study file and the
event time, without prices; later stages read and extend it (:mod:`.coverage` with what the prices
cover, the engine with the estimation status). The same frame is what the results carry
(``results.plan``), what a report summarises and what a distributed run partitions.

Columns of :attr:`EventPlan.frame` (one row per (event, security); ``row`` is its id):

==============  ===============================================================================
row             0, 1, ...: the pair's id, in study order (groups in file order, then their rows)
event           event id (the study's name for a one-event study, the events file's ``event``)
ticker          the security
group           its group
benchmark       its benchmark symbol (None without one)
factors         the factor file of a factor-model group (None otherwise)
model_kind      the group's normal-return model ("market", "constant_mean", ...)
calendar        the security's trading calendar ("XNYS", "24/7", "24/7 4h"; None if unknown)
label           how tables name the pair: the ticker, or "TICKER (event)" with an events file
line            line of the events file (0 for a one-event study)
event_date      the news' date (datetime64), ``event_clock`` its local time or None,
                ``timezone``, ``timing`` ("before_open", ... or None)
day0, day0_rule the bar chosen as day 0 and the rule that chose it
pos0            position of day 0 in the calendar's bars (:attr:`CalendarBars.index`; -1: none)
est_start/end   positions of the estimation window's first and last bar (same index)
evt_start/end   positions of the event window's first and last bar
status          "pending" (to be estimated), then "ok", "fallback", "short" or "dropped"
stage           the stage that dropped the pair ("plan", "prices", "coverage", "estimation")
reason          why it was dropped, in words ("" when kept)
drop_code       the check that dropped it (:data:`DROP_CODES`; 0 when kept)
seq             position of a studied pair in the result tables (-1 until coverage is checked)
group_order     the group's place in the study; ``block`` the calendar's place in its group
benchmark_calendar, calendar_error   the benchmark's calendar; why a calendar is unknown ("")
note            what the coverage check noted (e.g. a partial estimation window)
==============  ===============================================================================

A distributed run (issue #11) splits the frame (:meth:`EventPlan.partition`), runs the map
:func:`eventstudy.pipeline.analyse` on each part where its prices are, and the reduce
:func:`eventstudy.pipeline.combine` on the parts' results; the coverage checks need only each
symbol's first and last bar on its calendar, so they can run before the split.

Positions count bars of the pair's own calendar in the plan's bar index for that calendar, which
depends only on the calendar and the plan (never on the prices), so any partition of the plan
sees the same positions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ..errors import EventStudyError, StudyFileError, WindowError
from ..estimation.engine import Windows
from ..estimation.models import BENCHMARK_KINDS, FACTOR_KINDS
from ..reference.gazetteer import Gazetteer
from ..study.spec import GroupSpec, StudySpec
from .calendars import EventTime, OutsideCalendarError, TradingCalendar, get_calendar
from .windows import car_labels, extent, relative_windows

#: The checks that drop a pair, by priority: when several fail, the reason of the first is given.
DROP_CODES = {
    "no prices": 10,            # the security has no usable prices
    "no benchmark prices": 20,  # its benchmark has none
    "no benchmark": 30,         # a market(-adjusted) model without a benchmark
    "calendar mismatch": 40,    # security and benchmark trade on different calendars
    "outside calendar": 50,     # day 0 or a window falls outside the bars the calendar knows
    "day 0 outside data": 60,   # day 0 is outside the data of the group's calendar
    "benchmark coverage": 70,   # the benchmark's prices do not cover the windows
    "car coverage": 80,         # the security's prices do not cover day 0 and the CAR windows
    "estimation": 90,           # the engine could not estimate the model (see the reason)
}
KEPT = 0
STAGES = {10: "prices", 20: "prices", 30: "plan", 40: "plan", 50: "plan", 60: "coverage", 70: "coverage",
          80: "coverage", 90: "estimation"}


@dataclass(frozen=True)
class CalendarBars:
    """The bars of one calendar that the plan's positions count (from the bar before the earliest
    window bar to the latest window bar of any pair on that calendar)."""

    name: str
    calendar: TradingCalendar
    index: pd.DatetimeIndex

    def label(self, pos: int) -> str:
        """A position as a readable date (for messages)."""
        return fmt_bar(self.index[pos])


@dataclass(frozen=True)
class GroupPlan:
    """A group as the plan runs it: its windows in bars (None for date windows until the data
    fixes them), its CAR labels and its model."""

    name: str
    order: int
    spec: GroupSpec
    model_kind: str
    windows: Windows | None
    car_labels: tuple[str, ...]


@dataclass(frozen=True)
class EventPlan:
    """The plan of a study: the frame (see the module doc), the calendars' bars and the groups."""

    frame: pd.DataFrame
    calendars: Mapping[str, CalendarBars]
    groups: tuple[GroupPlan, ...]
    many: bool

    def group(self, name: str) -> GroupPlan:
        return next(g for g in self.groups if g.name == name)

    @property
    def pending(self) -> np.ndarray:
        """Mask of the pairs still to be studied."""
        return self.frame["drop_code"].to_numpy() == KEPT

    def with_frame(self, frame: pd.DataFrame) -> "EventPlan":
        return replace(self, frame=frame)

    def with_groups(self, groups: tuple[GroupPlan, ...]) -> "EventPlan":
        return replace(self, groups=groups)

    def partition(self, n: int, by: str = "ticker") -> list["EventPlan"]:
        """The plan's rows split into at most ``n`` partitions by security (``by="ticker"``) or by
        ``"calendar"``, for a distributed run: each keeps every calendar's bars and every group, so
        positions and ``seq`` do not change. Symbols are dealt out in sorted order."""
        keys = self.frame[by].to_numpy(dtype=object)
        uniq, codes = np.unique(keys.astype(str), return_inverse=True)
        part = codes % max(1, min(n, len(uniq)))
        return [self.with_frame(self.frame[part == i].reset_index(drop=True)) for i in range(int(part.max()) + 1)] \
            if len(keys) else [self]

    def dropped_rows(self) -> pd.DataFrame:
        """The dropped pairs in the order the results list them: per group, the pairs dropped
        before their calendar's windows were cut (study order), then those dropped on their
        calendar's data (per calendar, in study order), then those the engine dropped."""
        f = self.frame[self.frame["drop_code"] != KEPT]
        phase = np.select([f["drop_code"] < 50, f["drop_code"] < 90], [0, 1], 2)
        key = pd.DataFrame({"g": f["group_order"].to_numpy(), "phase": phase,
                            "block": np.where(phase == 1, f["block"].to_numpy(), 0),
                            "seq": np.where(phase == 2, f["seq"].to_numpy(), 0), "row": f["row"].to_numpy()})
        order = key.sort_values(["g", "phase", "block", "seq", "row"], kind="stable").index
        return f.iloc[order]


def fmt_bar(ts: pd.Timestamp) -> str:
    """A bar label for messages: the date, with the time for intraday bars."""
    ts = pd.Timestamp(ts)
    return ts.strftime("%Y-%m-%d") if ts == ts.normalize() else ts.strftime("%Y-%m-%d %H:%M")


def drop(frame: pd.DataFrame, mask: np.ndarray, code: int, reasons) -> None:
    """Mark the pairs in ``mask`` dropped by check ``code`` with ``reasons`` (one string, or one per
    pair in ``mask``), unless a check of higher priority (lower code) already dropped them. In place."""
    current = frame["drop_code"].to_numpy()
    mask = np.asarray(mask, dtype=bool)
    take = mask & ((current == KEPT) | (current > code))
    if not take.any():
        return
    if not isinstance(reasons, str):
        reasons = np.asarray(reasons, dtype=object)[take[mask]]
    idx = np.flatnonzero(take)
    frame.iloc[idx, frame.columns.get_loc("drop_code")] = code
    frame.iloc[idx, frame.columns.get_loc("reason")] = reasons
    frame.iloc[idx, frame.columns.get_loc("stage")] = STAGES[code]
    frame.iloc[idx, frame.columns.get_loc("status")] = "dropped"


# --- building the plan ----------------------------------------------------------------------------

def _rows(spec: StudySpec, event_time: EventTime | None) -> pd.DataFrame:
    """One row per (event, security), in study order, before any check."""
    order = {g.name: i for i, g in enumerate(spec.groups)}
    if spec.events:
        ev = spec.events.frame  # the events file's rows as columns (study/events_file.py)
        rows = pd.DataFrame({
            "event": ev["event"].to_numpy(dtype=object), "ticker": ev["security"].to_numpy(dtype=object),
            "group": ev["group"].to_numpy(dtype=object), "benchmark": list(ev["benchmark"]),
            "line": ev["line"].to_numpy(dtype=np.int64),
            "event_date": pd.DatetimeIndex(ev["date"]).as_unit("ns"),
            "event_clock": ev["time"].to_numpy(dtype=object), "timezone": ev["timezone"].to_numpy(dtype=object),
            "timing": None,
        })
        rows["group_order"] = rows["group"].map(order).fillna(len(order)).astype(np.int64)
        rows = rows[rows["group"].isin(order)]
        rows = rows.sort_values("group_order", kind="stable").reset_index(drop=True)
        bench = {g.name: g.benchmark for g in spec.groups}
        missing = rows["benchmark"].isna()
        rows.loc[missing, "benchmark"] = rows.loc[missing, "group"].map(bench)
        rows["benchmark"] = rows["benchmark"].astype(object).where(rows["benchmark"].notna(), None)
        return rows
    n = [len(g.securities) for g in spec.groups]
    et = event_time
    return pd.DataFrame({
        "event": spec.name, "ticker": [s for g in spec.groups for s in g.securities],
        "group": np.repeat([g.name for g in spec.groups], n).astype(object),
        "benchmark": np.repeat(np.array([g.benchmark for g in spec.groups], dtype=object), n),
        "line": np.zeros(sum(n), dtype=np.int64),
        "event_date": pd.to_datetime(np.repeat([et.date], sum(n))).as_unit("ns") if sum(n) else
        pd.DatetimeIndex([], dtype="datetime64[ns]"),
        "event_clock": [et.time] * sum(n), "timezone": et.timezone, "timing": et.timing,
        "group_order": np.repeat(np.arange(len(n)), n).astype(np.int64),
    })


def calendar_name(sym: str, group: GroupSpec, gaz: Gazetteer) -> str:
    """The trading calendar of a symbol: the group's ``calendar``, else the gazetteer's."""
    if group.calendar:
        return group.calendar
    ent = gaz.get(sym)
    if ent is not None and ent.calendar:
        return ent.calendar
    raise StudyFileError(f"{sym}: no trading calendar known (not in the gazetteer); add `calendar = \"XNYS\"` "
                         f"(or \"24/7\" for crypto) to group {group.name!r}")


def _calendars_of(frame: pd.DataFrame, column: str, groups: dict[str, GroupSpec], gaz: Gazetteer
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Calendar name (or None) and calendar error (or "") of ``column``'s symbol, per row (looked up
    once per distinct (group, symbol))."""
    g = frame["group"].to_numpy(dtype=object)
    sym = frame[column].to_numpy(dtype=object)
    codes, uniq = pd.factorize(pd.Series(list(zip(g, sym)), dtype=object))
    names = np.full(len(uniq), None, dtype=object)
    errors = np.full(len(uniq), "", dtype=object)
    for i, (grp, s) in enumerate(uniq):
        if not isinstance(s, str):
            continue
        try:
            names[i] = calendar_name(s, groups[grp], gaz)
        except StudyFileError as exc:
            errors[i] = str(exc)
    if not len(codes):
        return np.array([], dtype=object), np.array([], dtype=object)
    return names[codes], errors[codes]


def build_plan(spec: StudySpec, event_time: EventTime | None, gazetteer: Gazetteer,
               event_source: str = "") -> EventPlan:
    """The plan of a study before any price is read: pairs, calendars, day 0, window positions.

    Drops the pairs that cannot be studied whatever the prices (no benchmark for a model that needs
    one, security and benchmark on different calendars, day 0 or a window outside the calendar's
    bars). In a one-event study a day 0 or window outside the calendar is an error
    (:class:`~eventstudy.errors.WindowError`); with an events file the pair is dropped with the reason.
    """
    frame = _rows(spec, event_time)
    groups = {g.name: g for g in spec.groups}
    many = bool(spec.events)
    n = len(frame)
    frame.insert(0, "row", np.arange(n, dtype=np.int64))
    kinds = {g.name: (g.model or spec.model.kind) for g in spec.groups}
    frame["model_kind"] = frame["group"].map(kinds)
    factors = spec.model.factors.name if spec.model.factors is not None else None
    frame["factors"] = np.where(frame["model_kind"].isin(FACTOR_KINDS).to_numpy(), factors, None)
    cal, cal_err = _calendars_of(frame, "ticker", groups, gazetteer)
    bcal, bcal_err = _calendars_of(frame, "benchmark", groups, gazetteer)
    frame["calendar"] = cal
    frame["benchmark_calendar"] = bcal
    frame["calendar_error"] = np.where(cal_err != "", cal_err, bcal_err)
    frame["label"] = (frame["ticker"] + " (" + frame["event"] + ")") if many else frame["ticker"]
    frame["day0"] = pd.NaT
    frame["day0"] = frame["day0"].astype("datetime64[ns]")
    frame["day0_rule"] = ""
    for col in ("pos0", "est_start", "est_end", "evt_start", "evt_end", "seq", "block"):
        frame[col] = np.int64(-1)
    frame["status"] = "pending"
    frame["stage"] = ""
    frame["reason"] = ""
    frame["note"] = ""
    frame["drop_code"] = np.int64(KEPT)

    no_bench = frame["benchmark"].isna().to_numpy() & frame["model_kind"].isin(BENCHMARK_KINDS).to_numpy()
    drop(frame, no_bench, DROP_CODES["no benchmark"], "no benchmark given for this event")
    has_both = pd.notna(cal) & pd.notna(bcal) & frame["benchmark"].notna().to_numpy()
    mismatch = has_both & (cal != bcal)
    if mismatch.any():
        m = frame[mismatch]
        drop(frame, mismatch, DROP_CODES["calendar mismatch"],
             [f"{t} trades on {c} but the benchmark {b} on {bc}; put it in a group whose benchmark shares its calendar"
              for t, c, b, bc in zip(m["ticker"], m["calendar"], m["benchmark"], m["benchmark_calendar"])])

    cutoff = spec.event.crypto_cutoff if spec.event else None
    calendars: dict[str, TradingCalendar] = {}
    named: dict[str, str] = {}
    for name in pd.unique(frame["calendar"].dropna()):
        try:
            cal_obj = get_calendar(name, spec.data.frequency, cutoff)
        except StudyFileError:
            continue  # reported by the data-quality pass for the symbols that have prices
        calendars[cal_obj.name] = cal_obj
        named[name] = cal_obj.name  # "24/7" studied on 4-hour bars is the calendar "24/7 4h"
    if named and any(k != v for k, v in named.items()):
        cal_codes, cal_uniq = pd.factorize(frame["calendar"].to_numpy(dtype=object))
        renamed = np.array([named.get(c, c) for c in cal_uniq], dtype=object)
        frame["calendar"] = np.where(cal_codes >= 0, renamed[np.maximum(cal_codes, 0)] if len(renamed) else None, None)
    _day0(frame, calendars, many, event_source)
    bars = _calendar_bars(frame, calendars, spec)
    _window_positions(frame, bars, spec, many)
    return EventPlan(frame, bars, _group_plans(spec, kinds), many)


def _group_plans(spec: StudySpec, kinds: dict[str, str]) -> tuple[GroupPlan, ...]:
    return tuple(GroupPlan(g.name, i, g, kinds[g.name], relative_windows(g.windows), car_labels(g.windows))
                 for i, g in enumerate(spec.groups))


def _day0(frame: pd.DataFrame, calendars: dict[str, TradingCalendar], many: bool, event_source: str) -> None:
    """Day 0 and its rule, computed once per distinct (calendar, event time). In place."""
    ok = frame["calendar"].isin(list(calendars)).to_numpy()
    if not ok.any():
        return
    keys = ["calendar", "event_date", "event_clock", "timezone", "timing"]
    sub = frame.loc[ok, keys]
    codes = sub.groupby(keys, dropna=False, sort=False).ngroup().to_numpy()
    first = pd.Series(np.arange(len(codes))).groupby(codes).first().to_numpy()
    uniq = sub.iloc[first]
    d0, rule, err = [], [], []
    for cal, date, clock, tz, timing in uniq.itertuples(index=False):  # one per distinct event time
        when = EventTime(pd.Timestamp(date).date(), None if pd.isna(clock) else clock, tz,
                         None if pd.isna(timing) else timing)
        try:
            d = calendars[cal].day0(when)
            d0.append(d.session), rule.append(d.rule), err.append("")
        except OutsideCalendarError as exc:
            d0.append(pd.NaT), rule.append(""), err.append(str(exc))
    idx = np.flatnonzero(ok)
    frame.iloc[idx, frame.columns.get_loc("day0")] = pd.DatetimeIndex(d0).as_unit("ns")[codes]
    frame.iloc[idx, frame.columns.get_loc("day0_rule")] = np.array(rule, dtype=object)[codes]
    bad = np.array(err, dtype=object)[codes]
    failed = bad != ""
    if failed.any():
        alive = frame["drop_code"].to_numpy()[idx] == KEPT
        if not many and (failed & alive).any():
            where = f" (event date from {event_source})" if event_source else ""
            raise OutsideCalendarError(f"{bad[failed][0]}{where}; give the right date with [event] date = "
                                       "\"YYYY-MM-DD\" in the study file")
        mask = np.zeros(len(frame), dtype=bool)
        mask[idx[failed]] = True
        lines = frame["line"].to_numpy()[idx[failed]]
        drop(frame, mask, DROP_CODES["outside calendar"],
             [f"{msg} (events file line {ln})" if ln else msg for msg, ln in zip(bad[failed], lines)])


def _calendar_bars(frame: pd.DataFrame, calendars: dict[str, TradingCalendar], spec: StudySpec
                   ) -> dict[str, CalendarBars]:
    """Per calendar, the bars the windows of its pairs need (one index every position refers to)."""
    out: dict[str, CalendarBars] = {}
    groups = {g.name: g for g in spec.groups}
    have = frame["day0"].notna().to_numpy() & (frame["drop_code"].to_numpy() == KEPT)
    for name, cal in calendars.items():
        on = have & (frame["calendar"].to_numpy() == name)
        if not on.any():
            continue
        starts, ends = [], []
        for gname, sub in frame[on].groupby("group", sort=False):
            ws = groups[gname].windows
            d_first, d_last = sub["day0"].min(), sub["day0"].max()
            rel = relative_windows(ws)
            if rel is not None:
                lo, hi = extent(rel)
                _check_window_length(cal, gname, rel, hi - lo)
                idx = cal.bars_around(d_first, d_last, -lo, hi)
            else:
                dates = [pd.Timestamp(d) for w in (ws.estimation, ws.event, *ws.car) for d in w]
                inner = cal.sessions(min(dates), max(dates) + pd.Timedelta(days=1) - pd.Timedelta(1))
                if len(inner) == 0:
                    inner = pd.DatetimeIndex([d_first])
                first = min(inner[0], d_first)
                last = max(inner[-1], d_last)
                idx = cal.bars_around(first, last, 1, 0)
            if len(idx):
                starts.append(idx[0]), ends.append(idx[-1])
        index = cal.bars_around(min(starts), max(ends), 0, 0) if starts else pd.DatetimeIndex([])
        out[name] = CalendarBars(name, cal, index)
    return out


def _check_window_length(cal: TradingCalendar, group: str, windows: Windows, bars: int) -> None:
    """Windows spanning more bars than the calendar knows can never be filled: say so now.
    ``bars`` counts the bars from the first window bar to the last (day 0 included)."""
    first, last = cal.known_range()
    sessions = getattr(cal, "all_sessions", None)
    known = len(sessions()) if sessions is not None else None
    if known is not None and bars + 1 > known:  # + the bar before the first window bar
        raise WindowError(
            f"group {group!r}: the windows (estimation {list(windows.estimation)}, event {list(windows.event)}) "
            f"span {bars:,} bars, more than the {cal.name} calendar holds ({known:,} sessions, {first.date()} .. "
            f"{last.date()}); shorten them (a common choice is estimation [-250, -11], event [-10, 10])")


def _window_positions(frame: pd.DataFrame, bars: dict[str, CalendarBars], spec: StudySpec, many: bool) -> None:
    """Positions of day 0 and of the windows in each calendar's bars; pairs whose windows run
    outside the calendar's known bars are dropped (an error in a one-event study). In place."""
    groups = {g.name: g for g in spec.groups}
    for name, cb in bars.items():
        on = (frame["calendar"].to_numpy() == name) & frame["day0"].notna().to_numpy()
        if not on.any():
            continue
        idx = np.flatnonzero(on)
        pos0 = cb.index.get_indexer(pd.DatetimeIndex(frame["day0"].to_numpy()[idx]))
        frame.iloc[idx, frame.columns.get_loc("pos0")] = pos0
        T = len(cb.index)
        for gname in pd.unique(frame["group"].to_numpy()[idx]):
            sel = idx[frame["group"].to_numpy()[idx] == gname]
            p0 = frame["pos0"].to_numpy()[sel]
            ws = groups[gname].windows
            rel = relative_windows(ws)
            if rel is None:  # date windows: the bars inside each (resolved on the data later)
                est = [cb.index.searchsorted(pd.Timestamp(ws.estimation[0])),
                       cb.index.searchsorted(pd.Timestamp(ws.estimation[1]) + pd.Timedelta(days=1)) - 1]
                evt = [cb.index.searchsorted(pd.Timestamp(ws.event[0])),
                       cb.index.searchsorted(pd.Timestamp(ws.event[1]) + pd.Timedelta(days=1)) - 1]
                for col, v in zip(("est_start", "est_end", "evt_start", "evt_end"), (*est, *evt)):
                    frame.iloc[sel, frame.columns.get_loc(col)] = int(v)
                continue
            for col, v in zip(("est_start", "est_end", "evt_start", "evt_end"), (*rel.estimation, *rel.event)):
                frame.iloc[sel, frame.columns.get_loc(col)] = p0 + v
            lo, hi = extent(rel)
            outside = (p0 < 0) | (p0 + lo < 0) | (p0 + hi >= T)
            alive = frame["drop_code"].to_numpy()[sel] == KEPT
            if not outside.any():
                continue
            first, last = cb.calendar.known_range()
            msgs = []
            for k in np.flatnonzero(outside):
                d0 = pd.Timestamp(frame["day0"].to_numpy()[sel[k]])
                before = -(lo + 1)
                side = (f"{before:,} {name} bars before day 0 ({fmt_bar(d0)}, for the estimation window "
                        f"{list(rel.estimation)} and the bar before it), but the calendar's first bar is {fmt_bar(first)}"
                        if p0[k] + lo < 0 else
                        f"{hi:,} {name} bars after day 0 ({fmt_bar(d0)}, for the event window {list(rel.event)}), but the "
                        f"calendar's last bar is {fmt_bar(last)}")
                msgs.append(f"group {gname!r}: the windows need {side} ({name} covers {fmt_bar(first)} .. "
                            f"{fmt_bar(last)}). Shorten the windows or study a later (earlier) event")
            if not many and (outside & alive).any():
                raise WindowError(msgs[int(np.flatnonzero((outside & alive)[outside])[0])])
            mask = np.zeros(len(frame), dtype=bool)
            mask[sel[outside]] = True
            lines = frame["line"].to_numpy()[sel[outside]]
            drop(frame, mask, DROP_CODES["outside calendar"],
                 [f"{m} (events file line {ln})" if ln else m for m, ln in zip(msgs, lines)])


__all__ = ["CalendarBars", "DROP_CODES", "EventPlan", "GroupPlan", "KEPT", "EventStudyError", "build_plan",
           "calendar_name", "drop", "fmt_bar"]
