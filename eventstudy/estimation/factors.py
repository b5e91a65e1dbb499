"""Factor returns for the factor model (e.g. Fama-French 3 factors from a CSV).

Format: a CSV with a ``date`` column (YYYY-MM-DD) and one column per factor, in FRACTIONS
(0.01 = 1 %; the Kenneth French library publishes percent: divide by 100 first). The first
factor column must be the market factor (e.g. ``Mkt-RF``): the market-adjusted fallback uses
it. An ``RF`` column, when present, is subtracted from the security returns (excess returns)
and is not a regressor. Empty cells are missing data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError


def read_factor_cells(path: Path) -> pd.DataFrame:
    """The factors file as text cells (column names stripped), or a DataError naming the file."""
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise DataError(f"{path}: no such factors file") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: not a readable CSV ({exc})") from None
    raw.columns = [c.strip() for c in raw.columns]
    return raw


def read_factors(path: Path | str) -> pd.DataFrame:
    """Factor returns indexed by date (tz-naive), one float column per factor."""
    path = Path(path)
    raw = read_factor_cells(path)
    cols = list(raw.columns)
    if not cols or cols[0].lower() != "date" or len(cols) < 2:
        raise DataError(f"{path}, line 1: expected `date,<factor>,...` (e.g. date,Mkt-RF,SMB,HML,RF); found {cols}")
    if [c for c in cols[1:] if c != "RF"] == []:
        raise DataError(f"{path}: no factor column besides RF")
    dates = pd.to_datetime(raw[cols[0]].str.strip(), errors="coerce", format="ISO8601")
    if dates.isna().any():
        i = int(np.argmax(dates.isna().to_numpy()))
        raise DataError(f"{path}, line {i + 2}: {raw[cols[0]].iloc[i]!r} is not a date (YYYY-MM-DD)")
    out = {}
    for c in cols[1:]:
        cells = raw[c].str.strip()
        values = pd.to_numeric(cells, errors="coerce")
        bad = (values.isna() & (cells != "")).to_numpy()
        if bad.any():
            i = int(np.argmax(bad))
            raise DataError(f"{path}, line {i + 2}: column {c!r} holds {raw[c].iloc[i]!r}, not a number")
        out[c] = values.to_numpy(dtype=float)
    frame = pd.DataFrame(out, index=pd.DatetimeIndex(dates.to_numpy(), name="date"))
    if frame.index.duplicated().any():
        d = frame.index[frame.index.duplicated()][0]
        raise DataError(f"{path}: date {d:%Y-%m-%d} appears twice")
    big = frame.drop(columns=["RF"], errors="ignore").abs().max().max()
    if np.isfinite(big) and big > 0.5:
        raise DataError(f"{path}: a factor return of {big:g} looks like percent; factors must be fractions "
                        "(divide the Kenneth French files by 100)")
    return frame.sort_index()
