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
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError, NotInSourceError, SourceError, os_reason
from ..safety import first_of, symbol_from_file_name
from .bars import PRICE_COLUMNS, TIME_COLUMN, PriceSeries, bars_frame, file_problem, parse_numbers, parse_times, \
    read_bars_csv, read_csv_cells, read_number_columns, sha256_file

_SYMBOL_COLUMNS = ("symbol", "ticker")


def _header(path: Path) -> list[str]:
    """The first line's cells, as written (pandas would rename repeated columns)."""
    problem = file_problem(path)
    if problem:
        raise DataError(f"{path}: {problem}")
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            return next(csv.reader(fh), [])
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise DataError(f"{path}: not a UTF-8 text file; is it a CSV?") from None
    except csv.Error as exc:
        raise DataError(f"{path}, line 1: not a well-formed CSV header ({exc}); check its quotes") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read the file ({os_reason(exc)})") from None


def _time_column(header: list[str], frequency: str, path: Path) -> int:
    allowed = ("date",) if frequency == "1d" else ("time", "date")
    names = [h.strip().lower() for h in header]
    if not names or names[0] not in allowed:
        raise DataError(f"{path}, line 1: the first column is {header[0] if header else ''!r}; a price file starts "
                        f"with a {' or '.join(repr(a) for a in allowed)} column "
                        f"({'ISO dates YYYY-MM-DD' if frequency == '1d' else 'ISO UTC times of each bar open'})")
    return 0


def read_wide_csv(path: Path, frequency: str = "1d") -> dict[str, tuple[pd.DataFrame, np.ndarray]]:
    """``date`` + one close column per symbol -> (bars, source line of each bar) per symbol
    (close only; see module doc). The numbers are parsed in one pass over the whole file."""
    header = _header(path)
    _time_column(header, frequency, path)
    symbols = [h.strip() for h in header[1:]]
    if not symbols:
        raise DataError(f"{path}, line 1: no price columns; expected `date,SYMBOL1,SYMBOL2,...`")
    seen: set[str] = set()
    for k, sym in enumerate(symbols):
        if not sym:
            raise DataError(f"{path}, line 1: column {k + 2} has no name; name it after its symbol")
        if sym in seen:
            raise DataError(f"{path}, line 1: column {sym!r} appears twice; keep one column per symbol")
        seen.add(sym)
    where = lambda i: f"{path}, line {i + 2}"  # noqa: E731
    times, values = read_number_columns(path, len(symbols), "`date,SYMBOL1,SYMBOL2,...`", where, symbols)
    stamps = parse_times(times, frequency, where)
    order = np.argsort(stamps.asi8, kind="stable")
    idx, values, lines = stamps[order], values[order], order + 2
    valid = ~np.isnan(values)
    has_any = valid.any(axis=0)
    first = np.argmax(valid, axis=0)                                 # first priced row per symbol
    last = len(idx) - 1 - np.argmax(valid[::-1], axis=0)             # last priced row per symbol
    return _WideColumns(symbols, idx, values, lines, frequency)


class _WideColumns(Mapping):
    """symbol -> (bars, lines) of a wide file, built on first access from the one array parsed.

    A 10,000-column file is parsed in one pass; a study that uses 20 of its symbols builds 20
    frames, not 10,000.
    """

    def __init__(self, symbols: list[str], index: pd.DatetimeIndex, values: np.ndarray, lines: np.ndarray,
                 frequency: str):
        self._col = {sym: k for k, sym in enumerate(symbols)}
        self._index, self._values, self._lines, self._frequency = index, values, lines, frequency
        valid = ~np.isnan(values)
        self._has_any = valid.any(axis=0)
        self._first = np.argmax(valid, axis=0)                                  # first priced row
        self._last = len(index) - 1 - np.argmax(valid[::-1], axis=0)            # last priced row
        self._built: dict[str, tuple[pd.DataFrame, np.ndarray]] = {}

    def __getitem__(self, sym: str) -> tuple[pd.DataFrame, np.ndarray]:
        if sym not in self._built:
            k = self._col[sym]
            # not trading yet / any more: the empty cells before the first and after the last
            # price are no rows, not gaps
            keep = slice(self._first[k], self._last[k] + 1) if self._has_any[k] else slice(0, 0)
            bars = bars_frame(self._index[keep], {"close": self._values[keep, k]}, self._frequency)
            self._built[sym] = (bars, self._lines[keep])
        return self._built[sym]

    def __contains__(self, sym) -> bool:  # without building the symbol's frame
        return sym in self._col

    def __iter__(self):
        return iter(self._col)

    def __len__(self) -> int:
        return len(self._col)


class _Tagged(Mapping):
    """A mapping of (bars, lines) seen as (bars, file, lines), lazily."""

    def __init__(self, inner: Mapping, file: Path):
        self._inner, self._file = inner, file

    def __getitem__(self, sym: str):
        bars, lines = self._inner[sym]
        return bars, self._file, lines

    def __contains__(self, sym) -> bool:
        return sym in self._inner

    def __iter__(self):
        return iter(self._inner)

    def __len__(self) -> int:
        return len(self._inner)


def read_long_csv(path: Path, frequency: str = "1d") -> dict[str, tuple[pd.DataFrame, np.ndarray]]:
    """``date,symbol,close[,open,high,low,volume]`` -> (bars, source line of each bar) per symbol
    (see module doc)."""
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
    present = [c for c in PRICE_COLUMNS if c in raw]
    numbers = parse_numbers(raw[present], present, where)
    frame = pd.DataFrame(numbers, columns=present, index=stamps)
    frame["_line"] = np.arange(len(frame)) + 2
    out = {}
    for sym, rows in frame.groupby(symbols.to_numpy(), sort=False):
        rows = rows.sort_index(kind="stable")
        out[str(sym)] = (bars_frame(rows.index, {c: rows[c].to_numpy() for c in present}, frequency),
                         rows["_line"].to_numpy())
    return out


def read_user_prices(path: Path | str, frequency: str = "1d"
                     ) -> tuple[str, Mapping[str, tuple[pd.DataFrame, Path, np.ndarray]]]:
    """Read a user price file or folder.

    Returns (layout, symbol -> (bars, file it came from, line of each bar in that file)); the
    lines let the data-quality checks name where a problem is (``provenance["lines"]``).
    """
    path = Path(path)
    if frequency not in TIME_COLUMN:
        raise DataError(f"unknown bar frequency {frequency!r}; use one of {', '.join(TIME_COLUMN)}")
    if path.is_dir():
        files = sorted(f for f in path.glob("*.csv") if not f.name.startswith("."))
        if not files:
            raise DataError(f"{path}: the folder holds no .csv files; put one SYMBOL.csv per symbol in it "
                            f"(`{TIME_COLUMN[frequency]},open,high,low,close,volume`)")
        found = {}
        for f in files:
            bars = read_bars_csv(f, frequency)
            found[symbol_from_file_name(f.name, ".csv")] = (bars, f, np.arange(len(bars)) + 2)
        return "folder of snapshot-format CSVs", found
    problem = file_problem(path)
    if problem:
        raise DataError(f"{path}: {problem}" if problem != "no such file" else f"{path}: no such file or folder")
    names = [h.strip().lower() for h in _header(path)]
    if any(n in _SYMBOL_COLUMNS for n in names):
        return "long CSV", _Tagged(read_long_csv(path, frequency), path)
    return "wide CSV", _Tagged(read_wide_csv(path, frequency), path)


@dataclass
class UserPricesSource:
    """Prices from the study's own file or folder (``[data] prices``); read once, on first use."""

    path: Path
    frequency: str = "1d"
    name: str = "user prices"
    _found: Mapping | None = field(default=None, init=False, repr=False)
    _layout: str = field(default="", init=False, repr=False)
    _digests: dict[Path, str] = field(default_factory=dict, init=False, repr=False)
    _series: dict[str, PriceSeries] = field(default_factory=dict, init=False, repr=False)

    def _all(self) -> Mapping[str, tuple[pd.DataFrame, Path, np.ndarray]]:
        """Every series of the file or folder (read once, built on first use). A problem with the
        file itself is a :class:`SourceError`: the study reports it once, not once per security."""
        if self._found is None:
            try:
                self._layout, self._found = read_user_prices(self.path, self.frequency)
            except SourceError:
                raise
            except DataError as exc:
                raise SourceError(f"the study's prices ([data] prices) cannot be read: {exc}") from None
            except OSError as exc:
                raise SourceError(f"the study's prices ([data] prices) cannot be read: {exc.filename or self.path}: "
                                  f"{os_reason(exc)}") from None
        return self._found

    def _series_of(self, sym: str) -> PriceSeries:
        if sym not in self._series:
            bars, file, lines = self._all()[sym]
            if file not in self._digests:  # each file hashed once, however many symbols it holds
                try:
                    self._digests[file] = sha256_file(file)
                except OSError as exc:
                    raise SourceError(f"the study's prices ([data] prices) cannot be read: {file}: "
                                      f"{os_reason(exc)}") from None
            layout, digest = self._layout, self._digests[file]
            where = f"column {sym}" if layout == "wide CSV" else ("rows of " + sym if layout == "long CSV" else "")
            facts = "; ".join(x for x in (layout, where, f"sha256 {digest[:12]}", "adjustment as supplied") if x)
            self._series[sym] = PriceSeries(sym, bars, self.frequency, f"user prices {file} ({facts})",
                                            {"file": str(file), "layout": layout, "sha256": digest, "lines": lines})
        return self._series[sym]

    def symbols(self) -> list[str]:
        return sorted(self._all())

    def has(self, symbol: str) -> bool:
        return symbol in self._all()

    def load(self, symbol: str) -> PriceSeries:
        series = self._series_of(symbol) if symbol in self._all() else None
        if series is None:
            raise NotInSourceError(f"{symbol}: not in the user prices {self.path} (it holds "
                                   f"{first_of(self.symbols()) or 'no symbols'}); add it, or fix the ticker")
        if series.bars.empty:
            raise DataError(f"{symbol}: the user prices {self.path} hold no price for it (every cell is empty)")
        return series
