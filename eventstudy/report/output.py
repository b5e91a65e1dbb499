"""Write a run's files: report.html, PNG figures and CSV tables, into one folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..prices.bars import atomic_write_bytes, atomic_write_text
from ..safety import csv_text
from .html import figure_png, render_report
from .outdir import publish_folder

if TYPE_CHECKING:  # pragma: no cover
    from ..results.results import EventStudyResults

RESULTS_COLUMNS = ["ticker", "group", "day0", "window", "car", "t_stat", "p_value", "n_estimation", "model",
                   "se", "df", "status"]
AR_COLUMNS = ["ticker", "group", "date", "rel_day", "return", "benchmark_return", "expected", "ar", "car", "model"]

FIGURES = {
    "prices": ("Prices around the event, 100 = close on day -1; dashed: day 0, dotted: dates the article gives", "prices"),
    "car_paths": ("Cumulative abnormal return of each security over the event window", "car"),
    "caar": ("Cumulative average abnormal return per group, with the band of the test reported beside it", "caar"),
    "abnormal_returns": ("Abnormal return per bar, day 0 highlighted", "ar"),
    "tests": ("Which days are significant under which test (two-sided p-values; cell text = statistic)", "tests"),
    "claims": ("The article's claims against the measured moves", "claims"),
}
CLAIM_COLUMNS_OUT = ["ticker", "claimed_percent", "horizon", "date", "measured_percent", "difference", "verdict",
                     "note", "matched", "name", "sentence", "measured_on", "tolerance", "range_low", "range_high"]


def write_outputs(res: "EventStudyResults", out_dir: Path | str,
                  progress: Callable[[str], None] | None = None) -> dict[str, Path]:
    """Write everything into ``out_dir``; return name -> path.

    The files are written into a staging folder and published as ``out_dir`` at the end (see
    :mod:`.outdir`): a failed run leaves ``out_dir`` as it was, and a folder that holds files
    eventstudy did not write is refused, never overwritten.
    """
    return publish_folder(out_dir, lambda stage: _write_files(res, stage, progress), spec=res.spec)


def _write_files(res: "EventStudyResults", out: Path, progress: Callable[[str], None] | None) -> dict[str, Path]:
    """Write every file into the (staging) folder ``out``; return name -> path."""
    say = progress or (lambda msg: None)
    paths: dict[str, Path] = {}

    def csv(name: str, frame) -> None:
        path = out / name
        atomic_write_text(path, csv_text(frame))  # formula-like text cells neutralised (safety.csv_text)
        paths[name] = path

    csv("results.csv", res.cars[RESULTS_COLUMNS])
    csv("abnormal_returns.csv", res.abnormal_returns[AR_COLUMNS])
    csv("tests.csv", res.tests())
    csv("securities.csv", res.securities.drop(columns=["_dates"], errors="ignore"))
    csv("dropped.csv", res.dropped_frame)
    claims = res.claims if not res.claims.empty else pd.DataFrame(columns=CLAIM_COLUMNS_OUT)
    csv("claims.csv", claims[CLAIM_COLUMNS_OUT])
    csv("diagnostics.csv", res.diagnostics)
    csv("warnings.csv", pd.DataFrame(list(res.warnings), columns=["ticker", "check", "message", "action"]))
    csv("confounding.csv", res.confounding)

    figures = {}
    for key, (caption, kind) in FIGURES.items():
        if kind == "claims" and res.claims.empty:
            continue
        say(f"drawing {key}.png")
        png = figure_png(res.plot(kind))
        atomic_write_bytes(out / f"{key}.png", png)
        paths[f"{key}.png"] = out / f"{key}.png"
        figures[key] = (caption, png)
    say("writing report.html")
    atomic_write_text(out / "report.html", render_report(res, figures))
    paths["report.html"] = out / "report.html"
    return paths
