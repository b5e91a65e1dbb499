"""The article's claims against the measured moves: one small dot plot per claim.

Each claim gets its own row with an axis fitted to that claim (the claimed move, the measured one
and the range of trailing-24 h moves where there is one), so a claim of +7.00 % measured at
+7.17 % is as readable as one of +44.63 % inside a 57-point range; the difference is written
beside it. Colours are the verdict's, in the markers, the range bars and the legend alike.
"""

from __future__ import annotations

import re
import textwrap

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from .style import DPI, StudyFigure, percent_axis

#: Verdict colour by what the verdict says (checked in this order); anything else is purple.
VERDICT_COLOURS = (("range", "#56B4E9"), ("not consistent", "#D55E00"), ("consistent", "#009E73"),
                   ("cannot", "#7f7f7f"))
OTHER_COLOUR = "#CC79A7"
#: Narrowest axis of a claim's row, in percentage points.
MIN_SPAN_PP = 1.0
#: At most this many claims are drawn (the figure stays bounded; every claim is in claims.csv).
MAX_CLAIM_ROWS = 30


def verdict_colour(verdict: str) -> str:
    v = str(verdict or "").lower()
    return next((c for key, c in VERDICT_COLOURS if key in v), OTHER_COLOUR)


def row_limits(values: list[float]) -> tuple[float, float]:
    """The x range of a claim's row: its values with 25 % margins, at least :data:`MIN_SPAN_PP` wide."""
    v = np.asarray([x for x in values if np.isfinite(x)], dtype=float)
    lo, hi = float(v.min()), float(v.max())
    span = max(hi - lo, MIN_SPAN_PP / 1.5)
    mid = (lo + hi) / 2
    return mid - 0.75 * span, mid + 0.75 * span


def _float(x) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return float("nan")


def _text(x, default: str) -> str:
    return x if isinstance(x, str) and x else default


def plot_claims(res):
    """One row per claim: the claimed move (black diamond; hollow when it cannot be checked), the
    measured move (circle, verdict colour), the range of intraday trailing-24 h measurements where
    there is one (bar, verdict colour); the numbers and the difference are written on the right."""
    claims = res.claims.head(MAX_CLAIM_ROWS)
    n = max(len(claims), 1)
    fig = StudyFigure(figsize=(11, 0.62 * n + 1.3), dpi=DPI, layout="constrained")
    if claims.empty:
        ax = fig.subplots()
        ax.text(0.5, 0.5, "The article makes no price claim", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return fig
    axes = fig.subplots(n, 2, squeeze=False, width_ratios=[3, 2])
    seen: dict[str, tuple[str, bool]] = {}
    for (ax, side), r in zip(axes, claims.itertuples()):
        colour = verdict_colour(r.verdict)
        measured = _float(r.measured_percent)
        claimed = float(r.claimed_percent)
        lo_hi = _claim_range(r)
        values = [claimed, measured, *(lo_hi or ())]
        ax.set_xlim(*row_limits(values))
        if lo_hi is not None:
            ax.plot(lo_hi, [0, 0], color=colour, lw=7, alpha=0.35, solid_capstyle="butt")
        if np.isfinite(measured):
            ax.plot([claimed, measured], [0, 0], color=colour, lw=1.0)
            ax.plot(measured, 0, "o", color=colour, ms=8)
        checked = np.isfinite(measured)
        ax.plot(claimed, 0, "D", color="black", ms=6, mfc="black" if checked else "white")
        seen.setdefault(str(r.verdict), (colour, lo_hi is not None))
        if lo_hi is not None:
            seen[str(r.verdict)] = (colour, True)
        who = _text(r.ticker, _text(r.name, "?"))
        ax.set_yticks([0], [f"{textwrap.shorten(who, 34, placeholder='…')} ({_text(r.horizon, 'no horizon')})"],
                      fontsize=8)
        ax.set_ylim(-1, 1)
        if checked:
            ax.xaxis.set_major_locator(MaxNLocator(5))
            percent_axis(ax.xaxis)
            ax.tick_params(axis="x", labelsize=7)
            ax.grid(True, axis="x", color="#e6e6e6", lw=0.6)
        else:  # a lone claimed value: no scale to read
            ax.set_xticks([])
        side.set_axis_off()
        if checked:
            line = (f"claimed {claimed:+.2f}%, measured {measured:+.2f}%: difference {measured - claimed:+.2f} pp"
                    f" — {r.verdict}")
        else:
            line = f"claimed {claimed:+.2f}% — {r.verdict}: {_text(r.note, '')}"
        side.text(0, 0.5, textwrap.fill(line, 70, max_lines=2, placeholder=" …"), va="center", ha="left",
                  fontsize=7.5, color="#222222", transform=side.transAxes)
    more = len(res.claims) - len(claims)
    axes[0, 0].set_title("Claims in the article against the prices (each row on its own scale, in %)"
                         + (f"; first {len(claims)} of {len(res.claims)}, all in claims.csv" if more else ""),
                         loc="left", fontsize=11)
    handles = [Line2D([], [], marker="D", color="black", ls="", label="claimed"),
               Line2D([], [], marker="D", color="black", mfc="white", ls="", label="claimed (cannot be checked)")]
    for verdict, (colour, has_range) in seen.items():
        if "cannot" in verdict.lower():
            continue
        handles.append(Line2D([], [], marker="o", color=colour, ls="", ms=7, label=f"measured: {verdict}"))
        if has_range:
            handles.append(Line2D([], [], color=colour, lw=7, alpha=0.35,
                                  label=f"range of trailing-24 h moves ({verdict})"))
    fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 4), frameon=False, fontsize=8)
    return fig


def _claim_range(r) -> tuple[float, float] | None:
    """The range of moves a claim was checked against: ``range_low``/``range_high`` (percent) when
    the claim table has them, else the range printed in its 'matched' text."""
    lo, hi = _float(getattr(r, "range_low", None)), _float(getattr(r, "range_high", None))
    if np.isfinite(lo) and np.isfinite(hi):
        return lo, hi
    return _range_from(getattr(r, "matched", ""))


def _range_from(matched: str) -> tuple[float, float] | None:
    """The (low, high) range printed in a claim's 'matched' text, if any."""
    m = re.search(r":\s*([+-]\d+\.\d+)%\s*\.\.\s*([+-]\d+\.\d+)%", matched or "")
    return (float(m.group(1)), float(m.group(2))) if m else None
