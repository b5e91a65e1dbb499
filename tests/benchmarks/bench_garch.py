"""Time the GARCH(1,1) market model for 1,000 events (one maximum-likelihood fit per event).

    python tests/benchmarks/bench_garch.py [--events 1000]

Two inputs: 1,000 distinct pseudo-events drawn from the snapshot's real NYSE returns (7 stocks
and ETFs against SPY, estimation window of 100 bars), and 1,000 synthetic GARCH(1,1) series of
250 bars. Prints the wall time, the time per event, the share of fits that converged and the
market model's time on the same events for comparison. One process, one core.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from eventstudy.estimation.engine import Windows, estimate_events, gather
from eventstudy.estimation.garch import estimate_garch_events
from eventstudy.estimation.models import MarketModel
from eventstudy.estimation.panel import build_panel
from eventstudy.paths import snapshot_dir
from eventstudy.plan.calendars import ExchangeCalendar
from eventstudy.prices import Snapshot

SYMS = ["ORCL", "NVDA", "ARM", "MSFT", "QQQ", "SMH", "SOXX"]


def real_events(n: int, seed: int = 3):
    snap = Snapshot(snapshot_dir())
    panel = build_panel(ExchangeCalendar("XNYS"), {s: snap.load(s).close for s in SYMS + ["SPY"]})
    R, m = panel.returns[:, :-1], panel.returns[:, -1:]
    win = Windows((-110, -11), (-5, 5), ((0, 0), (-1, 1)))
    T, S = R.shape
    pairs = np.array([(p, c) for p in range(110, T - 6) for c in range(S)])
    pick = np.random.default_rng(seed).choice(len(pairs), size=min(n, len(pairs)), replace=False)
    pos, col = pairs[pick, 0], pairs[pick, 1]
    z = np.zeros(len(pos), dtype=int)
    return (gather(R, pos, col, win.est_offsets), gather(m, pos, z, win.est_offsets)[..., None],
            gather(R, pos, col, win.evt_offsets), gather(m, pos, z, win.evt_offsets)[..., None], win)


def synthetic_events(n: int, L: int = 250, seed: int = 4):
    rng = np.random.default_rng(seed)
    W = 11
    m = rng.normal(0, 0.01, (n, L + 10 + W))
    h = np.full(n, 2e-6 / 0.02)
    e = np.empty_like(m)
    for t in range(m.shape[1]):  # vectorised over events
        e[:, t] = np.sqrt(h) * rng.normal(size=n)
        h = 2e-6 + 0.08 * e[:, t] ** 2 + 0.9 * h
    r = 0.0003 + 1.1 * m + e
    win = Windows((-(L + 10 + 5), -16), (-5, 5), ((0, 0), (-1, 1)))
    return r[:, :L, None][..., 0], m[:, :L, None], r[:, -W:], m[:, -W:, None], win


def run(label, args):
    r_est, f_est, r_evt, f_evt, win = args
    K = len(r_est)
    t0 = time.perf_counter()
    est, fit = estimate_garch_events(r_est, f_est, r_evt, f_evt, win)
    t1 = time.perf_counter()
    estimate_events(r_est, f_est, r_evt, f_evt, MarketModel(), win)
    t2 = time.perf_counter()
    print(f"{label}: {K} events, {r_est.shape[1]} estimation bars: GARCH {t1 - t0:.1f} s "
          f"({1000 * (t1 - t0) / K:.1f} ms/event), converged {fit.converged.mean():.1%}, "
          f"alpha+beta >= 0.999 in {np.mean(fit.alpha + fit.beta_g >= 0.999):.1%}; "
          f"market model (OLS) {1000 * (t2 - t1):.1f} ms for all events")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=1000)
    n = ap.parse_args().events
    run("snapshot pseudo-events", real_events(n))
    run("synthetic GARCH(1,1)", synthetic_events(n))


if __name__ == "__main__":
    main()
