"""The on-disk cache of downloaded prices: one parquet file per symbol, frequency and adjustment.

Layout (root = :func:`eventstudy.paths.cache_dir`: the platform's user cache folder,
``$EVENTSTUDY_CACHE`` or ``[data] cache``)::

    <root>/prices/<frequency>/<adjusted|unadjusted>/<SYMBOL>.parquet

A symbol is written into the file name with every character outside ``A-Z a-z 0-9 . _ -``
(and a leading dot) escaped as ``%XX`` (``^GSPC`` -> ``%5EGSPC.parquet``; the one rule of
:mod:`eventstudy.safety`), so no ticker can name a file outside the cache folder.

Integrity. Each file carries, in its parquet key-value metadata (key ``eventstudy``), a JSON
record: symbol, frequency, adjustment, row count, first/last bar, the sha256 of the content
(:func:`content_sha256`), the Yahoo symbol, the download time and the requested range. Pages
are written with parquet page checksums. On reading, a file that pyarrow cannot parse
(truncated, overwritten), that lacks the record, or whose rows or content hash differ from it
raises :class:`CacheCorruptError`: it is never used silently. Online, the study refetches the
symbol and the bad file is replaced; offline the error is reported and the next source is tried.

Writing. Files are written whole to a temporary file in the same folder and renamed over the
old one (:func:`atomic_write_bytes`), so a crash leaves either the old or the new file. A
download is merged into what is cached (:func:`merge_bars`) and never loses good rows: rows the
download lacks are kept, and a download whose prices disagree with the cached ones (the
adjustment basis moved, e.g. a new dividend) replaces the cache only when it covers the whole
cached range; otherwise the cache is left untouched and the conflict is reported. The read,
merge and write of one symbol run under a cross-process lock (:meth:`PriceCache.locked`), so two
``eventstudy data fetch`` of the same symbol at once never lose each other's rows. Downloads are
screened (:mod:`.screen`) before they are merged: junk never enters a cache file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import CacheCorruptError, DataError, NotInSourceError
from ..paths import cache_dir
from ..safety import symbol_file_name, symbol_from_file_name
from .bars import PRICE_COLUMNS, PriceSeries, atomic_write_bytes, bars_frame

CACHE_FORMAT = 1
META_KEY = b"eventstudy"
#: Two closes agree when they differ by less than this fraction (float noise of re-downloads).
MERGE_RTOL = 1e-6


def content_sha256(bars: pd.DataFrame) -> str:
    """sha256 of a bars frame's content: the index (int64 ns) then each price column (float64,
    NaN canonical) in the order open, high, low, close, volume. Independent of the file format."""
    return _digest(pd.DatetimeIndex(bars.index), {c: bars[c].to_numpy() for c in PRICE_COLUMNS})


def _digest(index: pd.DatetimeIndex, columns: dict[str, np.ndarray]) -> str:
    digest = hashlib.sha256()
    digest.update(index.as_unit("ns").asi8.astype("<i8").tobytes())
    for column in PRICE_COLUMNS:
        values = np.asarray(columns[column], dtype="<f8")
        digest.update(np.where(np.isnan(values), np.nan, values).astype("<f8").tobytes())
    return digest.hexdigest()


def _file_name(symbol: str) -> str:
    return symbol_file_name(symbol, ".parquet")


#: Seconds a process waits for another one's read-merge-write of the same symbol.
LOCK_TIMEOUT_SECONDS = 120.0


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _stamp(ts: pd.Timestamp, frequency: str) -> str:
    return ts.strftime("%Y-%m-%d") if frequency == "1d" else ts.strftime("%Y-%m-%dT%H:%M")


@dataclass(frozen=True)
class MergeResult:
    """What merging a download into cached bars gives.

    ``bars`` is what to store (the cached bars when ``conflict`` is set); ``added`` counts bars
    the cache did not have; ``replaced`` is True when the download replaced the cache because
    its prices disagree with the cached ones and it covers the whole cached range; ``conflict``
    explains why the cache was left untouched.
    """

    bars: pd.DataFrame
    added: int = 0
    replaced: bool = False
    conflict: str | None = None
    disagreement: str | None = None


def merge_bars(cached: pd.DataFrame | None, new: pd.DataFrame, rtol: float = MERGE_RTOL) -> MergeResult:
    """Merge freshly downloaded bars into cached ones without losing good rows (pure).

    * Rows of ``new`` without a close carry no data and are ignored.
    * Where both have a close and they agree (relative difference < ``rtol``), the union is kept;
      on common bars the download's values win, but a cell the download leaves empty keeps the
      cached value.
    * Where they disagree (a new adjustment basis), the download replaces the cache if it
      covers the cached range; else the cache is kept and ``conflict`` says why.
    """
    new = new.loc[new["close"].notna()].sort_index()
    new = new.loc[~new.index.duplicated(keep="last")]
    if cached is None or cached.empty:
        return MergeResult(new, added=len(new))
    common = cached.index.intersection(new.index)
    old_c, new_c = cached.loc[common, "close"].to_numpy(), new.loc[common, "close"].to_numpy()
    both = ~np.isnan(old_c) & ~np.isnan(new_c)
    with np.errstate(invalid="ignore", divide="ignore"):
        differ = both & (np.abs(new_c / old_c - 1.0) > rtol)
    if differ.any():
        i = int(np.argmax(differ))
        what = (f"{int(differ.sum())} of {int(both.sum())} common closes differ (e.g. {common[i]:%Y-%m-%d}: cached "
                f"{old_c[i]:.6g}, downloaded {new_c[i]:.6g}); the adjustment basis changed")
        if not new.empty and new.index[0] <= cached.index[0] and new.index[-1] >= cached.index[-1]:
            return MergeResult(new, added=len(new.index.difference(cached.index)), replaced=True, disagreement=what)
        return MergeResult(cached, conflict=(
            f"{what}, and the download ({_range(new)}) does not cover the cached range ({_range(cached)})"))
    merged = new.combine_first(cached) if not new.empty else cached
    merged = merged.loc[:, list(PRICE_COLUMNS)]
    return MergeResult(merged, added=len(new.index.difference(cached.index)))


def _range(bars: pd.DataFrame) -> str:
    if bars.empty:
        return "no bars"
    return f"{bars.index[0]:%Y-%m-%d} .. {bars.index[-1]:%Y-%m-%d}"


@dataclass(frozen=True)
class StoreOutcome:
    """What :meth:`PriceCache.store` did: the file, whether it was written, and why not."""

    path: Path
    written: bool
    merge: MergeResult
    replaced_corrupt: str | None = None


class PriceCache:
    """A folder of cached downloads (see the module docstring)."""

    def __init__(self, root: Path | str | None = None):
        self.root = cache_dir(root)

    def path_for(self, symbol: str, frequency: str = "1d", adjusted: bool = True) -> Path:
        return self.root / "prices" / frequency / ("adjusted" if adjusted else "unadjusted") / _file_name(symbol)

    def has(self, symbol: str, frequency: str = "1d", adjusted: bool = True) -> bool:
        return self.path_for(symbol, frequency, adjusted).is_file()

    def symbols(self, frequency: str = "1d", adjusted: bool = True) -> list[str]:
        """Symbols with a cache file (names decoded), sorted."""
        folder = self.path_for("x", frequency, adjusted).parent
        if not folder.is_dir():
            return []
        return sorted(symbol_from_file_name(p.name, ".parquet") for p in folder.glob("*.parquet"))

    @contextmanager
    def locked(self, symbol: str, frequency: str = "1d", adjusted: bool = True):
        """Hold the symbol's cross-process lock (``.<file>.lock`` beside its file; ``flock`` on
        POSIX, ``LockFileEx`` on Windows, through :mod:`filelock`). The lock dies with its
        process, so a crash never leaves the symbol locked."""
        from filelock import FileLock, Timeout

        path = self.path_for(symbol, frequency, adjusted)
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(path.with_name(f".{path.name}.lock"), timeout=LOCK_TIMEOUT_SECONDS)
        try:
            with lock:
                yield path
        except Timeout:
            raise DataError(f"{symbol}: another eventstudy process has held the cache lock {lock.lock_file} for more "
                            f"than {LOCK_TIMEOUT_SECONDS:g} s; wait for it to finish and rerun") from None

    # -- reading ---------------------------------------------------------------------------
    def read(self, symbol: str, frequency: str = "1d", adjusted: bool = True) -> PriceSeries:
        """The cached series; :class:`NotInSourceError` if absent, :class:`CacheCorruptError` if bad."""
        import pyarrow.parquet as pq

        path = self.path_for(symbol, frequency, adjusted)
        if not path.is_file():
            raise NotInSourceError(f"{symbol}: not in the cache {self.root}")
        hint = (f"Online, the study downloads {symbol} again and replaces the file; offline, delete it or run "
                f"`eventstudy data fetch {symbol} --start ... --end ...` once online.")
        try:
            table = pq.read_table(path, page_checksum_verification=True)
            raw_meta = (table.schema.metadata or {}).get(META_KEY)
            columns = {c: table.column(c).to_numpy() for c in PRICE_COLUMNS}
            index = pd.DatetimeIndex(table.column("time").to_numpy())
        except Exception:  # pyarrow raises several types for truncated or garbled files  # noqa: BLE001
            raise CacheCorruptError(f"{path}: the cache file is unreadable (not a complete parquet file with its "
                                    f"page checksums); it is truncated or corrupt. {hint}") from None
        if raw_meta is None:
            raise CacheCorruptError(f"{path}: the cache file has no eventstudy record (not written by eventstudy, "
                                    f"or overwritten). {hint}")
        try:
            meta = json.loads(raw_meta)
        except json.JSONDecodeError:
            raise CacheCorruptError(f"{path}: the cache file's eventstudy record is not valid JSON. {hint}") from None
        if meta.get("rows") != len(index):
            raise CacheCorruptError(f"{path}: the cache file holds {len(index)} rows but recorded {meta.get('rows')}; "
                                    f"it is truncated or corrupt. {hint}")
        digest = _digest(index, columns)
        if meta.get("sha256") != digest:
            raise CacheCorruptError(f"{path}: the cache file's content does not match its recorded sha256 "
                                    f"({digest[:12]} vs {str(meta.get('sha256'))[:12]}); it is corrupt. {hint}")
        if (meta.get("symbol"), meta.get("frequency"), meta.get("adjusted")) != (symbol, frequency, adjusted):
            raise CacheCorruptError(f"{path}: the cache file holds {meta.get('symbol')} {meta.get('frequency')} "
                                    f"adjusted={meta.get('adjusted')}, not {symbol} {frequency} adjusted={adjusted}; "
                                    f"it was moved or renamed. {hint}")
        bars = bars_frame(index, columns, frequency)
        facts = [f"{meta.get('source', 'download')} {meta.get('remote_symbol', symbol)}",
                 f"downloaded {meta.get('downloaded_at', '?')}", meta.get("adjustment") or
                 ("adjusted" if adjusted else "unadjusted"), f"sha256 {digest[:12]}"]
        return PriceSeries(symbol, bars, frequency, f"cache {path} ({'; '.join(facts)})", {**meta, "cache_file": str(path)})

    # -- writing ---------------------------------------------------------------------------
    def write(self, symbol: str, bars: pd.DataFrame, *, frequency: str = "1d", adjusted: bool = True,
              meta: dict | None = None) -> Path:
        """Write ``bars`` as the symbol's cache file, atomically, with its integrity record."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        bars = bars_frame(bars.index, {c: bars[c].to_numpy() for c in PRICE_COLUMNS if c in bars}, frequency)
        if not bars.index.is_monotonic_increasing or bars.index.has_duplicates:
            raise DataError(f"{symbol}: refusing to cache bars that are unsorted or hold duplicate times")
        record = {
            "format": CACHE_FORMAT, **(meta or {}), "symbol": symbol, "frequency": frequency, "adjusted": adjusted,
            "rows": len(bars), "sha256": content_sha256(bars),
            "first": _stamp(bars.index[0], frequency) if len(bars) else None,
            "last": _stamp(bars.index[-1], frequency) if len(bars) else None,
            "written_at": _now(),
        }
        table = pa.table({"time": pa.array(bars.index.as_unit("ns").to_numpy(), pa.timestamp("ns")),
                          **{c: pa.array(bars[c].to_numpy(dtype=float), pa.float64()) for c in PRICE_COLUMNS}})
        table = table.replace_schema_metadata({META_KEY: json.dumps(record, sort_keys=True).encode()})
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink, compression="zstd", write_page_checksum=True)
        path = self.path_for(symbol, frequency, adjusted)
        atomic_write_bytes(path, sink.getvalue().to_pybytes())
        return path

    def store(self, symbol: str, new: pd.DataFrame, *, frequency: str, adjusted: bool, requested: tuple[str, str],
              remote_symbol: str, downloaded_at: str, adjustment: str, source: str = "yfinance",
              notes: list[dict] | None = None) -> StoreOutcome:
        """Merge a download into the cache (see :func:`merge_bars`) and write the result.

        ``requested`` is the (first, last) range asked for (ISO), recorded so a later study
        knows the cache holds everything the source had in that range. A corrupt cache file
        is replaced by the download (nothing good is lost); a conflicting download leaves the
        cache untouched (``written`` False, ``merge.conflict`` says why). ``notes`` (what the
        download's screening changed, :mod:`.screen`) are kept in the file's record.

        The read, the merge and the write happen under the symbol's cross-process lock
        (:meth:`locked`), so two processes storing the same symbol at once never lose rows:
        the second merges into what the first wrote.
        """
        with self.locked(symbol, frequency, adjusted) as path:  # read, merge and write as one step
            corrupt = None
            try:
                cached = self.read(symbol, frequency, adjusted)
            except NotInSourceError:
                cached = None
            except CacheCorruptError as exc:
                cached, corrupt = None, str(exc)
            merge = merge_bars(cached.bars if cached is not None else None, new)
            if merge.conflict or merge.bars.empty:
                return StoreOutcome(path, False, merge, corrupt)
            lo, hi = requested
            if cached is not None and not merge.replaced:
                lo = min(lo, cached.provenance.get("requested_start") or lo)
                hi = max(hi, cached.provenance.get("requested_end") or hi)
            meta = {"source": source, "remote_symbol": remote_symbol, "downloaded_at": downloaded_at,
                    "adjustment": adjustment, "requested_start": lo, "requested_end": hi}
            if notes:
                meta["notes"] = list(notes)
            self.write(symbol, merge.bars, frequency=frequency, adjusted=adjusted, meta=meta)
            return StoreOutcome(path, True, merge, corrupt)


@dataclass
class CacheSource:
    """Prices from the download cache (never the network)."""

    frequency: str = "1d"
    adjusted: bool = True
    root: Path | str | None = None
    name: str = "cache"

    def __post_init__(self) -> None:
        self.cache = PriceCache(self.root)

    def has(self, symbol: str) -> bool:
        return self.cache.has(symbol, self.frequency, self.adjusted)

    def load(self, symbol: str) -> PriceSeries:
        return self.cache.read(symbol, self.frequency, self.adjusted)
