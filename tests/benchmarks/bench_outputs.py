"""Benchmark: the outputs stage alone (CSVs + figures + report.html) at 1k, 10k, 100k events.

Not collected by pytest. For each size, a synthetic user-prices study (``tests/synthetic.py``:
200 securities x 1,500 XNYS sessions, random (security, day) events, market model, estimation
[-270, -21], event [-10, 10], five CAR windows) is run through ``run_study`` (its time is printed
for context, not measured here), then ``write_outputs`` is timed: wall time of each part, the
peak resident memory of the outputs stage (Linux: the peak is reset through
``/proc/self/clear_refs`` before the stage and read from ``VmHWM`` after it), and the size of
``report.html`` and of the folder.

    prlimit --as=12000000000 python tests/benchmarks/bench_outputs.py --events 1000 10000 100000

Add ``--parquet`` to write the Parquet tables too.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from eventstudy import load_study, run_study  # noqa: E402
from eventstudy.report import write_outputs  # noqa: E402
from tests.synthetic import write_study  # noqa: E402


def _status(key: str) -> int:
    """A ``/proc/self/status`` field in bytes (VmRSS, VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    return 0


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    ap.add_argument("--parquet", action="store_true")
    ap.add_argument("--keep", type=Path, help="write the outputs here (one folder per size) instead of a temp dir")
    args = ap.parse_args()

    rows = []
    for n in args.events:
        work = Path(tempfile.mkdtemp(prefix=f"bench-outputs-{n}-"))
        study = write_study(work / "study", n)
        t0 = time.perf_counter()
        res = run_study(load_study(study))
        t_run = time.perf_counter() - t0
        out = (args.keep / str(n)) if args.keep else work / "out"
        marks: list[tuple[float, str]] = []
        rss_before = _status("VmRSS")
        exact = _reset_peak()
        t0 = time.perf_counter()
        write_outputs(res, out, progress=lambda m: marks.append((time.perf_counter(), m)), parquet=args.parquet)
        t_out = time.perf_counter() - t0
        peak = _status("VmHWM")
        parts, prev = {}, None
        for (t, m) in [*marks, (t0 + t_out, "end")]:
            if prev is not None:
                parts[prev[1]] = t - prev[0]
            prev = (t, m)
        figures = sum(v for k, v in parts.items() if k.startswith("drawing"))
        html = (out / "report.html").stat().st_size
        folder = sum(p.stat().st_size for p in out.iterdir())
        rows.append((n, len(res.securities), t_run, t_out, parts.get("writing the tables"
                     + (" (CSV and Parquet)" if args.parquet else ""), float("nan")), figures,
                     parts.get("writing report.html", float("nan")), rss_before, peak, exact, html, folder))
        print(f"{n:>8,} events: run_study {t_run:6.1f} s | outputs {t_out:6.2f} s (tables {rows[-1][4]:.2f}, "
              f"figures {figures:.2f}, report {rows[-1][6]:.2f}) | RSS before {rss_before / 2**20:,.0f} MiB, "
              f"peak during outputs {peak / 2**20:,.0f} MiB{'' if exact else ' (process peak)'} | report.html "
              f"{html / 1e6:.2f} MB, folder {folder / 1e6:.1f} MB", flush=True)
        del res
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    print("\n| events | outputs time | tables | figures | report.html | peak RSS (outputs stage) | report.html size |")
    print("|---|---|---|---|---|---|---|")
    for n, _, _, t_out, t_tab, t_fig, t_rep, _, peak, _, html, _ in rows:
        print(f"| {n:,} | {t_out:.2f} s | {t_tab:.2f} s | {t_fig:.2f} s | {t_rep:.2f} s | {peak / 2**20:,.0f} MiB | "
              f"{html / 1e6:.2f} MB |")


if __name__ == "__main__":
    main()
