"""Returns from prices, bar by bar on the security's own calendar.

Returns are fractions (0.01 = 1 %), never percent:

* ``simple``: R_t = P_t / P_{t-1} - 1
* ``log``:    r_t = ln(P_t / P_{t-1})  (continuously compounded)

``t-1`` is the previous bar *of the calendar*, not the previous row of the file: a bar with no
price makes both its own return and the next one missing (NaN). A multi-bar return is never
attributed to a single bar, and a missing price is never read as zero.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError, StudyFileError
from ..plan.calendars import positions_on

RETURN_KINDS = ("simple", "log")


def prices_on_calendar(close: pd.Series, sessions: pd.DatetimeIndex) -> tuple[pd.Series, pd.DatetimeIndex]:
    """Reindex closes to the calendar's bars between the first and last price.

    Returns ``(prices, off_calendar)``: prices on every calendar bar in the data's range (NaN
    where the data has no row) and the dates of rows that fall on no bar of the calendar
    (e.g. a US equity row dated on a holiday), which are left out.
    """
    close = close.dropna()
    if close.index.has_duplicates:
        first = close.index[close.index.duplicated()][0]
        raise DataError(f"{close.name or 'a series'}: bar {first} appears more than once; remove the duplicate rows "
                        "(the study's data-quality checks do this before lining prices up)")
    if not close.index.is_monotonic_increasing:
        close = close.sort_index(kind="stable")
    if close.empty:
        return pd.Series(dtype=float, index=pd.DatetimeIndex([])), pd.DatetimeIndex([])
    in_range = sessions[(sessions >= close.index[0]) & (sessions <= close.index[-1])]
    pos, hit = positions_on(in_range, close.index)  # integer look-ups, not a reindex
    values = np.full(len(in_range), np.nan)
    values[pos[hit]] = close.to_numpy(dtype=float)[hit]
    off_calendar = close.index[~hit]
    off_calendar.name = close.index.name if close.index.name == in_range.name else None
    return pd.Series(values, index=in_range, name=close.name), off_calendar


def compute_returns(prices: pd.Series, kind: str = "simple") -> pd.Series:
    """Bar-to-bar returns (fractions) of a price series already on its calendar.

    The first bar has no return and is dropped.
    """
    if kind not in RETURN_KINDS:
        raise StudyFileError(f"returns = {kind!r} is not one of {', '.join(RETURN_KINDS)}")
    values = prices.to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = values[1:] / values[:-1]
        out = np.log(ratio) if kind == "log" else ratio - 1.0
    return pd.Series(out, index=prices.index[1:], name=prices.name)
