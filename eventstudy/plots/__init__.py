"""Figures of a study's results. Each function takes results and returns a matplotlib Figure.

Figures are :class:`~eventstudy.plots.style.StudyFigure` objects built without pyplot state, so they
work in scripts, servers and notebooks alike (in Jupyter they display as PNG images without
``%matplotlib inline``). Colours: the Okabe-Ito colour-blind-safe palette. Beyond
:data:`~eventstudy.plots.style.MANY_EVENTS` (event, security) pairs in a group, no figure draws
one line, bar or legend entry per pair: they show distributions instead.
"""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure

from .claims import plot_claims
from .prices import plot_prices, price_index
from .returns import plot_ar_bars, plot_caar, plot_car_paths
from .style import MANY_EVENTS, StudyFigure
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


__all__ = ["MANY_EVENTS", "PLOTS", "StudyFigure", "plot", "plot_ar_bars", "plot_caar", "plot_car_paths", "plot_claims", "plot_prices",
           "plot_test_grid", "price_index"]
