"""Screening of downloaded bars before they enter the cache (pure).

Yahoo sometimes answers with junk: a zero or negative price, an infinite or absurd one
(``1e300``), a one-bar fat-finger print that the next bar takes back, rows out of time order
or one date twice. :func:`screen_download` runs before a download is merged into the cache, so
junk never reaches a cache file (and so never surfaces first at study time):

=====================  ===============================================  ===================================
what                   counts                                           done
=====================  ===============================================  ===================================
unsorted rows          rows not in time order                           sorted
repeated rows          a date twice with identical values               one kept
conflicting rows       a date twice with different values               the symbol's download refused
bad close              close not finite, <= 0 or above ``MAX_PRICE``    row left out
bad open/high/low      not finite, <= 0 or above ``MAX_PRICE``          cell left empty (missing)
bad volume             negative or not finite                           cell left empty (missing)
one-bar spike          a close the next bar takes back (the rules of    row left out
                       :func:`eventstudy.prices.quality.find_jumps`)
=====================  ===============================================  ===================================

Each change is a note (ticker, check, message, action) that the download reports and the cache
file keeps in its record, so every study that later reads the file reports it too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError
from .quality import DEFAULT_THRESHOLDS, QualityThresholds, find_jumps

#: No security or token trades above this many units of its quote currency (Berkshire Hathaway
#: class A is about 7e5 USD); a larger price is a data error.
MAX_PRICE = 1e12
_PRICES = ("open", "high", "low", "close")
CHECK = "download check"


def _dates(stamps, limit: int = 5) -> str:
    stamps = pd.DatetimeIndex(stamps)
    shown = ", ".join(s.strftime("%Y-%m-%d") if s == s.normalize() else s.strftime("%Y-%m-%d %H:%M")
                      for s in stamps[:limit])
    return shown + (f", ... ({len(stamps)} in all)" if len(stamps) > limit else "")


def screen_download(symbol: str, bars: pd.DataFrame, source: str = "Yahoo",
                    thresholds: QualityThresholds = DEFAULT_THRESHOLDS) -> tuple[pd.DataFrame, list[dict]]:
    """Clean a download's bars (see the module docstring); returns (bars, notes).

    Raises :class:`DataError` when one date has several rows with different values: nobody can
    say which is right, so nothing of that download is kept.
    """
    notes: list[dict] = []

    def note(message: str, action: str) -> None:
        notes.append({"ticker": symbol, "check": CHECK, "message": f"{source} sent {message}", "action": action})

    bars = bars.copy()
    if not bars.index.is_monotonic_increasing:
        bars = bars.iloc[np.argsort(bars.index.asi8, kind="stable")]
        note("rows out of time order", "sorted by time")
    dup = bars.index.duplicated(keep=False)
    if dup.any():
        rows = bars.loc[dup].reset_index()
        distinct = rows.drop_duplicates()
        per = distinct.groupby(distinct.columns[0]).size()
        conflicting = per.index[per.to_numpy() > 1]
        if len(conflicting):
            first = conflicting[0]
            closes = ", ".join(f"{c:g}" for c in bars.loc[bars.index == first, "close"])
            raise DataError(f"{symbol}: {source} sent {len(conflicting)} date(s) twice with different prices "
                            f"({_dates(conflicting)}; closes on the first: {closes}); nothing of this download was "
                            "cached (the cache keeps what it had). Retry later; if it persists, import the prices "
                            "yourself (`eventstudy data import`)")
        bars = bars.loc[~bars.index.duplicated(keep="first")]
        note(f"{len(per)} date(s) twice with identical rows ({_dates(per.index)})", "one row kept")
    values = bars[list(_PRICES)].to_numpy(dtype=float, copy=True)
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(values) & (~np.isfinite(values) | (values <= 0) | (values > MAX_PRICE))
    if bad[:, 3].any():
        at = bars.index[bad[:, 3]]
        shown = ", ".join(f"{v:g}" for v in values[bad[:, 3], 3][:3])
        note(f"an unusable close (not a finite positive price below {MAX_PRICE:g}: {shown}) on {_dates(at)}",
             "those rows left out")
    other = bad[:, :3] & ~bad[:, 3:4]
    if other.any():
        note(f"an unusable open, high or low on {_dates(bars.index[other.any(axis=1)])}",
             "those cells left empty (missing)")
        values[:, :3][other] = np.nan
        bars[list(_PRICES[:3])] = values[:, :3]
    volume = bars["volume"].to_numpy(dtype=float, copy=True)
    with np.errstate(invalid="ignore"):
        bad_volume = ~np.isnan(volume) & (~np.isfinite(volume) | (volume < 0))
    if bad_volume.any():
        note(f"an unusable volume on {_dates(bars.index[bad_volume])}", "those cells left empty (missing)")
        volume[bad_volume] = np.nan
        bars["volume"] = volume
    bars = bars.loc[~bad[:, 3] & ~np.isnan(values[:, 3])]
    close = bars["close"].to_numpy()
    jumps = find_jumps(close, thresholds)
    spikes = jumps.position[jumps.reverted] + 1
    if spikes.size:
        at = bars.index[spikes]
        shown = "; ".join(f"{d:%Y-%m-%d} {close[i]:.6g} between {close[i - 1]:.6g} and {close[i + 1]:.6g}"
                          for d, i in zip(at[:3], spikes[:3]))
        note(f"{len(spikes)} one-bar spike(s) that the next bar takes back ({shown})", "those rows left out")
        keep = np.ones(len(bars), dtype=bool)
        keep[spikes] = False
        bars = bars.loc[keep]
    return bars, notes
