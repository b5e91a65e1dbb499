"""The embedded price snapshot: a folder of per-symbol CSVs plus a manifest.

Layout of a snapshot folder (``data/prices/`` for daily bars, ``data/prices_4h/`` for 4-hour)::

    ORCL.csv ...          bars in the snapshot format (see :mod:`eventstudy.prices.bars`)
    manifest.json         per symbol: rows, first/last bar, sha256, source file, adjustment,
                          venue, time convention, provenance document, import time
    PROVENANCE.md ...     the provenance documents imported beside the data, unchanged

``import_files`` is the only way data enters a snapshot; it validates every file (header,
dates ascending without duplicates, positive prices, low <= open, close <= high) and refuses a
file that fails, naming the file and line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError, NotInSourceError, SourceError, os_reason
from ..safety import symbol_from_file_name, symbol_path
from .bars import (
    PRICE_COLUMNS,
    PriceSeries,
    atomic_write_text,
    bars_csv_text,
    bars_frame,
    read_bars_csv,
    sha256_file,
)

MANIFEST = "manifest.json"

DEFAULT_TIME_CONVENTION = {
    "1d": "row dated D = the trading session D on the instrument's calendar (crypto: UTC day D 00:00-24:00)",
    "4h": "row time = the candle's OPEN time in UTC; the candle closes 4 hours later",
}


def validate_bars(frame: pd.DataFrame, path: Path) -> None:
    """Refuse bars that must not enter a snapshot; the message names file and line."""
    idx = frame.index
    line = lambda i: i + 2  # noqa: E731  (header is line 1)
    dup = idx.duplicated()
    if dup.any():
        i = int(np.argmax(dup))
        raise DataError(f"{path}, line {line(i)}: date {idx[i]} appears twice; remove the duplicate row")
    if not idx.is_monotonic_increasing:
        i = int(np.argmax(np.diff(idx.asi8) < 0)) + 1
        raise DataError(f"{path}, line {line(i)}: {idx[i]} comes after {idx[i - 1]}; sort the rows by date")
    close = frame["close"].to_numpy()
    if np.isnan(close).any():
        i = int(np.argmax(np.isnan(close)))
        raise DataError(f"{path}, line {line(i)}: close is missing on {_when(idx[i])}; a snapshot row needs a close price")
    prices = frame[["open", "high", "low", "close"]].to_numpy()
    infinite = np.isinf(prices)
    if infinite.any():
        i = int(np.argmax(infinite.any(axis=1)))
        column = ("open", "high", "low", "close")[int(np.argmax(infinite[i]))]
        raise DataError(f"{path}, line {line(i)}: {column} is {prices[i][infinite[i]][0]} on {_when(idx[i])}; prices "
                        "must be finite positive numbers (leave the cell empty for a missing price)")
    volume = frame["volume"].to_numpy()
    bad_volume = np.isinf(volume) | (volume < 0)
    if bad_volume.any():
        i = int(np.argmax(bad_volume))
        raise DataError(f"{path}, line {line(i)}: volume is {volume[i]} on {_when(idx[i])}; a volume is a finite "
                        "number >= 0 (leave the cell empty when it is unknown)")
    nonpos = (prices <= 0) & ~np.isnan(prices)
    if nonpos.any():
        i = int(np.argmax(nonpos.any(axis=1)))
        raise DataError(f"{path}, line {line(i)}: a price is zero or negative on {_when(idx[i])}; prices must be positive")
    o, h, lo, c = (frame[k].to_numpy() for k in ("open", "high", "low", "close"))
    with np.errstate(invalid="ignore"):
        bad = (lo > np.fmin(o, c)) | (h < np.fmax(o, c)) | (lo > h)
    bad &= ~np.isnan(o) & ~np.isnan(h) & ~np.isnan(lo)
    if bad.any():
        i = int(np.argmax(bad))
        raise DataError(
            f"{path}, line {line(i)}: low/high do not bracket open and close "
            f"(open {o[i]}, high {h[i]}, low {lo[i]}, close {c[i]}) on {_when(idx[i])}"
        )


@dataclass
class Snapshot:
    """A snapshot folder for one bar frequency."""

    root: Path
    frequency: str = "1d"

    def __post_init__(self) -> None:
        self.root = Path(self.root)

    # -- reading ---------------------------------------------------------------------------
    def manifest(self) -> dict:
        """The manifest (empty when the folder has none yet; :meth:`load` refuses that)."""
        path = self.root / MANIFEST
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError) as exc:
            why = os_reason(exc) if isinstance(exc, OSError) else "it is not UTF-8 text"
            raise SourceError(f"{path}: cannot read the snapshot manifest ({why}); {self._reimport_hint()}") from None
        try:
            manifest = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SourceError(f"{path}: the snapshot manifest is not valid JSON (line {exc.lineno}); "
                              f"{self._reimport_hint()}") from None
        if not isinstance(manifest, dict) or not isinstance(manifest.get("symbols", {}), dict):
            raise SourceError(f"{path}: the snapshot manifest has no table of symbols; {self._reimport_hint()}")
        return manifest

    def _reimport_hint(self, path: Path | None = None) -> str:
        files = str(path) if path is not None else f"{self.root}/*.csv"
        freq = "" if self.frequency == "1d" else f" --frequency {self.frequency}"
        return (f"re-import the file(s) from their source with `eventstudy data import {files} --snapshot {self.root}"
                f"{freq} --adjustment ... --venue ...`, which validates them and records their checksums")

    def symbols(self) -> list[str]:
        """Symbols present in the snapshot (files), sorted."""
        if not self.root.is_dir():
            return []
        return sorted(symbol_from_file_name(p.name, ".csv") for p in self.root.glob("*.csv"))

    def path_for(self, symbol: str) -> Path:
        """The symbol's file: always a direct child of the snapshot folder (see :mod:`eventstudy.safety`)."""
        try:
            return symbol_path(self.root, symbol, ".csv")
        except ValueError:
            raise NotInSourceError(f"{symbol!r}: not a symbol the snapshot can hold") from None

    def has(self, symbol: str) -> bool:
        try:
            return self.path_for(symbol).is_file()
        except NotInSourceError:
            return False

    def load(self, symbol: str) -> PriceSeries:
        """Load one symbol; raises :class:`DataError` when it is absent, unreadable or unverified.

        A file is used only when the manifest lists it with the sha256 of its exact bytes: a file
        edited by hand, copied in without ``data import``, or in a folder without a manifest is
        refused, naming the file and how to re-import it.
        """
        path = self.path_for(symbol)
        if not path.is_file():
            raise NotInSourceError(f"{symbol}: no prices in the snapshot {self.root}")
        if not (self.root / MANIFEST).is_file():
            raise SourceError(f"the snapshot {self.root} has no {MANIFEST}, so none of its files can be checked "
                              f"against a recorded checksum; {self._reimport_hint()}")
        info = self.manifest().get("symbols", {}).get(symbol)
        if not isinstance(info, dict) or not info.get("sha256"):
            raise DataError(f"{path}: the file is not in the snapshot manifest {self.root / MANIFEST} (copied in by "
                            f"hand, or its entry was removed), so it cannot be trusted; {self._reimport_hint(path)}")
        try:
            digest = sha256_file(path)
        except OSError as exc:
            raise DataError(f"{path}: cannot read the snapshot file ({os_reason(exc)})") from None
        if info["sha256"] != digest:
            raise DataError(
                f"{path}: the file differs from the snapshot manifest (sha256 {digest[:12]} vs "
                f"{str(info['sha256'])[:12]}); it was edited by hand. {self._reimport_hint(path)[0].upper()}"
                f"{self._reimport_hint(path)[1:]}."
            )
        bars = read_bars_csv(path, self.frequency)
        facts = [f"sha256 {digest[:12]}"]
        if info.get("adjustment"):
            facts.append(f"adjustment: {info['adjustment']}")
        if info.get("downloaded_at"):
            facts.append(f"downloaded {info['downloaded_at']}")
        source = f"snapshot {path} ({'; '.join(facts)})"
        return PriceSeries(symbol, bars, self.frequency, source, dict(info))

    # -- writing ---------------------------------------------------------------------------
    def import_files(
        self,
        files: Sequence[Path | str],
        *,
        provenance: Path | str | None = None,
        adjustment: str | None = None,
        venue: str | None = None,
        time_convention: str | None = None,
        symbols: Sequence[str] | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> list[dict]:
        """Validate and add CSV files to the snapshot; return the manifest entries written.

        The symbol is the file's stem (``ORCL.csv`` -> ``ORCL``) unless ``symbols`` is given.
        Files already in the snapshot format are copied byte for byte, so every number stays
        exactly as in the source. ``provenance`` (a Markdown file) is copied beside the data and
        named in each entry; ``adjustment``, ``venue`` and ``time_convention`` are recorded facts.
        """
        files = [Path(f) for f in files]
        if symbols is not None and len(symbols) != len(files):
            raise DataError(f"{len(symbols)} symbols given for {len(files)} files; give one symbol per file")
        if not files:
            raise DataError("no files to import")
        # Validate everything before writing anything: an import is all or nothing.
        checked = []
        for i, path in enumerate(files):
            bars = read_bars_csv(path, self.frequency)
            validate_bars(bars, path)
            symbol = symbols[i] if symbols else path.stem
            checked.append((symbol, path.read_bytes(), bars, {"source_file": str(path)}))
        facts = {"adjustment": adjustment, "venue": venue, "time_convention": time_convention}
        return self._write(checked, facts, provenance, progress)

    def import_frames(
        self,
        frames: dict[str, pd.DataFrame],
        *,
        adjustment: str,
        venue: str,
        source: str,
        extra: dict[str, dict] | None = None,
        provenance: Path | str | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> list[dict]:
        """Validate bars held in memory (e.g. a download) and add them in the snapshot format.

        Same checks and the same all-or-nothing rule as :meth:`import_files`; a refused frame is
        named by symbol and the offending row's date. ``source`` says where the bars came from
        (e.g. ``"yfinance ORCL"``) and ``extra`` adds per-symbol facts to the manifest entry
        (Yahoo symbol, download time, ...).
        """
        if not frames:
            raise DataError("no prices to import")
        checked = []
        for symbol, bars in frames.items():
            bars = bars_frame(bars.index, {c: bars[c].to_numpy() for c in PRICE_COLUMNS if c in bars}, self.frequency)
            try:
                validate_bars(bars, Path(f"{symbol}.csv"))
            except DataError as exc:
                raise DataError(f"{symbol} ({source}): refused for the snapshot: {exc}") from None
            text = bars_csv_text(bars, self.frequency)
            checked.append((symbol, text.encode("utf-8"), bars, {"source_file": source, **(extra or {}).get(symbol, {})}))
        facts = {"adjustment": adjustment, "venue": venue, "time_convention": None}
        return self._write(checked, facts, provenance, progress)

    def _write(self, checked: list[tuple[str, bytes, pd.DataFrame, dict]], facts: dict, provenance: Path | str | None,
               progress: Callable[[str], None] | None) -> list[dict]:
        """Write validated files and their manifest entries, all or nothing.

        Every file is first written to a temporary file in the snapshot folder; only when all of
        them are on disk are they renamed into place, then the manifest (atomically). A folder
        that cannot be written (read-only, full, not a folder) is reported once, and leaves the
        snapshot as it was.
        """
        try:
            return self._write_files(checked, facts, provenance, progress)
        except OSError as exc:
            where = exc.filename or self.root
            raise DataError(f"cannot write into the snapshot {self.root} ({where}: {os_reason(exc)}); nothing was "
                            "imported. Make the folder writable, or import into another one with --snapshot DIR") from None

    def _write_files(self, checked: list[tuple[str, bytes, pd.DataFrame, dict]], facts: dict,
                     provenance: Path | str | None, progress: Callable[[str], None] | None) -> list[dict]:
        self.root.mkdir(parents=True, exist_ok=True)
        manifest = self.manifest()
        staged: list[tuple[str, Path, str]] = []
        try:
            for symbol, content, _, _ in checked:
                target = self.path_for(symbol)
                fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=self.root)
                staged.append((symbol, Path(tmp), hashlib.sha256(content).hexdigest()))
                with os.fdopen(fd, "wb") as fh:
                    fh.write(content)
                    fh.flush()
                    os.fsync(fh.fileno())
            prov_name = self._store_provenance(Path(provenance)) if provenance else None
            for (symbol, tmp, _), _ in zip(staged, checked):
                os.chmod(tmp, 0o644)
                os.replace(tmp, self.path_for(symbol))
        except BaseException:
            for _, tmp, _ in staged:
                tmp.unlink(missing_ok=True)
            raise
        entries = manifest.setdefault("symbols", {})
        manifest["frequency"] = self.frequency
        written = []
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
        for (symbol, _, digest), (_, _, bars, extra) in zip(staged, checked):
            target = self.path_for(symbol)
            previous = entries.get(symbol, {})
            entry = {
                "file": target.name,
                "rows": int(len(bars)),
                "first": _label(bars.index[0], self.frequency),
                "last": _label(bars.index[-1], self.frequency),
                "sha256": digest,
                "adjustment": facts["adjustment"] or previous.get("adjustment") or "not stated",
                "venue": facts["venue"] or previous.get("venue") or "not stated",
                "time_convention": facts["time_convention"] or DEFAULT_TIME_CONVENTION[self.frequency],
                "provenance": prov_name or previous.get("provenance"),
                "imported_at": now,
                **extra,
            }
            entries[symbol] = entry
            written.append({"symbol": symbol, **entry})
            if progress:
                progress(f"{symbol}: {entry['rows']} rows {entry['first']} .. {entry['last']} -> {target}")
        manifest["symbols"] = dict(sorted(entries.items()))
        atomic_write_text(self.root / MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
        return written

    def _store_provenance(self, path: Path) -> str:
        if not path.is_file():
            raise DataError(f"provenance file {path} does not exist")
        target = self.root / path.name
        if target.exists() and target.read_bytes() != path.read_bytes():
            target = self.root / f"{path.stem}-{sha256_file(path)[:8]}{path.suffix}"
        if not target.exists():
            shutil.copyfile(path, target)
        return target.name


def _label(stamp: pd.Timestamp, frequency: str) -> str:
    return stamp.strftime("%Y-%m-%d") if frequency == "1d" else stamp.strftime("%Y-%m-%dT%H:%MZ")


def _when(stamp: pd.Timestamp) -> str:
    """A bar label for messages: the date, with the UTC time when it is not midnight."""
    return stamp.strftime("%Y-%m-%d") if stamp == stamp.normalize() else stamp.strftime("%Y-%m-%d %H:%M UTC")
