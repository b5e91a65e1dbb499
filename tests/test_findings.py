"""The findings block: computed from the numbers, shared by the report, the summary and the notebook."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from eventstudy.report.html import render_report
from eventstudy.results.findings import findings, lead_test


def _text(res) -> str:
    return findings(res).to_text(width=10_000)


def test_findings_state_the_caar_and_the_lead_test_from_the_tables(stargate_results):
    res = stargate_results
    text = _text(res)
    cars = res.cars[(res.cars["group"] == "AI infrastructure equities") & (res.cars["window"] == "[0,0]")]
    caar = cars["car"].mean()
    assert f"CAAR[0,0] = {100 * caar:+.2f}%" in text
    rows = res.test_table[(res.test_table["group"] == "AI infrastructure equities")
                          & (res.test_table["kind"] == "car") & (res.test_table["window"] == "[0,0]")]
    lead = lead_test(rows)
    assert lead["primary"] and lead["test"] == "kp_bmp_t"
    assert f"statistic {lead['statistic']:.2f}, p = {lead['p_value']:.3f}" in text
    assert "not significant at 5%" in text  # p = 0.58 on [0,0]
    # the per-security statement follows the per-security p-values
    sig = cars.loc[cars["p_value"] < 0.05, "ticker"].tolist()
    assert sig == ["ORCL"] and "Moved significantly on CAR[0,0] (per-security t, 5%): ORCL" in text
    # claims by verdict, counted from the claim table
    n_ok = int((res.claims["verdict"] == "consistent").sum())
    assert f"The prices confirm {n_ok} of the article's {len(res.claims)} price claims" in text


def test_findings_follow_the_numbers_not_a_fixed_text(stargate_results):
    res = stargate_results
    t = res.test_table.copy()
    key = (t["group"] == "AI infrastructure equities") & (t["kind"] == "car") & (t["window"] == "[0,0]") \
        & (t["test"] == "kp_bmp_t")
    t.loc[key, ["statistic", "p_value"]] = [4.2, 0.0123]
    cars = res.cars.copy()
    cars.loc[(cars["ticker"] == "NVDA") & (cars["window"] == "[0,0]"), ["car", "t_stat", "p_value"]] = [0.05, 2.5, 0.013]
    changed = dataclasses.replace(res, test_table=t, cars=cars)
    text = _text(changed)
    assert "significant at 5% by the dependence-robust Kolari-Pynnönen adjusted BMP t" in text
    assert "statistic 4.20, p = 0.012" in text
    assert "NVDA +5.00% (t = 2.50, p = 0.013)" in text


def test_findings_show_confounding_events_when_the_results_carry_them(stargate_results):
    res = stargate_results
    clean = dataclasses.replace(res, confounding=res.confounding.iloc[:0],
                                confounding_windows=res.confounding_windows.iloc[:0])
    assert "Confounding" not in _text(clean)
    # the Stargate study itself: 27 January 2025 (DeepSeek) inside the equities' CAR[0,5]
    section = next(s for s in findings(res).sections if s.heading == "Confounding events")
    assert any("CAR[0,5] (2025-01-27) contaminated" in x for x in section.sentences)
    html = render_report(res, {})
    assert "Confounding events" in html and "2025-01-27" in html[html.index('id="findings"'):html.index('id="event"')]
    # another detector's frame, with a free-text column of its own
    frame = res.confounding[res.confounding["contaminates"].astype(bool)].head(1).assign(
        message="SPY fell 1.46%, beyond 3 robust s.d. of its estimation window", window_kind="car", window="[0,5]",
        date=pd.Timestamp("2025-01-27")).drop(columns=["what"])
    other = dataclasses.replace(clean, confounding=frame)
    section = next(s for s in findings(other).sections if s.heading == "Confounding events")
    assert "2025-01-27: " + frame["message"].iloc[0] in section.sentences
    html = render_report(other, {})
    assert "Confounding events" in html and "SPY fell 1.46%" in html
    assert "Confounding events" in other.summary()


def test_findings_name_the_contaminated_and_the_clean_windows(stargate_results):
    flags = pd.DataFrame({"group": ["AI infrastructure equities"] * 2, "event": ["stargate"] * 2,
                          "window_kind": ["car", "estimation"], "window": ["[0,5]", "[-120,-11]"],
                          "date": pd.to_datetime(["2025-01-27", "2024-08-05"]), "source": ["equal-weighted", "benchmark"],
                          "what": ["equal-weighted return -10.77%", "SPY return -2.91%"], "contaminates": [True, True],
                          "rel_day": [4, -115], "security": ["", ""], "calendar": ["XNYS", "XNYS"],
                          "series": ["equal-weighted (4 securities)", "SPY"]})
    flags = flags.reindex(columns=list(dict.fromkeys([*stargate_results.confounding.columns, *flags.columns])))
    windows = pd.DataFrame({"group": ["AI infrastructure equities"] * 2, "event": ["stargate"] * 2,
                            "window": ["[0,0]", "[0,5]"], "clean": [True, False], "flagged_dates": ["", "2025-01-27"]})
    res = dataclasses.replace(stargate_results, confounding=flags, confounding_windows=windows)
    section = next(s for s in findings(res).sections if s.heading == "Confounding events")
    assert ("AI infrastructure equities: CAR[0,5] (2025-01-27) contaminated by other events; clean: [0,0]."
            in section.sentences)
    assert "2025-01-27: equal-weighted return -10.77%" in section.sentences
    assert any("1 flagged date(s) inside estimation windows (2024-08-05)" in x for x in section.sentences)
    assert list(section.table.columns) == ["group", "event", "window_kind", "window", "date", "source", "what"]


def test_report_summary_and_notebook_display_share_the_block(stargate_results):
    res = stargate_results
    f = findings(res)
    first = f.sections[0].sentences[0]
    html = render_report(res, {})
    assert html.index('id="findings"') < html.index('id="event"')  # first thing after the title
    assert first.replace("'", "&#39;") in html or first in html
    summary = res.summary()
    assert " ".join(first.split()[:6]) in " ".join(summary.split())
    assert summary.index("CAAR[0,0]") < summary.index("Model:")
    display = res._repr_html_()
    assert 'id="findings"' in display and "CAAR[0,0]" in display
    assert res.findings() == f


def test_a_lead_test_on_fewer_events_than_the_caar_says_so(stargate_results):
    text = _text(stargate_results)
    t = stargate_results.test_table
    row = t[(t["group"] == "AI agent tokens") & (t["kind"] == "car") & (t["window"] == "[0,0]")
            & (t["test"] == "brown_warner_t")].iloc[0]
    assert int(row["n"]) == 1 and row["members"] == "VIRTUAL"  # ARC has no variance estimate
    assert f"on 1 of 2 (VIRTUAL), whose CAAR is {100 * row['estimate']:+.2f}%" in text


def test_lead_test_prefers_a_computable_primary_test():
    rows = pd.DataFrame({"test": ["kp_bmp_t", "brown_warner_t", "cross_sectional_t"],
                         "statistic": [np.nan, 0.5, 3.0], "p_value": [np.nan, 0.6, 0.01],
                         "primary": [True, True, False], "robust_to_clustering": [True, True, False]})
    assert lead_test(rows)["test"] == "brown_warner_t"
    assert lead_test(rows.assign(primary=False))["test"] == "brown_warner_t"  # no primary: first in LEAD_ORDER
    assert lead_test(rows.iloc[:1]) is None
