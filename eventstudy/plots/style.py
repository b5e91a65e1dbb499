"""Shared look of every figure: colour-blind-safe palette, percent axes, bounded canvases, no pyplot state.

Figures are :class:`StudyFigure` objects (a :class:`matplotlib.figure.Figure` that knows how to
show itself in Jupyter, ``_repr_png_``), so ``results.plot("caar")`` displays as an image in a
fresh kernel without ``%matplotlib inline``.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, MaxNLocator

#: Okabe & Ito (2008) colour-blind-safe palette.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
GREY = "#7f7f7f"
#: Resolution of the PNGs a run writes (the report shows them at most 1,100 px wide).
DPI = 110
#: zlib level of the PNG encoder (0-9; PIL's default is 6).
PNG_COMPRESS_LEVEL = 1
REL_DAY_LABEL = "event day (bars of each security's own calendar; 0 = day 0)"
#: Above this many (event, security) pairs in a group, figures stop drawing one line, bar or legend
#: entry per pair and show distributions instead (median and quantile bands, histograms, AAR bars).
MANY_EVENTS = 30
#: At most this many group panels in one figure (the rest are in the CSVs); keeps canvases bounded.
MAX_PANELS = 8
#: Quantile bands drawn for many events (outer band first).
BANDS = ((0.05, 0.95), (0.25, 0.75))


class StudyFigure(Figure):
    """A matplotlib Figure that displays itself in Jupyter (PNG) without pyplot or ``%matplotlib``."""

    def _repr_png_(self) -> bytes:
        return figure_png(self)


def figure_png(fig: Figure, dpi: float | None = None) -> bytes:
    """PNG bytes of a figure at its own dpi (:data:`DPI` by default)."""
    buf = io.BytesIO()
    # constrained layout already fits every artist; zlib level 1: encodes in about half the time of
    # the default 6, for files about a quarter larger (the pixels are the same)
    fig.savefig(buf, format="png", dpi=dpi or fig.dpi, pil_kwargs={"compress_level": PNG_COMPRESS_LEVEL})
    return buf.getvalue()


def decimals_needed(values: Sequence[float], max_decimals: int = 4) -> int:
    """Fewest decimals (0..``max_decimals``) that print every value exactly (to 1e-9 of the spacing).

    Ticks at -12.5, -7.5, -2.5 need one decimal; ticks at -10, -5, 0 need none.
    """
    v = np.asarray([x for x in values if np.isfinite(x)], dtype=float)
    if v.size == 0:
        return 0
    step = np.min(np.diff(np.unique(v))) if np.unique(v).size > 1 else max(abs(v[0]), 1.0)
    tol = 1e-6 * step
    for d in range(max_decimals + 1):
        if np.all(np.abs(np.round(v, d) - v) <= tol):
            return d
    return max_decimals


class SignedPercentFormatter(Formatter):
    """Tick labels for an axis in percent: sign, the decimals the tick locations need, and "%".

    The decimals are chosen from all the axis' tick locations at once (``set_locs``), so ticks at
    -12.5 and 2.5 read "−12.5%" and "+2.5%", never "−12%" and "+2%".
    """

    def __init__(self, max_decimals: int = 4):
        self.max_decimals = max_decimals
        self.decimals = 0

    def set_locs(self, locs) -> None:
        super().set_locs(locs)
        vmin, vmax = self.axis.get_view_interval() if self.axis is not None else (-math.inf, math.inf)
        lo, hi = min(vmin, vmax), max(vmin, vmax)
        shown = [x for x in locs if lo - 1e-12 <= x <= hi + 1e-12]
        self.decimals = decimals_needed(shown or list(locs), self.max_decimals)

    def __call__(self, x: float, pos: int | None = None) -> str:
        if abs(x) < 0.5 * 10 ** -(self.decimals + 3):
            return f"{0:.{self.decimals}f}%"
        return self.fix_minus(f"{x:+.{self.decimals}f}%")

    def format_data_short(self, value: float) -> str:
        return self.fix_minus(f"{value:+.3f}%")


def percent_axis(axis) -> None:
    """Format a matplotlib axis (``ax.yaxis``/``ax.xaxis``) holding percent values."""
    axis.set_major_formatter(SignedPercentFormatter())


def figure(n_panels: int, width: float = 10.0, height: float = 3.6, ncols: int = 1,
           width_ratios: Sequence[float] | None = None) -> tuple[StudyFigure, list[Any]]:
    """A figure with ``n_panels`` stacked rows (``ncols`` axes each), constrained layout.

    Returns the figure and a flat list of axes (row-major). The canvas is bounded: at most
    :data:`MAX_PANELS` rows.
    """
    rows = max(1, min(n_panels, MAX_PANELS))
    fig = StudyFigure(figsize=(width, max(height * rows, 2.5)), dpi=DPI, layout="constrained")
    axes = fig.subplots(rows, ncols, squeeze=False, width_ratios=width_ratios)
    return fig, list(axes.ravel())


def style_axes(ax, title: str, ylabel: str, xlabel: str = REL_DAY_LABEL, percent: bool = True,
               day0_line: bool = True) -> None:
    ax.set_title(title, loc="left", fontsize=11)
    ax.set_ylabel(ylabel)
    ax.set_xlabel(xlabel)
    if percent:
        percent_axis(ax.yaxis)
        ax.axhline(0, color="#888888", lw=0.8)
    if day0_line:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.axvline(0, color="#444444", lw=1.0, ls="--")
    ax.grid(True, color="#e6e6e6", lw=0.6)
    ax.set_axisbelow(True)


def legend_outside(ax, **kwargs) -> None:
    """Legend to the right of the plot, so it never covers data."""
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9, **kwargs)


def studied_groups(res, group: str | None) -> list[str]:
    """The groups with at least one studied security (in the study file's order), or ``[group]``.

    At most :data:`MAX_PANELS` are returned (figures stay bounded; every group is in the CSVs).
    """
    present = set(res.securities["group"].unique())
    names = [g.name for g in res.spec.groups if g.name in present]
    if group is not None:
        if group not in names:
            raise ValueError(f"no studied group named {group!r}; groups: {', '.join(names)}")
        return [group]
    return names[:MAX_PANELS]


def panel_note(fig: Figure, res, shown: list[str]) -> None:
    """Say on the figure when groups were left out of it (more than :data:`MAX_PANELS`)."""
    n = int(res.securities["group"].nunique())
    if n > len(shown) and len(shown) > 1:
        fig.suptitle(f"first {len(shown)} of {n} groups; every group is in the CSV files", fontsize=9,
                     x=0.01, ha="left")


def day0_label(res, group: str) -> str:
    """Day 0 of a group: one "calendar date" per distinct day 0, or a count when there are many."""
    sec = res.securities.loc[res.securities["group"] == group, ["calendar", "day0"]].drop_duplicates()
    if len(sec) > 3:
        return f"{len(sec)} distinct dates"
    return ", ".join(sorted(f"{c} {pd.Timestamp(d):%Y-%m-%d}" for c, d in zip(sec["calendar"], sec["day0"])))


def pair_keys(frame: pd.DataFrame) -> pd.Series:
    """One label per (event, security) pair: the ticker, with the event when the frame has several."""
    many = "event" in frame and frame["event"].nunique() > 1
    return frame["ticker"].astype(str) + (" (" + frame["event"].astype(str) + ")" if many else "")


def n_pairs(res, group: str) -> int:
    """Number of (event, security) pairs studied in a group (``securities`` has one row per pair)."""
    return int((res.securities["group"] == group).sum())


def quantile_paths(frame: pd.DataFrame, value: str, qs: Sequence[float]) -> pd.DataFrame:
    """Per ``rel_day``: quantiles ``qs`` (columns named by q), mean and count of ``value``."""
    g = frame.groupby("rel_day", sort=True)[value]
    out = g.quantile(list(qs)).unstack() if len(qs) else pd.DataFrame(index=g.size().index)
    out["mean"] = g.mean()
    out["n"] = g.count()
    return out
