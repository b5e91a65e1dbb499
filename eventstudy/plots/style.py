"""Shared look of every figure: colour-blind-safe palette, percent axes, 150 dpi, no pyplot state."""

from __future__ import annotations

from typing import Any

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

#: Okabe & Ito (2008) colour-blind-safe palette.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
GREY = "#7f7f7f"
DPI = 150
PCT = FuncFormatter(lambda y, _: f"{y:+.0f}%" if abs(y) >= 1 or y == 0 else f"{y:+.1f}%")
REL_DAY_LABEL = "event day (bars of each security's own calendar; 0 = day 0)"


def figure(n_panels: int, width: float = 10.0, height: float = 3.6) -> tuple[Figure, list[Any]]:
    """A Figure with ``n_panels`` stacked axes, laid out without clipping (constrained layout)."""
    fig = Figure(figsize=(width, max(height * n_panels, 2.5)), dpi=DPI, layout="constrained")
    axes = fig.subplots(max(n_panels, 1), 1, squeeze=False)[:, 0]
    return fig, list(axes)


def style_axes(ax, title: str, ylabel: str, xlabel: str = REL_DAY_LABEL, percent: bool = True,
               day0_line: bool = True) -> None:
    ax.set_title(title, loc="left", fontsize=11)
    ax.set_ylabel(ylabel)
    ax.set_xlabel(xlabel)
    if percent:
        ax.yaxis.set_major_formatter(PCT)
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
    names = [g.name for g in res.spec.groups if (res.securities["group"] == g.name).any()]
    if group is not None:
        if group not in names:
            raise ValueError(f"no studied group named {group!r}; groups: {', '.join(names)}")
        return [group]
    return names


def day0_label(res, group: str) -> str:
    sec = res.securities[res.securities["group"] == group]
    return ", ".join(sorted({f"{r.calendar} {pd.Timestamp(r.day0):%Y-%m-%d}" for r in sec.itertuples()}))
