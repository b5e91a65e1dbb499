"""Tests for one security's abnormal returns (time-series t tests).

AR t (MacKinlay 1997, eq. 4.14, 4.17): t = AR_tau / sqrt(Var(AR_tau)), with
Var(AR_tau) = sigma^2 (1 + x_tau'(X'X)^-1 x_tau) (prediction-error term included).

CAR t (MacKinlay 1997, eq. 4.15-4.16): t = CAR(t1, t2) / sqrt(Var(CAR)), with
Var(CAR) = sigma^2 (L2 + g'(X'X)^-1 g), g the sum of the event bars' regressors; this includes the
covariance across event days induced by the shared parameter estimates.

Reference distribution: Student t with the residual degrees of freedom of the estimation window
(n - p for an OLS model, n - 1 for market-adjusted); p-values are two-sided.
"""

from __future__ import annotations

import numpy as np
from .distributions import t_sf


def t_and_p(value: np.ndarray, variance: np.ndarray, df: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """t = value / sqrt(variance) and its two-sided Student-t p-value with ``df`` (NaN-safe)."""
    value, variance = np.asarray(value, float), np.asarray(variance, float)
    df = np.broadcast_to(np.asarray(df, float), value.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = value / np.sqrt(variance)
    ok = np.isfinite(t) & (df > 0)
    p = np.full(t.shape, np.nan)
    p[ok] = 2.0 * t_sf(np.abs(t[ok]), df[ok])
    t = np.where(np.isfinite(t), t, np.nan)
    return t, p
