"""Real returns and volumes from the embedded snapshot, for the simulations (tests and size_power.py)."""

from __future__ import annotations

import pandas as pd

from eventstudy.estimation.panel import build_panel
from eventstudy.paths import snapshot_dir
from eventstudy.plan.calendars import ExchangeCalendar
from eventstudy.prices import Snapshot

#: The snapshot's NYSE-listed securities (SPY is the market).
SYMS = ["ORCL", "NVDA", "ARM", "MSFT", "QQQ", "SMH", "SOXX"]


def snapshot_inputs(symbols: list[str] = SYMS, market: str = "SPY"):
    """Simple daily returns of ``symbols`` and ``market`` on XNYS (fractions), and their volumes (shares).

    Returns (returns frame, market series, volume frame, market volume series), one row per XNYS session.
    """
    snap = Snapshot(snapshot_dir())
    series = {s: snap.load(s) for s in [*symbols, market]}
    panel = build_panel(ExchangeCalendar("XNYS"), {s: series[s].close for s in series})
    R = pd.DataFrame(panel.returns[:, :-1], index=panel.index, columns=list(symbols))
    m = pd.Series(panel.returns[:, -1], index=panel.index)
    vol = pd.DataFrame({s: series[s].bars["volume"] for s in symbols}).reindex(panel.index)
    return R, m, vol, series[market].bars["volume"].reindex(panel.index)
