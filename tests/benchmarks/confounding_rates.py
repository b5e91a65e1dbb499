"""How often a bar is flagged as a market-wide shock by chance, on the embedded snapshot.

For every bar t of each series, the band is that of an event on t with the default estimation
window [-120, -11] (median +- k * 1.4826 * MAD of bars t-120 .. t-11); the script prints the share
of bars beyond k robust sigma for k = 3, 4, 5, and the chance that a 6-bar CAR window ([0, 5])
holds at least one. Run: ``python tests/benchmarks/confounding_rates.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from eventstudy.paths import snapshot_dir
from eventstudy.stats.confounding import MAD_TO_SIGMA

EST = (-120, -11)


def returns(symbol: str) -> pd.Series:
    close = pd.read_csv(snapshot_dir() / f"{symbol}.csv", parse_dates=["date"], index_col="date")["close"]
    return close.pct_change().dropna()


def z_scores(r: pd.Series) -> pd.Series:
    x = r.to_numpy()
    z = np.full(len(x), np.nan)
    for t in range(-EST[0], len(x)):
        w = x[t + EST[0]:t + EST[1] + 1]
        med = np.median(w)
        sigma = MAD_TO_SIGMA * np.median(np.abs(w - med))
        z[t] = (x[t] - med) / sigma
    return pd.Series(z, index=r.index).dropna()


def main() -> None:
    eq = pd.concat({s: returns(s) for s in ["ORCL", "NVDA", "ARM", "MSFT"]}, axis=1).dropna()
    series = {"SPY": returns("SPY"), "QQQ": returns("QQQ"), "BTC": returns("BTC"),
              "equal-weighted ORCL NVDA ARM MSFT": eq.mean(axis=1)}
    print(f"{'series':<36}{'bars':>6}" + "".join(f"{'k=' + str(k):>9}{'[0,5]':>8}" for k in (3, 4, 5)))
    for name, r in series.items():
        z = z_scores(r)
        cells = []
        for k in (3, 4, 5):
            p = float((z.abs() > k).mean())
            cells.append(f"{100 * p:>8.1f}%{100 * (1 - (1 - p) ** 6):>7.0f}%")
        print(f"{name:<36}{len(z):>6}" + "".join(cells))
    print("share of bars beyond k robust sigma; [0,5]: chance a 6-bar window holds one if bars were independent")


if __name__ == "__main__":
    main()
