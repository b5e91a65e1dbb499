"""Data-quality checks: each rule on a small synthetic series, then the real snapshot, then in a study."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy import load_study, run_study
from eventstudy.plan.calendars import CryptoCalendar, ExchangeCalendar, get_calendar
from eventstudy.errors import DataError
from eventstudy.reference.gazetteer import Gazetteer
from eventstudy.paths import snapshot_dir
from eventstudy.prices import PriceSeries, QualityThresholds, Snapshot, check_series
from eventstudy.prices.bars import bars_frame
from eventstudy.estimation.returns import prices_on_calendar
from tests.conftest import write

XNYS = ExchangeCalendar("XNYS")
UTC = CryptoCalendar()


def series(dates, close, volume=None, sym="AAA") -> PriceSeries:
    cols = {"close": np.asarray(close, float)}
    if volume is not None:
        cols["volume"] = np.asarray(volume, float)
    return PriceSeries(sym, bars_frame(pd.DatetimeIndex(pd.to_datetime(dates)), cols))


def checks(report) -> dict[str, object]:
    return {f.check: f for f in report.findings}


def days(n, start="2025-01-01"):
    return pd.date_range(start, periods=n, freq="D")


def walk(n, seed=0, vol=0.01, start=100.0):
    return start * np.exp(np.cumsum(np.random.default_rng(seed).normal(0, vol, n)))


def test_a_clean_series_has_no_findings():
    rep = check_series(series(days(60), walk(60), np.full(60, 1e6)), UTC)
    assert rep.findings == () and rep.dropped is None and len(rep.series.bars) == 60


def test_identical_duplicate_rows_are_dropped_with_a_warning():
    d = list(days(10))
    s = series(d[:5] + [d[4]] + d[5:], np.r_[walk(5), walk(5)[-1:], walk(10)[5:]])
    s = series(list(s.bars.index), s.bars["close"].to_numpy())
    close = s.bars["close"].to_numpy().copy()
    close[5] = close[4]
    rep = check_series(series(list(s.bars.index), close), UTC)
    f = checks(rep)["duplicate dates"]
    assert "appear twice with identical rows (2025-01-05)" in f.message and f.action.startswith("repeated rows dropped")
    assert len(rep.series.bars) == 10 and rep.series.bars.index.is_unique


def test_conflicting_duplicates_drop_the_security():
    rep = check_series(series(["2025-01-01", "2025-01-02", "2025-01-02", "2025-01-03"], [1, 2, 2.5, 3]), UTC)
    f = checks(rep)["duplicate dates"]
    assert rep.series is None and "2025-01-02, closes 2, 2.5" in f.message and "security dropped" in f.action
    assert rep.dropped.startswith("data quality:")


def test_unsorted_rows_are_sorted():
    rep = check_series(series(["2025-01-02", "2025-01-01", "2025-01-03"], [2, 1, 3]), UTC)
    assert "unsorted rows" in checks(rep) and list(rep.series.close) == [1, 2, 3]


def test_non_positive_prices_become_missing():
    rep = check_series(series(days(6), [1, 1.1, 0, 1.2, -3, 1.3]), UTC)
    f = checks(rep)["non-positive price"]
    assert "2 price(s) zero or negative on 2 bar(s) (2025-01-03, 2025-01-05)" in f.message and f.action == "treated as missing"
    assert rep.series.close.isna().sum() == 2
    assert "missing prices" in checks(rep)


def test_missing_prices_and_long_gaps_count_the_securitys_own_sessions():
    sessions = XNYS.sessions(pd.Timestamp("2025-01-02"), pd.Timestamp("2025-02-28"))
    keep = [s for s in sessions if not pd.Timestamp("2025-01-27") <= s <= pd.Timestamp("2025-01-31")]
    keep = [s for s in keep if s != pd.Timestamp("2025-02-12")]
    rep = check_series(series(keep, walk(len(keep))), XNYS)
    found = checks(rep)
    assert found["missing prices"].message.startswith("6 of 39 XNYS bars between 2025-01-02 and 2025-02-28")
    assert "1 gap(s) longer than 3 bars: 5 bars 2025-01-27 .. 2025-01-31" in found["long gap"].message
    # MLK Day (2025-01-20) and the national day of mourning (2025-01-09) are not sessions: not missing
    assert "2025-01-20" not in found["missing prices"].message and "2025-01-09" not in found["missing prices"].message
    short = [s for s in sessions if s != pd.Timestamp("2025-02-12")]
    assert "long gap" not in checks(check_series(series(short, walk(len(short))), XNYS))


def test_gap_threshold_is_a_parameter():
    d = [x for i, x in enumerate(days(30)) if i not in (10, 11)]
    assert "long gap" not in checks(check_series(series(d, walk(28)), UTC))
    assert "long gap" in checks(check_series(series(d, walk(28)), UTC, QualityThresholds(max_gap_bars=1)))


def test_stale_prices_and_zero_volume():
    close = walk(40)
    close[10:16] = close[10]                      # six bars at the same close
    volume = np.full(40, 1e5)
    volume[30:33] = 0
    found = checks(check_series(series(days(40), close, volume), UTC))
    assert "6 bars 2025-01-11 .. 2025-01-16" in found["stale price"].message
    assert "3 bars 2025-01-31 .. 2025-02-02" in found["zero volume"].message
    volume[31] = 5
    close[14] *= 1.01                             # four unchanged bars, then a change: not stale
    found = checks(check_series(series(days(40), close, volume), UTC))
    assert "stale price" not in found and "zero volume" not in found


def test_an_unadjusted_split_is_flagged_at_its_date():
    bars = Snapshot(snapshot_dir("1d")).load("NVDA").bars.copy()
    adjusted = check_series(PriceSeries("NVDA", bars), XNYS)
    assert adjusted.findings == ()                # the snapshot is split-adjusted: no jump on 2024-06-10
    raw = bars.copy()
    raw.loc[raw.index < "2024-06-10", ["open", "high", "low", "close"]] *= 10   # NVDA's 10:1 split, undone
    rep = check_series(PriceSeries("NVDA", raw), XNYS)
    f = checks(rep)["split-like jump"]
    assert "from 2024-06-07 (1205.44) to 2024-06-10 (121.444)" in f.message and "10:1 split" in f.message
    assert "kept with a warning" in f.action and rep.series.close.notna().all()


def test_a_volatile_tokens_doubling_is_not_a_split_but_a_calm_stocks_is():
    noisy = walk(120, seed=3, vol=0.15)
    noisy[60:] *= 2.0 / (noisy[60] / noisy[59])   # exactly x2 on one bar
    assert "split-like jump" not in checks(check_series(series(days(120), noisy), UTC))
    calm = walk(120, seed=3, vol=0.01)
    calm[60:] *= 2.0 / (calm[60] / calm[59])
    assert "1:2 reverse split" in checks(check_series(series(days(120), calm), UTC))["split-like jump"].message


def test_a_one_bar_x100_glitch_is_treated_as_missing():
    close = walk(30)
    close[12] *= 100
    rep = check_series(series(days(30), close), UTC)
    f = checks(rep)["x100 glitch"]
    assert "to 2025-01-13" in f.message and "one-bar spike" in f.message and "treated as missing" in f.action
    assert np.isnan(rep.series.close.loc["2025-01-13"]) and rep.series.close.notna().sum() == 29
    lasting = walk(30)
    lasting[12:] /= 100                            # from dollars to cents... for good
    f = checks(check_series(series(days(30), lasting), UTC))["x100 glitch"]
    assert "unit glitch" in f.message and "kept with a warning" in f.action


def test_no_usable_price_drops_the_security():
    rep = check_series(series(days(3), [0, -1, np.nan]), UTC)
    assert rep.series is None and "no valid price" in checks(rep)


@pytest.mark.parametrize("frequency", ["1d", "4h"])
def test_the_real_snapshot_is_clean(frequency):
    gaz = Gazetteer.load()
    snap = Snapshot(snapshot_dir(frequency), frequency)
    for sym in snap.symbols():
        rep = check_series(snap.load(sym), get_calendar(gaz.get(sym).calendar, frequency))
        assert rep.findings == (), (sym, rep.findings)


def test_a_duplicate_no_longer_crashes_the_panel():
    close = pd.Series([1.0, 2.0, 2.0], index=pd.to_datetime(["2025-01-02", "2025-01-03", "2025-01-03"]), name="AAA")
    with pytest.raises(DataError, match="AAA: bar 2025-01-03 00:00:00 appears more than once"):
        prices_on_calendar(close, XNYS.sessions(pd.Timestamp("2025-01-02"), pd.Timestamp("2025-01-06")))


def test_findings_land_in_the_results(tmp_path):
    sessions = XNYS.sessions(pd.Timestamp("2024-09-03"), pd.Timestamp("2025-02-28"))
    rng = np.random.default_rng(1)
    spy = 500 * np.exp(np.cumsum(rng.normal(0, 0.01, len(sessions))))
    aaa = 50 * np.exp(np.cumsum(rng.normal(0, 0.02, len(sessions))))
    bbb = 20 * np.exp(np.cumsum(rng.normal(0, 0.02, len(sessions))))
    aaa[40] *= 100                                 # a one-bar glitch in the estimation window
    lines = [f"{d:%Y-%m-%d},{a:.6f},{b:.6f},{s:.6f}" for d, a, b, s in zip(sessions, aaa, bbb, spy)]
    lines.insert(50, lines[49])                    # AAA, BBB, SPY: an identical repeated row
    bad = lines[60].split(",")
    lines.insert(61, ",".join([bad[0], bad[1], str(float(bad[2]) * 1.1), bad[3]]))  # BBB: two different prices
    write(tmp_path, "p.csv", "date,AAA,BBB,SPY\n" + "\n".join(lines) + "\n")
    study = write(tmp_path, "s.toml", '[event]\ndate = "2025-01-21"\n[[group]]\nsecurities = ["AAA", "BBB"]\n'
                                      'benchmark = "SPY"\ncalendar = "XNYS"\n[windows]\nestimation = [-80, -6]\n'
                                      'event = [-2, 2]\ncar = [[0, 1]]\n[data]\nprices = "p.csv"\n')
    res = run_study(load_study(study))
    by = {(w["ticker"], w["check"]): w for w in res.warnings}
    assert set(by[("AAA", "x100 glitch")]) == {"ticker", "check", "message", "action"}
    assert ("AAA", "duplicate dates") in by and ("SPY", "duplicate dates") in by
    dropped = {d.ticker: d.reason for d in res.dropped}
    assert dropped["BBB"].startswith("data quality:") and "different prices" in dropped["BBB"]
    assert list(res.securities["ticker"]) == ["AAA"]
    sec = res.securities.set_index("ticker").loc["AAA"]
    assert sec["n_estimation"] == 75 - 2           # the glitch bar is missing: two returns fewer


def test_the_stargate_study_reports_no_data_quality_findings(stargate_results):
    quality = {"duplicate dates", "non-positive price", "missing prices", "long gap", "stale price", "zero volume",
               "split-like jump", "x100 glitch", "unsorted rows", "no valid price"}
    assert not [w for w in stargate_results.warnings if w["check"] in quality]
