"""Size and power of every method on pseudo-events drawn from the snapshot's real returns.

    python tests/benchmarks/size_power.py [--samples 1000] [--events 20] [--garch] [--csv out.csv]

Brown & Warner (1985) design: each sample holds ``--events`` pseudo-events, a random security
(7 NYSE stocks and ETFs of the snapshot) and a random date, against SPY; estimation window
[-110, -11], event window [-5, 5], CAR windows [0,0], [-1,1], [0,5]. Size: nothing injected,
share of samples where the test rejects at 5 %. Power: +1 % on day 0's return (and day 0's log
volume + ln 2, i.e. volume doubled, for the volume tests; day 0's abnormal-return sd doubled for
the volatility tests). BHARs have the pool's mean BHAR removed (H0 imposed: the snapshot's
tech stocks drift against SPY and against their market-model intercepts). Prints one table: size,
its binomial standard error, whether it lies in [4 %, 6 %], power; then the BHAR tests again
with 100 pseudo-events a sample and windows [0,5], [0,20] (the sample sizes LBT designed them for).
"""

from __future__ import annotations

import argparse
import math
import time

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from eventstudy.estimation.engine import Windows  # noqa: E402
from eventstudy.stats.simulation import size_power  # noqa: E402
from tests.snapshot_returns import snapshot_inputs  # noqa: E402


def table(samples: int, events: int, garch: bool, seed: int = 20250121, windows=None,
          families=None) -> pd.DataFrame:
    R, m, vol, mv = snapshot_inputs()
    kw = dict(volume=vol, market_volume=mv, n_samples=samples, n_events=events, garch=garch, centre_bhar=True,
              families=families)
    if windows is not None:
        kw["windows"] = windows
    size = size_power(R, m, seed=seed, **kw)
    power = size_power(R, m, seed=seed + 1, inject=0.01, inject_volume=math.log(2), **kw)
    if families is None or "volatility" in families:
        power_vol = size_power(R, m, seed=seed + 1, inject_volatility=2.0, **{**kw, "families": ("volatility",)})
        power = pd.concat([power[power.family != "volatility"], power_vol])
    out = size.merge(power[["family", "test", "window", "rate"]], on=["family", "test", "window"],
                     suffixes=("", "_power"), how="left")
    out.loc[out.family == "cross_section", "rate_power"] = np.nan  # the injection is unrelated to the characteristic
    out["se"] = np.sqrt(out.rate * (1 - out.rate) / out.samples)
    out["in_4_6"] = (out.rate >= 0.04) & (out.rate <= 0.06)
    return out[["family", "test", "window", "samples", "rate", "se", "in_4_6", "rate_power"]].rename(
        columns={"rate": "size", "rate_power": "power"})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--events", type=int, default=20)
    ap.add_argument("--garch", action="store_true")
    ap.add_argument("--csv")
    a = ap.parse_args()
    t0 = time.perf_counter()
    out = table(a.samples, a.events, a.garch)
    pd.set_option("display.width", 200)
    pd.set_option("display.max_rows", 1000)
    print(out.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    print(f"\n{a.samples} samples of {a.events} pseudo-events; {time.perf_counter() - t0:.0f} s")
    long = table(a.samples, 100, False, windows=Windows((-110, -11), (-5, 20), ((0, 5), (0, 20))), families=("bhar",))
    print(long.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    print(f"\nBHAR: {a.samples} samples of 100 pseudo-events, windows [0,5] and [0,20]")
    if a.csv:
        pd.concat([out.assign(events=a.events), long.assign(events=100)]).to_csv(a.csv, index=False)


if __name__ == "__main__":
    main()
