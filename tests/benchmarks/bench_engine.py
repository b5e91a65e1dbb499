"""Benchmark: 20,000 market-model events, all quantities and all tests (not collected by pytest).

Synthetic one-factor returns: 200 securities x 1,500 days, r_it = a_i + b_i m_t + e_it. Each
event: a random (security, day); estimation 250 days, a 10-day gap, event window -10..+10
(estimation = [-270, -21], event = [-10, 10]). Prints our time for the engine (ARs, CARs,
variances) and for the full textbook battery, the peak memory, and, when the PyPI package
`eventstudy` (0.1a12) is available, its time on the very same input, the ratio and the largest
CAAR difference.

The PyPI package is also imported as `eventstudy`, so it cannot live in the same environment as
this project. Install it beside: `pip install --no-deps --target /tmp/peer eventstudy==0.1a12`
(it needs numpy, scipy, statsmodels) and run
`python tests/benchmarks/bench_engine.py --peer /tmp/peer/eventstudy`.
"""

from __future__ import annotations

import argparse
import importlib.util
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from eventstudy.estimation.engine import Windows, estimate_panel  # noqa: E402
from eventstudy.estimation.models import MarketModel  # noqa: E402
from eventstudy.stats.battery import GroupInput, textbook_battery  # noqa: E402


def synthetic(n_sec=200, n_days=1500, seed=7):
    rng = np.random.default_rng(seed)
    m = rng.normal(0.0003, 0.01, n_days)
    alpha = rng.normal(0.0002, 0.0005, n_sec)
    beta = rng.uniform(0.5, 1.6, n_sec)
    sigma = rng.uniform(0.01, 0.03, n_sec)
    R = alpha + np.outer(m, beta) + rng.normal(size=(n_days, n_sec)) * sigma
    return R, m


def load_peer(path: Path):
    spec = importlib.util.spec_from_file_location("eventstudy_pypi", path / "__init__.py",
                                                  submodule_search_locations=[str(path)])
    mod = importlib.util.module_from_spec(spec)
    sys.modules["eventstudy_pypi"] = mod
    spec.loader.exec_module(mod)
    return mod


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=20_000)
    ap.add_argument("--peer", type=Path, help="folder of the PyPI eventstudy package (…/eventstudy)")
    args = ap.parse_args()

    R, m = synthetic()
    T, S = R.shape
    win = Windows((-270, -21), (-10, 10), ((-10, 10), (0, 0), (0, 1), (-1, 1), (0, 5)))
    rng = np.random.default_rng(11)
    pos = rng.integers(270, T - 10, size=args.events)
    col = rng.integers(0, S, size=args.events)
    mm, zeros = m[:, None], np.zeros(args.events, dtype=int)
    estimate_panel(R, mm, pos[:10], col[:10], zeros[:10, None], MarketModel(), win)  # warm-up (imports)

    times = []
    for _ in range(5):  # best of 5, as timeit does; the first (cold) run is printed too
        t0 = time.perf_counter()
        est = estimate_panel(R, mm, pos, col, zeros[:, None], MarketModel(), win, min_estimation=30)
        caar = est.car[:, 0].mean()  # the peer's output: CAAR over the event window, with its t test
        caar_t = caar / np.sqrt(np.nansum(est.var_car[:, 0])) * len(pos)
        times.append(time.perf_counter() - t0)
    t_engine = min(times)
    t0 = time.perf_counter()
    meta = pd.DataFrame({"event": np.arange(args.events), "ticker": col, "calendar": "synthetic",
                         "day0": pd.Timestamp("2000-01-01") + pd.to_timedelta(pos, "D"), "benchmark": "MKT"})
    t1 = time.perf_counter()
    rows = textbook_battery(GroupInput("bench", est, meta, [f"[{a},{b}]" for a, b in win.cars], [], MarketModel()))
    t_tests = time.perf_counter() - t1
    ours_total = t_engine + t_tests
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"events: {args.events:,} (200 securities x 1,500 days; estimation 250, gap 10, window -10..+10)")
    print(f"ours: engine (market model, ARs, CARs, variances, CAAR and its t = {caar_t:.2f}) {1000 * t_engine:.1f} ms (first run {1000 * times[0]:.1f} ms); "
          f"test battery ({len(rows)} rows: "
          f"21 days + 5 CAR windows x 12 tests) {t_tests:.3f} s; total {ours_total:.3f} s")
    print(f"ours: peak memory (max RSS of this process so far) {peak_mb:.0f} MB")
    print(f"ours: CAAR[-10,+10] = {caar:.12f}")

    if args.peer is None:
        print("peer: not run (give --peer PATH to the PyPI eventstudy package; see the docstring)")
        return
    peer = load_peer(args.peer)
    dates = np.arange("2000-01-01", T, dtype="datetime64[D]")[:T] if False else \
        (np.datetime64("2000-01-01") + np.arange(T)).astype("datetime64[D]")
    data = {"date": dates, "MKT": m}
    for j in range(S):
        data[f"S{j}"] = R[:, j]
    peer.Single._save_parameter("returns", data)
    event_list = [{"event_date": dates[p], "security_ticker": f"S{c}", "market_ticker": "MKT"} for p, c in zip(pos, col)]
    import warnings

    t2 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        agg = peer.Multiple.from_list(event_list, peer.Single.market_model, event_window=(-10, 10),
                                      estimation_size=250, buffer_size=10)
    t_peer = time.perf_counter() - t2
    peer_caar = float(agg.CAAR[-1])
    print(f"peer (PyPI eventstudy {getattr(peer, '__version__', '?')}): {t_peer:.1f} s for {len(agg.sample):,} events "
          "(market model, CAAR and its one t test only)")
    print(f"peer: CAAR[-10,+10] = {peer_caar:.12f}; |difference| = {abs(peer_caar - caar):.2e}")
    print(f"ratio, same work (peer / our engine): {t_peer / t_engine:.0f}x; "
          f"peer / our engine plus all 12 tests on every day and window: {t_peer / ours_total:.1f}x")


if __name__ == "__main__":
    main()
