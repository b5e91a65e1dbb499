"""Which days are significant under which test: a grid of two-sided p-values over the event window.

A cell's colour is its p-value band only (each test's p from its own reference distribution, so a
t(1) statistic is judged with t(1)), never the size of the statistic; the cell text is the
statistic. Tests whose statistic is a count or a rank sum (sign, Wilcoxon) sit in their own block
below the t and z tests, with their counts as integers. A test that cannot be computed on a day
(no statistic or p-value, or fewer observations than its minimum when the table states one in a
``min_n`` column) is "n/a", grey.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

from ..results.further import other_measure
from .style import DPI, StudyFigure, studied_groups

#: p-value bands, dark = significant (a sequential, colour-blind-safe blue scale), then n/a grey.
BOUNDS = [0.0, 0.01, 0.05, 0.10, 1.0]
COLOURS = ["#08306b", "#2171b5", "#9ecae1", "#f7f7f7", "#d9d9d9"]
LABELS = ["p < 0.01", "p < 0.05", "p < 0.10", "p ≥ 0.10", "n/a: cannot be computed"]
NA = len(BOUNDS) - 1
#: Tests whose statistic is a count or a rank sum, not a t or z value.
COUNT_TESTS = {"sign": "number positive", "wilcoxon": "sum of positive ranks"}
#: Beyond this many event days the cells carry no text (colour only) and every 5th day is labelled.
MAX_TEXT_DAYS = 31


@dataclass(frozen=True)
class PValueGrid:
    """One group's grid: rows = tests, columns = event days."""

    tests: list[str]
    days: list[int]
    p: np.ndarray          # (tests, days) two-sided p-values (NaN = not computed)
    statistic: np.ndarray  # (tests, days)
    n: np.ndarray          # (tests, days) observations behind each cell
    band: np.ndarray       # (tests, days) colour index: 0..3 p-value band, NA = cannot be computed
    primary: set[str]


def p_band(p: np.ndarray, computable: np.ndarray) -> np.ndarray:
    """Band index of each p-value in :data:`BOUNDS` (0 = p < 0.01 ... 3 = p >= 0.10); NA elsewhere."""
    band = np.clip(np.searchsorted(BOUNDS[1:-1], np.nan_to_num(p, nan=1.0), side="right"), 0, NA - 1)
    return np.where(computable, band, NA)


def grid_of_tests(table: pd.DataFrame, group: str) -> PValueGrid:
    """Build a group's grid from the day rows of ``results.test_table`` (vectorised pivots)."""
    sub = table[(table["group"] == group) & (table["kind"] == "day") & table["rel_day"].notna()
                & ~other_measure(table["test"])]  # abnormal volume and volatility have their own figures
    sub = sub.assign(rel_day=sub["rel_day"].astype(int))
    first = sub.drop_duplicates("test")
    primary = set(first.loc[first["primary"].astype(bool), "test"])
    rank = first.assign(_count=first["test"].isin(list(COUNT_TESTS)), _p=first["primary"].astype(bool),
                        _r=first["robust_to_clustering"].astype(bool))
    order = rank.sort_values(["_count", "_p", "_r"], ascending=[True, False, False], kind="stable")["test"].tolist()
    days = sorted(sub["rel_day"].unique().tolist())

    values = [c for c in ("p_value", "statistic", "n", "min_n") if c in sub]
    # one grouping for every grid (first non-missing value per test and day, as a pivot with "first")
    cells = sub[["test", "rel_day", *values]].astype({c: float for c in values}).groupby(
        ["test", "rel_day"], sort=False).first()

    def grid(col: str) -> np.ndarray:
        return cells[col].unstack("rel_day").reindex(index=order, columns=days).to_numpy(dtype=float)

    p, stat, n = grid("p_value"), grid("statistic"), grid("n")
    computable = np.isfinite(p) & np.isfinite(stat)
    if "min_n" in sub:
        computable &= ~(n < grid("min_n"))
    return PValueGrid(order, days, p, stat, n, p_band(p, computable), primary)


def _compact(x: float) -> str:
    """An integer count as it fits a cell: 4,321 -> "4321", 2,466,718,949 -> "2.47e9"."""
    if abs(x) < 10_000:
        return f"{x:.0f}"
    e = int(np.floor(np.log10(abs(x))))
    return f"{x / 10 ** e:.2f}e{e}"


def _cell_text(test: str, stat: float, n: float) -> str:
    if test == "sign" and np.isfinite(n):
        return f"{stat:.0f}/{n:.0f}" if n < 1000 else f"{100 * stat / n:.1f}%"  # share positive for large N
    if test in COUNT_TESTS:
        return _compact(stat)
    return f"{stat:.1f}"


def plot_test_grid(res, group: str | None = None):
    """Rows = tests (primary, then dependence-robust, then the rest; counts and rank sums last),
    columns = event days; colour = p-value band, text = the statistic. One panel per group."""
    groups = studied_groups(res, group)
    t = res.test_table
    grids = [grid_of_tests(t, g) for g in groups]
    n_tests = max([1, *(len(gr.tests) for gr in grids)])
    # A fixed layout (margins in inches from the longest row label), not constrained layout: the
    # grid is mostly cell text, and a layout engine draws every text twice.
    label = max([10, *(len(name) + len(COUNT_TESTS.get(name, "")) + 5 for gr in grids for name in gr.tests)])
    width, panel, gap, top, bottom = 11.0, 0.36 * n_tests, 1.0, 0.4, 1.0
    height = top + bottom + len(groups) * panel + (len(groups) - 1) * gap
    fig = StudyFigure(figsize=(width, height), dpi=DPI)
    axes = fig.subplots(len(groups), 1, squeeze=False, gridspec_kw={
        "left": min(0.45, (0.2 + 0.062 * label) / width), "right": 1 - 0.15 / width, "top": 1 - top / height,
        "bottom": bottom / height, "hspace": gap / panel})[:, 0]
    cmap = ListedColormap(COLOURS)
    for ax, g, gr in zip(axes, groups, grids):
        ax.imshow(gr.band, cmap=cmap, vmin=-0.5, vmax=NA + 0.5, aspect="auto", interpolation="nearest")
        texts = len(gr.days) <= MAX_TEXT_DAYS
        for i, test in enumerate(gr.tests if texts else []):
            for j in range(len(gr.days)):
                if gr.band[i, j] == NA:
                    ax.text(j, i, "n/a", ha="center", va="center", fontsize=6, color="#666666")
                else:
                    ax.text(j, i, _cell_text(test, gr.statistic[i, j], gr.n[i, j]), ha="center", va="center",
                            fontsize=7, color="white" if gr.band[i, j] <= 1 else "#222222")
        what = dict(COUNT_TESTS)
        if np.nanmax(np.append(gr.n, 0)) >= 1000:
            what["sign"] = "share positive"
        labels = [f"{name}{' *' if name in gr.primary else ''}"
                  + (f" ({what[name]})" if name in what else "") for name in gr.tests]
        ax.set_yticks(range(len(gr.tests)), labels, fontsize=8)
        n_stat = sum(name not in COUNT_TESTS for name in gr.tests)
        if 0 < n_stat < len(gr.tests):
            ax.axhline(n_stat - 0.5, color="#222222", lw=1.2)
        ticks = [j for j, d in enumerate(gr.days) if texts or d % 5 == 0]
        ax.set_xticks(ticks, [str(gr.days[j]) for j in ticks], fontsize=8)
        ax.set_xlabel("event day (0 = day 0); " + ("cell text = test statistic (t or z above the line; counts and "
                      "rank sums below)" if texts else f"more than {MAX_TEXT_DAYS} days: statistics in tests.csv")
                      + "; * = primary test for this group", fontsize=8)
        ax.set_title(f"{g}: two-sided p-value of each test on each event day (colour = p-value band only)",
                     loc="left", fontsize=11)
        if 0 in gr.days:
            ax.axvline(gr.days.index(0) - 0.5, color="#D55E00", lw=1.2)
            ax.axvline(gr.days.index(0) + 0.5, color="#D55E00", lw=1.2)
    handles = [Patch(facecolor=c, edgecolor="#999999", label=lab) for c, lab in zip(COLOURS, LABELS)]
    fig.legend(handles=handles, loc="lower center", ncols=len(handles), frameon=False, fontsize=8,
               bbox_to_anchor=(0.5, 0.05 / height))
    return fig
