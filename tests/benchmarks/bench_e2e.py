"""Benchmark: many events end to end through the real command (`eventstudy run`), not collected by pytest.

The synthetic user-prices study of issue #10: a wide CSV of 200 securities x 1,500 XNYS sessions
(one-factor returns r_it = a_i + b_i m_t + e_it, as in bench_engine.py, turned into closes from a
first close of 100, so the returns the study computes are bench_engine's) and a benchmark column MKT, written to a temporary folder with an events file of N events drawn as in
bench_engine.py (a random security and a random day 0 with the whole windows inside the data).
Market model, estimation [-270, -21], event [-10, 10], CAR windows [-10,10], [0,0], [0,1], [-1,1],
[0,5]. For each N, `eventstudy run STUDY --out DIR --timings` runs in a child process (CSVs,
figures, report.html), and the script prints its wall time, its peak RSS (the child's
``ru_maxrss`` from ``os.wait4``) and the per-stage wall times it printed, beside the PyPI package
`eventstudy` 0.1a12's time on the very same events (returns handed over directly, as in
bench_engine.py; it computes the market model, CARs and one t test).

The PyPI package is also imported as `eventstudy`: install it beside this project with
``pip install --no-deps --target /tmp/peer eventstudy==0.1a12`` (it needs numpy, scipy,
statsmodels) and pass ``--peer /tmp/peer/eventstudy`` (the default when that folder exists).

Run it under an address-space limit, e.g.::

    prlimit --as=12000000000 python tests/benchmarks/bench_e2e.py --events 1000,10000,100000
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_engine import synthetic  # noqa: E402  (the same returns: 200 x 1,500, seed 7)

N_SEC, N_DAYS = 200, 1500
ESTIMATION, EVENT = (-270, -21), (-10, 10)
CARS = ((-10, 10), (0, 0), (0, 1), (-1, 1), (0, 5))
DEFAULT_PEER = Path("/tmp/peer/eventstudy")


def sessions(n: int, start: str = "2015-01-02") -> pd.DatetimeIndex:
    """The first ``n`` XNYS sessions from ``start``."""
    import exchange_calendars as xcals

    cal = xcals.get_calendar("XNYS", start="2014-01-01")
    days = cal.sessions_in_range(pd.Timestamp(start), pd.Timestamp(start) + pd.Timedelta(days=int(n * 1.5) + 60))
    return pd.DatetimeIndex(days[:n]).tz_localize(None)


def draw_events(n_events: int, n_sec: int = N_SEC, n_days: int = N_DAYS, seed: int = 11) -> tuple[np.ndarray, np.ndarray]:
    """Day-0 positions and security columns of ``n_events`` events (bench_engine.py's draw)."""
    rng = np.random.default_rng(seed)
    pos = rng.integers(-ESTIMATION[0], n_days - EVENT[1], size=n_events)
    col = rng.integers(0, n_sec, size=n_events)
    return pos, col


def write_study(folder: Path, n_events: int) -> Path:
    """Write prices.csv (wide), events.csv and study.toml into ``folder``; return the study file."""
    folder.mkdir(parents=True, exist_ok=True)
    R, m = synthetic()
    days = sessions(N_DAYS + 1)  # a first close, then one close per return: the returns are bench_engine's
    closes = 100.0 * np.cumprod(np.vstack([np.ones((1, N_SEC)), 1.0 + R]), axis=0)
    market = 1000.0 * np.cumprod(np.r_[1.0, 1.0 + m])
    wide = pd.DataFrame(closes, index=days, columns=[f"S{j:03d}" for j in range(N_SEC)])
    wide["MKT"] = market
    wide.index.name = "date"
    prices = folder / "prices.csv"
    if not prices.exists():
        wide.to_csv(prices, float_format="%.12g", date_format="%Y-%m-%d")
    pos, col = draw_events(n_events)
    events = pd.DataFrame({"security": [f"S{c:03d}" for c in col], "date": days[pos + 1].strftime("%Y-%m-%d"),
                           "event": [f"e{k:06d}" for k in range(n_events)], "group": "bench", "benchmark": "MKT"})
    events.to_csv(folder / f"events-{n_events}.csv", index=False)
    cars = ", ".join(f"[{a}, {b}]" for a, b in CARS)
    study = folder / f"study-{n_events}.toml"
    study.write_text(f"""name = "bench-{n_events}"
events = "events-{n_events}.csv"

[[group]]
name = "bench"
calendar = "XNYS"

[windows]
estimation = [{ESTIMATION[0]}, {ESTIMATION[1]}]
event = [{EVENT[0]}, {EVENT[1]}]
car = [{cars}]

[model]
kind = "market"

[data]
prices = "prices.csv"
""", encoding="utf-8")
    return study


def run_child(cmd: list[str], cwd: Path) -> tuple[float, float, int, str, str, float]:
    """Run ``cmd``; return (wall seconds, peak RSS of that child in MB, exit status, stdout, stderr,
    CPU seconds of that child (user + system, from its rusage))."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)  # the child's own rusage (ru_maxrss in KiB on Linux)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        cpu = usage.ru_utime + usage.ru_stime
        return wall, usage.ru_maxrss / 1024, proc.returncode, out.read(), err.read(), cpu


def parse_timings(stderr: str) -> list[tuple[str, float]]:
    """The ``timing`` lines the CLI prints with --timings: ``timing <seconds> s  peak <MB> MB  <stage>``;
    returns (stage, seconds, peak MB so far)."""
    return [(m.group(3).strip(), float(m.group(1)), float(m.group(2)))
            for m in re.finditer(r"^\s*timing\s+([0-9.]+) s\s+peak\s+([0-9.]+) MB\s+(.+)$", stderr, re.M)]


def peer_child(n_events: int, peer: Path) -> dict:
    """The PyPI package on the same events, in this (child) process; returns its time and CAAR."""
    import importlib.util
    import warnings

    spec = importlib.util.spec_from_file_location("eventstudy_pypi", peer / "__init__.py",
                                                  submodule_search_locations=[str(peer)])
    mod = importlib.util.module_from_spec(spec)
    sys.modules["eventstudy_pypi"] = mod
    spec.loader.exec_module(mod)
    R, m = synthetic()
    days = sessions(N_DAYS + 1)
    dates = days[1:].to_numpy().astype("datetime64[D]")  # the date of each return (its closing session)
    data = {"date": dates, "MKT": m}
    for j in range(N_SEC):
        data[f"S{j:03d}"] = R[:, j]
    pos, col = draw_events(n_events)
    t0, c0 = time.perf_counter(), time.process_time()
    mod.Single._save_parameter("returns", data)
    event_list = [{"event_date": dates[p], "security_ticker": f"S{c:03d}", "market_ticker": "MKT"}
                  for p, c in zip(pos, col)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        agg = mod.Multiple.from_list(event_list, mod.Single.market_model, event_window=EVENT,
                                     estimation_size=ESTIMATION[1] - ESTIMATION[0] + 1,
                                     buffer_size=EVENT[0] - ESTIMATION[1] - 1)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"seconds": seconds, "cpu_seconds": cpu, "events": len(agg.sample), "caar": float(agg.CAAR[-1])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", default="1000,10000,100000", help="comma-separated sizes (default 1000,10000,100000)")
    ap.add_argument("--peer", type=Path, default=DEFAULT_PEER if DEFAULT_PEER.exists() else None,
                    help="folder of the PyPI eventstudy package (default /tmp/peer/eventstudy when it exists)")
    ap.add_argument("--no-peer", action="store_true", help="do not run the PyPI package")
    ap.add_argument("--folder", type=Path, help="where to write the study and outputs (default: a temporary folder)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="runs of ours and the peer per size, alternated (ours, peer, ours, peer ...); the table "
                         "gives medians and the range of the per-pair ratios (a shared machine's speed drifts)")
    ap.add_argument("--peer-child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.peer_child is not None:
        print(json.dumps(peer_child(args.peer_child, args.peer)))
        return
    sizes = sorted(int(s.replace("_", "")) for s in args.events.split(",") if s.strip())
    folder = args.folder or Path(tempfile.mkdtemp(prefix="bench-e2e-"))
    print(f"folder: {folder}")
    print(f"study: {N_SEC} securities x {N_DAYS + 1:,} XNYS sessions ({N_DAYS:,} returns; wide CSV), market model, estimation "
          f"{list(ESTIMATION)}, event {list(EVENT)}, CAR windows {', '.join(f'[{a},{b}]' for a, b in CARS)}")
    rows = []
    for n in sizes:
        study = write_study(folder, n)
        out = folder / f"out-{n}"
        cmd = [sys.executable, "-m", "eventstudy", "run", str(study), "--out", str(out), "--timings", "--quiet"]
        runs = []
        for _ in range(max(1, args.repeat)):
            run = _one_pair(n, cmd, folder, out, None if args.no_peer else args.peer)
            if run is None:
                break
            runs.append(run)
        if not runs:
            rows.append({"events": n, "ours_s": float("nan"), "ours_cpu": float("nan"), "peak_mb": float("nan")})
            continue
        row = {k: (float(np.median([r.get(k, np.nan) for r in runs])) if isinstance(runs[0][k], float) else runs[-1][k])
               for k in runs[0]}
        row["pairs"] = [(r["ours_s"] / r["peer_wall"], r["ours_cpu"] / r["peer_cpu"]) for r in runs if "peer_wall" in r]
        rows.append(row)
        _print_row(row)
    print("\nwall = elapsed time of the process; CPU = its user + system seconds (the machine is shared, so CPU "
          "is the steadier figure); the peer's 'events' time is its event loop only, its process adds imports and data")
    print("\n| events | `eventstudy run` wall | CPU | peak RSS | PyPI eventstudy: events wall | CPU | process wall "
          "| process CPU | ours / peer's events (wall, CPU) | ours / peer's process (wall, CPU) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        ours = f"{r['ours_s']:.2f} s | {r.get('ours_cpu', float('nan')):.2f} s | {r['peak_mb']:.0f} MB"
        if "peer_s" in r:
            peer = f"{r['peer_s']:.2f} s | {r['peer_cpu_s']:.2f} s | {r['peer_wall']:.2f} s | {r['peer_cpu']:.2f} s"
            ratio = (f"{r['ours_s'] / r['peer_s']:.2f}, {r['ours_cpu'] / r['peer_cpu_s']:.2f} | "
                     f"{r['ours_s'] / r['peer_wall']:.2f}, {r['ours_cpu'] / r['peer_cpu']:.2f}")
        else:
            peer, ratio = "- | - | - | -", "- | -"
        print(f"| {r['events']:,} | {ours} | {peer} | {ratio} |")


def _one_pair(n: int, cmd: list[str], folder: Path, out: Path, peer: Path | None) -> dict | None:
    """One run of ours, then (with ``peer``) one of the peer on the same events; None if ours failed."""
    load = os.getloadavg()[0]
    wall, peak, rc, stdout, stderr, cpu = run_child(cmd, folder)
    if rc != 0:
        print(f"{n:,} events: eventstudy run failed (exit {rc}):\n{stderr[-3000:]}")
        return None
    row = {"events": n, "ours_s": wall, "ours_cpu": cpu, "peak_mb": peak, "timings": parse_timings(stderr),
           "load": load}
    if peer is not None:
        pw, _, prc, pout, perr, pcpu = run_child([sys.executable, __file__, "--peer", str(peer),
                                                  "--peer-child", str(n)], folder)
        if prc == 0:
            info = json.loads(pout.strip().splitlines()[-1])
            row.update(peer_s=info["seconds"], peer_cpu_s=info["cpu_seconds"], peer_wall=pw, peer_cpu=pcpu,
                       peer_caar=info["caar"])
            ours = pd.read_csv(out / "results.csv")
            row["ours_caar"] = float(ours.loc[ours["window"] == f"[{CARS[0][0]},{CARS[0][1]}]", "car"].mean())
        else:
            print(f"peer failed on {n:,} events:\n{perr[-2000:]}")
    return row


def _print_row(r: dict) -> None:
    print(f"\n{r['events']:,} events: eventstudy run {r['ours_s']:.2f} s wall, {r['ours_cpu']:.2f} s CPU, "
          f"peak RSS {r['peak_mb']:.0f} MB (1-minute load average {r['load']:.2f} on {os.cpu_count()} cores when it "
          f"started, {os.getloadavg()[0]:.2f} now)")
    for stage, sec, peak in r.get("timings", []):
        print(f"    {sec:8.3f} s  (peak so far {peak:6.0f} MB)  {stage}")
    if "peer_s" in r:
        print(f"  PyPI eventstudy 0.1a12: {r['peer_s']:.2f} s for the events, {r['peer_cpu_s']:.2f} s CPU "
              f"({r['peer_wall']:.1f} s, {r['peer_cpu']:.1f} s CPU for its process, "
              f"imports and data included); ours / peer = {r['ours_s'] / r['peer_s']:.2f} (events), "
              f"{r['ours_s'] / r['peer_wall']:.2f} (process)")
        if len(r.get("pairs", [])) > 1:
            walls = sorted(a for a, _ in r["pairs"])
            print(f"  {len(walls)} alternated pairs: ours / peer's process (wall) per pair "
                  + ", ".join(f"{a:.2f}" for a, _ in r["pairs"]) + f"; median {np.median(walls):.2f}"
                  " (the figures above are medians over the runs)")
        print(f"  CAAR[-10,+10]: ours {r['ours_caar']:.10f}, peer {r['peer_caar']:.10f} "
              f"(|difference| {abs(r['ours_caar'] - r['peer_caar']):.1e}; prices are written with 12 significant digits)")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
