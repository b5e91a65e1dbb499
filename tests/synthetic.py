"""A synthetic user-prices study with many events, for the many-event output tests and benchmarks.

Wide CSV of ``n_sec`` securities and a market series ``MKT`` over ``n_days`` XNYS sessions
(one-factor returns r_it = a_i + b_i m_t + e_it, as in ``tests/benchmarks/bench_engine.py``),
and an events file of ``n_events`` random (security, day) rows; market model, estimation
[-270, -21], event [-10, 10].
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd


def write_study(folder: Path, n_events: int, *, n_sec: int = 200, n_days: int = 1500, seed: int = 7,
                car: str = "[[-10, 10], [0, 0], [0, 1], [-1, 1], [0, 5]]") -> Path:
    """Write prices.csv, events.csv and study.toml into ``folder``; return the study file."""
    import exchange_calendars as xcals

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    sessions = xcals.get_calendar("XNYS").sessions_in_range("2015-01-02", "2024-12-31")[:n_days]
    m = rng.normal(0.0003, 0.01, len(sessions))
    alpha = rng.normal(0.0002, 0.0005, n_sec)
    beta = rng.uniform(0.5, 1.6, n_sec)
    sigma = rng.uniform(0.01, 0.03, n_sec)
    r = alpha + np.outer(m, beta) + rng.normal(size=(len(sessions), n_sec)) * sigma
    prices = 100 * np.exp(np.cumsum(np.column_stack([m, r]), axis=0))
    names = ["MKT"] + [f"S{i:03d}" for i in range(n_sec)]
    wide = pd.DataFrame(prices, columns=names)
    wide.insert(0, "date", sessions.strftime("%Y-%m-%d"))
    wide.to_csv(folder / "prices.csv", index=False, float_format="%.6f")
    pos = rng.integers(280, len(sessions) - 12, size=n_events)
    col = rng.integers(0, n_sec, size=n_events)
    events = pd.DataFrame({"security": np.array(names[1:])[col], "date": sessions[pos].strftime("%Y-%m-%d"),
                           "event": [f"e{i}" for i in range(n_events)], "group": "synthetic", "benchmark": "MKT"})
    events.to_csv(folder / "events.csv", index=False)
    study = folder / "study.toml"
    study.write_text(f"""name = "synthetic-{n_events}"
title = "Synthetic study, {n_events} events"
events = "events.csv"
[[group]]
name = "synthetic"
benchmark = "MKT"
calendar = "XNYS"
[windows]
estimation = [-270, -21]
event = [-10, 10]
car = {car}
[model]
kind = "market"
[data]
prices = "prices.csv"
""", encoding="utf-8")
    return study
