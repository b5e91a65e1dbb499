"""Rolling-window market model: the market model fitted on the most recent bars only.

Betas drift. A rolling-window market model keeps only the last ``window`` bars of each event's
estimation window, so the parameters that predict the event window are those of the most
recent regime. With ``window`` at least as long as the estimation window it *is* the market
model. This is the convention of R's EventStudy ``RollingWindowModel`` (its defaults: a
60-bar window, at least 30 observations; the last window's alpha and beta predict the event
window, sigma is the last window's residual standard error with divisor ws - 2).

Formulas (per event i, estimation bars t = 1..L, window of the last w = min(window, L) bars):

    (alpha_i, beta_i) = OLS of R_it on [1, R_mt] over t = L - w + 1 .. L (missing bars left out)
    sigma_i^2 = SSR / (n_w - 2),  n_w = valid bars in that window
    AR_i,tau = R_i,tau - alpha_i - beta_i R_m,tau

The engine's prediction-error term applies unchanged: it uses the (X'X)^-1 of the window
actually fitted (MacKinlay 1997, eq. 4.14-4.15). The estimation-window residuals returned
for the rank and time-series tests are computed on *every* estimation bar with the last
window's parameters (bars before the window are out of sample for that fit).
``min_estimation`` (the engine's) then counts the valid bars of the window, not of the whole
estimation window.

:func:`rolling_coefficients` gives the whole path of rolling alphas and betas (one per
window end), for a diagnostic plot of beta drift.
"""

from __future__ import annotations

import numpy as np

from .models import BatchFit, MarketModel


class RollingMarketModel(MarketModel):
    """Market model on the last ``window`` bars of the estimation window (see the module docstring).

    Parameters
    ----------
    window : bars of the estimation window, counted back from its last bar, that the fit uses
        (default 60, R EventStudy's default). Bars, not valid observations: a missing bar in
        the window is left out of the fit and not replaced by an older one.
    divisor_offset : as for the market model (p in sigma^2 = SSR / (n - p); default 2).
    """

    name = "rolling_market"
    prefix_sums = False  # the engine's prefix-sum fast path fits the whole window: use the gathering path

    def __init__(self, window: int = 60, divisor_offset: int | None = None):
        if int(window) < 3:
            raise ValueError(f"rolling window = {window}: needs at least 3 bars to fit alpha, beta and sigma")
        super().__init__(divisor_offset)
        self.window = int(window)

    def fit(self, r: np.ndarray, f: np.ndarray) -> BatchFit:
        L = r.shape[1]
        w = min(self.window, L)
        r_w = r.copy()
        r_w[:, : L - w] = np.nan  # bars before the last window take no part in the fit
        fit = super().fit(r_w, f)
        # Residuals on every estimation bar with the last window's parameters.
        X = self.design(f)
        resid = r - np.matmul(X, fit.coef[..., None])[..., 0]
        resid = np.where(np.isfinite(r) & np.isfinite(X).all(axis=2), resid, np.nan)
        return BatchFit(fit.coef, fit.xtx_inv, fit.sigma2, fit.n, fit.df, resid)


def rolling_coefficients(r: np.ndarray, m: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rolling OLS alpha, beta and residual variance of R on [1, R_m] for every window end.

    ``r`` and ``m`` are (K, L); the value at bar t uses bars t - window + 1 .. t (NaN while
    fewer than 3 valid bars, or when the market does not vary). Computed from prefix sums
    (no loop over windows): alpha (K, L), beta (K, L), sigma2 (K, L) with divisor n - 2.
    """
    valid = np.isfinite(r) & np.isfinite(m)
    y = np.where(valid, r, 0.0)
    x = np.where(valid, m, 0.0)
    v = valid.astype(float)

    def rsum(a: np.ndarray) -> np.ndarray:
        c = np.concatenate([np.zeros((a.shape[0], 1)), np.cumsum(a, axis=1)], axis=1)
        hi = np.arange(1, a.shape[1] + 1)
        lo = np.maximum(hi - window, 0)
        return c[:, hi] - c[:, lo]

    n, sx, sy = rsum(v), rsum(x), rsum(y)
    sxx, sxy, syy = rsum(x * x), rsum(x * y), rsum(y * y)
    with np.errstate(invalid="ignore", divide="ignore"):
        cxx = sxx - sx * sx / n
        cxy = sxy - sx * sy / n
        cyy = syy - sy * sy / n
        beta = cxy / cxx
        alpha = (sy - beta * sx) / n
        sigma2 = (cyy - beta * cxy) / (n - 2)
    bad = (n < 3) | ~(cxx > 1e-300)
    for a in (alpha, beta, sigma2):
        a[bad] = np.nan
    return alpha, beta, np.maximum(sigma2, 0.0)

