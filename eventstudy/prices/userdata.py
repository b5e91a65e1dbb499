"""The user's own prices: ``[data] prices = "path"`` in a study (instead of every other source).

Three layouts are read; the file's header tells which:

* **wide CSV**: ``date`` then one close column per symbol (as estudy2's example data)::

      date,AMZN,ZM,GSPC
      2019-04-01,1814.19,,2867.19

* **long CSV**: ``date,symbol,close`` and optionally ``open,high,low,volume``, one row per
  symbol and bar, in any order::

      date,symbol,close,volume
      2019-04-01,AMZN,1814.19,4960700

* **folder** of per-symbol CSVs in the snapshot format (``ORCL.csv``:
  ``date,open,high,low,close,volume``; see :mod:`.bars`). Other files are ignored.

For 4-hour bars the time column is ``time`` (ISO-8601, UTC, the bar's open time); ``date`` is
accepted too. Rows may come in any order (they are sorted). An empty cell is missing data (NaN),
never zero; in a wide file the empty cells before a symbol's first price and after its last one
mean it was not trading yet / any more and are left out. Any other problem (an unreadable cell,
a missing column, a repeated column) is refused naming the file, the line and the column.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError, NotInSourceError
from .bars import PRICE_COLUMNS, TIME_COLUMN, PriceSeries, bars_frame, parse_numbers, parse_times, read_bars_csv, \
    read_csv_cells, sha256_file

_SYMBOL_COLUMNS = ("symbol", "ticker")


def _header(path: Path) -> list[str]:
    """The first line's cells, as written (pandas would rename repeated columns)."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            return next(csv.reader(fh), [])
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise DataError(f"{path}: not a UTF-8 text file; is it a CSV?") from None


def _time_column(header: list[str], frequency: str, path: Path) -> int:
    allowed = ("date",) if frequency == "1d" else ("time", "date")
    names = [h.strip().lower() for h in header]
    if not names or names[0] not in allowed:
        raise DataError(f"{path}, line 1: the first column is {header[0] if header else ''!r}; a price file starts "
                        f"with a {' or '.join(repr(a) for a in allowed)} column "
                        f"({'ISO dates YYYY-MM-DD' if frequency == '1d' else 'ISO UTC times of each bar open'})")
    return 0


def read_wide_csv(path: Path, frequency: str = "1d") -> dict[str, pd.DataFrame]:
    """``date`` + one close column per symbol -> bars per symbol (close only; see module doc)."""
    header = _header(path)
    _time_column(header, frequency, path)
    symbols = [h.strip() for h in header[1:]]
    if not symbols:
        raise DataError(f"{path}, line 1: no price columns; expected `date,SYMBOL1,SYMBOL2,...`")
    for k, sym in enumerate(symbols):
        if not sym:
            raise DataError(f"{path}, line 1: column {k + 2} has no name; name it after its symbol")
        if sym in symbols[:k]:
            raise DataError(f"{path}, line 1: column {sym!r} appears twice; keep one column per symbol")
    raw = read_csv_cells(path, "`date,SYMBOL1,SYMBOL2,...`")
    if raw.empty:
        raise DataError(f"{path}: the file has a header but no rows")
    where = lambda i: f"{path}, line {i + 2}"  # noqa: E731
    stamps = parse_times(raw.iloc[:, 0], frequency, where)
    order = np.argsort(stamps.asi8, kind="stable")
    out = {}
    for k, sym in enumerate(symbols):
        close = parse_numbers(raw.iloc[:, k + 1], sym, where)[order]
        idx = stamps[order]
        valid = np.flatnonzero(~np.isnan(close))
        if valid.size == 0:
            out[sym] = bars_frame(idx[:0], {"close": close[:0]}, frequency)
            continue
        keep = slice(valid[0], valid[-1] + 1)  # not trading yet / any more: no rows, not gaps
        out[sym] = bars_frame(idx[keep], {"close": close[keep]}, frequency)
    return out


def read_long_csv(path: Path, frequency: str = "1d") -> dict[str, pd.DataFrame]:
    """``date,symbol,close[,open,high,low,volume]`` -> bars per symbol (see module doc)."""
    header = _header(path)
    _time_column(header, frequency, path)
    names = [h.strip().lower() for h in header]
    sym_col = next(c for c in names if c in _SYMBOL_COLUMNS)
    allowed = {names[0], sym_col, *PRICE_COLUMNS}
    unknown = [h for h, n in zip(header, names) if n not in allowed]
    if unknown:
        raise DataError(f"{path}, line 1: unknown column(s) {unknown}; a long price file has "
                        f"`{names[0]},symbol,close` and optionally open, high, low, volume")
    if "close" not in names:
        raise DataError(f"{path}, line 1: no 'close' column; a long price file has `{names[0]},symbol,close`")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise DataError(f"{path}, line 1: column(s) {repeated} appear twice")
    raw = read_csv_cells(path, f"`{names[0]},symbol,close`")
    raw.columns = names
    if raw.empty:
        raise DataError(f"{path}: the file has a header but no rows")
    where = lambda i: f"{path}, line {i + 2}"  # noqa: E731
    stamps = parse_times(raw[names[0]], frequency, where)
    symbols = raw[sym_col].str.strip()
    blank = (symbols == "").to_numpy()
    if blank.any():
        raise DataError(f"{where(int(np.argmax(blank)))}: the {sym_col} cell is empty; every row names its symbol")
    numbers = {c: parse_numbers(raw[c], c, where) for c in PRICE_COLUMNS if c in raw}
    frame = pd.DataFrame(numbers, index=stamps)
    out = {}
    for sym, rows in frame.groupby(symbols.to_numpy(), sort=False):
        rows = rows.sort_index(kind="stable")
        out[str(sym)] = bars_frame(rows.index, {c: rows[c].to_numpy() for c in rows}, frequency)
    return out


def read_user_prices(path: Path | str, frequency: str = "1d") -> tuple[str, dict[str, tuple[pd.DataFrame, Path]]]:
    """Read a user price file or folder; returns (layout, symbol -> (bars, file it came from))."""
    path = Path(path)
    if frequency not in TIME_COLUMN:
        raise DataError(f"unknown bar frequency {frequency!r}; use one of {', '.join(TIME_COLUMN)}")
    if path.is_dir():
        files = sorted(path.glob("*.csv"))
        if not files:
            raise DataError(f"{path}: the folder holds no .csv files; put one SYMBOL.csv per symbol in it "
                            f"(`{TIME_COLUMN[frequency]},open,high,low,close,volume`)")
        return "folder of snapshot-format CSVs", {f.stem: (read_bars_csv(f, frequency), f) for f in files}
    if not path.is_file():
        raise DataError(f"{path}: no such file or folder")
    names = [h.strip().lower() for h in _header(path)]
    if any(n in _SYMBOL_COLUMNS for n in names):
        return "long CSV", {s: (b, path) for s, b in read_long_csv(path, frequency).items()}
    return "wide CSV", {s: (b, path) for s, b in read_wide_csv(path, frequency).items()}


@dataclass
class UserPricesSource:
    """Prices from the study's own file or folder (``[data] prices``); read once, on first use."""

    path: Path
    frequency: str = "1d"
    name: str = "user prices"
    _series: dict[str, PriceSeries] | None = field(default=None, init=False, repr=False)

    def _all(self) -> dict[str, PriceSeries]:
        if self._series is None:
            layout, found = read_user_prices(self.path, self.frequency)
            digests: dict[Path, str] = {}
            series = {}
            for sym, (bars, file) in found.items():
                digest = digests.setdefault(file, sha256_file(file))
                where = f"column {sym}" if layout == "wide CSV" else ("rows of " + sym if layout == "long CSV" else "")
                facts = "; ".join(x for x in (layout, where, f"sha256 {digest[:12]}", "adjustment as supplied") if x)
                series[sym] = PriceSeries(sym, bars, self.frequency, f"user prices {file} ({facts})",
                                          {"file": str(file), "layout": layout, "sha256": digest})
            self._series = series
        return self._series

    def symbols(self) -> list[str]:
        return sorted(self._all())

    def has(self, symbol: str) -> bool:
        return symbol in self._all()

    def load(self, symbol: str) -> PriceSeries:
        series = self._all().get(symbol)
        if series is None:
            raise NotInSourceError(f"{symbol}: not in the user prices {self.path} (it holds "
                                   f"{', '.join(self.symbols()) or 'no symbols'}); add it, or fix the ticker")
        if series.bars.empty:
            raise DataError(f"{symbol}: the user prices {self.path} hold no price for it (every cell is empty)")
        return series
