"""Figures: true percent ticks, p-value colours only, marks on the right panel, readable claims,
many events drawn as distributions, and the vectorised price index equal to chaining by hand."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from eventstudy.plots import MANY_EVENTS, StudyFigure
from eventstudy.plots.claims import plot_claims, row_limits
from eventstudy.plots.prices import chain_index, panel_marks, price_index
from eventstudy.plots.style import SignedPercentFormatter, decimals_needed, figure
from eventstudy.plots.tests import NA, grid_of_tests, p_band, plot_test_grid


def _tick_texts(fig, ax) -> list[str]:
    fig.draw_without_rendering()
    return [t.get_text().replace("\N{MINUS SIGN}", "-") for t in ax.get_yticklabels() if t.get_text()]


def test_percent_ticks_on_halves_show_their_decimals():
    fig, (ax,) = figure(1)
    ax.plot([0, 1], [-13.1, 8.9])
    ax.set_ylim(-13.1, 8.9)
    ax.set_yticks([-12.5, -7.5, -2.5, 2.5, 7.5])
    ax.yaxis.set_major_formatter(SignedPercentFormatter())
    assert _tick_texts(fig, ax) == ["-12.5%", "-7.5%", "-2.5%", "+2.5%", "+7.5%"]


def test_percent_ticks_on_whole_numbers_have_no_decimals_and_the_study_figures_use_the_formatter(stargate_results):
    fig = stargate_results.plot("caar")
    ax = fig.axes[0]
    texts = _tick_texts(fig, ax)
    locs = list(ax.get_yticks())
    assert len(texts) == len(locs) >= 3
    for text, loc in zip(texts, locs):
        assert float(text.rstrip("%")) == pytest.approx(loc, abs=1e-9), (text, loc)


def test_decimals_needed():
    assert decimals_needed([-10, -5, 0, 5]) == 0
    assert decimals_needed([-12.5, -7.5, 2.5]) == 1
    assert decimals_needed([0.25, 0.5, 0.75]) == 2


def test_figures_display_themselves_as_png(stargate_results):
    fig = stargate_results.plot("ar")
    assert isinstance(fig, StudyFigure)
    assert fig._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n"


def test_price_index_equals_chaining_the_returns_by_hand(stargate_results):
    px = price_index(stargate_results)
    ar = stargate_results.abnormal_returns
    for (event, ticker), rows in ar.groupby(["event", "ticker"]):
        rows = rows.sort_values("rel_day")
        r = rows["return"].to_numpy()
        rel = rows["rel_day"].to_numpy()
        b = int(np.flatnonzero(rel == -1)[0])
        expect = np.full(len(r), np.nan)
        expect[b] = 100.0
        for j in range(b + 1, len(r)):
            expect[j] = expect[j - 1] * (1 + r[j])
        for j in range(b - 1, -1, -1):
            expect[j] = expect[j + 1] / (1 + r[j + 1])
        got = px[(px["event"] == event) & (px["ticker"] == ticker)].sort_values("rel_day")["index"].to_numpy()
        np.testing.assert_allclose(got, expect, rtol=1e-12, equal_nan=True)


def test_chain_index_keeps_a_gap_missing_on_its_side_only():
    g = np.log1p(np.array([[0.1, np.nan, 0.0, 0.2, np.nan, 0.1]]))  # base = column 2 (day -1)
    idx = chain_index(g, 2)[0]
    # column 1 needs growth of column 2 (0) only -> 100; column 0 needs column 1's growth (NaN) -> NaN
    np.testing.assert_allclose(idx, [np.nan, 100.0, 100.0, 120.0, np.nan, np.nan], equal_nan=True)


def test_price_panels_draw_each_date_only_where_it_is_a_bar(stargate_results):
    res = stargate_results
    px = price_index(res)
    eq = panel_marks(res, "AI infrastructure equities",
                     pd.DatetimeIndex(px.loc[px["group"] == "AI infrastructure equities", "date"]))
    tokens = panel_marks(res, "AI agent tokens", pd.DatetimeIndex(px.loc[px["group"] == "AI agent tokens", "date"]))
    eq_dates = {m.date for m in eq}
    # 2025-01-20 (Martin Luther King Day, no NYSE session) holds the tokens' claim: not in the equities panel
    assert pd.Timestamp("2025-01-20") not in eq_dates
    assert pd.Timestamp("2025-01-20") in {m.date for m in tokens}
    # day 0 and the article's event date are one line with one label
    for marks in (eq, tokens):
        on_day0 = [m for m in marks if m.date == pd.Timestamp("2025-01-21")]
        assert len(on_day0) == 1 and "day 0" in on_day0[0].label and "article: event" in on_day0[0].label
    fig = res.plot("prices")
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert sum("2025-01-21" in lab for lab in labels) == 1
    assert not any("2025-01-20" in lab for lab in labels)


def test_test_grid_colour_comes_from_p_values_only():
    rows = []
    # t(1) statistic 5.0: large, yet p = 0.126 -> not significant; a count 4 of 4 with p = 0.125 -> not significant;
    # a z of 2.0 with p = 0.0455 -> p < 0.05; a test with no statistic -> n/a
    for test, stat, p, n in [("cross_sectional_t", 5.0, 0.1257, 2), ("sign", 4.0, 0.125, 4),
                             ("corrado_rank", 2.0, 0.0455, 4), ("kp_bmp_t", np.nan, np.nan, 1)]:
        rows.append({"test": test, "group": "g", "kind": "day", "rel_day": 0.0, "n": n, "statistic": stat,
                     "p_value": p, "primary": test == "kp_bmp_t", "robust_to_clustering": test != "sign"})
    grid = grid_of_tests(pd.DataFrame(rows), "g")
    band = dict(zip(grid.tests, grid.band[:, 0]))
    assert band == {"kp_bmp_t": NA, "corrado_rank": 1, "cross_sectional_t": 3, "sign": 3}
    assert grid.tests[-1] == "sign"  # counts sit below the t and z tests


def test_test_grid_marks_tests_below_their_minimum_n_as_na():
    frame = pd.DataFrame([{"test": "bmp_t", "group": "g", "kind": "day", "rel_day": 0.0, "n": 2, "min_n": 3,
                           "statistic": 9.0, "p_value": 0.01, "primary": False, "robust_to_clustering": False}])
    assert grid_of_tests(frame, "g").band[0, 0] == NA


def test_p_band_edges():
    p = np.array([0.009, 0.01, 0.049, 0.05, 0.099, 0.1, 0.7, np.nan])
    assert p_band(p, np.isfinite(p)).tolist() == [0, 1, 1, 2, 2, 3, 3, NA]


def test_stargate_test_grid_has_na_cells_in_grey(stargate_results):
    fig = plot_test_grid(stargate_results)
    tokens = fig.axes[1].images[0].get_array()
    assert (np.asarray(tokens) == NA).any()  # kp_bmp_t cannot be computed for the two tokens


def test_claims_rows_are_fitted_so_small_differences_show(stargate_results):
    lo, hi = row_limits([7.00, 7.17])
    assert hi - lo <= 1.5 and lo < 7.0 and hi > 7.17
    fig = plot_claims(stargate_results)
    plot_axes = fig.axes[0::2][: len(stargate_results.claims)]
    orcl = plot_axes[list(stargate_results.claims["ticker"]).index("ORCL")]
    xmin, xmax = orcl.get_xlim()
    assert xmax - xmin < 2.0  # +7.00 vs +7.17 on an axis a couple of points wide, not -10 .. +150
    fig.draw_without_rendering()
    assert orcl.get_position().width > 0.4  # the plot is not squeezed to a third of the width
    # the legend's colours are those of the markers and range bars drawn
    drawn = {line.get_color() for ax in plot_axes for line in ax.get_lines() if line.get_marker() == "o"}
    legend = {h.get_color() for h in fig.legends[0].legend_handles if h.get_marker() == "o"}
    assert legend == drawn


@pytest.fixture(scope="module")
def many_results(tmp_path_factory):
    from eventstudy import load_study, run_study
    from tests.synthetic import write_study

    study = write_study(tmp_path_factory.mktemp("many"), 3 * MANY_EVENTS, n_sec=30, n_days=600)
    return run_study(load_study(study))


@pytest.mark.parametrize("kind", ["prices", "car", "ar", "caar"])
def test_many_events_draw_no_line_or_legend_entry_per_event(many_results, kind):
    fig = many_results.plot(kind)
    n = len(many_results.securities)
    assert n > MANY_EVENTS
    for ax in fig.axes:
        assert len(ax.get_lines()) < 12
        assert len(ax.get_legend_handles_labels()[1]) < 10
        assert len(ax.patches) <= 2 * len(many_results.abnormal_returns["rel_day"].unique()) + 80
    w, h = fig.get_size_inches()
    assert w * h < 13 * 8


def test_many_events_histogram_counts_every_car(many_results):
    fig = many_results.plot("car")
    hist_ax = fig.axes[1]
    first = many_results.cars["window"].iloc[0]
    n = int(many_results.cars.loc[many_results.cars["window"] == first, "car"].notna().sum())
    assert sum(p.get_height() for p in hist_ax.patches) == n


def test_count_cells_stay_short_for_many_events():
    from eventstudy.plots.tests import _cell_text

    assert _cell_text("sign", 4, 4) == "4/4"
    assert _cell_text("sign", 49320, 100000) == "49.3%"
    assert _cell_text("wilcoxon", 2466718949, 100000) == "2.47e9"
    assert _cell_text("wilcoxon", 10, 4) == "10"
