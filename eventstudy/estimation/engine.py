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

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from .models import BatchFit, MarketAdjusted, NormalReturnModel, batched_inverse, quad_columns, well_conditioned

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


def gather(matrix: np.ndarray, rows: np.ndarray, cols: np.ndarray, offsets: np.ndarray,
           transposed: np.ndarray | None = None) -> np.ndarray:
    """Gather ``matrix[rows[k] + offsets, cols[k]]`` for every event k; NaN outside the matrix.

    ``matrix`` is (T, S) returns on one calendar; ``rows`` (K,) day-0 positions; ``cols`` (K,)
    column of each event's series. Returns (K, len(offsets)). ``transposed`` (the same data as
    a C-contiguous (S, T) array, see :func:`series_major`) makes each event's window one
    contiguous run of memory: the same values, read far faster for long windows.
    """
    T, S = matrix.shape
    if rows.size and rows.min() + offsets.min() >= 0 and rows.max() + offsets.max() < T:
        if transposed is not None:
            return transposed.ravel()[(cols * T + rows)[:, None] + offsets[None, :]]
        return matrix.ravel()[(rows * S + cols)[:, None] + (offsets * S)[None, :]]  # every bar inside: plain take
    pos = rows[:, None] + offsets[None, :]
    inside = (pos >= 0) & (pos < T)
    out = matrix[np.clip(pos, 0, T - 1), cols[:, None]]
    return np.where(inside, out, np.nan)


def gather_columns(F: np.ndarray, rows: np.ndarray, fcol: np.ndarray, offsets: np.ndarray,
                   transposed: np.ndarray | None = None) -> np.ndarray:
    """Several regressor columns per event: (K, len(offsets), q) from ``F`` and ``fcol`` (K, q)."""
    K, q = fcol.shape
    if q == 0:
        return np.zeros((K, len(offsets), 0))
    if q == 1:
        return gather(F, rows, fcol[:, 0], offsets, transposed)[..., None]
    return np.stack([gather(F, rows, fcol[:, j], offsets, transposed) for j in range(q)], axis=2)


def series_major(matrix: np.ndarray) -> np.ndarray:
    """The (T, S) matrix as a C-contiguous (S, T) copy: each series' bars side by side."""
    return np.ascontiguousarray(matrix.T)


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
    r_evt, f_evt : (K, W) and (K, W, q) raw event-window returns of security and benchmark.
    expected, ar : (K, W) expected and abnormal returns on the event window.
    var_ar : (K, W) Var(AR) with the prediction-error term.
    car_path, var_car_path : (K, W) cumulative AR relative to day -1 (0 there; on day t >= 0 it
        equals CAR[0, t]; before day 0, minus the CAR from the next bar to day -1), and its
        variance; NaN where a bar in between is missing (see :func:`car_path`).
    car, var_car : (K, C) CAR over each CAR window, and its variance (prediction error and
        cross-day covariance included). A CAR window with a missing AR is NaN.
    r_est, f_est, resid_est : (K, Le), (K, Le, q), (K, Le) estimation-window returns and
        residuals (abnormal returns); computed on first use by the panel path.
    """

    model: np.ndarray
    status: np.ndarray
    reason: np.ndarray
    n: np.ndarray
    df: np.ndarray
    sigma2: np.ndarray
    coef: np.ndarray
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
    est_arrays: Callable[[], tuple[np.ndarray, np.ndarray, np.ndarray]] = field(repr=False, compare=False,
                                                                                 default=None)
    #: The estimation arrays of some events only (sorted positions), without the others' memory.
    est_rows: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]] | None = field(
        repr=False, compare=False, default=None)

    @cached_property
    def _est(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.est_arrays()

    def __len__(self) -> int:
        return len(self.status)

    def estimation_rows(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(r_est, f_est, resid_est) of the events at ``rows`` (sorted positions), gathered for
        those events only: the tests read the estimation windows chunk by chunk this way."""
        rows = np.asarray(rows, dtype=np.int64)
        if "_est" in self.__dict__ or self.est_rows is None:
            r, f, e = self._est
            return r[rows], f[rows], e[rows]
        return self.est_rows(rows)

    def chunks(self, rows: np.ndarray | None = None, max_cells: int = 2_000_000):
        """Yield (positions, r_est, f_est, resid_est) over ``rows`` (default all events) in chunks
        of at most ``max_cells`` estimation bars, so memory stays flat in the number of events."""
        rows = np.arange(len(self)) if rows is None else np.asarray(rows, dtype=np.int64)
        Le = self.windows.estimation[1] - self.windows.estimation[0] + 1
        step = max(1, max_cells // max(Le, 1))
        for i in range(0, len(rows), step):
            part = rows[i: i + step]
            yield (part, *self.estimation_rows(part))

    @property
    def r_est(self) -> np.ndarray:
        return self._est[0]

    @property
    def f_est(self) -> np.ndarray:
        return self._est[1]

    @property
    def resid_est(self) -> np.ndarray:
        return self._est[2]


def path_anchor(windows: "Windows") -> int:
    """Position in the event window of the bar the CAR path is anchored at (its value there is 0):
    day -1 when the window contains it, else -1 (the bar before the window's first one)."""
    a, b = windows.event
    return -1 - a if a <= -1 <= b else -1


def car_path(ar: np.ndarray, anchor: int) -> np.ndarray:
    """Cumulative AR relative to the anchor bar (usually day -1): for a bar t after the anchor the
    sum of ARs over (anchor, t], before it minus the sum over (t, anchor]. So the path is 0 at
    day -1 and its value on day t >= 0 is CAR[0, t]. NaN when a bar in between is missing."""
    nan = np.isnan(ar)
    S = np.cumsum(np.where(nan, 0.0, ar), axis=1)
    M = np.cumsum(nan, axis=1)
    S_a = S[:, anchor : anchor + 1] if anchor >= 0 else 0.0
    M_a = M[:, anchor : anchor + 1] if anchor >= 0 else 0
    return np.where(M == M_a, S - S_a, np.nan)


def _variances(model: NormalReturnModel, fit: BatchFit, f_evt: np.ndarray, car_idx: np.ndarray,
               prediction_error: bool, anchor: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Var(AR) per bar, Var(CAR path) (relative to the ``anchor`` bar) and Var(CAR) per window.

    Each is sigma^2 (L + g'(X'X)^-1 g) for the bars summed (L of them, regressors summing to g);
    MacKinlay (1997), eq. 4.14-4.15.
    """
    cols = model.columns(f_evt)  # each broadcastable to (K, W)
    K, W = f_evt.shape[:2]
    C = len(car_idx)
    s2 = fit.sigma2[:, None]
    if prediction_error and cols:
        A = fit.xtx_inv
        quad_bar = quad_columns(A, cols, (K, W))
        G0 = [np.cumsum(np.nan_to_num(c), axis=1) for c in cols]
        G = G0 if anchor < 0 else [g - g[:, anchor : anchor + 1] for g in G0]
        quad_path = quad_columns(A, G, (K, W))
        a, b = car_idx[:, 0], car_idx[:, 1]
        Gc = [g[:, b] - np.where(a > 0, g[:, np.maximum(a - 1, 0)], 0.0) for g in G0]
        quad_car = quad_columns(A, Gc, (K, C))
    else:
        quad_bar = np.zeros((K, W))
        quad_path = np.zeros((K, W))
        quad_car = np.zeros((K, C))
    lengths_path = np.abs(np.arange(W) - anchor)[None, :]
    lengths_car = (car_idx[:, 1] - car_idx[:, 0] + 1)[None, :]
    var_ar = np.add(quad_bar, 1.0, out=quad_bar if quad_bar.flags.writeable else None)
    var_ar *= s2
    var_path = np.add(quad_path, lengths_path, out=quad_path if quad_path.flags.writeable else None)
    var_path *= s2
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
    fit = model.fit(r_est, f_est)
    resid = fit.resid.copy()

    def fallback_fit(sel: np.ndarray) -> BatchFit:
        fb = MarketAdjusted().fit(r_est[sel], f_est[sel])
        resid[sel] = fb.resid
        return fb

    est = _assemble(model, fit, r_evt, f_evt, windows, min_estimation, short_estimation, prediction_error,
                    fallback_fit, lambda: (r_est, f_est, resid), lambda rows: (r_est[rows], f_est[rows], resid[rows]))
    return est


def _assemble(model: NormalReturnModel, fit: BatchFit, r_evt: np.ndarray, f_evt: np.ndarray, windows: Windows,
              min_estimation: int, short_estimation: str, prediction_error: bool,
              fallback_fit: Callable[[np.ndarray], BatchFit],
              est_arrays: Callable[[], tuple[np.ndarray, np.ndarray, np.ndarray]],
              est_rows: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None
              ) -> EventEstimates:
    """Event-window quantities from a fit, with the short-window policy applied (shared by both paths)."""
    K, W = r_evt.shape
    car_idx = windows.car_index()
    C = len(car_idx)
    p = fit.coef.shape[1]
    status = np.full(K, "ok", dtype="<U8")
    reason = np.full(K, "", dtype=object)
    model_used = np.full(K, model.name, dtype="<U24")
    short = (fit.n < min_estimation) | np.isnan(fit.sigma2)
    for k in np.flatnonzero(short):
        reason[k] = (f"estimation window [{windows.estimation[0]}, {windows.estimation[1]}] has "
                     f"{int(fit.n[k])} valid bars, fewer than min_estimation = {min_estimation}")

    expected, ar = model.abnormal(fit, r_evt, f_evt)
    anchor = path_anchor(windows)
    var_ar, var_path, var_car = _variances(model, fit, f_evt, car_idx, prediction_error, anchor)
    n, df, sigma2 = fit.n.astype(float), fit.df.astype(float), fit.sigma2.copy()
    coef = np.where(short[:, None], np.nan, fit.coef) if p else fit.coef

    if short.any():
        sel = np.flatnonzero(short)
        can_fallback = short_estimation == "fallback" and model.name != "market_adjusted" and f_evt.shape[2] > 0
        if can_fallback:
            fb_model = MarketAdjusted()
            fb_fit = fallback_fit(sel)
            fb_exp, fb_ar = fb_model.abnormal(fb_fit, r_evt[sel], f_evt[sel])
            fb_var_ar, fb_var_path, fb_var_car = _variances(fb_model, fb_fit, f_evt[sel], car_idx,
                                                                prediction_error, anchor)
            expected[sel], ar[sel] = fb_exp, fb_ar
            var_ar[sel], var_path[sel], var_car[sel] = fb_var_ar, fb_var_path, fb_var_car
            n[sel], df[sel], sigma2[sel] = fb_fit.n, fb_fit.df, fb_fit.sigma2
            status[sel] = "fallback"
            model_used[sel] = fb_model.name
            for k, nk in zip(sel, fb_fit.n):
                reason[k] += "; market-adjusted fallback (AR = R - R_m)"
                if nk < 2:
                    reason[k] += ", no variance estimate: no test statistics"
        elif short_estimation == "fallback" and model.name == "market_adjusted":
            # The model needs no parameters: ARs stand; only the variance rests on few bars.
            status[sel] = "short"
            for k in sel:
                reason[k] += ("; ARs kept (market-adjusted needs no estimation), no variance estimate: "
                              "no test statistics" if fit.n[k] < 2 else
                              f"; ARs kept (market-adjusted needs no estimation), variance from {int(fit.n[k])} bars")
        else:
            why = ("short_estimation = 'drop'" if short_estimation == "drop"
                   else "no fallback possible (the constant-mean model has no benchmark to fall back on)")
            for k in sel:
                reason[k] += f"; dropped ({why})"
            status[sel] = "dropped"
            for arr in (expected, ar, var_ar, var_path, var_car):
                arr[sel] = np.nan

    path = car_path(ar, anchor)
    car = np.empty((K, C))
    for c, (a, b) in enumerate(car_idx):
        car[:, c] = ar[:, a : b + 1].sum(axis=1)  # NaN if any bar of the window is missing
    return EventEstimates(
        model=model_used, status=status, reason=reason, n=n, df=df, sigma2=sigma2, coef=coef,
        r_evt=r_evt, f_evt=f_evt, expected=expected, ar=ar, var_ar=var_ar, car_path=path,
        var_car_path=var_path, car=car, var_car=var_car, windows=windows, est_arrays=est_arrays,
        est_rows=est_rows,
    )


def estimate_panel(
    R: np.ndarray,
    F: np.ndarray,
    pos: np.ndarray,
    col: np.ndarray,
    fcol: np.ndarray,
    model: NormalReturnModel,
    windows: Windows,
    *,
    min_estimation: int = 30,
    short_estimation: str = "fallback",
    prediction_error: bool = True,
    max_cells: int = 50_000_000,
) -> EventEstimates:
    """The fast path: like :func:`estimate_events`, straight from return matrices.

    ``R`` (T, S) security returns and ``F`` (T, Q) benchmark/factor returns on one calendar;
    event k is security ``col[k]`` with day 0 at row ``pos[k]`` and regressors ``F[:, fcol[k]]``
    (``fcol`` is (K, q)). The OLS fits come from prefix sums of X'X, X'y and y'y per (security,
    regressors) pair, so each event costs O(q^2) for its fit and O(W) for its event window
    instead of O(Le) (Le estimation bars). The estimation-window residuals, which only some
    tests need, are gathered on first use. Identical results to :func:`estimate_events`.
    """
    K = len(pos)
    fcol = np.asarray(fcol, dtype=int).reshape(K, -1)
    q = fcol.shape[1]
    T = R.shape[0]
    keys = np.concatenate([col[:, None], fcol], axis=1).astype(np.int64)
    code = np.zeros(K, dtype=np.int64)  # one integer per (security, regressors) combination
    for j in range(keys.shape[1]):
        code = code * (int(keys[:, j].max(initial=0)) + 1) + keys[:, j]
    _, first, pair_of = np.unique(code, return_index=True, return_inverse=True)
    pairs = keys[first]
    P = len(pairs)
    est_off, evt_off = windows.est_offsets, windows.evt_offsets
    if isinstance(model, MarketAdjusted) and q >= 1 and (T + 1) * P * 3 <= max_cells:
        return _market_adjusted_panel(R, F, pos, col, fcol, pairs, pair_of, windows, min_estimation,
                                      short_estimation, prediction_error)
    if isinstance(model, MarketAdjusted) or not getattr(model, "prefix_sums", True) \
            or (T + 1) * P * (q + 1) ** 2 > max_cells:
        # No parameters to fit, a model that is not OLS on the whole window (rolling, Scholes-Williams,
        # GARCH), or too many pairs for prefix sums: use the gathering path (a model may bring its own).
        f_est, f_evt = gather_columns(F, pos, fcol, est_off), gather_columns(F, pos, fcol, evt_off)
        run = getattr(model, "estimate", None) or estimate_events
        return run(gather(R, pos, col, est_off), f_est, gather(R, pos, col, evt_off), f_evt, model,
                   windows, min_estimation=min_estimation, short_estimation=short_estimation,
                   prediction_error=prediction_error)
    # Per pair: y (T, P) and regressor columns (T, P); centred by the pair's mean for accuracy.
    y = R[:, pairs[:, 0]]
    fx = [F[:, pairs[:, 1 + j]] for j in range(q)]
    p = 1 + model.n_factors  # intercept + factors (linear models)
    valid = np.isfinite(y)
    for x in fx[: p - 1]:
        valid &= np.isfinite(x)
    vf = valid.astype(float)
    cnt = vf.sum(axis=0)
    safe = np.maximum(cnt, 1.0)
    ybar = np.where(valid, y, 0.0).sum(axis=0) / safe
    xshift = np.zeros((P, p))
    Xc = [vf]  # the intercept column, zero where the bar is missing
    for j in range(1, p):
        xv = np.where(valid, fx[j - 1], 0.0)
        xshift[:, j] = xv.sum(axis=0) / safe
        Xc.append(np.where(valid, xv - xshift[None, :, j], 0.0))
    is_const = np.zeros(p, dtype=bool)
    is_const[0] = True
    yc = np.where(valid, y - ybar[None, :], 0.0)
    lo = np.clip(pos + est_off[0], 0, T)
    hi = np.clip(pos + est_off[-1] + 1, 0, T)

    def window_sum(v: np.ndarray) -> np.ndarray:
        """Sum of a (T, P) series over each event's estimation window, via a prefix sum."""
        c = np.empty((T + 1, P))
        c[0] = 0.0
        np.cumsum(v, axis=0, out=c[1:])
        return c[hi, pair_of] - c[lo, pair_of]

    n_f = window_sum(vf)
    n = np.rint(n_f).astype(int)
    xtx = np.empty((K, p, p))
    xtx[:, 0, 0] = n_f
    for i in range(p):
        for j in range(max(i, 1), p):
            xtx[:, i, j] = xtx[:, j, i] = window_sum(Xc[i] * Xc[j])
    xty = np.stack([window_sum(Xc[i] * yc) for i in range(p)], axis=1)
    yty = window_sum(yc * yc)
    coef_c = np.full((K, p), np.nan)
    xtx_inv = np.full((K, p, p), np.nan)
    good = well_conditioned(xtx, n > p)
    if good.size:
        xtx_inv[good] = batched_inverse(xtx[good])
        coef_c[good] = np.matmul(xtx_inv[good], xty[good][..., None])[..., 0]
    ssr = yty - (coef_c * xty).sum(axis=1)
    df = n - p
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma2 = np.where((df > 0) & ~np.isnan(coef_c).any(axis=1), np.maximum(ssr, 0.0) / df, np.nan)
    # Back to uncentred coordinates: only the intercept moves; (X'X)^-1 of the centred design
    # is the one of the uncentred design after the same change of variables, so the
    # prediction-error quadratic form is computed on centred regressors below.
    coef = coef_c.copy()
    icol = np.flatnonzero(is_const)
    if icol.size:
        j = icol[0]
        shift = ybar[pair_of] - (coef_c * xshift[pair_of]).sum(axis=1)
        coef[:, j] = coef_c[:, j] + shift
    Rt = series_major(R)
    Ft = Rt if F is R else series_major(F)
    r_evt = gather(R, pos, col, evt_off, Rt)
    f_evt = gather_columns(F, pos, fcol, evt_off, Ft)
    fit = BatchFit(coef, xtx_inv, sigma2, n, df, None)
    model_c = _Centred(model, xshift[pair_of])

    def est_rows(sel: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        r_est = gather(R, pos[sel], col[sel], est_off, Rt)
        f_est = gather_columns(F, pos[sel], fcol[sel], est_off, Ft)
        c = coef[sel]
        resid = r_est - c[:, :1]  # R - alpha - sum_j beta_j F_j, column by column
        for j in range(1, p):
            resid -= c[:, j, None] * f_est[..., j - 1]
        resid[~np.isfinite(resid)] = np.nan  # a missing (or non-finite) return or regressor
        fb = est.status[sel] == "fallback"
        if fb.any():
            resid[fb] = MarketAdjusted().fit(r_est[fb], f_est[fb]).resid
        return r_est, f_est, resid

    def est_arrays() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return est_rows(np.arange(K))

    def fallback_fit(sel: np.ndarray) -> BatchFit:
        r_e = gather(R, pos[sel], col[sel], est_off)
        f_e = gather_columns(F, pos[sel], fcol[sel], est_off)
        return MarketAdjusted().fit(r_e, f_e)

    est = _assemble(model_c, fit, r_evt, f_evt, windows, min_estimation, short_estimation, prediction_error,
                    fallback_fit, est_arrays, est_rows)
    return est


def take_estimates(est: EventEstimates, idx: np.ndarray) -> EventEstimates:
    """The events ``idx`` of ``est`` (in that order) as an :class:`EventEstimates`."""
    idx = np.asarray(idx, dtype=np.int64)

    def est_rows(rows: np.ndarray):
        src = idx[np.asarray(rows, dtype=np.int64)]
        order = np.argsort(src, kind="stable")
        got = est.estimation_rows(src[order])
        back = np.empty_like(order)
        back[order] = np.arange(len(order))
        return tuple(a[back] for a in got)

    names = ("model", "status", "reason", "n", "df", "sigma2", "coef", "r_evt", "f_evt", "expected", "ar", "var_ar",
             "car_path", "var_car_path", "car", "var_car")
    return EventEstimates(**{n: getattr(est, n)[idx] for n in names}, windows=est.windows,
                          est_arrays=lambda: est_rows(np.arange(len(idx))), est_rows=est_rows)


def concat_estimates(parts: list[EventEstimates]) -> EventEstimates:
    """The events of several :class:`EventEstimates` (same windows) as one, in the given order.

    Event-window arrays are concatenated; the estimation arrays stay with their parts and are
    gathered per part on demand (:meth:`EventEstimates.estimation_rows`).
    """
    if len(parts) == 1:
        return parts[0]
    windows = parts[0].windows
    if any(p.windows != windows for p in parts):
        raise ValueError("concat_estimates needs the same windows in every part")
    q = {p.f_evt.shape[2] for p in parts}
    if len(q) > 1:
        raise ValueError("concat_estimates needs the same regressors in every part")
    bounds = np.cumsum([0, *(len(p) for p in parts)])
    p_max = max(p.coef.shape[1] for p in parts)

    def cat(name):
        return np.concatenate([getattr(p, name) for p in parts])

    def coef(p):
        c = p.coef
        return c if c.shape[1] == p_max else np.concatenate([c, np.full((len(p), p_max - c.shape[1]), np.nan)], 1)

    def est_rows(rows: np.ndarray):
        which = np.searchsorted(bounds, rows, side="right") - 1
        got = [p.estimation_rows(rows[which == i] - bounds[i]) for i, p in enumerate(parts)]
        return tuple(np.concatenate([g[j] for g in got]) for j in range(3))

    return EventEstimates(
        model=cat("model"), status=cat("status"), reason=cat("reason"), n=cat("n"), df=cat("df"),
        sigma2=cat("sigma2"), coef=np.concatenate([coef(p) for p in parts]), r_evt=cat("r_evt"), f_evt=cat("f_evt"),
        expected=cat("expected"), ar=cat("ar"), var_ar=cat("var_ar"), car_path=cat("car_path"),
        var_car_path=cat("var_car_path"), car=cat("car"), var_car=cat("var_car"), windows=windows,
        est_arrays=lambda: est_rows(np.arange(bounds[-1])), est_rows=est_rows)


def _window_sums(v: np.ndarray, lo: np.ndarray, hi: np.ndarray, pair_of: np.ndarray) -> np.ndarray:
    """Sum of a (T, P) series over each event's window [lo, hi) of its pair's column (prefix sums)."""
    T, P = v.shape
    c = np.empty((T + 1, P))
    c[0] = 0.0
    np.cumsum(v, axis=0, out=c[1:])
    return c[hi, pair_of] - c[lo, pair_of]


def _market_adjusted_panel(R, F, pos, col, fcol, pairs, pair_of, windows, min_estimation, short_estimation,
                           prediction_error) -> EventEstimates:
    """The market-adjusted model (AR = R - R_m) from prefix sums: the estimation-window variance of
    each event's ARs (divisor n - 1) from the window's count, sum and sum of squares of the ARs,
    centred by each (security, benchmark) pair's mean AR for accuracy. Same numbers as
    :meth:`MarketAdjusted.fit` on the gathered windows, without gathering them."""
    T = R.shape[0]
    est_off, evt_off = windows.est_offsets, windows.evt_offsets
    d = R[:, pairs[:, 0]] - F[:, pairs[:, 1]]
    valid = np.isfinite(d)
    cnt = valid.sum(axis=0)
    shift = np.where(valid, d, 0.0).sum(axis=0) / np.maximum(cnt, 1)
    dc = np.where(valid, d - shift[None, :], 0.0)
    lo = np.clip(pos + est_off[0], 0, T)
    hi = np.clip(pos + est_off[-1] + 1, 0, T)
    n = np.rint(_window_sums(valid.astype(float), lo, hi, pair_of)).astype(int)
    s1 = _window_sums(dc, lo, hi, pair_of)
    s2 = _window_sums(dc * dc, lo, hi, pair_of)
    df = n - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        ssd = np.maximum(s2 - s1 * s1 / np.maximum(n, 1), 0.0)
        sigma2 = np.where(df > 0, ssd / np.maximum(df, 1), np.nan)
    K = len(pos)
    fit = BatchFit(np.zeros((K, 0)), np.zeros((K, 0, 0)), sigma2, n, df, None)
    Rt = series_major(R)
    Ft = Rt if F is R else series_major(F)
    r_evt = gather(R, pos, col, evt_off, Rt)
    f_evt = gather_columns(F, pos, fcol, evt_off, Ft)

    def est_rows(sel: np.ndarray):
        r_est = gather(R, pos[sel], col[sel], est_off, Rt)
        f_est = gather_columns(F, pos[sel], fcol[sel], est_off, Ft)
        return r_est, f_est, r_est - f_est[..., 0]

    def no_fallback(sel):  # pragma: no cover - the market-adjusted model is the fallback itself
        raise AssertionError("the market-adjusted model has no fallback")

    return _assemble(MarketAdjusted(), fit, r_evt, f_evt, windows, min_estimation, short_estimation,
                     prediction_error, no_fallback, lambda: est_rows(np.arange(K)), est_rows)


class _Centred:
    """The study's model seen through centred regressors, for the prediction-error terms only.

    ``abnormal`` uses the uncentred coefficients and regressors; ``design`` (used for
    x'(X'X)^-1 x) subtracts each event's regressor means, matching the centred X'X inverse.
    """

    def __init__(self, model: NormalReturnModel, xshift: np.ndarray):
        self.model, self.xshift = model, xshift
        self.name, self.n_factors = model.name, model.n_factors

    def design(self, f: np.ndarray) -> np.ndarray:
        return self.model.design(f) - self.xshift[:, None, :]

    def columns(self, f: np.ndarray) -> list[np.ndarray]:
        cols = self.model.columns(f)
        return [cols[0]] + [c - self.xshift[:, j, None] for j, c in enumerate(cols[1:], start=1)]

    def abnormal(self, fit: BatchFit, r: np.ndarray, f: np.ndarray):
        return self.model.abnormal(fit, r, f)

    def fit(self, r, f):  # pragma: no cover - the panel path fits from prefix sums
        return self.model.fit(r, f)
