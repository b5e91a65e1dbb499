"""Benchmark: read a wide user price file (date + one close column per symbol), and run the
data-quality checks on long series.

Writes a synthetic wide CSV (COLUMNS symbols x ROWS weekdays of random-walk closes, 4 decimals)
into a temporary folder, then times, through the study's path (``UserPricesSource``): listing the
symbols (parses the whole file) and loading 20 of them (builds their series, hashes the file).
Then times ``check_series`` on 200 series of 5,000 daily bars. ``--repo`` runs the same against
another checkout (e.g. ``/work/main`` for the code before the fix, with fewer columns: it hashed
the whole file once per column). Not collected by pytest; run from the repository root::

    python tests/benchmarks/bench_wide_prices.py [--columns 10000] [--rows 1500] [--repo PATH]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--columns", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=1_500)
    parser.add_argument("--repo", default=str(Path(__file__).resolve().parents[2]))
    args = parser.parse_args()
    sys.path.insert(0, args.repo)
    from eventstudy.plan.calendars import CryptoCalendar
    from eventstudy.prices import PriceSeries, UserPricesSource, check_series
    from eventstudy.prices.bars import bars_frame

    rng = np.random.default_rng(0)
    dates = pd.bdate_range("2019-01-01", periods=args.rows)
    values = np.round(100 * np.exp(np.cumsum(rng.normal(0, 0.02, (args.rows, args.columns)), axis=0)), 4)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "wide.csv"
        header = "date," + ",".join(f"S{i:05d}" for i in range(args.columns))
        with path.open("w") as fh:
            fh.write(header + "\n")
            for d, row in zip(dates, values):
                fh.write(f"{d:%Y-%m-%d}," + ",".join(map(repr, row.tolist())) + "\n")
        size = path.stat().st_size / 1e6
        t = time.perf_counter()
        source = UserPricesSource(path)
        n = len(source.symbols())
        t_list = time.perf_counter() - t
        t = time.perf_counter()
        for k in np.linspace(0, args.columns - 1, 20).astype(int):
            source.load(f"S{k:05d}")
        t_load = time.perf_counter() - t
        print(f"repo {args.repo}: wide CSV {args.columns:,} columns x {args.rows:,} rows ({size:.0f} MB): "
              f"symbols() {t_list:.2f} s ({n:,} symbols), then 20 loads {t_load:.2f} s")
    calendar = CryptoCalendar()
    days = pd.date_range("2010-01-01", periods=5_000, freq="D")
    series = [PriceSeries(f"S{k}", bars_frame(days, {"close": 100 * np.exp(np.cumsum(rng.normal(0, 0.02, 5_000)))}))
              for k in range(200)]
    t = time.perf_counter()
    for s in series:
        check_series(s, calendar)
    print(f"check_series on 200 series x 5,000 bars: {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()
