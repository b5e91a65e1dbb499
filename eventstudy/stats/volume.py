"""Abnormal trading volume (Campbell & Wasley 1996; Ajinkya & Jain 1989).

Volume measure V_it, then a normal-volume model on the estimation window, exactly as for returns:

* ``log_volume``:   V_it = ln(n_it + 1), n_it the bar's volume in shares or base-coin units
  (the +1 keeps zero-volume bars finite; R EventStudy's VolumeModel convention);
* ``log_turnover``: V_it = ln(100 n_it / S_it + 0.000255), S_it shares outstanding (Campbell &
  Wasley 1996, RQFA 6(3), eq. 1; the constant is Cready & Ramanan's 1991 small-number fix).

Normal volume: the market model on volume, V_it = a_i + b_i V_mt + e_it, with V_mt the
benchmark's volume measure (Campbell & Wasley 1996, eq. 2, with the benchmark for their
equally weighted market volume), or the constant-mean model V_it = mu_i + e_it (R EventStudy's
convention). The fit, the abnormal volume AV_it = V_it - E[V_it], its cumulation over windows
and its variances (prediction-error term included) are the engine's
(:func:`abnormal_volume`), so every cross-sectional test of the battery applies to AV.

Known limits: log volume is strongly autocorrelated and its residuals are skewed, so
parametric tests that assume iid residuals (Patell, the time-series t) are known to
over-reject on volume (Campbell & Wasley 1996 recommend the rank test); the simulation
measures it (``tests/benchmarks/size_power.py``).

Data: the snapshot's daily bars carry a volume column for every symbol (shares for equities
and ETFs, base-coin units for crypto pairs); no shares outstanding, so turnover needs the
user's own S_it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..estimation.engine import EventEstimates, Windows, estimate_events
from ..estimation.models import ConstantMean, MarketModel
from ..estimation.returns import prices_on_calendar

VOLUME_MEASURES = ("log_volume", "log_turnover")
VOLUME_MODELS = ("market", "constant_mean")
TURNOVER_CONSTANT = 0.000255


def volume_measure(volume: np.ndarray, kind: str = "log_volume", shares: np.ndarray | None = None) -> np.ndarray:
    """V = ln(volume + 1) or ln(100 volume / shares + 0.000255) (module docstring); NaN stays NaN.

    Negative volumes are invalid (NaN). ``shares`` (same shape, or broadcastable) is required
    for ``log_turnover``.
    """
    v = np.asarray(volume, float)
    v = np.where(v >= 0, v, np.nan)
    if kind == "log_volume":
        return np.log1p(v)
    if kind == "log_turnover":
        if shares is None:
            raise ValueError("log_turnover needs shares outstanding for each bar")
        s = np.asarray(shares, float)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.log(100.0 * v / np.where(s > 0, s, np.nan) + TURNOVER_CONSTANT)
    raise ValueError(f"volume measure {kind!r} is not one of {', '.join(VOLUME_MEASURES)}")


def volume_on_calendar(volume: pd.Series, sessions: pd.DatetimeIndex) -> pd.Series:
    """A volume series on the calendar's bars between its first and last row (NaN where missing),
    like the closes are lined up (:func:`eventstudy.estimation.returns.prices_on_calendar`)."""
    levels, _ = prices_on_calendar(volume, sessions)
    return levels


def abnormal_volume(v_est: np.ndarray, vm_est: np.ndarray, v_evt: np.ndarray, vm_evt: np.ndarray, windows: Windows,
                    *, model: str = "market", min_estimation: int = 30) -> EventEstimates:
    """Abnormal volume through the engine: ``ar`` holds AV_it, ``car`` the cumulated AV per window.

    ``v_*`` (K, Le) / (K, W) the securities' volume measures, ``vm_*`` the benchmark's (ignored
    by ``model = "constant_mean"``). Events with fewer than ``min_estimation`` valid bars are
    dropped (a market-adjusted fallback has no meaning for volume).
    """
    if model not in VOLUME_MODELS:
        raise ValueError(f"volume model {model!r} is not one of {', '.join(VOLUME_MODELS)}")
    m = MarketModel() if model == "market" else ConstantMean()
    return estimate_events(v_est, np.asarray(vm_est, float)[..., None], v_evt, np.asarray(vm_evt, float)[..., None],
                           m, windows, min_estimation=min_estimation, short_estimation="drop")
