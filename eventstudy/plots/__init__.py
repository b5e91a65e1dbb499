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
from .further import plot_bhar, plot_volatility, plot_volume
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
    "bhar": plot_bhar,
    "volume": plot_volume,
    "volatility": plot_volatility,
}


#: Figures drawn only when the test table has rows starting with these names (the study asked for them).
NEEDS_TESTS = {"bhar": "bhar_", "volume": "volume_cross_sectional_t", "volatility": "volatility_"}


def available_plots(res) -> list[str]:
    """The figure kinds these results can draw: every kind of :data:`PLOTS`, less "claims" without
    claims and the further tests' figures ("bhar", "volume", "volatility") the study did not ask for."""
    tests = res.test_table["test"].astype(str) if "test" in res.test_table else None
    out = []
    for kind in PLOTS:
        if kind == "claims" and (res.claims is None or res.claims.empty):
            continue
        if kind in NEEDS_TESTS and (tests is None or not tests.str.startswith(NEEDS_TESTS[kind]).any()):
            continue
        out.append(kind)
    return out


def plot(res, kind: str = "car", **kwargs: Any) -> Figure:
    """Dispatch by name; see :data:`PLOTS`."""
    try:
        fn = PLOTS[kind]
    except KeyError:
        raise ValueError(f"unknown plot {kind!r}; choose one of {', '.join(PLOTS)}") from None
    return fn(res, **kwargs)


__all__ = ["MANY_EVENTS", "NEEDS_TESTS", "PLOTS", "available_plots", "StudyFigure", "plot", "plot_ar_bars", "plot_bhar", "plot_volatility", "plot_volume", "plot_caar", "plot_car_paths", "plot_claims", "plot_prices",
           "plot_test_grid", "price_index"]
