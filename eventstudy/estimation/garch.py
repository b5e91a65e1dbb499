"""GARCH(1,1) market model: the market model's mean equation with conditional variances.

Mean and variance equations, fitted jointly by (Gaussian) maximum likelihood on each event's
estimation window with the ``arch`` package (Sheppard; ``arch_model(y, x, mean="LS",
vol="GARCH", p=1, q=1)``):

    R_it = mu_i + b_i R_mt + e_it,        e_it = sqrt(h_it) z_it,  z_it ~ iid N(0, 1)
    h_it = omega_i + a_i e_i,t-1^2 + g_i h_i,t-1          (Bollerslev 1986, eq. 5)

Abnormal returns on the event window: AR_i,tau = R_i,tau - mu_i - b_i R_m,tau (the same identity
R EventStudy's GARCHModel pins). Var(AR_i,tau) is the *conditional variance forecast* made at the
end of the estimation window, k = tau - t_end bars ahead (Bollerslev 1986; Engle & Bollerslev 1986):

    h_i(1) = omega + a e_T^2 + g h_T,      h_i(k) = omega + (a + g) h_i(k-1)   (k >= 2)

so event-window information (the event's own shock) never enters the variance it is tested
against. Var(CAR) over bars tau_1..tau_2 is the sum of the h_i(k) (ARs taken as serially
uncorrelated, which the model assumes).

Where the engine's variance machinery does not apply: there is no OLS prediction-error term
(no (X'X)^-1; the uncertainty in mu, b and the GARCH parameters is ignored, as in the
GARCH event-study literature, e.g. Corhay & Tourani Rad 1996), and sigma^2 is not constant:
``sigma2`` below is the mean in-sample conditional variance (R EventStudy reports the mean
conditional sigma), used only where a single scale is needed. Use
:func:`estimate_garch_events`, which replaces the engine's constant-variance Var(AR),
Var(CAR) and Var(CAR path) by the forecasts; passing the model to the engine directly
gives constant variances (``sigma2``), which is not the GARCH model.

Conventions: returns are multiplied by 100 for the optimiser (``arch``'s advice for daily
returns) and the parameters scaled back (mu / 100, omega / 100^2); missing estimation bars
are left out and the remaining bars taken as consecutive; residual degrees of freedom
n - 5 (five estimated parameters). A fit that does not converge (``arch``'s
``convergence_flag`` non-zero) or that lacks ``min_bars`` valid bars gets NaN parameters, so
the engine's short-window policy applies (fallback or drop) and the reason says why.

Cost: one maximum-likelihood fit per event, in a Python loop (inherently; each event has its
own likelihood). Roughly 10-40 ms per event for 100-250 bars on one core
(``tests/benchmarks/bench_garch.py``); it is kept out of the market model's fast path.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import numpy as np

from .engine import EventEstimates, Windows, estimate_events, path_anchor
from .models import BatchFit

SCALE = 100.0  # returns in percent for the optimiser


@dataclass(frozen=True)
class GarchBatchFit(BatchFit):
    """A :class:`BatchFit` plus the GARCH(1,1) parameters of each event (NaN when not fitted).

    omega, alpha, beta_g : (K,) variance-equation parameters (omega in squared fractions);
    e_last, h_last : (K,) last estimation residual and its conditional variance (fractions);
    loglik : (K,) maximised log-likelihood (in the percent scale); converged : (K,) bool;
    why : (K,) object, "" or why the event has no fit.
    """

    omega: np.ndarray = None
    alpha: np.ndarray = None
    beta_g: np.ndarray = None
    e_last: np.ndarray = None
    h_last: np.ndarray = None
    loglik: np.ndarray = None
    converged: np.ndarray = None
    why: np.ndarray = None


def fit_garch_one(y: np.ndarray, x: np.ndarray):
    """One GARCH(1,1) market-model fit on complete-case bars (percent scale); the arch result."""
    from arch import arch_model

    am = arch_model(y, x=x[:, None], mean="LS", vol="GARCH", p=1, q=1, dist="normal", rescale=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence and scaling warnings: the flag is checked
        return am.fit(disp="off", show_warning=False)


class GarchMarketModel:
    """GARCH(1,1) market model (see the module docstring). ``min_bars``: fewest valid bars to fit."""

    name = "garch"
    n_factors = 1
    prefix_sums = False  # not an OLS model: the engine's prefix-sum fast path does not apply

    def __init__(self, min_bars: int = 30):
        self.min_bars = int(min_bars)

    def design(self, f: np.ndarray) -> np.ndarray:
        X = np.empty(f.shape[:2] + (2,))
        X[..., 0] = 1.0
        X[..., 1] = f[..., 0]
        return X

    def columns(self, f: np.ndarray) -> list[np.ndarray]:
        return []  # no prediction-error term (module docstring)

    def fit(self, r: np.ndarray, f: np.ndarray) -> GarchBatchFit:
        K, L = r.shape
        m = f[..., 0]
        coef = np.full((K, 2), np.nan)
        par = {k: np.full(K, np.nan) for k in ("omega", "alpha", "beta_g", "e_last", "h_last", "loglik", "sigma2")}
        converged = np.zeros(K, dtype=bool)
        why = np.full(K, "", dtype=object)
        valid = np.isfinite(r) & np.isfinite(m)
        n = valid.sum(axis=1)
        resid = np.full((K, L), np.nan)
        for k in range(K):  # one likelihood per event: inherently a loop (module docstring)
            v = valid[k]
            if n[k] < self.min_bars:
                why[k] = f"GARCH(1,1) needs at least {self.min_bars} valid estimation bars, has {int(n[k])}"
                continue
            try:
                res = fit_garch_one(r[k, v] * SCALE, m[k, v] * SCALE)
            except (ValueError, np.linalg.LinAlgError) as exc:  # degenerate input (e.g. constant series)
                why[k] = f"GARCH(1,1) fit failed ({exc})"
                continue
            if res.convergence_flag != 0:
                why[k] = f"GARCH(1,1) fit did not converge (optimizer flag {res.convergence_flag})"
                continue
            p = res.params.to_numpy()
            mu, b, om, a, g = p[0] / SCALE, p[1], p[2] / SCALE**2, p[3], p[4]
            h = np.asarray(res.conditional_volatility, float) ** 2 / SCALE**2
            e = np.asarray(res.resid, float) / SCALE
            coef[k] = mu, b
            par["omega"][k], par["alpha"][k], par["beta_g"][k] = om, a, g
            par["e_last"][k], par["h_last"][k] = e[-1], h[-1]
            par["loglik"][k] = res.loglikelihood
            par["sigma2"][k] = h.mean()
            converged[k] = True
            resid[k, v] = e
        df = n - 5
        sigma2 = np.where(converged & (df > 0), par.pop("sigma2"), np.nan)
        return GarchBatchFit(coef, np.zeros((K, 0, 0)), sigma2, n, df, resid, converged=converged, why=why, **par)

    def abnormal(self, fit: BatchFit, r: np.ndarray, f: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        expected = fit.coef[:, 0, None] + fit.coef[:, 1, None] * f[..., 0]
        return expected, r - expected

    def estimate(self, r_est: np.ndarray, f_est: np.ndarray, r_evt: np.ndarray, f_evt: np.ndarray, model,
                 windows: Windows, *, min_estimation: int = 30, short_estimation: str = "fallback",
                 prediction_error: bool = True) -> EventEstimates:
        """The engine's hook (``estimate_panel`` calls it): :func:`estimate_garch_events` with this
        model; ``prediction_error`` does not apply (there is no OLS prediction-error term)."""
        est, _ = estimate_garch_events(r_est, f_est, r_evt, f_evt, windows, model=GarchMarketModel(min_estimation),
                                       min_estimation=min_estimation,
                                       short_estimation=short_estimation)
        return est


def variance_forecast(fit: GarchBatchFit, steps: np.ndarray) -> np.ndarray:
    """h_i(k) for each event and each horizon in ``steps`` (bars after the last estimation bar, >= 1).

    h(1) = omega + a e_T^2 + g h_T; h(k) = omega + (a + g) h(k - 1), i.e. in closed form
    h(k) = omega (1 - p^(k-1)) / (1 - p) + p^(k-1) h(1) with p = a + g (k - 1 terms of omega
    when p = 1). Returns (K, len(steps)) in squared fractions.
    """
    steps = np.asarray(steps, dtype=float)
    if (steps < 1).any():
        raise ValueError("GARCH variance forecasts need horizons of at least one bar after the estimation window")
    h1 = fit.omega + fit.alpha * fit.e_last**2 + fit.beta_g * fit.h_last
    p = (fit.alpha + fit.beta_g)[:, None]
    j = steps[None, :] - 1.0
    pj = p**j
    with np.errstate(invalid="ignore", divide="ignore"):
        geo = np.where(np.isclose(p, 1.0), j, (1.0 - pj) / (1.0 - p))
    return fit.omega[:, None] * geo + pj * h1[:, None]


class _Prefitted:
    """A model whose fit is already done (so the engine does not fit GARCH a second time)."""

    def __init__(self, model: GarchMarketModel, fit: GarchBatchFit):
        self.model, self._fit = model, fit
        self.name, self.n_factors = model.name, model.n_factors

    def fit(self, r, f):
        return self._fit

    def design(self, f):
        return self.model.design(f)

    def columns(self, f):
        return []

    def abnormal(self, fit, r, f):
        return self.model.abnormal(fit, r, f)


def estimate_garch_events(
    r_est: np.ndarray,
    f_est: np.ndarray,
    r_evt: np.ndarray,
    f_evt: np.ndarray,
    windows: Windows,
    *,
    model: GarchMarketModel | None = None,
    min_estimation: int = 30,
    short_estimation: str = "fallback",
) -> tuple[EventEstimates, GarchBatchFit]:
    """The engine with the GARCH(1,1) market model and conditional-variance forecasts.

    Same inputs as :func:`eventstudy.estimation.engine.estimate_events`. For the events with a
    GARCH fit, Var(AR) on event bar tau is h(tau - t_end) and Var(CAR) the sum of the h over the
    window's bars (likewise for the CAR path relative to day -1); events without a fit follow
    the short-window policy (market-adjusted fallback or drop) with the reason. Returns the
    estimates and the GARCH fits.
    """
    model = model or GarchMarketModel(min_bars=min_estimation)
    fit = model.fit(r_est, f_est)
    est = estimate_events(r_est, f_est, r_evt, f_evt, _Prefitted(model, fit), windows,
                          min_estimation=min_estimation, short_estimation=short_estimation, prediction_error=False)
    steps = windows.evt_offsets - windows.estimation[1]
    h = variance_forecast(fit, steps)
    ok = est.status == "ok"
    var_ar = np.where(ok[:, None], h, est.var_ar)
    cum = np.cumsum(np.nan_to_num(h), axis=1)
    anchor = path_anchor(windows)
    cum_a = cum[:, anchor : anchor + 1] if anchor >= 0 else 0.0
    var_path = np.where(ok[:, None], np.abs(cum - cum_a), est.var_car_path)
    idx = windows.car_index()
    var_car = est.var_car.copy()
    for c, (a, b) in enumerate(idx):
        var_car[:, c] = np.where(ok, cum[:, b] - (cum[:, a - 1] if a > 0 else 0.0), est.var_car[:, c])
    reason = est.reason.copy()
    for k in np.flatnonzero(~fit.converged & (est.status != "ok")):
        if not fit.why[k]:
            continue
        if fit.n[k] >= min_estimation:  # the engine's "too few bars" clause does not apply: say why instead
            head, sep, tail = reason[k].partition("; ")
            reason[k] = fit.why[k] + sep + tail
    return replace(est, var_ar=var_ar, var_car_path=var_path, var_car=var_car, reason=reason), fit
