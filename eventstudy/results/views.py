"""Small computed views of a results object that the figures, the report, the summary and the
findings share: the main CAR window, the pairs with the largest and smallest CARs, group sizes.

Pure functions over the results' public frames (``securities``, ``cars``, ``test_table``); no I/O.
"""

from __future__ import annotations

import pandas as pd

#: Rows shown at each end of a capped table (the full table is in the CSV files).
TABLE_ROWS = 15


def main_window(res, group: str | None = None) -> str | None:
    """The main CAR window: the first ``car`` window of the study file (of the group, when its
    windows differ), as labelled in ``results.cars["window"]``; None without CAR rows."""
    cars = res.cars if group is None else res.cars[res.cars["group"] == group]
    if cars.empty:
        return None
    return str(cars["window"].iloc[0])


def window_order(res, group: str) -> list[str]:
    """The group's CAR windows in the study file's order."""
    return [str(w) for w in pd.unique(res.cars.loc[res.cars["group"] == group, "window"])]


def pair_label(frame: pd.DataFrame, many_events: bool) -> pd.Series:
    """"TICKER" or "TICKER (event)" per row, vectorised."""
    if many_events and "event" in frame:
        return frame["ticker"].astype(str) + " (" + frame["event"].astype(str) + ")"
    return frame["ticker"].astype(str)


def many_events(res) -> bool:
    """True when the study has several events (an events file): rows are named with their event."""
    return "event" in res.securities and res.securities["event"].nunique() > 1


def top_bottom(frame: pd.DataFrame, column: str, n: int = TABLE_ROWS) -> tuple[pd.DataFrame, int]:
    """The ``n`` rows with the largest and the ``n`` with the smallest ``column`` (largest first),
    or every row when there are at most 2n; and the number of rows left out."""
    if len(frame) <= 2 * n:
        return frame.sort_values(column, ascending=False, kind="stable"), 0
    top = frame.nlargest(n, column)
    bottom = frame.nsmallest(n, column).iloc[::-1]
    return pd.concat([top, bottom]), len(frame) - 2 * n


def capped(frame: pd.DataFrame, n: int = 2 * TABLE_ROWS) -> tuple[pd.DataFrame, int]:
    """The first ``n`` rows of ``frame`` and the number of rows left out."""
    return frame.head(n), max(0, len(frame) - n)
