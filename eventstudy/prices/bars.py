"""Bars (OHLCV) files in the snapshot format, and the in-memory price series.

Snapshot format (one CSV per symbol, as in ``data/prices/``)::

    date,open,high,low,close,volume          # daily bars, date = YYYY-MM-DD
    time,open,high,low,close,volume          # intraday bars, time = ISO-8601 UTC of the bar's OPEN

Prices are in the instrument's quote currency; ``volume`` in shares or base-coin units.
An empty cell is missing data (NaN), never zero.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError
from ..safety import csv_text, file_problem

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
    #: Where the bars came from, in words the report prints (file, checksum, download time,
    #: adjustment), e.g. ``snapshot data/prices/ORCL.csv (sha256 1a2b..., splits and dividends)``.
    source: str = ""
    #: Facts about the series (manifest entry, cache metadata, ...). ``notes`` holds findings
    #: about how it was obtained (dicts with check, message, action) that the study reports.
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

    @property
    def notes(self) -> tuple[dict, ...]:
        """Findings about how the series was obtained (check, message, action)."""
        return tuple(self.provenance.get("notes", ()))

    def with_note(self, check: str, message: str, action: str) -> "PriceSeries":
        """A copy carrying one more note (the original is unchanged)."""
        notes = [*self.notes, {"ticker": self.symbol, "check": check, "message": message, "action": action}]
        return replace(self, provenance={**self.provenance, "notes": notes})

    def with_bars(self, bars: pd.DataFrame) -> "PriceSeries":
        """A copy holding other bars (e.g. after the data-quality checks cleaned them)."""
        return replace(self, bars=bars)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


_MISSING = {"", "nan", "null", "na", "none"}
#: The same missing-data words as pandas ``na_values`` (the fast float reader), in the usual cases.
NA_TOKENS = sorted({v for w in _MISSING for v in (w, w.upper(), w.capitalize())} | {"NaN"})


def _shape_problem(path: Path) -> str:
    """Where a CSV that pandas could not tokenise goes wrong, in our words (file, line, what)."""
    import csv

    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh, strict=True)
            width = None
            for row in reader:
                if not row:
                    continue
                if width is None:
                    width = len(row)
                elif len(row) > width:
                    return (f"{path}, line {reader.line_num}: {len(row)} fields where the header has {width}; "
                            "remove the extra cells (a comma inside a number or a name needs quotes)")
    except csv.Error as exc:
        return f"{path}, line {reader.line_num}: not a well-formed CSV line ({exc}); check its quotes"
    except (OSError, UnicodeDecodeError):
        pass
    return f"{path}: not a well-formed CSV; check that every line has the header's fields, separated by commas"


def read_csv_cells(path: Path, expected: str) -> pd.DataFrame:
    """Read a CSV as text cells (no conversion), turning I/O and format problems into a
    :class:`DataError` that names the file (and the line); ``expected`` describes the header."""
    problem = file_problem(Path(path))
    if problem:
        raise DataError(f"{path}: {problem}")
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=True, encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a folder, not a CSV file") from None
    except UnicodeDecodeError:
        raise DataError(f"{path}: not a UTF-8 text file; is it a CSV?") from None
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: the file is empty; expected a header {expected}") from None
    except pd.errors.ParserError:
        raise DataError(_shape_problem(Path(path))) from None
    except OSError as exc:
        from ..errors import os_reason

        raise DataError(f"{path}: cannot read the file ({os_reason(exc)})") from None


#: Offsets after a clock time ("...T00:00:00-05:00", "...Z"): a daily file's dates are read as
#: written (the wall date), whatever offset follows them.
_OFFSET = r"^(?P<stamp>.*[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$"


def parse_times(cells: pd.Series, frequency: str, where: Callable[[int], str]) -> pd.DatetimeIndex:
    """Parse a column of ISO dates (``1d``) or ISO date-times (intraday, converted to naive UTC).

    ``where(i)`` names row ``i`` for messages (e.g. ``"prices.csv, line 7"``). A daily file may
    not carry a time of day; a UTC offset after midnight is ignored, so a file exported with
    mixed offsets (a daylight-saving change: ``-05:00`` then ``-04:00``) reads as its dates. A
    date-time without a zone is taken as UTC; intraday times with different offsets are each
    converted to UTC.
    """
    text = cells.astype(str).str.strip()
    if frequency == "1d":
        text = text.str.replace(_OFFSET, r"\g<stamp>", regex=True)
    try:
        stamps = pd.to_datetime(text, errors="coerce", utc=(frequency != "1d"), format="ISO8601")
    except (ValueError, TypeError, OverflowError):  # pandas refuses a mix it cannot line up
        stamps = pd.Series([_one_time(v, frequency) for v in text], index=text.index)
    bad = stamps.isna().to_numpy()
    if bad.any():
        i = int(np.argmax(bad))
        raise DataError(f"{where(i)}: {cells.iloc[i]!r} is not a date/time in ISO form (YYYY-MM-DD"
                        f"{'' if frequency == '1d' else 'THH:MM:SSZ'})")
    if frequency != "1d":
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    else:
        if getattr(stamps.dt, "tz", None) is not None:
            stamps = stamps.dt.tz_localize(None)
        has_time = (stamps != stamps.dt.normalize()).to_numpy()
        if has_time.any():
            i = int(np.argmax(has_time))
            raise DataError(f"{where(i)}: {cells.iloc[i]!r} has a time of day; daily files hold dates only")
    return pd.DatetimeIndex(stamps.to_numpy())


def _one_time(value: str, frequency: str):
    """One cell, on its own (the slow path when pandas cannot parse a column at once)."""
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError):
        return pd.NaT
    if frequency != "1d":
        return stamp.tz_convert("UTC") if stamp.tzinfo else stamp.tz_localize("UTC")
    return stamp.tz_localize(None) if stamp.tzinfo else stamp


def parse_numbers(cells: pd.Series | pd.DataFrame, column: str | list[str],
                  where: Callable[[int], str]) -> np.ndarray:
    """Parse a column (or a frame of columns, in one pass) of numbers; an empty cell (or
    nan/null/na/none) is missing data (NaN). An unreadable or infinite cell is refused naming
    its line (``where``) and column."""
    block = cells.to_frame() if isinstance(cells, pd.Series) else cells
    names = [column] if isinstance(column, str) else list(column)
    if block.shape[1] == 0 or block.shape[0] == 0:
        out = np.zeros(block.shape)
        return out[:, 0] if isinstance(cells, pd.Series) else out
    flat = pd.Series(block.to_numpy(dtype=object).ravel(order="C")).astype(str).str.strip()
    numbers = pd.to_numeric(flat, errors="coerce").to_numpy(dtype=float)
    unreadable = np.isnan(numbers) & ~flat.str.lower().isin(_MISSING).to_numpy()
    _refuse_cells(unreadable, np.isinf(numbers), block, names, where)
    values = numbers.reshape(block.shape)
    return values[:, 0] if isinstance(cells, pd.Series) else values


def _refuse_cells(unreadable: np.ndarray, infinite: np.ndarray, block: pd.DataFrame, names: list[str],
                  where: Callable[[int], str]) -> None:
    """Raise for the first unreadable (or else infinite) cell of a row-major flattened block."""
    ncol = block.shape[1]
    for mask, what in ((unreadable, "which is not a number"), (infinite, "which is not a finite number")):
        if mask.any():
            k = int(np.argmax(mask))
            i, j = divmod(k, ncol)
            cell = block.iloc[i, j]
            cell = str(float(cell)) if isinstance(cell, (float, np.floating)) else cell
            raise DataError(f"{where(i)}: column {names[j]!r} holds {cell!r}, {what}; "
                            "fix it or leave the cell empty for missing data")


def read_number_columns(path: Path, n_columns: int, expected: str,
                        where: Callable[[int], str], names: list[str]) -> tuple[pd.Series, np.ndarray]:
    """A CSV of a time column then ``n_columns`` number columns: (time cells, float array rows x cols).

    The fast path lets pandas' C parser read the numbers as floats (a 10,000-column file in a
    few seconds); if it refuses a cell, the file is read again as text to say which line and
    column is wrong, exactly as :func:`parse_numbers` would.
    """
    problem = file_problem(Path(path))
    if problem:
        raise DataError(f"{path}: {problem}")
    import warnings

    try:
        with warnings.catch_warnings():  # "a converter and a dtype for column 0": the converter is meant
            warnings.simplefilter("ignore")
            # one dtype for all (a dict of 10,000 dtypes costs pandas seconds), the time column as text
            frame = pd.read_csv(path, header=None, skiprows=1, dtype="float64", converters={0: str},
                                keep_default_na=False, na_values=NA_TOKENS, skip_blank_lines=True, encoding="utf-8-sig")
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError, OSError):
        frame = None
    if frame is None or frame.shape[1] != n_columns + 1:
        raw = read_csv_cells(path, expected)
        if raw.empty:
            raise DataError(f"{path}: the file has a header but no rows")
        return raw.iloc[:, 0], parse_numbers(raw.iloc[:, 1:], names, where)
    if frame.empty:
        raise DataError(f"{path}: the file has a header but no rows")
    values = frame.iloc[:, 1:].to_numpy(dtype=float)
    infinite = np.isinf(values)
    if infinite.any():
        _refuse_cells(np.zeros(values.size, bool), infinite.ravel(), frame.iloc[:, 1:], names, where)
    times = frame.iloc[:, 0].fillna("")
    return times, values


def bars_frame(index: pd.DatetimeIndex, columns: dict[str, np.ndarray], frequency: str = "1d") -> pd.DataFrame:
    """A bars frame with every price column (absent ones all NaN), as :class:`PriceSeries` holds."""
    n = len(index)
    data = {c: np.asarray(columns[c], dtype=float) if c in columns else np.full(n, np.nan) for c in PRICE_COLUMNS}
    return pd.DataFrame(data, index=pd.DatetimeIndex(index, name=TIME_COLUMN.get(frequency, "time")))


def read_bars_csv(path: Path | str, frequency: str = "1d") -> pd.DataFrame:
    """Read a snapshot-format CSV into a bars frame (see module docstring).

    Raises :class:`DataError` naming the file and line of the first unreadable cell. Only the
    form is checked here; duplicates, gaps and bad prices are the data-quality checks' job.
    """
    path = Path(path)
    time_col = TIME_COLUMN.get(frequency)
    if time_col is None:
        raise DataError(f"unknown bar frequency {frequency!r}; use one of {', '.join(TIME_COLUMN)}")
    raw = read_csv_cells(path, f"`{time_col},{','.join(PRICE_COLUMNS)}`")
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
    where = lambda i: f"{path}, line {i + 2}"  # noqa: E731  (header is line 1)
    stamps = parse_times(raw[time_col], frequency, where)
    columns = {c: parse_numbers(raw[c], c, where) for c in PRICE_COLUMNS if c in raw}
    return bars_frame(stamps, columns, frequency)


def bars_csv_text(frame: pd.DataFrame, frequency: str = "1d") -> str:
    """Bars as snapshot-format CSV text (numbers in shortest round-trip form, empty = missing)."""
    time_col = TIME_COLUMN[frequency]
    out = frame.loc[:, list(PRICE_COLUMNS)].copy()
    if frequency == "1d":
        labels = out.index.strftime("%Y-%m-%d")
    else:
        labels = out.index.strftime("%Y-%m-%dT%H:%M:%SZ")
    out.index = pd.Index(labels, name=time_col)
    return csv_text(out, index=True)  # the package's one CSV writer (numbers only here: unchanged)


def write_bars_csv(frame: pd.DataFrame, path: Path, frequency: str = "1d") -> None:
    """Write bars in the snapshot format, atomically (temporary file, then rename)."""
    atomic_write_text(path, bars_csv_text(frame, frequency))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a written file gets the usual mode
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))
