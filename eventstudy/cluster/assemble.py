"""The driver's side of the gather: the partitions' result tables placed straight into their rows.

Every row of a result table belongs to one studied pair, and pairs are listed in ``seq`` order
(the plan numbers them before the map). So each table can be allocated once, with room for every
pair the plan sends to the engine (each pair has a known number of rows: 1 in ``securities``, its
group's event-window bars in ``abnormal_returns``, its CAR windows in ``cars``), and each
partition's rows copied into their place as the partition arrives; string columns stay integer
codes (4 bytes a row) until the end. Memory on the driver is then the final tables plus one
partition, never a concatenation of every partition followed by a sort (which holds the tables
three times over). Pairs the engine dropped leave their rows empty; they are cut out at the end.
The tables equal :func:`eventstudy.results.frames.merge_frames` of the same partitions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..results.frames import StudyFrames
from .tasks import Packed, PartitionResult, decode


class TableAssembler:
    """One table, ``rows[i]`` rows for the pair with the i-th smallest ``seq`` of ``keys``."""

    def __init__(self, keys: np.ndarray, rows: np.ndarray):
        self.keys = np.asarray(keys, dtype=np.int64)
        self.rows = np.asarray(rows, dtype=np.int64)
        self.start = np.concatenate([[0], np.cumsum(self.rows)])
        self.total = int(self.start[-1])
        self.filled = np.zeros(len(self.keys), dtype=bool)
        self.columns: list[str] | None = None
        self.data: dict[str, np.ndarray] = {}
        self.dtypes: dict = {}
        self.cats: dict[str, dict] = {}

    def _allocate(self, p: Packed) -> None:
        self.columns = list(p.columns)
        for c, d, dtype, code in zip(p.columns, p.data, p.dtypes, p.coded):
            self.dtypes[c] = dtype
            if code:
                self.data[c] = np.full(self.total, -1, dtype=np.int32)
                self.cats[c] = {}
            else:
                self.data[c] = np.empty(self.total, dtype=d.dtype)

    def add(self, p: Packed, seq: np.ndarray) -> None:
        """Place a partition's rows (``seq`` per row, each pair's rows consecutive)."""
        if p.n == 0:
            return
        if self.columns is None:
            self._allocate(p)
        elif list(p.columns) != self.columns:
            raise ValueError(f"partition tables differ in columns: {list(p.columns)} vs {self.columns}")
        seq = np.asarray(seq, dtype=np.int64)
        at = np.searchsorted(self.keys, seq)
        if (at >= len(self.keys)).any() or (self.keys[np.minimum(at, len(self.keys) - 1)] != seq).any():
            raise ValueError("a partition returned rows of a pair the plan did not send to the engine")
        new = np.r_[True, seq[1:] != seq[:-1]]
        run = np.cumsum(new) - 1
        first = np.flatnonzero(new)
        within = np.arange(len(seq)) - first[run]
        pos = self.start[at] + within
        self.filled[at[first]] = True
        for c, d, code in zip(p.columns, p.data, p.coded):
            if code:
                codes, uniques = d
                table = self.cats[c]
                remap = np.fromiter((table.setdefault(u, len(table)) for u in uniques), np.int32, len(uniques))
                self.data[c][pos] = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
            else:
                arr = self.data[c]
                if d.dtype != arr.dtype:
                    self.data[c] = arr = arr.astype(np.result_type(arr.dtype, d.dtype))
                arr[pos] = d

    def frame(self) -> tuple[pd.DataFrame, np.ndarray]:
        """The table in ``seq`` order, and the ``seq`` of each of its rows."""
        if self.columns is None:
            return pd.DataFrame(), np.array([], np.int64)
        keep = np.repeat(self.filled, self.rows)
        cut = not keep.all()
        out = {}
        for c in self.columns:
            arr = self.data.pop(c)
            if cut:
                arr = arr[keep]
            if c in self.cats:
                uniques = np.empty(len(self.cats[c]), dtype=object)
                uniques[:] = list(self.cats[c])
                arr = decode(arr, uniques, self.dtypes[c])
            out[c] = arr
        seq = np.repeat(self.keys[self.filled], self.rows[self.filled])
        return pd.DataFrame(out, columns=self.columns, copy=False), seq  # no consolidating copy


class FramesAssembler:
    """The three result tables and each group's meta of a run (see the module doc)."""

    def __init__(self, plan_frame: pd.DataFrame, groups):
        f = plan_frame
        pend = f["seq"].to_numpy() >= 0
        seq = f["seq"].to_numpy()[pend]
        order = np.argsort(seq, kind="stable")
        keys = seq[order]
        gorder = f["group_order"].to_numpy()[pend][order]
        W = {g.order: len(g.windows.evt_offsets) if g.windows is not None else 0 for g in groups}
        C = {g.order: len(g.windows.cars) if g.windows is not None else 0 for g in groups}
        w = np.array([W.get(int(o), 0) for o in gorder], dtype=np.int64) if len(gorder) else np.array([], np.int64)
        c = np.array([C.get(int(o), 0) for o in gorder], dtype=np.int64) if len(gorder) else np.array([], np.int64)
        self.tables = [TableAssembler(keys, np.ones(len(keys), np.int64)), TableAssembler(keys, w),
                       TableAssembler(keys, c)]
        self.meta: dict[str, TableAssembler] = {}
        self.group_keys = {g.name: keys[gorder == g.order] for g in groups}

    def add(self, r: PartitionResult) -> None:
        for t, p, s in zip(self.tables, r.tables, r.seq):
            t.add(p, s)
        for g, p in r.meta.items():
            if g not in self.meta:
                k = self.group_keys[g]
                self.meta[g] = TableAssembler(k, np.ones(len(k), np.int64))
            m = p.columns.index("_seq")
            self.meta[g].add(p, p.data[m])

    def frames(self) -> StudyFrames:
        tables = [t.frame() for t in self.tables]
        meta = {g: self.meta[g].frame()[0] for g in self.group_keys if g in self.meta}
        return StudyFrames(tables[0][0], tables[1][0], tables[2][0], meta, tuple(s for _, s in tables))
