"""Windows in bars: a group's relative windows, their extent around day 0, and windows given as dates.

A :class:`~eventstudy.estimation.engine.Windows` holds the windows in bars relative to day 0
(inclusive bounds) on the security's own calendar. Windows written as dates (estudy2 style, one
common event date) become relative bars on the bars of the data: the bars of the calendar from the
earliest to the latest price of the securities and benchmarks studied on it.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..errors import WindowError
from ..estimation.engine import Windows
from ..study.spec import Window, WindowSpec


def car_labels(ws: WindowSpec) -> tuple[str, ...]:
    """The CAR windows as the tables name them: ``[0,1]`` (relative) or ``2020-03-16..2020-03-20``."""
    return tuple(f"{a}..{b}" if isinstance(a, dt.date) else f"[{a},{b}]" for a, b in ws.car)


def relative_windows(ws: WindowSpec) -> Windows | None:
    """The windows in relative bars, or None when they are given as dates (resolved on the data)."""
    if ws.uses_dates:
        return None
    return Windows(tuple(ws.estimation), tuple(ws.event), tuple(tuple(c) for c in ws.car))


def extent(windows: Windows) -> tuple[int, int]:
    """(first, last) bar relative to day 0 that a study of these windows reads prices on.

    The first is the bar before the earliest window bar (its close gives the first return); day 0
    is always included (the CAR coverage rule needs it).
    """
    lo = min(windows.estimation[0], windows.event[0], *(a for a, _ in windows.cars), 0) - 1
    hi = max(windows.estimation[1], windows.event[1], *(b for _, b in windows.cars), 0)
    return int(lo), int(hi)


def date_window_bars(index: pd.DatetimeIndex, window: Window) -> np.ndarray:
    """Positions in ``index`` of the bars dated within a window of dates (both ends included)."""
    a, b = window
    lo, hi = pd.Timestamp(a), pd.Timestamp(b) + pd.Timedelta(days=1) - pd.Timedelta(1)
    return np.flatnonzero((index >= lo) & (index <= hi))


def windows_from_dates(index: pd.DatetimeIndex, pos0: int, ws: WindowSpec, data: tuple[int, int],
                       calendar: str, describe) -> Windows:
    """Relative windows of date windows, counted on the bars ``data`` = (first, last) positions in
    ``index`` that hold data (the calendar's bars from the earliest to the latest price studied).

    ``describe(pos)`` names a position for messages. Raises :class:`WindowError` for a window that
    holds no bar.
    """
    lo, hi = data
    inside = index[lo: hi + 1]

    def offsets(window: Window, what: str) -> tuple[int, int]:
        pos = date_window_bars(inside, window)
        if pos.size == 0:
            a, b = window
            raise WindowError(f"{what} window {a} .. {b} holds no bar of the {calendar} calendar within the data "
                              f"({describe(lo)} .. {describe(hi)})")
        return int(pos[0] + lo - pos0), int(pos[-1] + lo - pos0)

    return Windows(offsets(ws.estimation, "estimation"), offsets(ws.event, "event"),
                   tuple(offsets(c, "CAR") for c in ws.car))


def window_offsets_for(panel, pos0: int, ws: WindowSpec) -> tuple[Windows, list[str]]:
    """Relative windows and CAR labels of ``ws`` around day 0 at ``pos0`` of a
    :class:`~eventstudy.estimation.panel.CalendarPanel` whose bars are the data's."""
    rel = relative_windows(ws)
    labels = list(car_labels(ws))
    if rel is not None:
        return rel, labels
    return windows_from_dates(panel.index, pos0, ws, (0, len(panel.index) - 1), panel.calendar.name,
                              panel.bar_date), labels
