"""Figures of a study's results. Each function takes results and returns a matplotlib Figure.

Figures are built with :class:`matplotlib.figure.Figure` directly (no pyplot state), so they
work in scripts, servers and notebooks alike. Colours: the Okabe-Ito colour-blind-safe palette.
"""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure

from .claims import plot_claims
from .returns import plot_ar_bars, plot_caar, plot_car_paths, plot_prices, price_index
from .tests import plot_test_grid

PLOTS = {
    "prices": plot_prices,
    "ar": plot_ar_bars,
    "car": plot_car_paths,
    "caar": plot_caar,
    "tests": plot_test_grid,
    "claims": plot_claims,
}


def plot(res, kind: str = "car", **kwargs: Any) -> Figure:
    """Dispatch by name; see :data:`PLOTS`."""
    try:
        fn = PLOTS[kind]
    except KeyError:
        raise ValueError(f"unknown plot {kind!r}; choose one of {', '.join(PLOTS)}") from None
    return fn(res, **kwargs)


__all__ = ["PLOTS", "plot", "plot_ar_bars", "plot_caar", "plot_car_paths", "plot_claims", "plot_prices",
           "plot_test_grid", "price_index"]
