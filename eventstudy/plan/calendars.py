"""Trading calendars and the day-0 rule.

Each security is measured on its own calendar: exchange sessions from ``exchange_calendars``
(XNYS for US equities, XTKS for Tokyo, ...) or, for crypto, every UTC calendar day (``"24/7"``);
intraday crypto bars use a fixed bar length (``"4h"``) on the UTC clock.

Day 0 is the first bar whose prices can reflect the news:

* exchange calendar, timestamp known: before the close of a session -> that session (before the
  open or during the session); at or after the close -> the next session; on a weekend or holiday
  -> the next session.
* exchange calendar, date only (no time): that date's session if it is one, else the next session.
  This default assumes the news reached the market before the close; the report says so. A
  session word instead of a clock time ("after the close") moves it to the next session.
* 24/7 (crypto): the UTC day that contains the timestamp (date only: that date). An optional
  ``cutoff`` (UTC time of day) moves news at or after the cutoff to the next UTC day.
* intraday bars: the bar that contains the timestamp (date only: the first bar of that UTC day).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import numpy as np
import pandas as pd

from ..errors import StudyFileError, WindowError

CRYPTO_CALENDAR = "24/7"


class OutsideCalendarError(WindowError):
    """A day 0 or a window that falls outside the bars a calendar knows (e.g. an event in 2099)."""


#: The bars pandas can represent (for calendars without a first or last bar of their own).
_MIN_BAR = pd.Timestamp("1678-01-01")
_MAX_BAR = pd.Timestamp("2261-12-31")


@dataclass(frozen=True)
class EventTime:
    """When the news came out.

    ``date`` is the calendar date in ``timezone``; ``time`` is the local time of day when known.
    """

    date: dt.date
    time: dt.time | None = None
    timezone: str = "UTC"
    #: When only the date is known, a session word: "before_open", "during_session" or "after_close".
    timing: str | None = None

    @property
    def timestamp(self) -> pd.Timestamp | None:
        """The instant in UTC, or None when only the date is known."""
        if self.time is None:
            return None
        local = pd.Timestamp(dt.datetime.combine(self.date, self.time)).tz_localize(self.timezone)
        return local.tz_convert("UTC")

    def describe(self) -> str:
        if self.time is None:
            if self.timing:
                return f"{self.date.isoformat()} ({self.timing.replace('_', ' ')}, no clock time)"
            return f"{self.date.isoformat()} (no time of day)"
        return f"{self.date.isoformat()} {self.time.strftime('%H:%M')} {self.timezone}"


@dataclass(frozen=True)
class Day0:
    """The bar chosen as day 0 on one calendar, and the rule that chose it."""

    session: pd.Timestamp
    rule: str


class TradingCalendar(Protocol):
    """What the pipeline needs from a calendar."""

    name: str
    #: "daily" (one bar per session/day) or "intraday" (fixed-length bars).
    bar: str

    def sessions(self, start: pd.Timestamp, end: pd.Timestamp) -> pd.DatetimeIndex:
        """Bar labels from ``start`` to ``end`` inclusive."""
        ...

    def day0(self, when: EventTime) -> Day0:
        """Day 0 for news released at ``when``."""
        ...

    def known_range(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """The first and last bar the calendar knows (its sessions, or what pandas can represent)."""
        ...

    def bars_around(self, first: pd.Timestamp, last: pd.Timestamp, before: int, after: int) -> pd.DatetimeIndex:
        """The bars from ``before`` bars before bar ``first`` to ``after`` bars after bar ``last``
        (both bars of the calendar), cut to :meth:`known_range`."""
        ...


class _PastLastSession(LookupError):
    """No session of the calendar on or after a date (beyond the calendar's last session)."""


class ExchangeCalendar:
    """Sessions of one exchange (``exchange_calendars`` code such as XNYS)."""

    bar = "daily"

    def __init__(self, code: str):
        self.name = code
        self._cal = _exchange_calendar(code)

    def sessions(self, start: pd.Timestamp, end: pd.Timestamp) -> pd.DatetimeIndex:
        first, last = self._cal.first_session, self._cal.last_session
        start, end = max(pd.Timestamp(start).normalize(), first), min(pd.Timestamp(end).normalize(), last)
        if start > end:
            return pd.DatetimeIndex([])
        bars = self.all_sessions()  # built once per calendar: a slice of it, not a new index per call
        lo, hi = bars.searchsorted(start.tz_localize(None)), bars.searchsorted(end.tz_localize(None), side="right")
        return bars[lo:hi]

    def _next_session(self, date: pd.Timestamp) -> pd.Timestamp:
        """The session on or after ``date`` (from the cached sessions: no look-up in exchange_calendars)."""
        ns = _session_ns(self.name)
        i = int(np.searchsorted(ns, date.tz_localize(None).as_unit("ns").value))
        if i >= len(ns):
            raise _PastLastSession(date)
        return pd.Timestamp(int(ns[i]), unit="ns")

    def _is_session(self, date: pd.Timestamp) -> bool:
        ns = _session_ns(self.name)
        v = date.tz_localize(None).as_unit("ns").value
        i = int(np.searchsorted(ns, v))
        return i < len(ns) and int(ns[i]) == v

    def _session_after(self, session: pd.Timestamp) -> pd.Timestamp:
        """The session after ``session`` (a session)."""
        return self._next_session(session.tz_localize(None) + pd.Timedelta(days=1))

    def known_range(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        bars = self.all_sessions()  # the calendar's first and last session
        return bars[0], bars[-1]

    def all_sessions(self) -> pd.DatetimeIndex:
        """Every session the calendar knows (tz-naive labels)."""
        return _all_sessions(self.name)

    def bars_around(self, first: pd.Timestamp, last: pd.Timestamp, before: int, after: int) -> pd.DatetimeIndex:
        bars = self.all_sessions()
        i0 = int(bars.searchsorted(pd.Timestamp(first)))
        i1 = int(bars.searchsorted(pd.Timestamp(last), side="right")) - 1
        return bars[max(0, i0 - before): max(0, min(len(bars), i1 + after + 1))]

    def day0(self, when: EventTime) -> Day0:
        date = pd.Timestamp(when.date)
        ts = when.timestamp
        first, last = self.known_range()
        local = pd.Timestamp(ts.tz_convert(self._cal.tz).date()) if ts is not None else date
        if first <= local <= last:
            import exchange_calendars as xcals

            try:
                return self._day0(when, date, ts)
            except (xcals.errors.DateOutOfBounds, _PastLastSession):  # the next session after the calendar's last one
                pass
        side = "after the last" if local >= last else "before the first"
        raise OutsideCalendarError(
            f"the event date {local.date()} is {side} {self.name} session the calendar knows "
            f"({self.name} covers {first.date()} .. {last.date()} in exchange_calendars): no day 0 can be "
            "placed. Check the date (is the year right?); an event that has not happened yet cannot be studied")

    def _day0(self, when: EventTime, date: pd.Timestamp, ts: pd.Timestamp | None) -> Day0:
        if ts is None:
            if self._is_session(date) and when.timing == "after_close":
                nxt = self._session_after(date)
                return Day0(nxt, f"{self.name}: after the close of {date.date()} (no clock time) -> next session {nxt.date()}")
            if self._is_session(date) and when.timing in ("before_open", "during_session"):
                word = when.timing.replace("_", " ")
                return Day0(date, f"{self.name}: {word} on {date.date()} (no clock time) -> session of {date.date()}")
            if self._is_session(date):
                return Day0(date, f"{self.name}: date without time; assumed before the close -> session of {date.date()}")
            nxt = self._next_session(date)
            return Day0(nxt, f"{self.name}: {date.date()} is not a trading day -> next session {nxt.date()}")
        local_date = pd.Timestamp(ts.tz_convert(self._cal.tz).date())
        if not self._is_session(local_date):
            nxt = self._next_session(local_date)
            return Day0(nxt, f"{self.name}: {local_date.date()} is not a trading day -> next session {nxt.date()}")
        open_, close = self._cal.session_open(local_date), self._cal.session_close(local_date)
        if ts < open_:
            return Day0(local_date, f"{self.name}: before the open ({_fmt(ts, self._cal.tz)}) -> same session {local_date.date()}")
        if ts < close:
            return Day0(local_date, f"{self.name}: during the session ({_fmt(ts, self._cal.tz)}) -> same session {local_date.date()}")
        nxt = self._session_after(local_date)
        return Day0(nxt, f"{self.name}: after the close ({_fmt(ts, self._cal.tz)}) -> next session {nxt.date()}")


class CryptoCalendar:
    """Every UTC calendar day (24/7 markets). A bar dated D runs from D 00:00 to D+1 00:00 UTC."""

    bar = "daily"

    def __init__(self, cutoff: dt.time | None = None):
        self.name = CRYPTO_CALENDAR
        self.cutoff = cutoff

    def sessions(self, start: pd.Timestamp, end: pd.Timestamp) -> pd.DatetimeIndex:
        return pd.date_range(pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize(), freq="D")

    def known_range(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        return _MIN_BAR, _MAX_BAR

    def bars_around(self, first: pd.Timestamp, last: pd.Timestamp, before: int, after: int) -> pd.DatetimeIndex:
        return _fixed_bars(pd.Timestamp(first), pd.Timestamp(last), before, after, pd.Timedelta(days=1))

    def day0(self, when: EventTime) -> Day0:
        ts = when.timestamp
        if ts is None:
            day = pd.Timestamp(when.date)
            return Day0(day, f"24/7: date without time -> UTC day {day.date()}")
        day = pd.Timestamp(ts.date())
        if self.cutoff is not None and ts.time() >= self.cutoff:
            nxt = day + pd.Timedelta(days=1)
            return Day0(nxt, f"24/7: {ts:%H:%M} UTC is at/after the {self.cutoff:%H:%M} UTC cutoff -> UTC day {nxt.date()}")
        return Day0(day, f"24/7: {ts:%Y-%m-%d %H:%M} UTC -> the UTC day that contains it, {day.date()}")


class IntradayCalendar:
    """Fixed-length bars on the UTC clock (e.g. 4-hour crypto candles, labelled by open time)."""

    bar = "intraday"

    def __init__(self, freq: str = "4h"):
        self.name = f"24/7 {freq}"
        self.freq = pd.Timedelta(freq)

    def sessions(self, start: pd.Timestamp, end: pd.Timestamp) -> pd.DatetimeIndex:
        start = pd.Timestamp(start).floor(self.freq)
        return pd.date_range(start, pd.Timestamp(end), freq=self.freq)

    def known_range(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        return _MIN_BAR, _MAX_BAR

    def bars_around(self, first: pd.Timestamp, last: pd.Timestamp, before: int, after: int) -> pd.DatetimeIndex:
        return _fixed_bars(pd.Timestamp(first), pd.Timestamp(last), before, after, self.freq)

    def day0(self, when: EventTime) -> Day0:
        ts = when.timestamp
        if ts is None:
            bar = pd.Timestamp(when.date)
            return Day0(bar, f"{self.name}: date without time -> first bar of UTC day {bar.date()}")
        bar = ts.tz_localize(None).floor(self.freq)
        return Day0(bar, f"{self.name}: {ts:%Y-%m-%d %H:%M} UTC -> the bar opening {bar:%Y-%m-%d %H:%M} UTC")


def _fixed_bars(first: pd.Timestamp, last: pd.Timestamp, before: int, after: int, step: pd.Timedelta) -> pd.DatetimeIndex:
    """Bars of fixed length ``step`` around [first, last], cut to the dates pandas can hold."""
    py_step = step.to_pytimedelta()  # python datetimes: centuries of bars overflow a pandas Timedelta
    lo_steps = min(before, max(0, (first.to_pydatetime() - _MIN_BAR.to_pydatetime()) // py_step))
    hi_steps = min(after, max(0, (_MAX_BAR.to_pydatetime() - last.to_pydatetime()) // py_step))
    return pd.date_range(pd.Timestamp(first.to_pydatetime() - lo_steps * py_step),
                         pd.Timestamp(last.to_pydatetime() + hi_steps * py_step), freq=step)


def _fmt(ts: pd.Timestamp, tz) -> str:
    return ts.tz_convert(tz).strftime("%Y-%m-%d %H:%M %Z")


def _calendar_class(xcals, code: str):
    """The exchange_calendars class of a code (aliases resolved), or None if it cannot tell."""
    try:
        dispatcher = xcals.calendar_utils.global_calendar_dispatcher
        return dispatcher._calendar_factories.get(dispatcher.resolve_alias(code))
    except Exception:  # a private table of exchange_calendars: fall back to building the default
        return None


@lru_cache(maxsize=32)
def _exchange_calendar(code: str):
    import exchange_calendars as xcals

    try:
        cls = _calendar_class(xcals, code)
        if cls is None:  # unknown to the dispatcher's table: build the default to read its bound
            default = xcals.get_calendar(code)  # covers the last 20 years
            cls = type(default)
        bound = cls.bound_min()
        start = max(pd.Timestamp("1990-01-01"), bound) if bound is not None else pd.Timestamp("1990-01-01")
        return xcals.get_calendar(code, start=start)  # built once, from 1990 (or the calendar's first year)
    except xcals.errors.InvalidCalendarName:
        raise StudyFileError(
            f"unknown trading calendar {code!r}; use an exchange_calendars code such as XNYS, XTKS, XLON "
            f"or {CRYPTO_CALENDAR!r} for crypto"
        ) from None


@lru_cache(maxsize=32)
def _all_sessions(code: str) -> pd.DatetimeIndex:
    sessions = pd.DatetimeIndex(_exchange_calendar(code).sessions)
    return sessions.tz_localize(None) if sessions.tz is not None else sessions


@lru_cache(maxsize=32)
def _session_ns(code: str) -> np.ndarray:
    """The sessions of :func:`_all_sessions` as int64 nanoseconds (fast scalar look-ups)."""
    return _all_sessions(code).as_unit("ns").asi8


def get_calendar(name: str, frequency: str = "1d", crypto_cutoff: dt.time | None = None) -> TradingCalendar:
    """The calendar for a gazetteer/study name ("XNYS", "24/7", ...) and a bar frequency."""
    if frequency != "1d":
        if name != CRYPTO_CALENDAR:
            raise StudyFileError(
                f"intraday bars ({frequency}) are supported for 24/7 (crypto) securities only, not on {name}"
            )
        return IntradayCalendar(frequency)
    if name == CRYPTO_CALENDAR:
        return CryptoCalendar(crypto_cutoff)
    return ExchangeCalendar(name)


def positions_on(bars: pd.DatetimeIndex, at: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
    """Where each label of ``at`` sits in the sorted unique ``bars``: ``(pos, hit)``, ``bars[pos[i]]
    == at[i]`` where ``hit[i]`` (labels on no bar have ``hit`` False). What ``bars.get_indexer(at)``
    says, by integer look-ups on nanoseconds (any datetime unit; one zone for both)."""
    if not len(bars) or not len(at):
        return np.zeros(len(at), dtype=np.int64), np.zeros(len(at), dtype=bool)
    if bars.tz != at.tz:
        pos = bars.get_indexer(at)
        return np.maximum(pos, 0), pos >= 0
    b, a = bars.as_unit("ns").asi8, at.as_unit("ns").asi8
    pos = np.minimum(np.searchsorted(b, a), len(b) - 1)
    return pos, b[pos] == a
