"""Write a run's files: report.html, PNG figures and CSV tables (and Parquet on request), into one folder.

Each table is written in one vectorised pass: date columns formatted as whole columns, then
Arrow's C++ CSV writer (``pyarrow.csv.write_csv``) streams the frame to a temporary file that is
renamed into place. pandas' ``to_csv`` formats every float through Python (about 5 µs a value:
some 90 s for the 100,000-event ``abnormal_returns.csv``); Arrow writes the same shortest
round-trip decimals (``1e-05`` may read ``0.00001``) in a fraction of that. Format: a header line,
text fields in double quotes, missing values empty, booleans ``true``/``false``; formula-like text
cells neutralised (:func:`eventstudy.safety.spreadsheet_safe`). Texts name paths relative to the
study file (:mod:`eventstudy.report.relpaths`). The folder is staged and published whole
(:mod:`eventstudy.report.outdir`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import csv
import io

import numpy as np
import pandas as pd

from ..plots import available_plots
from ..plots.style import figure_png
from ..safety import spreadsheet_safe
from .figure_worker import FigureWorker
from .html import render_report
from .outdir import publish_folder
from .relpaths import PathRewriter, relative_results

if TYPE_CHECKING:  # pragma: no cover
    from ..results.results import EventStudyResults

RESULTS_COLUMNS = ["ticker", "group", "day0", "window", "car", "t_stat", "p_value", "n_estimation", "model",
                   "se", "df", "status"]
AR_COLUMNS = ["ticker", "group", "date", "rel_day", "return", "benchmark_return", "expected", "ar", "car", "model"]

FIGURES = {
    "prices": ("Prices around the event, 100 = close on day -1; dashed: day 0, dotted: dates the article gives "
               "(many events: median and percentile bands)", "prices"),
    "car_paths": ("Cumulative abnormal return of each security over the event window (many events: percentile "
                  "bands, the CAAR, the largest and smallest CAR, and the distribution of the main window's CARs)",
                  "car"),
    "caar": ("Cumulative average abnormal return per group, with the band of the test reported beside it", "caar"),
    "abnormal_returns": ("Abnormal return per bar, day 0 highlighted (many events: average abnormal return and the "
                         "interquartile range of the ARs)", "ar"),
    "tests": ("Which days are significant under which test (colour: two-sided p-value band; cell text = statistic; "
              "grey: cannot be computed)", "tests"),
    "claims": ("The article's claims against the measured moves, each on its own scale", "claims"),
    "bhar": ("Buy-and-hold abnormal return from day 0 (mean BHAR[0, t] with the 95% band of its conventional t) "
             "beside the CAAR of the same events", "bhar"),
    "volume": ("Abnormal log volume per event day (mean, with the 95% interval of its cross-sectional t; right axis: "
               "volume relative to normal)", "volume"),
    "volatility": ("Abnormal volatility per event day (mean excess AR²/Var(AR); dark: the rank test of |SAR| "
                   "has p < 0.05)", "volatility"),
}
CLAIM_COLUMNS_OUT = ["ticker", "claimed_percent", "horizon", "date", "measured_percent", "difference", "verdict",
                     "note", "matched", "name", "sentence", "measured_on", "tolerance", "range_low", "range_high"]
WARNING_COLUMNS = ["ticker", "check", "message", "action"]


def _event_first(frame: pd.DataFrame, columns: list[str]) -> list[str]:
    """``columns``, led by ``event`` when the frame has several events (rows are then identified by it)."""
    if "event" in frame and frame["event"].nunique() > 1 and "event" not in columns:
        return ["event", *columns]
    return columns


def tables(res: "EventStudyResults") -> dict[str, pd.DataFrame]:
    """The CSV tables of a run, by file name (frames as they are written, before formatting)."""
    claims = res.claims if not res.claims.empty else pd.DataFrame(columns=CLAIM_COLUMNS_OUT)
    out = {
        "results.csv": res.cars[_event_first(res.cars, RESULTS_COLUMNS)],
        "abnormal_returns.csv": res.abnormal_returns[_event_first(res.abnormal_returns, AR_COLUMNS)],
        "tests.csv": res.tests(),
        "securities.csv": res.securities.drop(columns=["_dates"], errors="ignore"),
        "dropped.csv": res.dropped_frame,
        "claims.csv": claims[[c for c in CLAIM_COLUMNS_OUT if c in claims]
                             + [c for c in claims.columns if c not in CLAIM_COLUMNS_OUT]],
        "diagnostics.csv": res.diagnostics,
        "warnings.csv": pd.DataFrame(list(res.warnings), columns=WARNING_COLUMNS),
    }
    confounding = getattr(res, "confounding", None)
    if isinstance(confounding, pd.DataFrame):
        out.setdefault("confounding.csv", confounding)
    return out


def _arrow_column(col: pd.Series):
    """One column as an Arrow array, dates formatted as whole columns: a datetime column whose
    values are all midnights becomes a date (``YYYY-MM-DD``), any other ``YYYY-MM-DDTHH:MM`` text
    (UTC for tz-aware columns); a column Arrow cannot type (mixed Python objects) becomes text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pd.api.types.is_datetime64_any_dtype(col.dtype):
        if getattr(col.dt, "tz", None) is not None:
            col = col.dt.tz_convert("UTC").dt.tz_localize(None)
        values = col.to_numpy(dtype="datetime64[ns]")
        valid = ~np.isnat(values)
        midnight = values[valid] == values[valid].astype("datetime64[D]").astype("datetime64[ns]")
        arr = pa.array(values, mask=~valid)
        return pc.cast(arr, pa.date32()) if midnight.all() else pc.strftime(arr, format="%Y-%m-%dT%H:%M")
    try:
        return pa.array(col, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return pa.array(col.map(lambda v: None if v is None or v != v else str(v)), type=pa.string())


def _atomic_path(path: Path):
    """A temporary path beside ``path`` to write to, and a function that publishes it."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)

    def publish() -> None:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)

    return Path(tmp), publish


def _safe_column(col: pd.Series) -> pd.Series:
    """``col`` with its formula-like text cells neutralised (:func:`eventstudy.safety.spreadsheet_safe`),
    one column at a time; a categorical's categories are neutralised once each (not once per row)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        cats = col.cat.categories
        if not (pd.api.types.is_string_dtype(cats.dtype) or pd.api.types.is_object_dtype(cats.dtype)):
            return col
        safe = spreadsheet_safe(pd.DataFrame({"c": pd.Series(cats.to_numpy(dtype=object), dtype=object)}))["c"]
        new = pd.Index(safe.to_numpy(dtype=object))
        if all(a is b or a == b for a, b in zip(new, cats)):
            return col
        if new.is_unique:
            return col.cat.rename_categories(new)
        col = col.astype(object)
    return spreadsheet_safe(pd.DataFrame({"c": col}))["c"]


def _arrow_table(frame: pd.DataFrame):
    """The frame as an Arrow table, formula-like cells neutralised, built column by column (the
    temporaries of one column at a time; numbers are handed over without a copy)."""
    import pyarrow as pa

    frame = frame.reset_index(drop=True)
    return pa.table({str(c): _arrow_column(_safe_column(frame.iloc[:, i])) for i, c in enumerate(frame.columns)})


def _header(columns) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([str(c) for c in columns])
    return buf.getvalue()


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    """One CSV file in one pass (see the module docstring), atomically."""
    import pyarrow.csv as pacsv

    tmp, publish = _atomic_path(path)
    try:
        table = _arrow_table(frame)  # formula-like cells neutralised
        with open(tmp, "wb") as fh:
            fh.write(_header(frame.columns).encode("utf-8"))
            if len(frame):
                pacsv.write_csv(table, fh, pacsv.WriteOptions(include_header=False, quoting_style="needed"))
        publish()
    finally:
        tmp.unlink(missing_ok=True)


def write_table(path: Path, frame: pd.DataFrame, parquet: bool = False) -> list[Path]:
    """Write ``frame`` as CSV at ``path`` in one pass (and as Parquet beside it); return the paths."""
    write_csv(path, frame)
    written = [path]
    if parquet:
        pq = path.with_suffix(".parquet")
        tmp, publish = _atomic_path(pq)
        try:
            frame.reset_index(drop=True).to_parquet(tmp, index=False)
            publish()
        finally:
            tmp.unlink(missing_ok=True)
        written.append(pq)
    return written


def write_bytes(path: Path, data: bytes) -> None:
    tmp, publish = _atomic_path(path)
    try:
        tmp.write_bytes(data)
        publish()
    finally:
        tmp.unlink(missing_ok=True)


def write_outputs(res: "EventStudyResults", out_dir: Path | str,
                  progress: Callable[[str], None] | None = None, *, parquet: bool = False) -> dict[str, Path]:
    """Write everything into ``out_dir``; return name -> path.

    The files are written into a staging folder and published as ``out_dir`` at the end (see
    :mod:`.outdir`): a failed run leaves ``out_dir`` as it was, and a folder that holds files
    eventstudy did not write is refused, never overwritten. ``parquet=True`` also writes every
    table as ``<name>.parquet`` (typed columns: dates stay dates) beside its CSV.
    """
    shown = relative_results(res, PathRewriter.for_study(res.spec, out_dir))
    return publish_folder(out_dir, lambda stage: _write_files(shown, stage, progress, parquet), spec=res.spec)


def _write_files(res: "EventStudyResults", out: Path, progress: Callable[[str], None] | None,
                 parquet: bool) -> dict[str, Path]:
    """Write every file into the (staging) folder ``out``; return name -> path."""
    say = progress or (lambda msg: None)
    paths: dict[str, Path] = {}

    drawable = set(available_plots(res))  # claims only with claims; BHAR, volume, volatility when asked for
    jobs = [(key, kind) for key, (_, kind) in FIGURES.items() if kind in drawable]
    pngs: dict[str, bytes] = {}

    def draw_here(key: str, kind: str) -> None:
        say(f"drawing {key}.png")
        pngs[key] = figure_png(res.plot(kind))
        write_bytes(out / f"{key}.png", pngs[key])

    # two thirds of the figures in a forked worker while the tables are written here and the rest
    # drawn (see figure_worker: the same bytes; drawn here after all whenever the worker fails)
    worker = FigureWorker(jobs[: len(jobs) - len(jobs) // 3], out, lambda kind: figure_png(res.plot(kind)),
                          write_bytes)
    try:
        if worker.started:
            say(f"drawing {', '.join(key + '.png' for key, _ in worker.jobs)} in a worker process")
        say("writing the tables" + (" (CSV and Parquet)" if parquet else ""))
        for name, frame in tables(res).items():
            for path in write_table(out / name, frame, parquet):
                paths[path.name] = path
        for key, kind in jobs:
            if not worker.started or (key, kind) not in worker.jobs:
                draw_here(key, kind)
        pngs.update(worker.finish())
    finally:
        worker.cancel()
    for key, kind in jobs:
        if key not in pngs:  # the worker failed: drawn here after all
            draw_here(key, kind)
    figures = {}
    for key, kind in jobs:
        paths[f"{key}.png"] = out / f"{key}.png"
        figures[key] = (FIGURES[key][0], pngs[key])
    say("writing report.html")
    write_bytes(out / "report.html", render_report(res, figures).encode("utf-8"))
    paths["report.html"] = out / "report.html"
    return paths
