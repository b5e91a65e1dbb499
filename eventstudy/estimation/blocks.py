"""Estimate every studied pair of a group, one block (group x calendar) at a time.

For each block the returns of its securities and benchmarks are one (T, S) matrix on the
calendar's bars (:func:`~eventstudy.estimation.panel.return_panel`), the pairs are (day-0
position, security column, regressor columns) triples read off the plan, and the prefix-sum
engine :func:`~eventstudy.estimation.engine.estimate_panel` fits them all at once; the event
windows are gathered with one fancy index per array. Blocks of a group are then concatenated in
the plan's ``seq`` order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..plan.plan import KEPT, EventPlan, GroupPlan
from ..study.spec import StudySpec
from .engine import EventEstimates, concat_estimates, estimate_panel
from .models import NormalReturnModel, make_model
from .panel import CalendarPanel


@dataclass(frozen=True)
class GroupEstimates:
    """The engine's results for one group's studied pairs.

    ``rows`` are the plan's row ids in ``seq`` order (event k of ``est`` is ``rows[k]``);
    ``dates`` (K, W) the event-window bar labels of each pair.
    """

    group: GroupPlan
    rows: np.ndarray
    est: EventEstimates
    model: NormalReturnModel
    dates: np.ndarray


def _block_inputs(panel: CalendarPanel, tick: np.ndarray, bench: np.ndarray, factors: pd.DataFrame | None
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(R, F, col, fcol) of a block: security returns, regressors and the columns of each pair."""
    where = {s: j for j, s in enumerate(panel.symbols)}
    col = np.array([where[t] for t in tick], dtype=np.int64)
    R = panel.returns
    K, T = len(tick), len(panel.index)
    if factors is not None:
        fm = factors.reindex(panel.index)
        fcols = [c for c in fm.columns if c != "RF"]
        F = fm[fcols].to_numpy(dtype=float)
        fcol = np.tile(np.arange(len(fcols)), (K, 1))
        if "RF" in fm.columns:  # excess returns over the risk-free rate
            R = R - fm[["RF"]].to_numpy(dtype=float)
        return R, F, col, fcol
    if K and bool(pd.notna(bench).all()):
        return R, R, col, np.array([where[b] for b in bench], dtype=np.int64)[:, None]
    return R, np.zeros((T, 0)), col, np.zeros((K, 0), dtype=np.int64)


def estimate_groups(spec: StudySpec, plan: EventPlan, panels: dict[str, CalendarPanel],
                    factors: pd.DataFrame | None) -> list[GroupEstimates]:
    """Fit each group's studied pairs (the plan's pending rows), block by block, in ``seq`` order."""
    f = plan.frame
    pending = f["drop_code"].to_numpy() == KEPT
    out = []
    for gp in plan.groups:
        sel = np.flatnonzero(pending & (f["group_order"].to_numpy() == gp.order))
        if not sel.size:
            continue
        sel = sel[np.argsort(f["seq"].to_numpy()[sel], kind="stable")]
        rows = f.iloc[sel]
        parts, dates, n_q = [], [], set()
        model = None
        for cal in pd.unique(rows["calendar"]):
            b = np.flatnonzero(rows["calendar"].to_numpy(dtype=object) == cal)
            panel = panels[cal]
            R, F, col, fcol = _block_inputs(panel, rows["ticker"].to_numpy(dtype=object)[b],
                                            rows["benchmark"].to_numpy(dtype=object)[b], factors)
            n_q.add(fcol.shape[1])
            model = make_model(gp.model_kind, n_factors=fcol.shape[1], rolling_window=spec.model.rolling_window)
            pos = rows["pos0"].to_numpy()[b]
            parts.append(estimate_panel(R, F, pos, col, fcol, model, gp.windows,
                                        min_estimation=spec.model.min_estimation,
                                        short_estimation=spec.model.short_estimation))
            offsets = gp.windows.evt_offsets
            dates.append(panel.index.to_numpy()[pos[:, None] + offsets[None, :]])
        if len(n_q) > 1:
            model = make_model(gp.model_kind, n_factors=max(n_q), rolling_window=spec.model.rolling_window)
        est = concat_estimates(parts)
        out.append(GroupEstimates(gp, f["row"].to_numpy()[sel], est, model,
                                  np.concatenate(dates) if len(dates) > 1 else dates[0]))
    return out
