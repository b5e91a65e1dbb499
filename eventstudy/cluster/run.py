"""The map stage of a run on a Dask cluster (``run_study(spec, dask=...)``, ``eventstudy run --dask``).

:func:`eventstudy.pipeline.run_study` runs the same stages as in-process; only its map stage
(:func:`eventstudy.pipeline.analyse`) is handed to :class:`DaskMap`, which

1. splits the plan's pending pairs by security (:meth:`EventPlan.partition`; a security's events
   all go to one partition, so a worker loads the prices of its partition's securities and their
   benchmarks only) into at least two partitions per worker and about
   :data:`EVENTS_PER_PARTITION` pairs each (a worker's memory is bounded by its partition, not by
   the study; a single security with more events than that still makes one partition);
2. writes the run's context and each partition as small files in a scratch folder readable by
   every worker (beside the price dataset), and submits one task per partition
   (:func:`eventstudy.cluster.tasks.analyse_partition`, with ``retries``): a task's inputs are
   files, so Dask can run it again on another worker when one dies;
3. gathers the partitions as they finish (a progress bar of partitions done), placing their
   result tables straight into the final tables (:mod:`eventstudy.cluster.assemble`) and keeping
   the test battery's partial sums, which :func:`eventstudy.pipeline.combine` then reduces
   exactly as it reduces an in-process run's single partition.

Prices: with ``dataset=DIR`` (a Parquet dataset from ``eventstudy data export-parquet``) the
driver and the workers all read it; without one, the driver loads the study's prices from its
usual sources, as in-process, and exports them to a temporary dataset for the workers (on this
machine; workers elsewhere need ``dataset`` on a shared folder).
"""

from __future__ import annotations

import math
import pickle
import shutil
import sys
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import EventStudyError
from ..plan.plan import EventPlan
from ..prices.parquet import ParquetPriceSource, export_dataset
from ..results.frames import StudyFrames
from ..study.spec import StudySpec
from .assemble import FramesAssembler
from .connect import DEFAULT_TIMEOUT, ClusterError, Engine, connect
from .tasks import RunContext, analyse_partition, partition_symbols

#: Most (event, security) pairs in one partition (a worker holds one partition at a time per thread).
EVENTS_PER_PARTITION = 25_000
#: Partitions per worker at least (so that a slow or lost worker delays a fraction of the run).
PARTITIONS_PER_WORKER = 2
#: Times Dask re-runs a task that raised (a worker that dies is handled by the scheduler itself,
#: which moves the task to another worker up to ``distributed.scheduler.allowed-failures`` times).
RETRIES = 2
#: Up to this many pairs the estimates come back whole (every array, as in-process); above, the
#: event-window arrays the tables already hold stay on the workers.
FULL_ESTIMATES = 20_000


class DaskMap:
    """A connected cluster, the price dataset its workers read, and the map stage on it."""

    def __init__(self, engine: Engine, dataset: Path | None, say: Callable[[str], None], *,
                 show_progress: bool = False, retries: int = RETRIES, partitions: int | None = None,
                 events_per_partition: int = EVENTS_PER_PARTITION, scratch: Path | str | None = None):
        self.engine = engine
        self.given_dataset = dataset
        self.dataset: Path | None = dataset
        self.say = say
        self.show_progress = show_progress
        self.retries = retries
        self.partitions = partitions
        self.events_per_partition = events_per_partition
        self.scratch_root = Path(scratch) if scratch is not None else None
        self._temp: list[Path] = []
        self.summary: dict[str, Any] = {}

    @classmethod
    def start(cls, dask: Any, *, dataset: Path | str | None = None, timeout: float = DEFAULT_TIMEOUT,
              say: Callable[[str], None] = lambda m: None, **options) -> "DaskMap":
        """Connect to (or start) the cluster and check the dataset (see the module doc)."""
        if dataset is not None:
            from ..prices.parquet import read_manifest

            read_manifest(dataset)  # a bad folder is refused before the cluster starts
        engine = connect(dask, timeout)
        try:
            from distributed import fire_and_forget

            from .tasks import warm_up

            for w in engine.client.scheduler_info(n_workers=-1).get("workers", {}):  # imports while the driver plans
                fire_and_forget(engine.client.submit(warm_up, workers=[w], pure=False,
                                                     key=f"eventstudy-warm-up-{uuid.uuid4().hex[:8]}"))
            try:
                engine.client.wait_for_workers(1, timeout=timeout)
            except (TimeoutError, OSError):
                raise ClusterError(f"the Dask scheduler at {engine.address} has no workers (none joined within "
                                   f"{timeout:g} s); start some with `dask worker {engine.address}`") from None
            n = engine.n_workers
            kind = "local cluster" if engine.cluster is not None else "scheduler"
            say(f"dask: {kind} {engine.address}, {n} worker{'s' if n != 1 else ''}")
            say(f"dask dashboard: {engine.dashboard}" if engine.dashboard else
                "dask dashboard: off (install bokeh to watch the run in a browser)")
        except BaseException:
            engine.close()
            raise
        return cls(engine, Path(dataset) if dataset is not None else None, say, **options)

    def driver_sources(self, frequency: str) -> list | None:
        """The driver's price sources: the dataset when one was given (else the study's own)."""
        return [ParquetPriceSource(self.given_dataset, frequency)] if self.given_dataset is not None else None

    def prepare(self, spec: StudySpec, prices):
        """The driver's prices, and the dataset the workers read: without a dataset given, the
        prices the driver loaded and checked are exported to a temporary one (marked checked, so
        the workers use them as they are); with one, a symbol it lacks is reported with the reason
        its export recorded (the study's sources had none), and the workers check their series
        as the driver did."""
        from ..pipeline import StudyPrices
        from ..prices.parquet import read_manifest

        if self.given_dataset is not None:
            recorded = read_manifest(self.given_dataset).get("missing", {})
            missing = {s: recorded.get(s, why) for s, why in prices.missing.items()}
            return StudyPrices(prices.series, missing, prices.provenance, prices.warnings)
        series = prices.series
        if not series:
            return prices
        root = Path(tempfile.mkdtemp(prefix="eventstudy-dask-"))
        self._temp.append(root)
        self.dataset = root / "prices"
        export_dataset(self.dataset, series, spec.data.frequency, checked=True)
        self.say(f"dask: prices of {len(series)} symbols exported for the workers to {self.dataset} (workers on "
                 "other machines need a shared dataset: eventstudy data export-parquet DIR, then dataset=DIR)")
        return prices

    def _scratch(self) -> Path:
        base = self.scratch_root or (self.given_dataset / ".runs" if self.given_dataset is not None else self._temp[0])
        path = Path(base) / f"run-{uuid.uuid4().hex[:12]}"
        try:
            path.mkdir(parents=True)
        except OSError as exc:
            raise ClusterError(f"cannot write the run's scratch folder {path} ({exc.strerror}); it must be a folder "
                               "every worker can read") from None
        self._temp.append(path)
        return path

    def n_partitions(self, n_pairs: int) -> int:
        if self.partitions:
            return max(1, int(self.partitions))
        return max(PARTITIONS_PER_WORKER * max(1, self.engine.n_workers),
                   math.ceil(n_pairs / max(1, self.events_per_partition)))

    def map(self, spec: StudySpec, plan: EventPlan, provenance: dict[str, str], factors: pd.DataFrame | None,
            keep_estimation: bool) -> tuple[list, StudyFrames]:
        """The map stage over the plan's pending pairs: the partitions' analyses (for
        :func:`eventstudy.pipeline.combine`) and their result tables already merged."""
        from ..pipeline import Analysis

        if self.dataset is None:
            raise ClusterError("no price dataset for the workers (the study loaded no prices)")
        pending = plan.frame[plan.pending].reset_index(drop=True)
        parts = plan.with_frame(pending).partition(self.n_partitions(len(pending)))
        parts = [p for p in parts if len(p.frame)]
        scratch = self._scratch()
        full = driver_reads_estimates(spec)
        if full and len(pending) > FULL_ESTIMATES:
            self.say(f"dask: {', '.join(full)} read every estimation window on the driver: the workers send them back "
                     "whole (memory grows with the events; [tests] grank = false keeps them on the workers)")
        ctx = RunContext(replace(spec, events=()), plan.with_frame(plan.frame.iloc[:0]), factors, dict(provenance),
                         str(self.dataset), spec.data.frequency, keep_estimation or bool(full),
                         keep_event_arrays=len(pending) <= FULL_ESTIMATES or bool(full))
        ctx_path = scratch / "context.pkl"
        with open(ctx_path, "wb") as fh:
            pickle.dump(ctx, fh, protocol=pickle.HIGHEST_PROTOCOL)
        paths, symbols, sizes = [], [], []
        for i, p in enumerate(parts):
            path = scratch / f"partition-{i:05d}.pkl"
            p.frame.to_pickle(path)
            paths.append(str(path))
            symbols.append(partition_symbols(p.frame))
            sizes.append(len(p.frame))
        n_pending = len(pending)
        del pending, parts  # the partitions live in their files now, not in the driver's memory
        client = self.engine.client
        run = scratch.name
        futures = [client.submit(analyse_partition, str(ctx_path), path, key=f"eventstudy-{run}-partition-{i:05d}",
                                 retries=self.retries, pure=False) for i, path in enumerate(paths)]
        index = {f.key: i for i, f in enumerate(futures)}
        assembler = FramesAssembler(plan.frame, plan.groups)
        analyses, rows = [None] * len(futures), []
        self.say(f"dask: {n_pending:,} event-securities in {len(futures)} partitions by security")
        from distributed import as_completed
        from tqdm import tqdm

        try:
            with tqdm(total=len(futures), unit="partition", desc="  partitions", file=sys.stderr,
                      disable=not self.show_progress, leave=False, mininterval=0, miniters=1) as bar:  # every one shown
                for fut in as_completed(futures, loop=client.loop):  # this run's client, default or not
                    i = index[fut.key]
                    r = _result(fut, i, symbols[i], sizes[i])
                    fut.release()
                    assembler.add(r)
                    empty = StudyFrames(pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), {})
                    analyses[i] = Analysis(plan.with_frame(r.status), r.groups, empty, r.battery, r.contexts,
                                           r.warnings, r.extras)
                    rows.append({"partition": i, "pairs": r.n_pairs, "symbols": len(symbols[i]),
                                 "worker": r.worker, "seconds": r.seconds, "worker_rss_mb": r.rss / 2**20})
                    del r
                    bar.update(1)
        except BaseException:
            client.cancel(futures)
            raise
        frames = assembler.frames()
        table = pd.DataFrame(rows).sort_values("partition").reset_index(drop=True) if rows else pd.DataFrame()
        self.summary = {"address": self.engine.address, "workers": self.engine.n_workers,
                        "dataset": str(self.dataset), "partitions": table,
                        "symbols": symbols}
        return analyses, frames

    def __enter__(self) -> "DaskMap":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.engine.close()
        finally:
            for path in reversed(self._temp):
                shutil.rmtree(path, ignore_errors=True)


def driver_reads_estimates(spec: StudySpec) -> list[str]:
    """The tests of ``spec`` that read the engine's per-event arrays and estimation windows on the
    driver, after the map (they are not map/reduce yet): the workers must then send them back."""
    t = getattr(spec, "tests", None)
    conv = spec.model.conventions
    out = [f"conventions = {conv!r}"] if conv in ("estudy2", "eventstudy_r") else []
    if t is not None:
        out += [name for name, on in (("GRANK", t.grank_on(conv)), ("BHAR", t.bhar), ("abnormal volatility",
                                                                                     t.volatility)) if on]
    return out


def _result(fut, i: int, syms: list[str], size: int):
    """A partition's result; a worker lost too often becomes one message."""
    try:
        return fut.result()
    except EventStudyError:
        raise
    except Exception as exc:
        from distributed.scheduler import KilledWorker

        if isinstance(exc, KilledWorker):
            raise ClusterError(
                f"partition {i} ({size:,} event-securities of {', '.join(syms[:5])}"
                f"{', ...' if len(syms) > 5 else ''}) was running on workers that died each time ({exc}); a worker "
                "that dies is often out of memory: give the workers more memory, or split the run into more "
                "partitions (run_study(..., dask_partitions=N))") from None
        raise


__all__ = ["DaskMap", "EVENTS_PER_PARTITION", "FULL_ESTIMATES", "RETRIES"]
