"""Models of normal returns, fitted for many events at once.

Every model is a linear model y = X b + e fitted by OLS on each event's estimation window
(MacKinlay 1997, "Event Studies in Economics and Finance", JEL 35(1), section 4):

=================  ===========================  ======================  ==============
model              y                            X                       parameters p
=================  ===========================  ======================  ==============
constant_mean      R_it                         [1]                     1
market_adjusted    R_it - R_mt                  (none: alpha=0, beta=1) 0
market             R_it                         [1, R_mt]               2
factor             R_it                         [1, F_1t, ..., F_kt]    1 + k
=================  ===========================  ======================  ==============

Arrays are batched over events: ``r`` has shape (K, L) (K events, L bars) and ``f`` (factor or
market returns on the same bars) has shape (K, L, q). Returns are fractions (simple or log, as
the study chose). NaN marks a missing bar; it is left out of the fit.

Residual variance: sigma^2 = SSR / (n - p) by default (MacKinlay 1997, eq. 4.12 uses L1 - 2 for
the market model); ``divisor_offset`` changes p in the divisor (estudy2 and others differ). The
market-adjusted model has no parameters, so sigma^2 is the sample variance of its abnormal
returns around their mean, divisor n - 1.

Prediction error (MacKinlay 1997, eq. 4.14-4.15): for an event bar with regressors x_tau,
Var(AR_tau) = sigma^2 (1 + x_tau' (X'X)^-1 x_tau), and for a CAR over bars with summed regressors
g = sum x_tau over L2 bars, Var(CAR) = sigma^2 (L2 + g' (X'X)^-1 g). The second term carries the
covariance across event days induced by the shared parameter estimates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ..errors import StudyFileError

MODEL_KINDS = ("constant_mean", "market_adjusted", "market", "factor",
               # issue 12 (modules estimation/garch.py, rolling.py, scholes_williams.py, factor_presets.py):
               "garch", "rolling_market", "scholes_williams", "ff3", "ff5", "carhart")
#: Kinds fitted on a factor file (a named preset checks its columns; "factor" takes them as they are).
FACTOR_KINDS = ("factor", "ff3", "ff5", "carhart")
#: Kinds whose regressor is the group's benchmark.
BENCHMARK_KINDS = ("market", "market_adjusted", "garch", "rolling_market", "scholes_williams")


@dataclass(frozen=True)
class BatchFit:
    """OLS fits of K estimation windows.

    Attributes
    ----------
    coef : (K, p) estimated parameters (intercept first).
    xtx_inv : (K, p, p) inverse of X'X (zero-size for parameter-free models).
    sigma2 : (K,) residual variance (NaN when it cannot be estimated).
    n : (K,) valid estimation bars used.
    df : (K,) residual degrees of freedom (n - p, or n - 1 for market_adjusted).
    resid : (K, L) estimation-window residuals (abnormal returns), NaN where the bar is missing.
    """

    coef: np.ndarray
    xtx_inv: np.ndarray
    sigma2: np.ndarray
    n: np.ndarray
    df: np.ndarray
    resid: np.ndarray


class NormalReturnModel(Protocol):
    """A model of normal (expected) returns."""

    name: str
    #: Number of columns of ``f`` the model needs (0 = no benchmark, 1 = market, k = factors).
    n_factors: int

    def fit(self, r: np.ndarray, f: np.ndarray) -> BatchFit: ...

    def abnormal(self, fit: BatchFit, r: np.ndarray, f: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return (expected, ar) for event-window bars, each (K, W)."""
        ...

    def design(self, f: np.ndarray) -> np.ndarray:
        """Regressor matrix X (K, W, p) for given factor bars."""
        ...

    def columns(self, f: np.ndarray) -> list[np.ndarray]:
        """The columns of X, each broadcastable to (K, W) (the intercept is one (1, W) row)."""
        ...


def well_conditioned(xtx: np.ndarray, candidates: np.ndarray, tol: float = 1e-12) -> np.ndarray:
    """Indices of the candidate X'X matrices that are safely invertible.

    The test is det(X'X) / prod(diag(X'X)) > tol (1 for orthogonal columns, 0 when singular),
    a cheap stand-in for the condition number that is invariant to the scale of each column.
    """
    idx = np.flatnonzero(candidates)
    if idx.size == 0:
        return idx
    sub = xtx[idx]
    diag = np.prod(np.diagonal(sub, axis1=1, axis2=2), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        if sub.shape[-1] == 2:
            det = sub[:, 0, 0] * sub[:, 1, 1] - sub[:, 0, 1] ** 2
        else:
            det = np.linalg.det(sub)
        ratio = det / diag
    return idx[np.isfinite(ratio) & (ratio > tol)]


def _batched_ols(y: np.ndarray, X: np.ndarray, divisor_offset: int | None = None) -> BatchFit:
    """OLS of y (K, L) on X (K, L, p) per event, ignoring bars where y or any X is NaN."""
    K, L, p = X.shape
    valid = ~np.isnan(y) & ~np.isnan(X).any(axis=2)
    y0 = np.where(valid, y, 0.0)
    X0 = np.where(valid[..., None], X, 0.0)
    n = valid.sum(axis=1)
    xtx = np.matmul(X0.transpose(0, 2, 1), X0)
    xty = np.matmul(X0.transpose(0, 2, 1), y0[..., None])[..., 0]
    coef = np.full((K, p), np.nan)
    xtx_inv = np.full((K, p, p), np.nan)
    # Identified when there are more bars than parameters and X'X is not singular.
    idx = well_conditioned(xtx, n > p)
    if idx.size:
        xtx_inv[idx] = batched_inverse(xtx[idx])
        coef[idx] = np.matmul(xtx_inv[idx], xty[idx][..., None])[..., 0]
    fitted = np.matmul(X, coef[..., None])[..., 0]
    resid = np.where(valid, y - fitted, np.nan)
    ssr = np.nansum(resid**2, axis=1)
    df = n - (p if divisor_offset is None else divisor_offset)
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma2 = np.where((df > 0) & ~np.isnan(coef).any(axis=1), ssr / df, np.nan)
    return BatchFit(coef, xtx_inv, sigma2, n, df, resid)


class _LinearModel:
    """y = R, X = [1, first n_factors columns of f] (intercept first)."""

    name = "linear"
    n_factors = 0

    def __init__(self, divisor_offset: int | None = None):
        self.divisor_offset = divisor_offset

    def columns(self, f: np.ndarray) -> list[np.ndarray]:
        return [np.ones((1, f.shape[1]))] + [f[..., j] for j in range(self.n_factors)]

    def design(self, f: np.ndarray) -> np.ndarray:
        X = np.empty(f.shape[:2] + (1 + self.n_factors,))
        X[..., 0] = 1.0
        X[..., 1:] = f[..., : self.n_factors]
        return X

    def fit(self, r: np.ndarray, f: np.ndarray) -> BatchFit:
        return _batched_ols(r, self.design(f), self.divisor_offset)

    def abnormal(self, fit: BatchFit, r: np.ndarray, f: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        cols = self.columns(f)
        expected = fit.coef[:, 0, None] * cols[0]
        for j in range(1, len(cols)):
            expected = expected + fit.coef[:, j, None] * cols[j]
        expected = np.broadcast_to(expected, r.shape).copy()
        return expected, r - expected


class ConstantMean(_LinearModel):
    """Constant-mean-return model: E[R_it] = mu_i (MacKinlay 1997, eq. 4.1)."""

    name = "constant_mean"
    n_factors = 0


class MarketModel(_LinearModel):
    """Market model: R_it = alpha_i + beta_i R_mt + e_it (MacKinlay 1997, eq. 4.4)."""

    name = "market"
    n_factors = 1


class FactorModel(_LinearModel):
    """Multi-factor model: R_it = a_i + sum_j b_ij F_jt + e_it (MacKinlay 1997, section 4.2).

    The factors (e.g. Fama-French MKT-RF, SMB, HML) are supplied by the user; the first factor
    column is the benchmark or the factor file's first column.
    """

    name = "factor"

    def __init__(self, n_factors: int, divisor_offset: int | None = None):
        super().__init__(divisor_offset)
        self.n_factors = n_factors


class MarketAdjusted:
    """Market-adjusted returns: AR_it = R_it - R_mt (no parameters; Brown & Warner 1985).

    sigma^2 is the sample variance of the estimation-window ARs around their mean (divisor
    n - 1); with no estimated parameters there is no prediction-error term. It needs no
    estimation window to produce ARs, which makes it the fallback for young securities.
    """

    name = "market_adjusted"
    n_factors = 1

    def design(self, f: np.ndarray) -> np.ndarray:
        return np.zeros(f.shape[:2] + (0,))

    def columns(self, f: np.ndarray) -> list[np.ndarray]:
        return []

    def fit(self, r: np.ndarray, f: np.ndarray) -> BatchFit:
        ar = r - f[..., 0]
        n = (~np.isnan(ar)).sum(axis=1)
        df = n - 1
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(n > 0, np.nansum(ar, axis=1) / np.maximum(n, 1), np.nan)
            ssd = np.nansum((ar - mean[:, None]) ** 2, axis=1)
            sigma2 = np.where(df > 0, ssd / np.maximum(df, 1), np.nan)
        K = r.shape[0]
        return BatchFit(np.zeros((K, 0)), np.zeros((K, 0, 0)), sigma2, n, df, ar)

    def abnormal(self, fit: BatchFit, r: np.ndarray, f: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        expected = f[..., 0].copy()
        return expected, r - expected


def make_model(kind: str, n_factors: int = 1, divisor_offset: int | None = None,
               rolling_window: int = 60) -> NormalReturnModel:
    """Model by name (see :data:`MODEL_KINDS`)."""
    if kind == "constant_mean":
        return ConstantMean(divisor_offset)
    if kind == "market":
        return MarketModel(divisor_offset)
    if kind == "market_adjusted":
        return MarketAdjusted()
    if kind in FACTOR_KINDS:
        return FactorModel(n_factors, divisor_offset)
    if kind == "garch":
        from .garch import GarchMarketModel
        return GarchMarketModel()
    if kind == "rolling_market":
        from .rolling import RollingMarketModel
        return RollingMarketModel(rolling_window, divisor_offset)
    if kind == "scholes_williams":
        from .scholes_williams import ScholesWilliams
        return ScholesWilliams(divisor_offset)
    raise StudyFileError(f"model kind {kind!r} is not one of {', '.join(MODEL_KINDS)}")


def prediction_quad(fit: BatchFit, G: np.ndarray) -> np.ndarray:
    """g' (X'X)^-1 g for each event and each row of G (K, M, p); zero for parameter-free models."""
    return quad_columns(fit.xtx_inv, [G[..., i] for i in range(G.shape[-1])], G.shape[:2])


def quad_columns(A: np.ndarray, cols: list[np.ndarray], shape: tuple[int, int]) -> np.ndarray:
    """g' A g per event and bar, with g given column by column (each broadcastable to ``shape``)."""
    p = len(cols)
    if p == 0:
        return np.zeros(shape)
    if p == 1:
        return np.broadcast_to(A[:, 0, 0, None] * cols[0] ** 2, shape)
    if p == 2:  # closed form, in place: much faster than a batched matmul of 2 x 2 blocks
        g0, g1 = cols
        out = np.multiply(A[:, 1, 1, None], g1, out=np.empty(shape))
        out += (2.0 * A[:, 0, 1, None]) * g0
        out *= g1
        out += A[:, 0, 0, None] * (g0 * g0)
        return out
    G = np.stack([np.broadcast_to(c, shape) for c in cols], axis=-1)
    return (np.matmul(G, A) * G).sum(axis=-1)


def batched_inverse(xtx: np.ndarray) -> np.ndarray:
    """Inverse of each (p, p) matrix in a (K, p, p) stack (closed form for p <= 2)."""
    p = xtx.shape[-1]
    if p == 1:
        return 1.0 / xtx
    if p == 2:
        a, b, d = xtx[:, 0, 0], xtx[:, 0, 1], xtx[:, 1, 1]
        det = a * d - b * b
        out = np.empty_like(xtx)
        out[:, 0, 0], out[:, 1, 1] = d / det, a / det
        out[:, 0, 1] = out[:, 1, 0] = -b / det
        return out
    return np.linalg.inv(xtx)
