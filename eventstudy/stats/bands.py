"""Confidence bands for a group's CAAR path, built like the test reported beside them.

* Events sharing day 0 on one calendar (clustered): the band comes from the equally weighted
  portfolio re-estimated as one series, CAAR_p(t) +/- t_{df, 1-a/2} sqrt(Var(CAR_p(t))) with the
  prediction-error variance of the portfolio's CAR path (the ``portfolio_t`` test).
* Otherwise: CAAR(t) +/- t_{N-1, 1-a/2} sd_i(CAR_i(t)) / sqrt(N), the ``cross_sectional_t`` test.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from .distributions import t_ppf

from .battery import GroupInput, _portfolio, clusters


#: Fewest events for a cross-sectional band (with N = 2, t(1) makes the band uselessly wide).
MIN_N_BAND = 3


def caar_band(g: GroupInput, level: float = 0.95) -> tuple[pd.DataFrame, str]:
    """(frame with rel_day, caar, low, high, n; a sentence saying how the band was built)."""
    est = g.est
    keep = est.status != "dropped"
    offsets = est.windows.evt_offsets
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        path = est.car_path[keep]
        caar = np.nanmean(path, axis=0)
        n = np.sum(np.isfinite(path), axis=0)
    cl = clusters(g.meta.reset_index(drop=True))
    clustered = keep.sum() >= 2 and len(np.unique(cl[keep])) == 1
    q = (1 + level) / 2
    portfolio = _portfolio(g, keep) if clustered else None
    if clustered and portfolio is None:
        n_ok = int((keep & (est.status == "ok")).sum())
        frame = pd.DataFrame({"rel_day": offsets, "caar": caar, "centre": caar, "low": np.nan, "high": np.nan, "n": n})
        return frame, (f"no band: the events share day 0, so the band must come from the portfolio t, which needs at "
                       f"least 2 events with an estimated model ({n_ok} here)")
    if portfolio is not None:
        df = float(portfolio.df[0])
        half = t_ppf(q, df) * np.sqrt(portfolio.var_car_path[0])
        centre = portfolio.car_path[0]
        how = (f"{int(level * 100)}% band of the equally weighted portfolio's CAR (portfolio t, df = {df:.0f}): "
               "dependence-robust, as all events share day 0")
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            sd = np.nanstd(path, axis=0, ddof=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            half = t_ppf(q, np.maximum(n - 1, 1)) * sd / np.sqrt(n)
        half = np.where(n >= MIN_N_BAND, half, np.nan)
        centre = caar
        how = (f"{int(level * 100)}% band of the cross-sectional t test (sd of CARs across events / sqrt(N))"
               if (n >= MIN_N_BAND).any() else
               f"no band: the cross-sectional t needs at least {MIN_N_BAND} events with a CAR on a day")
    frame = pd.DataFrame({"rel_day": offsets, "caar": caar, "centre": centre, "low": centre - half,
                          "high": centre + half, "n": n})
    return frame, how
