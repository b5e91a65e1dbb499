"""Where a study's prices come from.

A *source* turns a symbol into a :class:`PriceSeries` or says why it cannot. Sources are tried
in the order the study asks for; the series records which one delivered it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..errors import DataError
from ..paths import snapshot_dir
from .bars import PriceSeries
from .snapshot import Snapshot


class PriceSource(Protocol):
    """Anything that can deliver one symbol's bars."""

    name: str

    def load(self, symbol: str) -> PriceSeries:
        """The symbol's bars; raises :class:`DataError` saying why when it has none."""
        ...


@dataclass
class SnapshotSource:
    """The embedded snapshot (``data/prices`` or another snapshot folder)."""

    frequency: str = "1d"
    root: Path | None = None
    name: str = "snapshot"

    def __post_init__(self) -> None:
        self.snapshot = Snapshot(self.root or snapshot_dir(self.frequency), self.frequency)

    def load(self, symbol: str) -> PriceSeries:
        return self.snapshot.load(symbol)


def load_prices(symbols: Iterable[str], sources: Sequence[PriceSource]) -> tuple[dict[str, PriceSeries], dict[str, str]]:
    """Load each symbol from the first source that has it.

    Returns ``(series, missing)`` where ``missing`` maps each symbol no source could deliver to
    the reasons every source gave.
    """
    found: dict[str, PriceSeries] = {}
    missing: dict[str, str] = {}
    for symbol in dict.fromkeys(symbols):
        reasons = []
        for source in sources:
            try:
                found[symbol] = source.load(symbol)
                break
            except DataError as exc:
                reasons.append(f"{source.name}: {exc}")
        else:
            missing[symbol] = "; ".join(reasons) or "no price source configured"
    return found, missing
