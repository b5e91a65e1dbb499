"""Which days are significant under which test: a grid of two-sided p-values over the event window."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure

from .style import DPI, studied_groups

#: p-value bands, dark = significant (a sequential, colour-blind-safe blue scale).
BOUNDS = [0.0, 0.01, 0.05, 0.10, 1.0]
COLOURS = ["#08306b", "#2171b5", "#9ecae1", "#f7f7f7"]
LABELS = ["p < 0.01", "p < 0.05", "p < 0.10", "n.s."]


def plot_test_grid(res, group: str | None = None) -> Figure:
    """Rows = tests (dependence-robust first), columns = event days; colour = p-value band,
    text = the statistic. One panel per group."""
    groups = studied_groups(res, group)
    t = res.test_table[res.test_table["kind"] == "day"]
    n_tests = max(1, t["test"].nunique())
    fig = Figure(figsize=(11, (0.38 * n_tests + 1.6) * len(groups)), dpi=DPI, layout="constrained")
    axes = fig.subplots(len(groups), 1, squeeze=False)[:, 0]
    cmap, norm = ListedColormap(COLOURS), BoundaryNorm(BOUNDS, len(COLOURS))
    image = None
    for ax, g in zip(axes, groups):
        sub = t[t["group"] == g]
        order = (sub.drop_duplicates("test").sort_values(["primary", "robust_to_clustering"], ascending=False)["test"]
                 .tolist())
        days = sorted(sub["rel_day"].dropna().astype(int).unique())
        P = np.full((len(order), len(days)), np.nan)
        S = np.full_like(P, np.nan)
        for r in sub.itertuples():
            if r.test in order and r.rel_day == r.rel_day:
                i, j = order.index(r.test), days.index(int(r.rel_day))
                P[i, j], S[i, j] = r.p_value, r.statistic
        image = ax.imshow(np.where(np.isnan(P), 1.0, P), cmap=cmap, norm=norm, aspect="auto")
        for i in range(len(order)):
            for j in range(len(days)):
                if np.isfinite(S[i, j]):
                    ax.text(j, i, f"{S[i, j]:.1f}", ha="center", va="center", fontsize=7,
                            color="white" if P[i, j] < 0.05 else "#222222")
                elif np.isnan(P[i, j]):
                    ax.text(j, i, "n/a", ha="center", va="center", fontsize=6, color="#999999")
        primary = set(sub.loc[sub["primary"], "test"])
        ax.set_yticks(range(len(order)), [f"{name} *" if name in primary else name for name in order], fontsize=8)
        ax.set_xticks(range(len(days)), [str(d) for d in days], fontsize=8)
        ax.set_xlabel("event day (0 = day 0); cell text = test statistic; * = primary test for this group")
        ax.set_title(f"{g}: two-sided p-value of each test on each event day", loc="left", fontsize=11)
        if 0 in days:
            ax.axvline(days.index(0) - 0.5, color="#D55E00", lw=1.2)
            ax.axvline(days.index(0) + 0.5, color="#D55E00", lw=1.2)
    if image is not None:
        cbar = fig.colorbar(image, ax=list(axes), ticks=[0.005, 0.03, 0.075, 0.55], shrink=0.6, pad=0.01)
        cbar.ax.set_yticklabels(LABELS, fontsize=8)
    return fig
