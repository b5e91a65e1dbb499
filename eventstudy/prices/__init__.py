"""Prices: bars files, the embedded snapshot, the download cache, Yahoo, the user's own data,
the chain of sources behind a study, and the data-quality checks."""

from .bars import PriceSeries, read_bars_csv
from .cache import CacheSource, PriceCache
from .quality import Finding, QualityThresholds, check_series
from .snapshot import Snapshot
from .sources import PriceSource, SnapshotSource, Span, load_prices
from .userdata import UserPricesSource, read_user_prices
from .yahoo import YahooSource

__all__ = [
    "CacheSource", "Finding", "PriceCache", "PriceSeries", "PriceSource", "QualityThresholds", "Snapshot",
    "SnapshotSource", "Span", "UserPricesSource", "YahooSource", "check_series", "load_prices", "read_bars_csv",
    "read_user_prices",
]
