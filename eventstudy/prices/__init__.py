"""Prices: bars files, the embedded snapshot, the download cache and the sources behind them."""

from .bars import PriceSeries, read_bars_csv
from .snapshot import Snapshot
from .sources import PriceSource, SnapshotSource, load_prices

__all__ = ["PriceSeries", "PriceSource", "Snapshot", "SnapshotSource", "load_prices", "read_bars_csv"]
