"""What a Dask worker runs: the map stage of :func:`eventstudy.pipeline.run_study` on one partition.

A task reads two small files the driver wrote into the run's scratch folder (readable by every
worker, like the price dataset): the run's context (the study without its events rows, the plan's
calendars and groups, the factors, where the prices came from) and its partition of the plan (the
pending rows of some securities). It loads the prices of the partition's securities and benchmarks
from the Parquet dataset, runs the same data-quality checks as the driver (unless the dataset is
the run's own, exported from the driver's checked series), and calls
:func:`eventstudy.pipeline.analyse`, the very function an in-process run calls. Its result is
then made compact for the trip back: string columns as integer codes, and the engine's per-event
arrays the driver does not read left out (see :class:`PartitionResult`). A task reads nothing but
its inputs and writes nothing, so Dask may run it again anywhere (a worker that died, a retry).
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import EventStudyError
from ..estimation.blocks import GroupEstimates
from ..estimation.engine import EventEstimates
from ..plan.plan import EventPlan
from ..study.spec import StudySpec
from ..stats.partials import BatteryContext, BatteryPartial

#: The plan columns a task sends back (what :func:`eventstudy.pipeline.combine` merges).
STATUS_COLUMNS = ["row", "status", "stage", "reason", "drop_code"]
#: Event-window arrays of :class:`EventEstimates` the driver reads after the map (the CAAR band
#: reads ``car_path``; the tables already hold the ARs and returns).
DRIVER_ARRAYS = ("car_path",)
HEAVY_ARRAYS = ("r_evt", "expected", "ar", "var_ar", "var_car_path")


@dataclass(frozen=True)
class RunContext:
    """What every task of a run shares (written once by the driver)."""

    spec: StudySpec                 # the study without its events rows (the plan holds them)
    plan: EventPlan                 # the plan after the coverage checks, without rows
    factors: pd.DataFrame | None
    provenance: dict[str, str]      # symbol -> where its prices came from (the driver's view)
    dataset: str
    frequency: str
    keep_estimation: bool           # send the estimation windows back (diagnostics, estudy2 battery)
    keep_event_arrays: bool         # send every event-window array back (small runs)


@dataclass(frozen=True)
class Packed:
    """A frame made compact for transport: per column either the values (numbers, dates) or
    integer codes into the column's distinct values (strings, objects), with the dtype to restore."""

    columns: tuple[str, ...]
    data: tuple                     # per column: ndarray, or (codes int32, uniques ndarray)
    dtypes: tuple
    coded: tuple[bool, ...]
    n: int

    @classmethod
    def of(cls, frame: pd.DataFrame) -> "Packed":
        data, dtypes, coded = [], [], []
        for c in frame.columns:
            s = frame[c]
            code = s.dtype == object or isinstance(s.dtype, (pd.StringDtype, pd.CategoricalDtype))
            if code:
                codes, uniques = pd.factorize(s, use_na_sentinel=True)
                data.append((codes.astype(np.int32), np.asarray(uniques, dtype=object)))
            else:
                data.append(s.to_numpy())
            dtypes.append(s.dtype)
            coded.append(code)
        return cls(tuple(frame.columns), tuple(data), tuple(dtypes), tuple(coded), len(frame))

    def frame(self) -> pd.DataFrame:
        """The frame back (as :meth:`of` got it)."""
        cols = {}
        for c, d, dtype, code in zip(self.columns, self.data, self.dtypes, self.coded):
            cols[c] = decode(d[0], d[1], dtype) if code else d
        return pd.DataFrame(cols, columns=list(self.columns))


def decode(codes: np.ndarray, uniques: np.ndarray, dtype):
    """Values from codes (-1 = missing) as a column of ``dtype`` (None in object columns); a string
    column is one ``take`` from its distinct values (no object array of every row)."""
    if dtype == object:  # kept as objects (a frame built from an object array would infer strings)
        out = np.empty(len(codes), dtype=object)
        ok = codes >= 0
        out[ok] = uniques[codes[ok]]
        out[~ok] = None
        return pd.Series(out, dtype=object, copy=False)
    if isinstance(dtype, pd.CategoricalDtype):  # a label column (eventstudy.labels): over every partition's labels
        from ..labels import labels

        return labels(uniques).take(np.asarray(codes, dtype=np.intp), allow_fill=True)
    return pd.array(uniques, dtype=dtype).take(np.asarray(codes, dtype=np.intp), allow_fill=True)


@dataclass(frozen=True)
class PartitionResult:
    """One partition's :class:`~eventstudy.pipeline.Analysis`, compact: the plan's status columns,
    the engine's estimates without the estimation windows (unless the run keeps them) and without
    the event-window arrays the tables already hold (unless the run is small), the result tables
    packed (with their rows' ``seq``), the battery's partials, and where and how long it ran."""

    status: pd.DataFrame
    groups: list[GroupEstimates]
    tables: tuple[Packed, Packed, Packed]
    seq: tuple[np.ndarray, np.ndarray, np.ndarray]
    meta: dict[str, Packed]
    battery: dict[str, BatteryPartial]
    contexts: dict[str, BatteryContext]
    warnings: dict[int, list[tuple[int, dict]]]
    n_pairs: int
    worker: str
    seconds: float
    rss: int
    extras: dict | None = None      # the [tests] extras' partial sums (eventstudy.stats.extras)


class _Held:
    """Estimation arrays kept with the estimates (picklable, unlike the engine's closures)."""

    def __init__(self, arrays):
        self.arrays = arrays

    def __call__(self):
        return self.arrays


class _HeldRows:
    def __init__(self, arrays):
        self.arrays = arrays

    def __call__(self, rows):
        rows = np.asarray(rows, dtype=np.int64)
        return tuple(a[rows] for a in self.arrays)


class _OnWorkers:
    """Stands for estimation arrays a distributed run did not bring back to the driver."""

    def __call__(self, *args):
        raise EventStudyError("the estimation windows of this distributed run stayed on the Dask workers (the test "
                              "battery ran there); run in-process to read them (results.extras['groups'][i].est)")


def slim_estimates(est: EventEstimates, keep_estimation: bool, keep_event_arrays: bool) -> EventEstimates:
    """The estimates as the driver needs them (see :class:`PartitionResult`)."""
    changes: dict = {}
    if keep_estimation:
        arrays = tuple(np.ascontiguousarray(a) for a in est.estimation_rows(np.arange(len(est))))
        changes.update(est_arrays=_Held(arrays), est_rows=_HeldRows(arrays))
    else:
        changes.update(est_arrays=_OnWorkers(), est_rows=_OnWorkers())
    if not keep_event_arrays:
        K = len(est)
        changes.update({name: np.empty((K, 0)) for name in HEAVY_ARRAYS})
        changes["f_evt"] = np.empty((K, 0, est.f_evt.shape[2]))
    return dataclasses.replace(est, **changes)


@lru_cache(maxsize=4)
def load_context(path: str) -> tuple[RunContext, object]:
    """The run's context and the gazetteer (read once per worker process and run)."""
    from ..reference.gazetteer import Gazetteer

    with open(path, "rb") as fh:
        ctx: RunContext = pickle.load(fh)
    return ctx, Gazetteer.load(ctx.spec.data.gazetteer)


def partition_symbols(frame: pd.DataFrame) -> list[str]:
    """The securities and benchmarks of a partition's rows, in row order."""
    bench = [b for b in frame["benchmark"].to_numpy(dtype=object) if isinstance(b, str)]
    return list(dict.fromkeys([*frame["ticker"].to_numpy(dtype=object), *bench]))


def _rss() -> int:
    try:
        import psutil
    except ImportError:
        return 0
    return int(psutil.Process().memory_info().rss)


def warm_up() -> None:
    """Import what a task needs (submitted to each worker when a run connects)."""
    from .. import pipeline  # noqa: F401
    from ..prices import parquet  # noqa: F401


def analyse_partition(context_path: str, part_path: str) -> PartitionResult:
    """The map stage on one partition of the plan (see the module doc)."""
    from .. import pipeline as P
    from ..prices.parquet import ParquetPriceSource
    from ..prices.sources import load_prices

    t0 = time.perf_counter()
    ctx, gaz = load_context(context_path)
    frame = pd.read_pickle(part_path)
    plan = ctx.plan.with_frame(frame)
    symbols = partition_symbols(frame)
    series, missing = load_prices(symbols, [ParquetPriceSource(Path(ctx.dataset), ctx.frequency)])
    gone = [s for s in symbols if s not in series]
    if gone:  # the driver found them: the dataset changed under the run
        why = missing.get(gone[0])
        raise EventStudyError(f"the price dataset {ctx.dataset} changed during the run: "
                              + (why if why else f"{gone[0]} is no longer in it; export it again") + ", and rerun")
    provenance = {s: ctx.provenance.get(s, series[s].source) for s in symbols}
    prices = P.StudyPrices(series, {}, provenance, [])
    if not ParquetPriceSource(Path(ctx.dataset), ctx.frequency).manifest.get("quality_checked"):
        prices = P.quality_checked(ctx.spec, gaz, prices)  # the driver's checks, on this partition's series
    bars = P.symbol_bars_of(plan, prices)
    a = P.analyse(ctx.spec, plan, prices, bars, ctx.factors)
    groups = [dataclasses.replace(g, est=slim_estimates(g.est, ctx.keep_estimation, ctx.keep_event_arrays),
                                  dates=g.dates[:1]) for g in a.groups]
    fr = a.frames
    tables = tuple(Packed.of(getattr(fr, name)) for name in ("securities", "abnormal_returns", "cars"))
    meta = {g: Packed.of(m) for g, m in fr.meta.items()}
    status = a.plan.frame[STATUS_COLUMNS].copy()
    worker = os.environ.get("DASK_WORKER_NAME", "") or f"pid {os.getpid()}"
    try:
        from distributed import get_worker

        worker = get_worker().address
    except (ImportError, ValueError):
        pass
    return PartitionResult(status, groups, tables, fr.seq, meta, a.battery, a.contexts, a.warnings, len(frame),
                           worker, time.perf_counter() - t0, _rss(), getattr(a, "extras", None))
