"""The event-study engine: from returns around each event to abnormal returns and their variances.

Pure functions over arrays; no I/O. Shapes: K events, Le estimation bars, W event-window bars,
q benchmark/factor columns, C CAR windows. Relative bars are counted on each security's own
calendar (trading days, UTC days or intraday bars).

The main entry point is :func:`estimate_events`, which fits the normal-return model on each
estimation window, falls back to the market-adjusted model (or drops the event) when the window
holds too few valid bars, and returns an :class:`EventEstimates` with ARs, CARs and variances
that include the prediction-error term (MacKinlay 1997, eq. 4.14-4.15).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .models import BatchFit, MarketAdjusted, NormalReturnModel, prediction_quad

SHORT_ESTIMATION_POLICIES = ("fallback", "drop")


@dataclass(frozen=True)
class Windows:
    """Windows in bars relative to day 0 (inclusive bounds).

    ``estimation`` and ``event`` are (first, last) relative bars; ``cars`` lists the CAR windows,
    each inside the event window.
    """

    estimation: tuple[int, int]
    event: tuple[int, int]
    cars: tuple[tuple[int, int], ...]

    @property
    def est_offsets(self) -> np.ndarray:
        return np.arange(self.estimation[0], self.estimation[1] + 1)

    @property
    def evt_offsets(self) -> np.ndarray:
        return np.arange(self.event[0], self.event[1] + 1)

    def car_index(self) -> np.ndarray:
        """(C, 2) positions of each CAR window's first and last bar inside the event window."""
        return np.array([[a - self.event[0], b - self.event[0]] for a, b in self.cars], dtype=int).reshape(-1, 2)


def gather(matrix: np.ndarray, rows: np.ndarray, cols: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Gather ``matrix[rows[k] + offsets, cols[k]]`` for every event k; NaN outside the matrix.

    ``matrix`` is (T, S) returns on one calendar; ``rows`` (K,) day-0 positions; ``cols`` (K,)
    column of each event's series. Returns (K, len(offsets)).
    """
    T = matrix.shape[0]
    pos = rows[:, None] + offsets[None, :]
    inside = (pos >= 0) & (pos < T)
    out = matrix[np.clip(pos, 0, T - 1), cols[:, None]]
    return np.where(inside, out, np.nan)


@dataclass(frozen=True)
class EventEstimates:
    """Everything the tests need about K events (all arrays indexed by event first).

    Attributes
    ----------
    model : (K,) name of the model actually used (the study's, or its fallback).
    status : (K,) "ok"; "fallback" (model replaced by market-adjusted because the estimation
        window was short); "short" (market-adjusted model kept on a short window: ARs stand, the
        variance rests on few or no bars); or "dropped" (no usable result; see ``reason``).
    reason : (K,) human-readable reason for a fallback or a drop ("" otherwise).
    n : (K,) valid estimation bars. df : (K,) residual degrees of freedom.
    sigma2 : (K,) residual variance of the estimation window.
    coef : (K, p) parameters of the study's model (NaN for fallback/dropped events).
    resid_est : (K, Le) estimation-window abnormal returns (residuals).
    r_evt, f_evt : (K, W) and (K, W, q) raw event-window returns of security and benchmark.
    expected, ar : (K, W) expected and abnormal returns on the event window.
    var_ar : (K, W) Var(AR) with the prediction-error term.
    car_path, var_car_path : (K, W) CAR from the first available event bar to each bar (NaN
        before it, and after a missing bar), and its variance.
    car, var_car : (K, C) CAR over each CAR window, and its variance (prediction error and
        cross-day covariance included). A CAR window with a missing AR is NaN.
    """

    model: np.ndarray
    status: np.ndarray
    reason: np.ndarray
    n: np.ndarray
    df: np.ndarray
    sigma2: np.ndarray
    coef: np.ndarray
    resid_est: np.ndarray
    r_est: np.ndarray
    f_est: np.ndarray
    r_evt: np.ndarray
    f_evt: np.ndarray
    expected: np.ndarray
    ar: np.ndarray
    var_ar: np.ndarray
    car_path: np.ndarray
    var_car_path: np.ndarray
    car: np.ndarray
    var_car: np.ndarray
    windows: Windows = field(repr=False)


def leading_missing(ar: np.ndarray) -> np.ndarray:
    """(K, W) mask of the bars before each event's first non-missing AR (a young security)."""
    valid = ~np.isnan(ar)
    lead = np.where(valid.any(axis=1), valid.argmax(axis=1), ar.shape[1])
    return np.arange(ar.shape[1])[None, :] < lead[:, None]


def car_path(ar: np.ndarray) -> np.ndarray:
    """CAR from the first available event-window bar to each bar (NaN before it, and after a gap)."""
    before = leading_missing(ar)
    path = np.cumsum(np.where(before, 0.0, ar), axis=1)
    return np.where(before, np.nan, path)


def _variances(model: NormalReturnModel, fit: BatchFit, f_evt: np.ndarray, car_idx: np.ndarray,
               prediction_error: bool, before: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Var(AR) per bar, Var(CAR path) and Var(CAR) per window for one model's events.

    ``before`` masks bars before each event's first available AR; the CAR path starts after them.
    """
    X = model.design(f_evt)  # (K, W, p)
    K, W, _ = X.shape
    s2 = fit.sigma2[:, None]
    if prediction_error and X.shape[2] > 0:
        quad_bar = prediction_quad(fit, X)
        G = np.cumsum(np.where(before[..., None], 0.0, X), axis=1)
        quad_path = prediction_quad(fit, G)
        G0 = np.cumsum(X, axis=1)
        a, b = car_idx[:, 0], car_idx[:, 1]
        Gc = G0[:, b, :] - np.where((a > 0)[None, :, None], G0[:, np.maximum(a - 1, 0), :], 0.0)
        quad_car = prediction_quad(fit, Gc)
    else:
        quad_bar = np.zeros((K, W))
        quad_path = np.zeros((K, W))
        quad_car = np.zeros((K, len(car_idx)))
    lengths_path = np.cumsum(~before, axis=1)
    lengths_car = (car_idx[:, 1] - car_idx[:, 0] + 1)[None, :]
    var_ar = s2 * (1.0 + quad_bar)
    var_path = s2 * (lengths_path + quad_path)
    var_car = s2 * (lengths_car + quad_car)
    return var_ar, var_path, var_car


def estimate_events(
    r_est: np.ndarray,
    f_est: np.ndarray,
    r_evt: np.ndarray,
    f_evt: np.ndarray,
    model: NormalReturnModel,
    windows: Windows,
    *,
    min_estimation: int = 30,
    short_estimation: str = "fallback",
    prediction_error: bool = True,
) -> EventEstimates:
    """Fit the model on each estimation window and compute ARs, CARs and their variances.

    Parameters
    ----------
    r_est, f_est : security (K, Le) and benchmark/factor (K, Le, q) returns on the estimation bars.
    r_evt, f_evt : the same on the event-window bars.
    model : the study's normal-return model.
    min_estimation : fewest valid estimation bars (security and benchmark both present) to fit it.
    short_estimation : "fallback" to the market-adjusted model (AR = R - R_m, needs a benchmark)
        or "drop" the event when the estimation window is too short.
    prediction_error : include the estimation-error term in Var(AR) and Var(CAR) (MacKinlay 1997).
    """
    K, W = r_evt.shape
    car_idx = windows.car_index()
    C = len(car_idx)
    fit = model.fit(r_est, f_est)
    p = fit.coef.shape[1]
    status = np.full(K, "ok", dtype=object)
    reason = np.full(K, "", dtype=object)
    model_used = np.full(K, model.name, dtype=object)
    short = (fit.n < min_estimation) | np.isnan(fit.sigma2)
    for k in np.flatnonzero(short):
        reason[k] = (f"estimation window [{windows.estimation[0]}, {windows.estimation[1]}] has "
                     f"{int(fit.n[k])} valid bars, fewer than min_estimation = {min_estimation}")

    expected, ar = model.abnormal(fit, r_evt, f_evt)
    before = leading_missing(r_evt - (f_evt[..., 0] if f_evt.shape[2] else 0.0))
    var_ar, var_path, var_car = _variances(model, fit, f_evt, car_idx, prediction_error, before)
    n, df, sigma2 = fit.n.astype(float), fit.df.astype(float), fit.sigma2.copy()
    resid = fit.resid.copy()
    coef = np.where(short[:, None], np.nan, fit.coef) if p else fit.coef

    if short.any():
        can_fallback = short_estimation == "fallback" and model.name != "market_adjusted" and f_evt.shape[2] > 0
        if can_fallback:
            fb_model = MarketAdjusted()
            sel = np.flatnonzero(short)
            fb_fit = fb_model.fit(r_est[sel], f_est[sel])
            fb_exp, fb_ar = fb_model.abnormal(fb_fit, r_evt[sel], f_evt[sel])
            fb_var_ar, fb_var_path, fb_var_car = _variances(fb_model, fb_fit, f_evt[sel], car_idx,
                                                                prediction_error, before[sel])
            expected[sel], ar[sel] = fb_exp, fb_ar
            var_ar[sel], var_path[sel], var_car[sel] = fb_var_ar, fb_var_path, fb_var_car
            n[sel], df[sel], sigma2[sel] = fb_fit.n, fb_fit.df, fb_fit.sigma2
            resid[sel] = fb_fit.resid
            status[sel] = "fallback"
            model_used[sel] = fb_model.name
            for k, nk in zip(sel, fb_fit.n):
                reason[k] += "; market-adjusted fallback (AR = R - R_m)"
                if nk < 2:
                    reason[k] += ", no variance estimate: no test statistics"
        elif short_estimation == "fallback" and model.name == "market_adjusted":
            # The model needs no parameters: ARs stand; only the variance rests on few bars.
            sel = np.flatnonzero(short)
            status[sel] = "short"
            for k in sel:
                reason[k] += ("; ARs kept (market-adjusted needs no estimation), no variance estimate: "
                              "no test statistics" if fit.n[k] < 2 else
                              f"; ARs kept (market-adjusted needs no estimation), variance from {int(fit.n[k])} bars")
        else:
            sel = np.flatnonzero(short)
            why = ("short_estimation = 'drop'" if short_estimation == "drop"
                   else "no fallback possible (the constant-mean model has no benchmark to fall back on)")
            for k in sel:
                reason[k] += f"; dropped ({why})"
            status[sel] = "dropped"
            for arr in (expected, ar, var_ar, var_path, var_car):
                arr[sel] = np.nan

    path = car_path(ar)
    car = np.empty((K, C))
    for c, (a, b) in enumerate(car_idx):
        car[:, c] = ar[:, a : b + 1].sum(axis=1)  # NaN if any bar of the window is missing
    return EventEstimates(
        model=model_used, status=status, reason=reason, n=n, df=df, sigma2=sigma2, coef=coef,
        resid_est=resid, r_est=r_est, f_est=f_est, r_evt=r_evt, f_evt=f_evt, expected=expected,
        ar=ar, var_ar=var_ar, car_path=path, var_car_path=var_path, car=car, var_car=var_car,
        windows=windows,
    )
