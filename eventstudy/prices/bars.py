"""Bars (OHLCV) files in the snapshot format, and the in-memory price series.

Snapshot format (one CSV per symbol, as in ``data/prices/``)::

    date,open,high,low,close,volume          # daily bars, date = YYYY-MM-DD
    time,open,high,low,close,volume          # intraday bars, time = ISO-8601 UTC of the bar's OPEN

Prices are in the instrument's quote currency; ``volume`` in shares or base-coin units.
An empty cell is missing data (NaN), never zero.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError

PRICE_COLUMNS = ("open", "high", "low", "close", "volume")
TIME_COLUMN = {"1d": "date", "4h": "time"}


@dataclass(frozen=True)
class PriceSeries:
    """One symbol's bars and where they came from.

    ``bars`` is indexed by a tz-naive DatetimeIndex: the session/UTC date for daily bars, the
    bar's open time in UTC for intraday bars. Columns: open, high, low, close, volume (floats;
    NaN = missing). Prices are levels, not returns.
    """

    symbol: str
    bars: pd.DataFrame
    frequency: str = "1d"
    source: str = ""
    provenance: dict = field(default_factory=dict)

    @property
    def close(self) -> pd.Series:
        return self.bars["close"]

    @property
    def first(self) -> pd.Timestamp:
        return self.bars.index[0]

    @property
    def last(self) -> pd.Timestamp:
        return self.bars.index[-1]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


_MISSING = {"", "nan", "null", "na", "none"}


def read_bars_csv(path: Path | str, frequency: str = "1d") -> pd.DataFrame:
    """Read a snapshot-format CSV into a bars frame (see module docstring).

    Raises :class:`DataError` naming the file and line of the first unreadable cell. Only the
    form is checked here; duplicates, gaps and bad prices are the data-quality checks' job.
    """
    path = Path(path)
    time_col = TIME_COLUMN.get(frequency)
    if time_col is None:
        raise DataError(f"unknown bar frequency {frequency!r}; use one of {', '.join(TIME_COLUMN)}")
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=True, encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise DataError(f"{path}: not a UTF-8 text file; is it a CSV?") from None
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: the file is empty; expected a header `{time_col},{','.join(PRICE_COLUMNS)}`") from None
    except pd.errors.ParserError as exc:
        raise DataError(f"{path}: not a well-formed CSV ({exc})") from None
    header = [str(h).strip().lower() for h in raw.columns]
    if header[:1] != [time_col] or "close" not in header:
        raise DataError(
            f"{path}, line 1: header is {','.join(map(str, raw.columns))!r}; expected "
            f"`{time_col},{','.join(PRICE_COLUMNS)}` ({'daily' if frequency == '1d' else frequency} bars)"
        )
    unknown = [h for h in header[1:] if h not in PRICE_COLUMNS]
    if unknown:
        raise DataError(f"{path}, line 1: unknown column(s) {unknown}; expected {', '.join(PRICE_COLUMNS)}")
    raw.columns = header
    if raw.empty:
        raise DataError(f"{path}: the file has a header but no rows")
    line = np.arange(len(raw)) + 2  # header is line 1; blank lines are rare in these files
    text_time = raw[time_col].str.strip()
    stamps = pd.to_datetime(text_time, errors="coerce", utc=(frequency != "1d"), format="ISO8601")
    bad = stamps.isna().to_numpy()
    if bad.any():
        i = int(np.argmax(bad))
        raise DataError(f"{path}, line {line[i]}: {raw[time_col].iloc[i]!r} is not a date/time in ISO form")
    if frequency != "1d":
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    else:
        has_time = (stamps != stamps.dt.normalize()).to_numpy()
        if has_time.any():
            i = int(np.argmax(has_time))
            raise DataError(f"{path}, line {line[i]}: {raw[time_col].iloc[i]!r} has a time of day; daily files hold dates only")
    columns = {}
    for c in PRICE_COLUMNS:
        if c not in raw:
            columns[c] = np.full(len(raw), np.nan)
            continue
        cells = raw[c].str.strip()
        numbers = pd.to_numeric(cells, errors="coerce")
        unreadable = (numbers.isna() & ~cells.str.lower().isin(_MISSING)).to_numpy()
        if unreadable.any():
            i = int(np.argmax(unreadable))
            raise DataError(
                f"{path}, line {line[i]}: column {c!r} holds {raw[c].iloc[i]!r}, which is not a number; "
                "fix it or leave the cell empty for missing data"
            )
        columns[c] = numbers.to_numpy(dtype=float)
    return pd.DataFrame(columns, index=pd.DatetimeIndex(stamps.to_numpy(), name=time_col))


def write_bars_csv(frame: pd.DataFrame, path: Path, frequency: str = "1d") -> None:
    """Write bars in the snapshot format, atomically (temporary file, then rename)."""
    time_col = TIME_COLUMN[frequency]
    out = frame.loc[:, list(PRICE_COLUMNS)].copy()
    if frequency == "1d":
        labels = out.index.strftime("%Y-%m-%d")
    else:
        labels = out.index.strftime("%Y-%m-%dT%H:%M:%SZ")
    out.index = pd.Index(labels, name=time_col)
    atomic_write_text(path, out.to_csv(lineterminator="\n"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename."""
    import os
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))
