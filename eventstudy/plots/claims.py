"""The article's claims against the measured moves."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from .style import DPI, PCT

VERDICT_COLOURS = {"consistent": "#009E73", "not consistent": "#D55E00", "cannot be checked": "#7f7f7f"}


def plot_claims(res) -> Figure:
    """One row per claim: the claimed move (diamond), the measured move (circle), the range of
    intraday trailing-24 h measurements where there is one (bar); colour = verdict."""
    claims = res.claims
    n = max(len(claims), 1)
    fig = Figure(figsize=(10, 0.55 * n + 1.6), dpi=DPI, layout="constrained")
    ax = fig.subplots()
    if claims.empty:
        ax.text(0.5, 0.5, "The article makes no price claim", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return fig
    for i, r in enumerate(claims.itertuples()):
        y = n - 1 - i
        colour = VERDICT_COLOURS.get(r.verdict, "#7f7f7f")
        lo_hi = _range_from(r.matched)
        if lo_hi is not None:
            ax.plot(lo_hi, [y, y], color=colour, lw=6, alpha=0.35, solid_capstyle="butt")
        if np.isfinite(r.measured_percent):
            ax.plot(r.measured_percent, y, "o", color=colour, ms=8)
        ax.plot(r.claimed_percent, y, "D", color="black", ms=6, mfc="white" if r.verdict == "cannot be checked" else "black")
        label = f"claimed {r.claimed_percent:+.2f}%"
        if np.isfinite(r.measured_percent):
            label += f", measured {r.measured_percent:+.2f}%"
        ax.annotate(label, (max(r.claimed_percent, r.measured_percent if np.isfinite(r.measured_percent) else -1e9), y),
                    xytext=(8, 0), textcoords="offset points", va="center", fontsize=7.5, color="#333333")
    def text(x, default: str) -> str:
        return x if isinstance(x, str) and x else default

    labels = [f"{text(r.ticker, text(r.name, '?'))} {r.claimed_percent:+.2f}% ({text(r.horizon, 'no horizon')})"
              + (" – cannot be checked" if r.verdict == "cannot be checked" else "") for r in claims.itertuples()]
    ax.set_yticks(range(n), labels[::-1], fontsize=8)
    ax.xaxis.set_major_formatter(PCT)
    ax.xaxis.set_major_locator(MaxNLocator(6))
    ax.axvline(0, color="#888888", lw=0.8)
    ax.grid(True, axis="x", color="#e6e6e6", lw=0.6)
    ax.set_xlabel("move (%)")
    ax.set_title("Claims in the article against the prices", loc="left", fontsize=11)
    xmin, xmax = ax.get_xlim()
    ax.set_xlim(xmin, xmax + 0.35 * (xmax - xmin))  # room for the labels
    handles = [Line2D([], [], marker="D", color="black", ls="", label="claimed"),
               Line2D([], [], marker="D", color="black", mfc="white", ls="", label="claimed (cannot be checked)"),
               *[Line2D([], [], marker="o", color=c, ls="", label=f"measured: {v}") for v, c in VERDICT_COLOURS.items()
                 if v != "cannot be checked"],
               Line2D([], [], color="#7f7f7f", lw=6, alpha=0.35, label="range of trailing-24 h moves (4-hour marks)")]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
    return fig


def _range_from(matched: str) -> tuple[float, float] | None:
    """The (low, high) range printed in a claim's 'matched' text, if any."""
    import re

    m = re.search(r":\s*([+-]\d+\.\d+)%\s*\.\.\s*([+-]\d+\.\d+)%", matched or "")
    return (float(m.group(1)), float(m.group(2))) if m else None
