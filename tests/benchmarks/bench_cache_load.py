"""Benchmark: load 500 symbols x 10 years of daily bars from the download cache.

Writes synthetic bars (random walks on weekdays, 2015-01-01 .. 2024-12-31, about 2,600 rows per
symbol) into a temporary cache with the cache's own writer, then loads every symbol through the
study's path (``CacheSource`` via ``load_prices``, which opens each parquet file, verifies its
integrity record and content sha256). Prints the times, then the peak memory of a second, traced
load (Python and numpy allocations, via tracemalloc) and the process's maximum resident size. Not collected by
pytest; run it from the repository root::

    python tests/benchmarks/bench_cache_load.py [--symbols 500] [--years 10]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from eventstudy.prices import CacheSource, PriceCache, Span, load_prices  # noqa: E402
from eventstudy.prices.bars import bars_frame  # noqa: E402


def synthetic(n_rows: int, index: pd.DatetimeIndex, rng: np.random.Generator) -> pd.DataFrame:
    close = 50 * np.exp(np.cumsum(rng.normal(0, 0.02, n_rows)))
    spread = np.abs(rng.normal(0, 0.01, n_rows))
    return bars_frame(index, {"open": close * (1 - spread / 2), "high": close * (1 + spread),
                              "low": close * (1 - spread), "close": close,
                              "volume": rng.integers(1e5, 1e7, n_rows).astype(float)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--symbols", type=int, default=500)
    parser.add_argument("--years", type=int, default=10)
    args = parser.parse_args()
    index = pd.bdate_range("2015-01-01", periods=args.years * 261)
    symbols = [f"S{i:04d}" for i in range(args.symbols)]
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        cache = PriceCache(tmp)
        t0 = time.perf_counter()
        for sym in symbols:
            cache.write(sym, synthetic(len(index), index, rng),
                        meta={"source": "synthetic", "requested_start": f"{index[0]:%Y-%m-%d}",
                              "requested_end": f"{index[-1]:%Y-%m-%d}"})
        t_write = time.perf_counter() - t0
        size = sum(p.stat().st_size for p in Path(tmp).rglob("*.parquet"))

        span = Span(index[0], index[-1])
        t0 = time.perf_counter()
        series, missing = load_prices(symbols, [CacheSource(root=tmp)], span)
        t_load = time.perf_counter() - t0
        del series
        tracemalloc.start()  # a second load, traced (tracing slows it down, so it is not timed)
        series, missing = load_prices(symbols, [CacheSource(root=tmp)], span)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert not missing and len(series) == len(symbols)
    rows = sum(len(s.bars) for s in series.values())
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux -> MiB
    print(f"cache write: {len(symbols)} symbols x {len(index)} bars in {t_write:.2f} s ({size / 2**20:.1f} MiB on disk)")
    print(f"cache load:  {len(symbols)} symbols, {rows:,} bars in {t_load:.2f} s "
          f"({1000 * t_load / len(symbols):.2f} ms per symbol, integrity checked)")
    print(f"peak memory during the load: {peak / 2**20:.1f} MiB traced (Python + numpy); "
          f"process max RSS {maxrss:.0f} MiB")


if __name__ == "__main__":
    main()
