"""The events file of a study: one row per (event, security) pair, read and checked column by column.

Format: a CSV with a header line; columns ``security`` (or ``ticker``) and ``date`` (YYYY-MM-DD),
optional ``time`` (HH:MM, local to ``timezone``), ``timezone`` (IANA, default UTC), ``event``
(default "SECURITY DATE"), ``group`` (default "events") and ``benchmark``. Cells are stripped;
a row whose cells are all empty is skipped; a short row reads its missing cells as empty, cells
beyond the header are ignored (the ``csv`` module's excel dialect).

Reading is one pass per column, not per row:

* parsing: a file without any quote character is split by Arrow's CSV reader (``pyarrow.csv``;
  with no quotes every cell is the text between two commas, exactly what the ``csv`` module reads);
  any other file by the ``csv`` module's C reader (its quoting rules: the reader events files have
  always been read with). The cells of a column arrive as codes into its distinct values;
* checks: each distinct date, time and time zone is parsed once (``datetime.date.fromisoformat``,
  ``datetime.time.fromisoformat``, ``zoneinfo.ZoneInfo``), repeated pairs are found by
  ``duplicated``; the first bad row in file order is reported with its line and what to do, as a
  row-by-row reader would. Line numbers are the file's physical lines (a blank line counts);
* the rows are held as columns (:class:`EventRows`, a sequence of :class:`EventRowSpec` built on
  demand): 100,000 events are read in a fraction of a second, not one Python object per cell.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import StudyFileError, os_reason
from ..safety import file_problem

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

EVENT_COLUMNS = ("security", "date", "time", "timezone", "event", "group", "benchmark")


@dataclass(frozen=True)
class EventRowSpec:
    """One (event, security) pair from an events file."""

    event: str
    group: str
    security: str
    date: dt.date
    time: dt.time | None = None
    timezone: str = "UTC"
    benchmark: str | None = None
    line: int = 0


#: The columns of :attr:`EventRows.frame`, in :class:`EventRowSpec`'s order.
ROW_COLUMNS = ("event", "group", "security", "date", "time", "timezone", "benchmark", "line")


class EventRows(Sequence):
    """The rows of an events file, in file order, held as columns.

    A sequence of :class:`EventRowSpec` (``len``, indexing, iteration build them on demand);
    :attr:`frame` is the same rows as a frame, for vectorised use: ``event``, ``group``,
    ``security``, ``timezone`` (text), ``benchmark`` (text or None), ``date`` (datetime64[D]),
    ``time`` (``datetime.time`` or None), ``line`` (the file's line, int64).
    """

    __slots__ = ("_frame",)

    def __init__(self, frame: "pd.DataFrame"):
        self._frame = frame

    @classmethod
    def of(cls, rows: Iterable[EventRowSpec] | "EventRows") -> "EventRows":
        """``rows`` (EventRowSpec objects, e.g. a tuple built in Python) as :class:`EventRows`."""
        if isinstance(rows, EventRows):
            return rows
        import numpy as np
        import pandas as pd

        rows = list(rows)
        cols = {c: [getattr(r, c) for r in rows] for c in ROW_COLUMNS}
        return cls(_frame(cols["event"], cols["group"], cols["security"], np.array(cols["date"], dtype="datetime64[D]"),
                          cols["time"], cols["timezone"], cols["benchmark"], np.array(cols["line"], dtype=np.int64)))

    @property
    def frame(self) -> "pd.DataFrame":
        """The rows as a frame (see the class docstring); do not modify it."""
        return self._frame

    def __len__(self) -> int:
        return len(self._frame)

    def _columns(self, rows=slice(None)) -> list[list[Any]]:
        f = self._frame
        out = []
        for c in ROW_COLUMNS:
            values = f[c].to_numpy()[rows]
            if c == "date":
                values = values.astype("datetime64[D]").astype(object)  # datetime.date
            elif c == "line":
                values = values.astype(int)
            out.append(values.tolist() if c in ("date", "line") else list(values))
        return out

    def __iter__(self) -> Iterator[EventRowSpec]:
        for values in zip(*self._columns()):
            yield EventRowSpec(*values)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return EventRows(self._frame.iloc[i].reset_index(drop=True))
        n = len(self)
        if not -n <= i < n:
            raise IndexError("event row index out of range")
        return EventRowSpec(*[v[0] for v in self._columns(slice(i % n, i % n + 1))])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, EventRows):
            return self._frame.equals(other._frame)
        if isinstance(other, (tuple, list)):
            return len(other) == len(self) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"EventRows({len(self)} rows)"


# --- reading --------------------------------------------------------------------------------------

def read_events_file(path: Path) -> EventRows:
    """Read an events CSV: ``security,date[,time,timezone,event,group,benchmark]`` (one row per
    event and security; ``ticker`` is accepted for ``security``). Dates YYYY-MM-DD; times HH:MM
    local to ``timezone`` (default UTC); ``group`` defaults to "events". See the module docstring."""
    problem = file_problem(path)
    if problem:
        raise StudyFileError(f"{path}: the events file {problem}")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise StudyFileError(f"{path}: the events file is not UTF-8 text; save it as a UTF-8 CSV") from None
    except OSError as exc:
        raise StudyFileError(f"{path}: cannot read the events file ({os_reason(exc)})") from None
    if "\x00" in text:
        raise StudyFileError(f"{path}: the events file holds NUL bytes; is it a CSV? Save it as UTF-8 text")
    fieldnames, cells, lines = _parse(text, path)
    header = [h.strip().lower() for h in fieldnames]
    header = ["security" if h == "ticker" else h for h in header]
    if "security" not in header or "date" not in header:
        raise StudyFileError(f"{path}, line 1: an events file needs the columns security and date "
                             f"(optional: time, timezone, event, group, benchmark); found {header}")
    unknown = [h for h in header if h not in EVENT_COLUMNS]
    if unknown:
        raise StudyFileError(f"{path}, line 1: unknown column(s) {unknown}; allowed: {', '.join(EVENT_COLUMNS)}")
    twice = [h for i, h in enumerate(header) if h in header[:i]]
    if twice:
        raise StudyFileError(f"{path}, line 1: the column {twice[0]} appears twice (ticker is another name for "
                             "security); keep one")
    return _checked_rows(path, dict(zip(header, cells)), lines)


def _parse(text: str, path: Path) -> tuple[list[str], list[tuple["np.ndarray", "np.ndarray"]], "np.ndarray"]:
    """The header cells, each column's cells as (codes, distinct values), and the line of each row
    (blank lines left out); the cells as the ``csv`` module reads them (see the module docstring)."""
    import csv

    import numpy as np

    lines = text.splitlines()
    length = np.fromiter(map(len, lines), dtype=np.int64, count=len(lines))
    # Arrow breaks lines at \n, \r\n and \r only: the same lines as splitlines when it finds no more
    breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
    arrow_lines = breaks + (0 if not text or text.endswith(("\n", "\r")) else 1)
    if ('"' not in text and len(lines) == arrow_lines and lines and lines[0]
            and int(length.max()) <= csv.field_size_limit()):
        fast = _parse_arrow(text, lines, length)
        if fast is not None:
            return fast
    reader = csv.reader(lines)
    try:
        fieldnames = next(reader, [])
    except csv.Error as exc:
        raise StudyFileError(f"{path}, line 1: not a well-formed CSV header ({exc}); check its quotes") from None
    try:
        records = list(reader)
    except csv.Error as exc:
        raise StudyFileError(f"{path}, line {reader.line_num}: not a well-formed CSV line ({exc}); check its "
                             "quotes") from None
    if len(records) + 1 == len(lines):  # one line per record: record i is on line i + 2
        line = np.arange(2, len(lines) + 1, dtype=np.int64)
    else:  # a quoted cell spans lines: each record's first line, from the reader's count of lines
        reader = csv.reader(lines)
        next(reader, None)
        starts, prev = [], reader.line_num
        for _ in reader:
            starts.append(prev + 1)
            prev = reader.line_num
        line = np.array(starts, dtype=np.int64)
    filled = np.fromiter((len(r) > 0 for r in records), dtype=bool, count=len(records))
    records = [r for r, f in zip(records, filled) if f]  # a blank line is no row
    line = line[filled]
    width = len(fieldnames)
    if not all(len(r) == width for r in records):  # short rows read as empty cells, extra cells are ignored
        records = [r[:width] + [""] * (width - len(r)) for r in records]
    grid = np.array(records, dtype=object).reshape(len(records), width)
    return list(fieldnames), [_codes(grid[:, j]) for j in range(width)], line


def _parse_arrow(text: str, lines: list[str], length: "np.ndarray"):
    """:func:`_parse` of a file without quotes by Arrow's CSV reader, or None when Arrow cannot read
    it as the csv module would (a row with another number of cells than the header)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    fieldnames = lines[0].split(",")
    names = [f"c{j}" for j in range(len(fieldnames))]
    try:
        table = pacsv.read_csv(pa.py_buffer(text.encode("utf-8")),
                               read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
                               parse_options=pacsv.ParseOptions(delimiter=",", quote_char=False, double_quote=False,
                                                                escape_char=False, newlines_in_values=False,
                                                                ignore_empty_lines=True),
                               convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                                    strings_can_be_null=False, null_values=[]))
    except pa.ArrowInvalid:
        return None
    line = np.flatnonzero(length[1:] > 0).astype(np.int64) + 2  # blank lines are no rows
    if len(line) != table.num_rows:
        return None
    columns = []
    for n in names:
        enc = pc.dictionary_encode(table.column(n).combine_chunks())
        columns.append((enc.indices.to_numpy(zero_copy_only=False).astype(np.int64),
                        np.array(enc.dictionary.to_pylist(), dtype=object)))
    return fieldnames, columns, line


def _codes(values: "np.ndarray") -> tuple["np.ndarray", "np.ndarray"]:
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(values)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def _stripped(column: tuple["np.ndarray", "np.ndarray"] | None, n: int) -> tuple["np.ndarray", "np.ndarray"]:
    """A column's cells stripped, as (codes, distinct stripped values); an absent column is empty."""
    import numpy as np

    if column is None:
        return np.zeros(n, dtype=np.int64), np.array([""], dtype=object)
    codes, uniques = column
    new, inverse = _codes(np.array([u.strip() for u in uniques], dtype=object))
    return (new[codes] if len(codes) else codes), inverse


def _parsed(uniques: "np.ndarray", parse) -> tuple["np.ndarray", "np.ndarray"]:
    """``parse`` of each distinct value: (values as objects, ok flags)."""
    import numpy as np

    out = np.empty(len(uniques), dtype=object)
    ok = np.ones(len(uniques), dtype=bool)
    for i, u in enumerate(uniques):
        try:
            out[i] = parse(u)
        except ValueError:
            ok[i] = False
    return out, ok


def _zone_ok(name: str) -> bool:
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _checked_rows(path: Path, columns: dict[str, tuple], line: "np.ndarray") -> EventRows:
    """The rows of the file's cells, checked in one pass per column; the first bad row (file order)
    is refused with the message a row-by-row reader gives."""
    import numpy as np
    import pandas as pd

    n = len(line)
    cells = {c: _stripped(columns.get(c), n) for c in EVENT_COLUMNS}

    def text(c: str) -> np.ndarray:
        codes, u = cells[c]
        return u[codes]

    def empty(c: str) -> np.ndarray:
        codes, u = cells[c]
        return (u == "")[codes]

    blank = np.logical_and.reduce([empty(c) for c in EVENT_COLUMNS])
    if blank.any():  # rows of empty cells are skipped
        keep = ~blank
        cells = {c: (codes[keep], u) for c, (codes, u) in cells.items()}
        line, n = line[keep], int(keep.sum())
    if not n:
        raise StudyFileError(f"{path}: the events file has no rows")

    d_codes, d_u = cells["date"]
    dates_u, date_ok_u = _parsed(d_u, dt.date.fromisoformat)
    t_codes, t_u = cells["time"]
    times_u, time_ok_u = _parsed(t_u, lambda s: dt.time.fromisoformat(s) if s else None)
    z_codes, z_u = cells["timezone"]
    zones_u = np.array([u or "UTC" for u in z_u], dtype=object)
    zone_ok_u = np.array([_zone_ok(z) for z in zones_u], dtype=bool)

    security, benchmark = text("security"), text("benchmark")
    date_ok = date_ok_u[d_codes]
    day_text = np.array([d.isoformat() if d is not None else "" for d in np.where(date_ok_u, dates_u, None)],
                        dtype=object)[d_codes]
    event = text("event")
    unnamed = event == ""
    if unnamed.any():  # "SECURITY DATE", as the row's own name
        event = event.copy()
        event[unnamed] = security[unnamed] + " " + day_text[unnamed]
    group = text("group")
    group = np.where(group == "", "events", group).astype(object)
    has_bench = benchmark != ""

    key = pd.DataFrame({"e": event, "g": group, "s": security})
    repeated = key.duplicated(keep="first").to_numpy()
    checks = [empty("security"), ~date_ok, ~time_ok_u[t_codes], ~zone_ok_u[z_codes],
              has_bench & (benchmark == security), repeated]
    bad = np.logical_or.reduce(checks)
    if bad.any():
        r = int(np.argmax(bad))
        which = next(i for i, c in enumerate(checks) if c[r])
        _refuse(path, which, r, line, cells, security, key)
    return EventRows(_frame(event, group, security, np.array(list(dates_u), dtype="datetime64[D]")[d_codes],
                            times_u[t_codes], zones_u[z_codes], np.where(has_bench, benchmark, None), line))


def _frame(event, group, security, date, time, timezone, benchmark, line) -> "pd.DataFrame":
    """:attr:`EventRows.frame` of its columns; text columns are kept as Python objects (no conversion,
    and ``benchmark`` and ``time`` hold None where a row has none)."""
    import numpy as np
    import pandas as pd

    def obj(values):
        return pd.Series(np.asarray(values, dtype=object), dtype=object, copy=False)

    return pd.DataFrame({"event": obj(event), "group": obj(group), "security": obj(security), "date": date,
                         "time": obj(time), "timezone": obj(timezone), "benchmark": obj(benchmark),
                         "line": np.asarray(line, dtype=np.int64)}, copy=False)


def _refuse(path: Path, which: int, r: int, line: "np.ndarray", cells: dict, security: "np.ndarray",
            key: "pd.DataFrame") -> None:
    """Raise the message of check ``which`` failing on row ``r``."""
    import numpy as np

    n = int(line[r])

    def cell(c: str) -> str:
        codes, u = cells[c]
        return u[codes[r]]

    if which == 0:
        raise StudyFileError(f"{path}, line {n}: empty security")
    if which == 1:
        raise StudyFileError(f"{path}, line {n}: date {cell('date')!r} is not YYYY-MM-DD")
    if which == 2:
        raise StudyFileError(f"{path}, line {n}: time {cell('time')!r} is not HH:MM")
    if which == 3:
        raise StudyFileError(f"{path}, line {n}: timezone {cell('timezone') or 'UTC'!r} is not an IANA time zone")
    if which == 4:
        raise StudyFileError(f"{path}, line {n}: {security[r]} is its own benchmark; a security regressed on "
                             "itself has no abnormal return. Give another benchmark")
    same = (key.iloc[:r] == key.iloc[r]).all(axis=1).to_numpy()
    first = int(line[int(np.flatnonzero(same)[0])]) if same.any() else n
    raise StudyFileError(f"{path}, lines {first} and {n}: {security[r]} appears twice for the event "
                         f"{key['e'].iloc[r]!r}; each (event, security) pair is studied once (twice would weigh it "
                         "double in every average and test): remove the repeated row")
