"""The Stargate study end to end on the embedded snapshot: computed numbers, dropped securities."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.paths import snapshot_dir
from eventstudy.prices import Snapshot


def _close(sym, date):
    return Snapshot(snapshot_dir("1d")).load(sym).bars.loc[date, "close"]


def test_event_date_comes_from_the_article(stargate_results):
    res = stargate_results
    assert str(res.event_time.date) == "2025-01-21" and res.event_time.time is None
    assert res.extraction is not None and res.extraction.primary.date.isoformat() == "2025-01-21"
    assert "21 janvier" in res.extraction.primary.sentence


def test_orcl_return_on_day0_is_computed_from_prices(stargate_results):
    r = stargate_results.return_on("ORCL", "2025-01-21")
    # 2025-01-20 was a holiday: the return runs from the 17 January close.
    expected = _close("ORCL", "2025-01-21") / _close("ORCL", "2025-01-17") - 1
    assert r == pytest.approx(expected, rel=1e-12)
    assert r == pytest.approx(0.0717, abs=0.0005)


def test_orcl_car_0_1_is_clearly_positive(stargate_results):
    cars = stargate_results.cars
    row = cars[(cars.ticker == "ORCL") & (cars.window == "[0,1]")].iloc[0]
    assert row.car > 0.05 and row.t_stat > 2.5 and row.p_value < 0.05
    ar = stargate_results.abnormal_returns
    orcl = ar[ar.ticker == "ORCL"].set_index("rel_day")
    assert row.car == pytest.approx(orcl.loc[0, "ar"] + orcl.loc[1, "ar"], rel=1e-12)


def test_dropped_and_flagged_securities_say_why(stargate_results):
    dropped = {d.ticker: d.reason for d in stargate_results.dropped}
    assert set(dropped) == {"AI16Z", "PIPPIN"}
    assert "no price data" in dropped["AI16Z"]
    assert "2025-01-24" in dropped["PIPPIN"]  # its data starts after the event
    sec = stargate_results.securities.set_index("ticker")
    assert sec.loc["ARC", "status"] == "short" and sec.loc["ARC", "n_estimation"] == 0
    assert any(w["ticker"] == "ARC" for w in stargate_results.warnings)


def test_each_security_on_its_own_calendar(stargate_results):
    sec = stargate_results.securities.set_index("ticker")
    assert sec.loc["ORCL", "calendar"] == "XNYS" and sec.loc["VIRTUAL", "calendar"] == "24/7"
    ar = stargate_results.abnormal_returns
    orcl_dates = ar[ar.ticker == "ORCL"]["date"]
    assert pd.Timestamp("2025-01-20") not in set(orcl_dates)               # MLK holiday: no NYSE bar
    assert pd.Timestamp("2025-01-20") in set(ar[ar.ticker == "VIRTUAL"]["date"])  # crypto trades


def test_abnormal_returns_add_up(stargate_results):
    ar = stargate_results.abnormal_returns
    ok = ar.dropna(subset=["return", "expected"])
    assert np.allclose(ok["return"] - ok["expected"], ok["ar"])


def test_summary_mentions_every_group(stargate_results):
    text = stargate_results.summary()
    assert "AI infrastructure equities" in text and "AI agent tokens" in text and "AI16Z" in text
