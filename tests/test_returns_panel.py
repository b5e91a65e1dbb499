"""Returns on a calendar: missing bars stay missing, never zero."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.plan.calendars import CryptoCalendar, ExchangeCalendar
from eventstudy.estimation.panel import build_panel
from eventstudy.estimation.returns import compute_returns, prices_on_calendar


def test_simple_and_log_returns():
    p = pd.Series([100.0, 110.0, 99.0], index=pd.date_range("2025-01-01", periods=3))
    assert compute_returns(p, "simple").tolist() == pytest.approx([0.10, -0.10])
    assert compute_returns(p, "log").tolist() == pytest.approx([np.log(1.1), np.log(0.9)])


def test_missing_bar_voids_both_returns():
    idx = pd.date_range("2025-01-01", periods=5)
    close = pd.Series([1.0, 2.0, 4.0, 8.0], index=idx.delete(2))  # no price on day 3
    prices, off = prices_on_calendar(close, idx)
    r = compute_returns(prices)
    assert r.isna().tolist() == [False, True, True, False]
    assert len(off) == 0


def test_rows_off_the_calendar_are_reported():
    xnys = ExchangeCalendar("XNYS")
    idx = xnys.sessions(pd.Timestamp("2025-01-16"), pd.Timestamp("2025-01-22"))
    close = pd.Series([1.0, 1.1, 1.2, 1.3], index=pd.to_datetime(["2025-01-16", "2025-01-17", "2025-01-20", "2025-01-21"]))
    prices, off = prices_on_calendar(close, idx)
    assert list(off) == [pd.Timestamp("2025-01-20")]  # MLK day is no session
    # The Jan 21 return runs from the Jan 17 close (the previous session), not from the holiday row.
    r = compute_returns(prices)
    assert r[pd.Timestamp("2025-01-21")] == pytest.approx(1.3 / 1.1 - 1)


def test_panel_aligns_symbols_on_their_calendar():
    a = pd.Series([1.0, 2.0, 3.0], index=pd.date_range("2025-01-01", periods=3))
    b = pd.Series([5.0, 5.0], index=pd.date_range("2025-01-02", periods=2))
    panel = build_panel(CryptoCalendar(), {"A": a, "B": b})
    assert panel.returns.shape == (3, 2)
    assert np.isnan(panel.returns[:2, 1]).all() and panel.returns[2, 1] == 0.0
    assert panel.first == {"A": 0, "B": 1}
