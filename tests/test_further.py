"""What the analyst reads of the further tests ([tests], [cross_section]): the summary's and the report's
block, the adjusted p beside the raw p, the caveats, the BHAR / volume / volatility figures; and the
findings' confounding rows (only those that contaminate)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from eventstudy import load_study, run_study
from eventstudy.paths import data_dir
from eventstudy.plots import available_plots
from eventstudy.plots.further import bhar_paths
from eventstudy.report.html import render_report
from eventstudy.results.findings import _confounding, contaminating, findings
from eventstudy.results.further import further_tests

DEEPSEEK = data_dir() / "studies" / "deepseek.toml"
GROUP = "AI equities and ETFs"


@pytest.fixture(scope="module")
def deepseek():
    """The shipped DeepSeek example: every [tests] option and a CAR regression, on the snapshot."""
    return run_study(load_study(DEEPSEEK, source="pinned"))


def _row(res, test, window, kind="car"):
    t = res.tests()
    return t[(t.test == test) & (t.window == window) & (t.kind == kind) & (t.group == GROUP)].iloc[0]


def test_summary_shows_each_requested_family_with_the_adjusted_p(deepseek):
    text = deepseek.summary()
    block = text[text.index("  Further tests ("):text.rindex("Confounding events")]
    for title in ("Buy-and-hold abnormal returns (BHAR)", "Generalized rank test (GRANK)", "Wild bootstrap (Rademacher",
                  "Calendar-time portfolio", "Abnormal volume", "Abnormal volatility",
                  "Cross-sectional regression of the CARs"):
        assert title in block, title
    # the LBT skewness-adjusted t of [0,5] with its raw and Holm-adjusted p, as in the test table
    r = _row(deepseek, "bhar_skew_adjusted_t", "[0,5]")
    line = next(x for x in block.splitlines() if "[0,5]" in x and "LBT skewness-adjusted t" in x)
    assert f"{100 * r.estimate:+.2f}%" in line and f"{r.statistic:.2f}" in line
    assert f"{r.p_value:.3f}" in line and f"{r.p_adjusted:.3f}" in line and r.p_adjusted > r.p_value
    # the main tests block carries the adjusted p too
    main = text[text.index("Tests across securities"):text.index("  Further tests (")]
    kp = _row(deepseek, "kp_bmp_t", "[0,0]")
    assert "p Holm" in main and f"{kp.p_value:.3f}    {kp.p_adjusted:.3f}" in main


def test_car_regression_table_has_coef_se_t_p_n(deepseek):
    block = next(b for b in further_tests(deepseek).blocks if b.family == "regression")
    assert list(block.table.columns) == ["window", "term", "coef", "SE", "t", "p", "p (Holm)", "N", "df", "R²"]
    assert "HC3" in block.what
    r = _row(deepseek, "car_regression[segment[fund]]", "[0,0]")
    row = block.table[(block.table.window == "[0,0]") & (block.table.term == "segment[fund]")].iloc[0]
    assert row.coef == f"{100 * r.estimate:+.3f}%" and row.SE == f"{100 * abs(r.estimate / r.statistic):.3f}%"
    assert row.t == f"{r.statistic:.2f}" and row.N == "7" and row.df == "t(4)"


def test_caveats_appear_where_the_readme_says_a_test_over_rejects(deepseek):
    cav = " ".join(deepseek.caveats())
    assert "LBT skewness-adjusted t and its bootstrap rest on 7 BHARs" in cav
    assert "volatility_t) over-rejects" in cav and "volume_patell_z" in cav
    # with 200 BHARs the LBT caveat is gone; without volatility rows, its caveat is gone
    t = deepseek.test_table.copy()
    t.loc[t.test.str.startswith("bhar_"), "n"] = 200
    t = t[~t.test.str.startswith("volatility_")]
    cav = " ".join(dataclasses.replace(deepseek, test_table=t).caveats())
    assert "BHARs" not in cav and "volatility_t" not in cav


def test_report_has_the_further_section_and_the_three_figures(deepseek):
    from eventstudy.plots.style import figure_png
    from eventstudy.report.output import FIGURES

    kinds = ("bhar", "volume", "volatility")
    assert set(kinds) <= set(available_plots(deepseek))  # so a run draws them (report.output)
    figures = {k: (FIGURES[k][0], figure_png(deepseek.plot(k), dpi=30)) for k in kinds}
    html = render_report(deepseek, figures)
    further = html[html.index('id="further"'):html.index('id="figures"')]
    assert "LBT skewness-adjusted t" in further and "p (Holm)" in further and "Caveats on these tests" in further
    assert all(f'id="fig-{k}"' in html for k in ("bhar", "volume", "volatility"))
    # the battery's table leaves the further rows to their section
    tests = html[html.index('id="tests"'):html.index('id="further"')]
    assert "volume_bmp_t" not in tests and "bhar_t" not in tests


def test_stargate_asks_for_no_bhar_volume_or_volatility(stargate_results):
    kinds = available_plots(stargate_results)
    assert not {"bhar", "volume", "volatility"} & set(kinds) and "claims" in kinds
    with pytest.raises(ValueError, match="bhar = true"):
        stargate_results.plot("bhar")


def test_bhar_path_equals_the_bhar_rows_at_the_windows_ends(deepseek):
    p = bhar_paths(deepseek, GROUP).set_index("rel_day")
    for window, day in (("[0,0]", 0), ("[0,1]", 1), ("[0,5]", 5)):
        r = _row(deepseek, "bhar_t", window)
        assert p.loc[day, "bhar"] == pytest.approx(r.estimate, abs=1e-12)
        assert p.loc[day, "n"] == r.n
        # the band is the conventional t's: mean +- t(N-1) sd / sqrt(N), and sd = mean sqrt(N) / t
        half = (p.loc[day, "high"] - p.loc[day, "low"]) / 2
        from scipy import stats

        assert half == pytest.approx(stats.t.ppf(0.975, r.n - 1) * abs(r.estimate) / abs(r.statistic), rel=1e-9)
    car = deepseek.cars[(deepseek.cars.group == GROUP) & (deepseek.cars.window == "[0,5]")]["car"].mean()
    assert p.loc[5, "car"] == pytest.approx(car, abs=1e-12)


def test_further_figures_read_through_their_artists(deepseek):
    fig = deepseek.plot("bhar")
    ax = fig.axes[0]
    labels = ax.get_legend_handles_labels()[1]
    assert labels[0].startswith("95% band") and "mean BHAR[0, t] (N = 7)" in labels and len(labels) == 3
    fig.draw_without_rendering()
    ticks = [t.get_text().replace("\u2212", "-") for t in ax.get_yticklabels() if t.get_text()]
    assert len(ticks) >= 3
    for text, loc in zip(ticks, ax.get_yticks()):  # true percent ticks
        assert float(text.rstrip("%")) == pytest.approx(loc, abs=1e-9)
    # volume: one bar per event day, the dark ones where the cross-sectional t has p < 0.05
    fig = deepseek.plot("volume")
    ax = fig.axes[0]
    days = deepseek.tests().query("test == 'volume_cross_sectional_t' and kind == 'day'")
    bars = [p for c in ax.containers if hasattr(c, "patches") for p in c.patches]
    assert len(bars) == len(days)
    dark = sorted(round(b.get_x() + b.get_width() / 2) for b in ax.containers[0].patches)
    assert dark == sorted(days.loc[days.p_value < 0.05, "rel_day"].astype(int))
    right = ax.child_axes[0]  # the secondary axis: volume relative to normal, exp(x) - 1
    fig.draw_without_rendering()
    rt = [t.get_text().replace("\u2212", "-") for t in right.get_yticklabels() if t.get_text()]
    assert "+100%" in rt and "0%" in rt
    for text, loc in zip(rt, right.get_yticks()):
        assert float(text.rstrip("%")) == pytest.approx(loc, abs=1e-9)
    # volatility: the colour follows the rank test
    ax = deepseek.plot("volatility").axes[0]
    rank = deepseek.tests().query("test == 'volatility_rank' and kind == 'day'")
    dark = sorted(round(b.get_x() + b.get_width() / 2) for b in ax.containers[0].patches)
    assert dark == sorted(rank.loc[rank.p_value < 0.05, "rel_day"].astype(int))


def test_many_events_draw_no_legend_entry_per_event(deepseek):
    """The further figures draw group summaries only: the legend does not grow with the events."""
    ar = deepseek.abnormal_returns
    copies = [ar.assign(event=f"e{k}") for k in range(40)]
    sec = pd.concat([deepseek.securities.assign(event=f"e{k}") for k in range(40)], ignore_index=True)
    many = dataclasses.replace(deepseek, abnormal_returns=pd.concat(copies, ignore_index=True), securities=sec)
    for kind in ("bhar", "volume", "volatility"):
        ax = many.plot(kind).axes[0]
        assert len(ax.get_legend_handles_labels()[1]) <= 4, kind
        assert len(ax.lines) <= 6, kind


def test_findings_count_only_contaminating_rows(stargate_results):
    """Rows with contaminates = False, missing, or "false" read back from confounding.csv do not count."""
    res = stargate_results
    frame = res.confounding.copy()
    est = frame[(frame.window_kind == "estimation") & frame.contaminates.astype(bool)]
    assert len(est) == 4
    # the same date flagged by a second series is one date; a harmless row given as text, or missing
    extra = pd.concat([est.head(1).assign(source="equal-weighted"),
                       est.head(1).assign(date=pd.Timestamp("2024-09-03"), contaminates="false"),
                       est.head(1).assign(date=pd.Timestamp("2024-09-04"), contaminates=np.nan)])
    mixed = pd.concat([frame.astype({"contaminates": object}), extra], ignore_index=True)
    sentences, table = _confounding(dataclasses.replace(res, confounding=mixed))
    line = next(x for x in sentences if "inside estimation windows" in x)
    assert line.startswith("4 flagged date(s)") and "2024-09-03" not in line and "2024-09-04" not in line
    assert len(table) == 6  # the study's 5 contaminating rows and the second series' one; not the harmless two
    # through the whole findings block, with the detector's own bool column
    doubled = pd.concat([frame, est.head(1).assign(source="equal-weighted")], ignore_index=True)
    section = next(s for s in findings(dataclasses.replace(res, confounding=doubled)).sections
                   if s.heading == "Confounding events")
    assert any(x.startswith("4 flagged date(s) inside estimation windows") for x in section.sentences)
    assert contaminating(pd.DataFrame({"contaminates": ["true", "False", None, "TRUE"]})).tolist() == \
        [True, False, False, True]


def test_summary_and_findings_name_no_absolute_path(stargate_results):
    root = str(DEEPSEEK.resolve().parents[2])  # the checkout
    assert root not in stargate_results.summary()
    assert root not in findings(stargate_results).to_text()
    assert "no prices in the snapshot ../prices" in stargate_results.summary()
    rel = stargate_results.relative_paths()
    assert not any(root in v for v in rel.provenance.values())
    assert any(root in v for v in stargate_results.provenance.values())  # the data fields keep the real paths


def test_findings_lead_with_the_further_tests_of_the_main_window(deepseek, stargate_results):
    text = findings(deepseek).to_text(width=10_000)
    bhar, vol = _row(deepseek, "bhar_t", "[0,0]"), _row(deepseek, "volume_kp_bmp_t", "[0,0]")
    rank = _row(deepseek, "volatility_rank", "[0,0]")
    assert (f"Further tests on [0,0]: BHAR[0,0] {100 * bhar.estimate:+.2f}% (conventional t p = {bhar.p_value:.3f}); "
            f"abnormal log volume {vol.estimate:+.3f} (Kolari-Pynnönen adjusted BMP t p = {vol.p_value:.3f}); "
            f"abnormal volatility: rank test p = {rank.p_value:.3f}") in text
    assert "Further tests on" not in findings(stargate_results).to_text()  # GRANK alone adds no sentence


def test_caveats_read_contaminates_and_clean_given_as_text(stargate_results):
    """confounding.csv read back as text ("True"/"False") gives the same caveats as the detector's bools
    (the confounding report reads the words; it used to raise a TypeError on a text column)."""
    res = stargate_results
    as_text = res.confounding.astype({"contaminates": str})
    windows = res.confounding_windows.astype({"clean": str})
    assert as_text["contaminates"].isin(["True", "False"]).all()
    again = dataclasses.replace(res, confounding=as_text, confounding_windows=windows)
    assert again.caveats() == res.caveats()
    assert again.confounding_report().sentences() == res.confounding_report().sentences()
