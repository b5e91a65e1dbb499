"""The long result tables (securities, abnormal returns, CARs), built in one vectorised pass per group.

Rows come in the plan's ``seq`` order; the per-bar and per-window frames repeat each pair's labels
with :func:`numpy.repeat` and tile the relative days, never one small frame per event. The text
columns of the long tables (event, ticker, group, window, model, status) are pandas categoricals
over the study's sorted distinct labels: a 4-byte code per row instead of a string per row (about
100 MB less at 100,000 events), and sorting or grouping by them gives the order of their text.
The CSV files write the labels (:mod:`eventstudy.report.output`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..estimation.blocks import GroupEstimates
from ..plan.plan import EventPlan
from ..labels import concat_tables, label_categories, repeated_labels, tiled_labels
from ..stats.single import t_and_p

#: The text columns of the long tables held as categoricals (codes into the study's distinct labels).
LABEL_COLUMNS = ("event", "ticker", "group", "model", "status")

META_COLUMNS = ["event", "ticker", "group", "benchmark", "calendar", "day0", "day0_rule", "note", "source"]


@dataclass(frozen=True)
class StudyFrames:
    """The result tables of a run (or of one partition of it), in ``seq`` order.

    ``meta`` has one row per estimated pair of each group (the engine's dropped ones included), as
    the test battery and the diagnostics read it.
    """

    securities: pd.DataFrame
    abnormal_returns: pd.DataFrame
    cars: pd.DataFrame
    meta: dict[str, pd.DataFrame]
    #: the plan's ``seq`` of each row of securities, abnormal_returns and cars (to merge partitions)
    seq: tuple[np.ndarray, np.ndarray, np.ndarray] = (np.array([], np.int64),) * 3


def merge_frames(parts: list["StudyFrames"]) -> "StudyFrames":
    """The tables of several partitions of a run as one, rows in ``seq`` order."""
    if len(parts) == 1:
        return parts[0]
    out = []
    for i, name in enumerate(("securities", "abnormal_returns", "cars")):
        frames = [getattr(p, name) for p in parts if len(getattr(p, name))]
        seq = np.concatenate([p.seq[i] for p in parts])
        cat = concat_tables(frames)
        order = np.argsort(seq, kind="stable")
        out.append((cat.iloc[order].reset_index(drop=True) if len(cat) else cat, seq[order]))
    metas: dict[str, list] = {}
    for p in parts:
        for g, m in p.meta.items():
            metas.setdefault(g, []).append(m)
    meta = {}
    for g, ms in metas.items():
        cat = pd.concat(ms, ignore_index=True)
        meta[g] = cat.iloc[np.argsort(cat["_seq"].to_numpy(), kind="stable")].reset_index(drop=True)
    return StudyFrames(out[0][0], out[1][0], out[2][0], meta, tuple(o[1] for o in out))


def pair_meta(plan: EventPlan, g: GroupEstimates, sources: dict[str, str]) -> pd.DataFrame:
    """One row per estimated pair of a group: the plan's labels and the estimates (MacKinlay 1997
    notation: sigma is the residual standard deviation per bar, a fraction)."""
    f = plan.frame.set_index("row").loc[g.rows]
    est = g.est
    meta = pd.DataFrame({c: f[c].to_numpy() for c in META_COLUMNS if c != "source"})
    codes, uniq = pd.factorize(meta["ticker"].to_numpy(dtype=object))
    meta["source"] = np.array([sources.get(t) for t in uniq], dtype=object)[codes] if len(uniq) else None
    meta["benchmark"] = meta["benchmark"].astype(object).where(meta["benchmark"].notna(), None)
    meta["model"] = est.model
    meta["status"] = est.status
    meta["n_estimation"] = est.n.astype(int)
    meta["df"] = np.where(est.df > 0, est.df, np.nan)
    meta["sigma"] = np.sqrt(est.sigma2)
    p = est.coef.shape[1]
    meta["alpha"] = est.coef[:, 0] if p >= 1 else np.nan
    meta["beta"] = est.coef[:, 1] if p >= 2 else np.where(meta["model"] == "market_adjusted", 1.0, np.nan)
    meta["reason"] = est.reason
    return meta


def ar_frame(meta: pd.DataFrame, g: GroupEstimates, keep: np.ndarray,
             categories: dict[str, pd.Index | None] | None = None) -> pd.DataFrame:
    """Long frame of the event windows; t_ar is AR / sqrt(Var(AR)) with Student-t p (MacKinlay 1997).

    The label columns (event, ticker, group, model) are categoricals over ``categories`` (per
    column; default: the group's own labels), see :func:`repeated_labels`."""
    est = g.est
    offsets = est.windows.evt_offsets
    W = len(offsets)
    k = np.flatnonzero(keep)
    every = len(k) == len(keep)

    def rows(a):  # every pair kept: the engine's own array, viewed flat (no copy)
        return (a if every else a[k]).reshape(-1)

    ar, var_ar = rows(est.ar), rows(est.var_ar)
    t_ar, p_ar = t_and_p(ar, var_ar, np.repeat(est.df[k], W))

    def rep(col):
        return repeated_labels(meta[col].to_numpy(dtype=object)[k], W, (categories or {}).get(col))

    return pd.DataFrame({
        "event": rep("event"), "ticker": rep("ticker"), "group": rep("group"), "date": rows(g.dates),
        "rel_day": np.tile(offsets, len(k)), "return": rows(est.r_evt),
        "benchmark_return": rows(est.f_evt[:, :, 0]) if est.f_evt.shape[2] else np.nan,
        "expected": rows(est.expected), "ar": ar, "car": rows(est.car_path), "var_ar": var_ar,
        "t_ar": t_ar, "p_ar": p_ar, "model": rep("model"),
    }, copy=False)


def car_frame(meta: pd.DataFrame, g: GroupEstimates, keep: np.ndarray,
              categories: dict[str, pd.Index | None] | None = None) -> pd.DataFrame:
    """One row per pair and CAR window; t = CAR / sqrt(Var(CAR)) (MacKinlay 1997, eq. 4.15).

    Label columns as in :func:`ar_frame`; ``window`` is a categorical over ``categories["window"]``."""
    est = g.est
    labels = g.group.car_labels
    cars = est.windows.cars
    C = len(cars)
    k = np.flatnonzero(keep)
    t, p = t_and_p(est.car[k], est.var_car[k], est.df[k][:, None])

    def rep(col):
        return repeated_labels(meta[col].to_numpy(dtype=object)[k], C, (categories or {}).get(col))

    df = est.df[k]
    return pd.DataFrame({
        "event": rep("event"), "ticker": rep("ticker"), "group": rep("group"),
        "day0": np.repeat(meta["day0"].to_numpy()[k], C),
        "window": tiled_labels(list(labels), len(k), (categories or {}).get("window")),
        "start": np.tile(np.array([a for a, _ in cars], dtype=np.int64), len(k)),
        "end": np.tile(np.array([b for _, b in cars], dtype=np.int64), len(k)),
        "car": est.car[k].ravel(), "se": np.sqrt(est.var_car[k]).ravel(), "t_stat": t.ravel(), "p_value": p.ravel(),
        "df": np.repeat(np.where(df > 0, df, np.nan), C), "n_estimation": np.repeat(est.n[k].astype(int), C),
        "model": rep("model"), "status": rep("status"),
    }, copy=False)


def study_frames(plan: EventPlan, groups: list[GroupEstimates], sources: dict[str, str]) -> StudyFrames:
    """The securities, abnormal-return and CAR tables of the estimated groups, in ``seq`` order."""
    sec, ars, cars, metas = [], [], [], {}
    seqs: list[list[np.ndarray]] = [[], [], []]
    seq_of = pd.Series(plan.frame["seq"].to_numpy(), index=plan.frame["row"].to_numpy())
    for g in groups:
        meta = pair_meta(plan, g, sources)
        meta["_seq"] = seq_of.loc[g.rows].to_numpy()
        metas[g.group.name] = meta
    # one set of categories per label column for every group (the labels of the kept pairs: a column's
    # categories are its distinct values), so that the groups' tables concatenate as they are
    kept = [(metas[g.group.name], g.est.status != "dropped") for g in groups]
    categories = {c: label_categories(np.concatenate([m[c].to_numpy(dtype=object)[k] for m, k in kept]))
                  for c in LABEL_COLUMNS} if kept else {}
    categories["window"] = label_categories([lab for g in groups if (g.est.status != "dropped").any()
                                             for lab in g.group.car_labels]) if groups else None
    for g in groups:
        meta = metas[g.group.name]
        keep = g.est.status != "dropped"
        seq = meta["_seq"].to_numpy()
        sec.append((meta if keep.all() else meta[keep]).drop(columns="_seq"))  # every pair kept: no copy
        ars.append(ar_frame(meta, g, keep, categories))
        cars.append(car_frame(meta, g, keep, categories))
        seqs[0].append(seq[keep])
        seqs[1].append(np.repeat(seq[keep], g.est.ar.shape[1]))
        seqs[2].append(np.repeat(seq[keep], len(g.est.windows.cars)))

    empty = np.array([], np.int64)
    return StudyFrames(concat_tables(sec), concat_tables(ars), concat_tables(cars), metas,
                       tuple(np.concatenate(s) if s else empty for s in seqs))
