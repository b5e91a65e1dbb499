"""Scholes-Williams (1977) market model for thinly (non-synchronously) traded securities.

A security that does not trade at every close has a stale price: its return on bar t partly
reflects the market's moves of bars t - 1 and t + 1, and the OLS beta is biased towards zero.
Scholes & Williams (1977, "Estimating betas from nonsynchronous data", JFE 5(3), 309-327,
eq. 14-15) estimate

    beta_SW = (b^- + b^0 + b^+) / (1 + 2 rho_m)
    alpha_SW = mean(R_i) - beta_SW mean(R_m)

where b^-, b^0, b^+ are the simple OLS slopes of R_it on R_m,t-1, R_m,t and R_m,t+1, and
rho_m the first-order autocorrelation of the market return, all over the same bars (t = 2 ..
L - 1 of the estimation window, the bars where R_it, R_m,t-1, R_m,t and R_m,t+1 are all
present); the means are over those bars too (SW's trimmed sample, their eq. 15).

Abnormal returns use the contemporaneous market: AR_i,tau = R_i,tau - alpha_SW - beta_SW R_m,tau.
sigma^2 = SSR / (n - 2) of those residuals over the valid estimation bars.

Where the engine's variance machinery is an approximation: the prediction-error term
sigma^2 x'(X'X)^-1 x uses the OLS design [1, R_m] of the estimation window; the sampling
variance of beta_SW (a sum of three slopes over 1 + 2 rho) is larger than that of the OLS
beta, so the term is understated. It is small next to sigma^2 for estimation windows of
100+ bars; with short windows prefer ``prediction_error = False`` and say so.
"""

from __future__ import annotations

import numpy as np

from .models import BatchFit, MarketModel, batched_inverse, well_conditioned


def _slope(y: np.ndarray, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """OLS slope of y on [1, x] per row, over the bars where w is True (NaN if degenerate)."""
    n = w.sum(axis=1)
    y0, x0 = np.where(w, y, 0.0), np.where(w, x, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mx, my = x0.sum(axis=1) / n, y0.sum(axis=1) / n
        cxy = np.where(w, (x0 - mx[:, None]) * (y0 - my[:, None]), 0.0).sum(axis=1)
        cxx = np.where(w, (x0 - mx[:, None]) ** 2, 0.0).sum(axis=1)
        return np.where(cxx > 0, cxy / cxx, np.nan)


def scholes_williams_beta(r: np.ndarray, m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(alpha_SW, beta_SW, n used) per row of ``r`` and ``m`` (K, L); see the module docstring."""
    K, L = r.shape
    nan = np.full((K, 1), np.nan)
    m_lag = np.concatenate([nan, m[:, :-1]], axis=1)
    m_lead = np.concatenate([m[:, 1:], nan], axis=1)
    w = np.isfinite(r) & np.isfinite(m) & np.isfinite(m_lag) & np.isfinite(m_lead)
    b_minus, b_zero, b_plus = _slope(r, m_lag, w), _slope(r, m, w), _slope(r, m_lead, w)
    # rho_m: correlation of (m_t, m_{t-1}) over the same bars.
    n = w.sum(axis=1)
    a0, b0 = np.where(w, m, 0.0), np.where(w, m_lag, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        ma, mb = a0.sum(axis=1) / n, b0.sum(axis=1) / n
        da = np.where(w, a0 - ma[:, None], 0.0)
        db = np.where(w, b0 - mb[:, None], 0.0)
        rho = (da * db).sum(axis=1) / np.sqrt((da**2).sum(axis=1) * (db**2).sum(axis=1))
        beta = (b_minus + b_zero + b_plus) / (1.0 + 2.0 * rho)
        alpha = np.where(w, r, 0.0).sum(axis=1) / n - beta * ma
    bad = (n < 4) | ~np.isfinite(beta)
    alpha[bad], beta[bad] = np.nan, np.nan
    return alpha, beta, n


class ScholesWilliams(MarketModel):
    """Market model with Scholes & Williams (1977) alpha and beta (see the module docstring)."""

    name = "scholes_williams"
    prefix_sums = False  # not OLS: the engine's prefix-sum fast path does not apply

    def fit(self, r: np.ndarray, f: np.ndarray) -> BatchFit:
        m = f[..., 0]
        alpha, beta, _ = scholes_williams_beta(r, m)
        coef = np.stack([alpha, beta], axis=1)
        X = self.design(f)
        valid = np.isfinite(r) & np.isfinite(X).all(axis=2)
        resid = np.where(valid, r - alpha[:, None] - beta[:, None] * m, np.nan)
        n = valid.sum(axis=1)
        p = 2 if self.divisor_offset is None else self.divisor_offset
        df = n - p
        X0 = np.where(valid[..., None], X, 0.0)
        xtx = np.matmul(X0.transpose(0, 2, 1), X0)
        xtx_inv = np.full_like(xtx, np.nan)
        idx = well_conditioned(xtx, n > 2)
        if idx.size:
            xtx_inv[idx] = batched_inverse(xtx[idx])  # OLS design: an approximation (module docstring)
        with np.errstate(invalid="ignore", divide="ignore"):
            sigma2 = np.where((df > 0) & np.isfinite(beta), np.nansum(resid**2, axis=1) / df, np.nan)
        return BatchFit(coef, xtx_inv, sigma2, n, df, resid)
