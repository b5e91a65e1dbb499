"""4-hour crypto bars end to end, on the real 4h snapshot: windows count 4-hour bars, day 0 is the
bar that contains the announcement."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy import StudyFileError, parse_study, run_study
from eventstudy.paths import snapshot_dir
from eventstudy.prices import Snapshot

STUDY = """name = "stargate-4h"
[event]
date = "2025-01-21"
time = "16:00"                 # 21:00 UTC
timezone = "America/New_York"
[[group]]
name = "tokens"
securities = ["VIRTUAL", "ARC"]
benchmark = "BTC"
model = "market_adjusted"
[windows]
estimation = [-120, -7]
event = [-6, 12]
car = [[0, 0], [0, 1], [-4, 1]]
[data]
frequency = "4h"
source = "pinned"
"""


@pytest.fixture(scope="module")
def res():
    return run_study(parse_study(STUDY))


def close_4h(sym: str) -> pd.Series:
    return Snapshot(snapshot_dir("4h"), "4h").load(sym).close


def test_day0_is_the_bar_containing_the_announcement(res):
    sec = res.securities.set_index("ticker")
    assert sec.loc["VIRTUAL", "day0"] == pd.Timestamp("2025-01-21 20:00")
    assert sec.loc["VIRTUAL", "calendar"] == "24/7 4h"
    assert "2025-01-21 21:00 UTC -> the bar opening 2025-01-21 20:00 UTC" in sec.loc["VIRTUAL", "day0_rule"]
    assert "snapshot" in res.provenance["VIRTUAL"] and "prices_4h" in res.provenance["VIRTUAL"]


def test_windows_count_four_hour_bars(res):
    ar = res.abnormal_returns[res.abnormal_returns.ticker == "VIRTUAL"].set_index("rel_day")
    assert ar.loc[1, "date"] == pd.Timestamp("2025-01-22 00:00") and ar.loc[-6, "date"] == pd.Timestamp("2025-01-20 20:00")
    assert len(ar) == 19
    c = close_4h("VIRTUAL")
    assert ar.loc[0, "return"] == pytest.approx(c["2025-01-21 20:00"] / c["2025-01-21 16:00"] - 1, rel=1e-12)
    sec = res.securities.set_index("ticker")
    assert sec.loc["VIRTUAL", "n_estimation"] == 114                 # bars -120 .. -7, all present
    assert sec.loc["ARC", "n_estimation"] == 19 and sec.loc["ARC", "status"] == "short"  # listed 2025-01-17 12:00


def test_trailing_24h_move_matches_the_provenance_table(res):
    # PROVENANCE (prices/): VIRTUAL +18.00 % and BTC +2.59 % over the 24 h ending 2025-01-22 04:00 UTC,
    # i.e. the six 4-hour bars opening 2025-01-21 04:00 .. 2025-01-22 00:00 = rel_day -4 .. 1.
    ar = res.abnormal_returns
    virtual = ar[(ar.ticker == "VIRTUAL") & ar.rel_day.between(-4, 1)]
    assert np.prod(1 + virtual["return"]) - 1 == pytest.approx(0.1800, abs=5e-5)
    assert np.prod(1 + virtual["benchmark_return"]) - 1 == pytest.approx(0.0259, abs=5e-5)
    car = res.cars[(res.cars.ticker == "VIRTUAL") & (res.cars.window == "[-4,1]")].iloc[0]
    assert car.car == pytest.approx(virtual["ar"].sum(), rel=1e-12)


def test_intraday_bars_are_for_crypto_only():
    text = STUDY.replace('securities = ["VIRTUAL", "ARC"]\nbenchmark = "BTC"', 'securities = ["ORCL"]\nbenchmark = "SPY"')
    with pytest.raises(StudyFileError, match="group 'tokens', ORCL: intraday bars \\(4h\\) are supported for 24/7"):
        run_study(parse_study(text))
