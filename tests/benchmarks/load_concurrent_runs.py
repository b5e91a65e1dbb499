"""Load test: N concurrent `eventstudy run` of the Stargate study into separate folders.

Starts N real processes at once (default 20), each running the README's main job
(``eventstudy run data/studies/stargate.toml --pinned --out DIR/run-K --quiet``) against one shared,
empty download cache, waits for all of them, then checks that every run exited 0 and that every CSV
is byte-identical across the runs (report.html and the PNGs are compared too and reported, not
required: they embed nothing random either). Prints wall time, per-run times, the peak resident
size of the largest run, and the verdict. Not collected by pytest; run it from the repository root
(it needs a few GB of memory: about 0.3 GB per run)::

    prlimit --as=12000000000 python tests/benchmarks/load_concurrent_runs.py [--runs 20] [--keep DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STUDY = ROOT / "data" / "studies" / "stargate.toml"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep", help="folder for the runs' outputs (default: a temporary folder, removed)")
    args = parser.parse_args()
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="es-load-"))
    base.mkdir(parents=True, exist_ok=True)
    cache = base / "cache"
    env = {**os.environ, "EVENTSTUDY_CACHE": str(cache), "MPLBACKEND": "Agg"}
    time_cmd = ["/usr/bin/time", "-f", "%e %M"] if Path("/usr/bin/time").exists() else []
    start = time.perf_counter()
    procs = []
    for k in range(args.runs):
        out = base / f"run-{k:02d}"
        cmd = [*time_cmd, sys.executable, "-m", "eventstudy", "run", str(STUDY), "--pinned", "--out", str(out),
               "--quiet"]
        procs.append((k, out, subprocess.Popen(cmd, cwd=base, env=env, stdout=subprocess.PIPE,
                                               stderr=subprocess.PIPE, text=True)))
    failures, stats = [], []
    for k, out, proc in procs:
        stdout, stderr = proc.communicate()
        if proc.returncode != 0:
            failures.append((k, proc.returncode, stderr.strip().splitlines()[-3:]))
        if time_cmd and stderr.strip():
            last = stderr.strip().splitlines()[-1].split()
            if len(last) == 2:
                stats.append((float(last[0]), int(last[1]) / 1024))
    wall = time.perf_counter() - start
    print(f"{args.runs} concurrent runs of {STUDY.name} (--pinned) on {os.cpu_count()} cores: {wall:.1f} s wall")
    if stats:
        times = sorted(t for t, _ in stats)
        print(f"per run: {times[0]:.1f} .. {times[-1]:.1f} s (median {times[len(times) // 2]:.1f} s); "
              f"peak RSS of the largest run {max(m for _, m in stats):.0f} MB")
    if failures:
        for k, code, tail in failures:
            print(f"run {k}: exit {code}: {' | '.join(tail)}")
        print("FAILED: not every run succeeded")
        return 1
    reference = base / "run-00"
    names = sorted(p.name for p in reference.iterdir() if p.is_file())
    csvs = [n for n in names if n.endswith(".csv")]
    differing: dict[str, int] = {}
    for name in names:
        ref = digest(reference / name)
        n_diff = sum(digest(base / f"run-{k:02d}" / name) != ref for k in range(1, args.runs))
        if n_diff:
            differing[name] = n_diff
    same = [n for n in csvs if n not in differing]
    print(f"CSVs byte-identical across all {args.runs} runs: {len(same)} of {len(csvs)} ({', '.join(csvs)})")
    for name, n in differing.items():
        print(f"  differs: {name} in {n} of {args.runs - 1} runs (compared with run-00)")
    others = [n for n in names if not n.endswith(".csv")]
    print(f"other files identical: {sum(n not in differing for n in others)} of {len(others)}")
    leftovers = [p.name for p in base.iterdir() if p.name.startswith(".")]
    print(f"staging folders left behind: {len(leftovers)}")
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)
    ok = not [n for n in csvs if n in differing] and not leftovers
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
