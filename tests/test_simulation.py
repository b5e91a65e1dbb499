"""Size and power by simulation: pseudo-events at random dates of the real snapshot's returns.

With no abnormal return injected, each test at the 5 % level must reject in about 5 % of the
samples; the tolerance is 3.5 binomial standard deviations for the number of samples (the
exact sign test is discrete and conservative, hence the lower bound of 1 %). With +1 % injected
on day 0 the power is reported and must clearly exceed the size.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from eventstudy.plan.calendars import ExchangeCalendar
from eventstudy.estimation.engine import Windows
from eventstudy.estimation.panel import build_panel
from eventstudy.paths import snapshot_dir
from eventstudy.prices import Snapshot
from eventstudy.stats.simulation import pseudo_event_rejections

SYMS = ["ORCL", "NVDA", "ARM", "MSFT", "QQQ", "SMH", "SOXX"]
WIN = Windows((-110, -11), (-3, 3), ((0, 0), (-1, 1)))
N_SAMPLES = 400


@pytest.fixture(scope="module")
def real_returns():
    snap = Snapshot(snapshot_dir())
    panel = build_panel(ExchangeCalendar("XNYS"), {s: snap.load(s).close for s in SYMS + ["SPY"]})
    R = pd.DataFrame(panel.returns[:, :-1], index=panel.index, columns=SYMS)
    return R, pd.Series(panel.returns[:, -1], index=panel.index)


@pytest.mark.slow
def test_size_under_the_null(real_returns):
    R, m = real_returns
    out = pseudo_event_rejections(R, m, n_samples=N_SAMPLES, n_events=10, windows=WIN, seed=1)
    sd = math.sqrt(0.05 * 0.95 / N_SAMPLES)
    for row in out.itertuples():
        assert row.samples == N_SAMPLES, row
        assert 0.01 <= row.rate <= 0.05 + 3.5 * sd, f"{row.test} {row.window}: size {row.rate:.3f}"


@pytest.mark.slow
def test_power_with_one_percent_on_day0(real_returns, capsys):
    R, m = real_returns
    out = pseudo_event_rejections(R, m, n_samples=N_SAMPLES, n_events=10, windows=WIN, inject=0.01, seed=2)
    day0 = out[out.window == "[0,0]"].set_index("test")["rate"]
    with capsys.disabled():
        print("\npower at 5% with +1% on day 0 (10 events, 400 samples):",
              ", ".join(f"{k} {v:.2f}" for k, v in day0.sort_values().items()))
    assert (day0 > 0.25).all(), day0
