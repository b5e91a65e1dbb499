"""A partitioned Parquet price dataset: the prices every worker of a distributed run reads.

``eventstudy data export-parquet OUT`` writes one (see :func:`export_dataset`); a distributed run
(``eventstudy run STUDY --dask ...``) reads it on the driver and on every worker through
:class:`ParquetPriceSource`, each worker reading only the symbols of its partition of the plan.

Layout (Hive-style partitions, read with ``pyarrow.dataset``)::

    OUT/manifest.json                   what the dataset holds (see below)
    OUT/symbol=ORCL/part-0.parquet      --by symbol (default): one folder per symbol
    OUT/year=2024/part-0.parquet        --by year: one folder per calendar year of the bars

Each file has the columns ``symbol`` (string), ``time`` (timestamp[ns], the bar label: session
date for daily bars, the bar's open time in UTC for intraday bars, tz-naive), ``open, high, low,
close, volume`` (float64; null = missing, never zero), sorted by symbol then time. Values are
written as float64, so a series read back is bit for bit the series that was exported.

``manifest.json``: ``format`` ("eventstudy-prices-parquet"), ``version`` (1), ``frequency``,
``partitioning`` ("symbol" or "year"), ``created`` (UTC), and per symbol: ``rows``, ``first``,
``last``, ``time_unit`` (of the exported index, restored on reading), ``source`` (where the exported series came from, as the study reports it) and
``provenance`` (the exporting source's facts: file, checksum, adjustment, notes); ``missing``: the
symbols asked for that no source had, with the sources' reasons.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError, NotInSourceError
from .bars import PRICE_COLUMNS, TIME_COLUMN, PriceSeries, bars_frame

FORMAT = "eventstudy-prices-parquet"
VERSION = 1
PARTITIONINGS = ("symbol", "year")
MANIFEST = "manifest.json"


def _jsonable(value):
    """Provenance values as JSON (timestamps and paths as text)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _fmt(ts: pd.Timestamp) -> str:
    ts = pd.Timestamp(ts)
    return ts.strftime("%Y-%m-%d") if ts == ts.normalize() else ts.strftime("%Y-%m-%dT%H:%M:%S")


def export_dataset(out: Path | str, series: dict[str, PriceSeries], frequency: str = "1d", by: str = "symbol",
                   replace: bool = False, missing: dict[str, str] | None = None, checked: bool = False) -> dict:
    """Write ``series`` as a Parquet dataset in ``out`` (see the module doc); returns the manifest.

    The dataset is written into a temporary folder beside ``out`` and moved into place at the end,
    so ``out`` never holds half a dataset. An existing dataset is replaced only with ``replace``;
    any other existing, non-empty folder is refused. ``missing`` (symbol -> why the sources had no
    prices for it) is kept in the manifest, so a run on the dataset reports the same reason.
    ``checked``: the series already passed a study's data-quality checks (a run's own temporary
    dataset; recorded as ``quality_checked`` so its workers do not check them again).
    """
    import pyarrow as pa
    import pyarrow.dataset as pads

    out = Path(out)
    if by not in PARTITIONINGS:
        raise DataError(f"--by {by!r}: partition the dataset by one of {', '.join(PARTITIONINGS)}")
    if frequency not in TIME_COLUMN:
        raise DataError(f"unknown bar frequency {frequency!r}; use one of {', '.join(TIME_COLUMN)}")
    if not series:
        raise DataError(f"{out}: no prices to export (none of the symbols has prices in the sources)")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        if not (out / MANIFEST).is_file():
            raise DataError(f"{out}: exists and is not a price dataset; give a new or empty folder")
        if not replace:
            raise DataError(f"{out}: a price dataset is already there; pass --replace to overwrite it, or give "
                            "another folder")
    bad = [s for s in series if not s or "/" in s or s.startswith(".")]
    if bad:
        raise DataError(f"symbol {bad[0]!r} cannot name a dataset partition (empty, a '/' or a leading '.')")
    frames, entries = [], {}
    for sym, ps in series.items():
        if ps.frequency != frequency:
            raise DataError(f"{sym}: {ps.frequency} bars, but the dataset holds {frequency} bars")
        bars = ps.bars
        frame = pd.DataFrame({c: bars[c].to_numpy(dtype=float) for c in PRICE_COLUMNS})
        frame.insert(0, "time", pd.DatetimeIndex(bars.index).as_unit("ns").to_numpy())
        frame.insert(0, "symbol", sym)
        frames.append(frame)
        entries[sym] = {"rows": int(len(bars)), "first": _fmt(bars.index[0]) if len(bars) else None,
                        "last": _fmt(bars.index[-1]) if len(bars) else None,
                        "time_unit": pd.DatetimeIndex(bars.index).unit, "source": ps.source,
                        "provenance": _jsonable(ps.provenance)}
    table = pd.concat(frames, ignore_index=True)
    schema = pa.schema([("symbol", pa.string()), ("time", pa.timestamp("ns")),
                        *[(c, pa.float64()) for c in PRICE_COLUMNS]])
    if by == "year":
        table["year"] = pd.DatetimeIndex(table["time"]).year.astype(np.int32)
        schema = schema.append(pa.field("year", pa.int32()))
    arrow = pa.Table.from_pandas(table, schema=schema, preserve_index=False)
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    try:
        pads.write_dataset(arrow, stage, format="parquet", partitioning=[by], partitioning_flavor="hive",
                           basename_template="part-{i}.parquet", existing_data_behavior="overwrite_or_ignore")
        manifest = {"format": FORMAT, "version": VERSION, "frequency": frequency, "partitioning": by,
                    "created": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "quality_checked": bool(checked), "symbols": entries, "missing": {str(k): str(v) for k, v in (missing or {}).items()}}
        (stage / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
        os.chmod(stage, 0o777 & ~_umask())
        if out.exists():
            old = out.with_name(f".{out.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(out, old)
            os.replace(stage, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(stage, out)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return manifest


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def read_manifest(root: Path | str) -> dict:
    """The dataset's manifest; a :class:`DataError` saying what is wrong when it is not one."""
    root = Path(root)
    path = root / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"{root}: not a price dataset (no {MANIFEST}); write one with "
                        f"`eventstudy data export-parquet {root} --study STUDY`") from None
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: unreadable manifest ({exc}); export the dataset again") from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise DataError(f"{path}: format {manifest.get('format')!r} version {manifest.get('version')!r}, expected "
                        f"{FORMAT!r} version {VERSION}; export the dataset again")
    return manifest


@dataclass
class ParquetPriceSource:
    """Prices from a Parquet dataset written by :func:`export_dataset` (any partitioning).

    ``load_many`` reads the requested symbols only: whole partitions with ``--by symbol``,
    row groups filtered on ``symbol`` with ``--by year``.
    """

    root: Path
    frequency: str = "1d"
    name: str = "parquet dataset"
    _manifest: dict | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.root = Path(self.root)

    @property
    def manifest(self) -> dict:
        if self._manifest is None:
            m = read_manifest(self.root)
            if m.get("frequency") != self.frequency:
                raise DataError(f"{self.root}: the dataset holds {m.get('frequency')} bars, the study needs "
                                f"{self.frequency} bars; export it again with --frequency {self.frequency}")
            self._manifest = m
        return self._manifest

    def symbols(self) -> list[str]:
        return sorted(self.manifest["symbols"])

    def has(self, symbol: str) -> bool:
        return symbol in self.manifest["symbols"]

    def load(self, symbol: str) -> PriceSeries:
        got = self.load_many([symbol])[symbol]
        if isinstance(got, DataError):
            raise got
        return got

    def load_many(self, symbols: list[str]) -> dict[str, PriceSeries | DataError]:
        """The symbols' series (one dataset read); a :class:`NotInSourceError` for those it lacks."""
        import pyarrow.compute as pc
        import pyarrow.dataset as pads

        entries = self.manifest["symbols"]
        wanted = [s for s in dict.fromkeys(symbols) if s in entries]
        out: dict[str, PriceSeries | DataError] = {
            s: NotInSourceError(f"{s}: not in the price dataset {self.root}") for s in symbols if s not in entries}
        if not wanted:
            return out
        by = self.manifest["partitioning"]
        try:
            data = pads.dataset(self.root, format="parquet", partitioning="hive",
                                exclude_invalid_files=True, ignore_prefixes=[".", "_", MANIFEST])
            table = data.to_table(columns=["symbol", "time", *PRICE_COLUMNS], filter=pc.field("symbol").isin(wanted))
        except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
            raise DataError(f"{self.root}: cannot read the price dataset ({exc}); export it again") from None
        frame = table.to_pandas()
        if by == "symbol":  # the partition key comes back as a dictionary column
            frame["symbol"] = frame["symbol"].astype(str)
        frame = frame.sort_values(["symbol", "time"], kind="stable")
        sym = frame["symbol"].to_numpy(dtype=object)
        cuts = np.flatnonzero(sym[1:] != sym[:-1]) + 1 if len(sym) else np.array([], int)
        starts, ends = np.r_[0, cuts], np.r_[cuts, len(sym)]
        times = pd.DatetimeIndex(frame["time"]).as_unit("ns")
        cols = {c: frame[c].to_numpy(dtype=float) for c in PRICE_COLUMNS}
        found = {}
        for a, b in zip(starts, ends):
            if b > a:
                found[str(sym[a])] = (a, b)
        for s in wanted:
            e = entries[s]
            if s not in found:
                out[s] = DataError(f"{s}: listed in {self.root / MANIFEST} but no rows in the dataset; export it again")
                continue
            a, b = found[s]
            bars = bars_frame(times[a:b].as_unit(e.get("time_unit") or "ns"), {c: v[a:b] for c, v in cols.items()},
                              self.frequency)
            if len(bars) != e.get("rows"):
                out[s] = DataError(f"{s}: {len(bars)} rows in the dataset {self.root}, its manifest says "
                                   f"{e.get('rows')}; export it again")
                continue
            prov = dict(e.get("provenance") or {})
            prov["dataset"] = str(self.root)
            out[s] = PriceSeries(s, bars, self.frequency, f"{e.get('source') or 'unknown source'} "
                                 f"(via the Parquet dataset {self.root})", prov)
        return out


__all__ = ["FORMAT", "PARTITIONINGS", "ParquetPriceSource", "export_dataset", "read_manifest"]
