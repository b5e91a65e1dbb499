"""Prices from Yahoo Finance through yfinance (online), merged into the download cache.

The only place that talks to the network is :func:`yf_download`, one call of
``yfinance.download`` for a batch of symbols; tests replace it with a fake. Everything around
it is ordinary code: batching, bounded retries with exponential backoff when Yahoo rate-limits,
one clear message per symbol Yahoo has no data for, and merging into the cache
(:mod:`.cache`) so that a failed or partial download never replaces good data.

Adjustment (say which in the report; the cache keeps the two apart):

* ``adjusted=True`` (default): ``auto_adjust=True``, open/high/low/close scaled for splits
  **and dividends**; close-to-close returns are total returns.
* ``adjusted=False``: ``auto_adjust=False``, Yahoo's "Close", which Yahoo already adjusts for
  **splits but not dividends**. Truly unadjusted prints are not available from Yahoo.

Symbols: a study's ticker is mapped to its Yahoo symbol by the gazetteer (``yahoo = "BTC-USD"``);
a ticker the gazetteer does not know is asked under its own name.

4-hour bars: Yahoo has no 4-hour interval, so 4-hour candles are built from 1-hour bars on the
UTC clock (00:00, 04:00, ...; open = first, high = max, low = min, close = last, volume = sum);
a candle with fewer than four hourly bars is left out. Yahoo keeps about 730 days of 1-hour bars.
"""

from __future__ import annotations

import ast
import datetime as dt
import logging
import re
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import pandas as pd

from ..errors import DataError, EventStudyError, NetworkError, NotInSourceError, os_reason
from .bars import PRICE_COLUMNS, PriceSeries, bars_frame
from .cache import PriceCache
from .screen import screen_download
from .sources import Span

#: What the report says about each adjustment choice.
ADJUSTMENT = {
    True: "splits and dividends (yfinance auto_adjust=True)",
    False: "splits only, not dividends (Yahoo 'Close', yfinance auto_adjust=False)",
}
#: Symbols per ``yfinance.download`` call.
BATCH_SIZE = 50
#: Seconds yfinance waits for each HTTP answer.
TIMEOUT_SECONDS = 20.0
#: Attempts per batch when Yahoo rate-limits (1 + retries).
MAX_ATTEMPTS = 4
#: First wait after a rate limit, in seconds; doubled at each retry (2, 4, 8 s).
BACKOFF_SECONDS = 2.0
#: Yahoo interval downloaded for each bar frequency (4h is aggregated from 1h).
INTERVALS = {"1d": "1d", "4h": "1h"}
#: Hourly bars in a complete 4-hour candle.
HOURS_PER_4H = 4


def yf_download(tickers: Sequence[str], *, start: str, end: str, interval: str, auto_adjust: bool,
                timeout: float) -> tuple[pd.DataFrame, dict[str, str]]:
    """One ``yfinance.download`` call: the network boundary (tests replace this function).

    ``start`` is inclusive and ``end`` exclusive (ISO dates), as in yfinance. Returns the frame
    yfinance gives (columns ``(ticker, field)``) and the per-ticker errors yfinance logged instead
    of raising (ticker -> message, e.g. ``YFRateLimitError(...)`` or ``possibly delisted; ...``).
    """
    import yfinance

    messages: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    logger = logging.getLogger("yfinance")
    handler, propagate = _Collect(level=logging.ERROR), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False  # yfinance's own error print-out would duplicate our messages
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", module=r"yfinance(\..*)?$")  # its own deprecation noise
            frame = yfinance.download(list(tickers), start=start, end=end, interval=interval, auto_adjust=auto_adjust,
                                      actions=False, progress=False, threads=True, timeout=timeout,
                                      group_by="ticker", multi_level_index=True)
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
    return (frame if frame is not None else pd.DataFrame()), parse_yf_errors(messages)


def parse_yf_errors(messages: Sequence[str]) -> dict[str, str]:
    """Per-ticker errors from yfinance's log lines ``['AAA', 'BBB']: message`` (upper-case keys)."""
    errors: dict[str, str] = {}
    for message in messages:
        m = re.match(r"\s*(\[[^\]]*\])\s*:\s*(.*)", message, re.S)
        if not m:
            continue
        try:
            tickers = ast.literal_eval(m.group(1))
        except (ValueError, SyntaxError):
            continue
        for ticker in tickers:
            errors[str(ticker).upper()] = m.group(2).strip()
    return errors


def _kind(error: BaseException | str) -> str:
    """Classify a download error: rate_limit, timeout, network or no_data."""
    text = f"{type(error).__name__}: {error}" if isinstance(error, BaseException) else str(error)
    if re.search(r"RateLimit|Too Many Requests|rate.?limit|\b429\b", text, re.I):
        return "rate_limit"
    if re.search(r"time(d)?.?out", text, re.I):
        return "timeout"
    if re.search(r"resolve|connect|connection|network|unreachable|SSL|curl: \(\d+\)|socket|proxy", text, re.I):
        return "network"
    return "no_data"


def _network_words(detail: str) -> str:
    """What went wrong with the connection, in our words (never the HTTP library's raw text)."""
    if re.search(r"resolve|getaddrinfo|name or service|nodename|DNS", detail, re.I):
        return "the name query2.finance.yahoo.com could not be resolved: no network, or no DNS"
    if re.search(r"SSL|certificate|TLS", detail, re.I):
        return "a secure (TLS) connection could not be made"
    if re.search(r"proxy", detail, re.I):
        return "the proxy refused the connection"
    if re.search(r"refused|reset|unreachable", detail, re.I):
        return "the connection was refused or cut"
    return "the connection failed"


def _no_data_words(detail: str) -> str:
    """yfinance's reason for having no data, in our words ('' when it gives none we know)."""
    if re.search(r"delisted", detail, re.I):
        return "Yahoo reports it as possibly delisted"
    if re.search(r"timezone", detail, re.I):
        return "Yahoo has no metadata for this symbol"
    if re.search(r"no (price )?data", detail, re.I):
        return "Yahoo returned no rows"
    return ""


def split_download(frame: pd.DataFrame, tickers: Sequence[str]) -> dict[str, pd.DataFrame]:
    """Per-ticker bars (upper-case keys) from a ``yfinance.download`` frame; tickers absent or
    without a single close are left out. The index becomes naive UTC (dates for daily bars)."""
    out: dict[str, pd.DataFrame] = {}
    if frame is None or frame.empty:
        return out
    if not isinstance(frame.columns, pd.MultiIndex):  # a single ticker without the ticker level
        frame = pd.concat({tickers[0].upper(): frame}, axis=1)
    level = 0 if {t.upper() for t in tickers} & set(map(str, frame.columns.get_level_values(0))) else 1
    index = pd.DatetimeIndex(frame.index)
    if index.tz is not None:
        index = index.tz_convert("UTC").tz_localize(None)
    for ticker in tickers:
        key = ticker.upper()
        if key not in set(map(str, frame.columns.get_level_values(level))):
            continue
        sub = frame.xs(key, axis=1, level=level)
        sub.columns = [str(c).strip().lower() for c in sub.columns]
        columns = {c: pd.to_numeric(sub[c], errors="coerce").to_numpy(dtype=float) for c in PRICE_COLUMNS if c in sub}
        if "close" not in columns:
            continue
        bars = bars_frame(index, columns)
        bars = bars.loc[bars["close"].notna()]
        if not bars.empty:
            out[key] = bars  # order and repeated dates are checked by the screening (screen.py)
    return out


def hourly_to_4h(hourly: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """4-hour UTC candles (labelled by open time) from 1-hour bars; returns (candles, incomplete
    candles left out). Pure."""
    if hourly.empty:
        return hourly, 0
    groups = hourly.resample("4h", origin="start_day", label="left", closed="left")
    candles = pd.DataFrame({
        "open": groups["open"].first(), "high": groups["high"].max(), "low": groups["low"].min(),
        "close": groups["close"].last(), "volume": groups["volume"].sum(min_count=1),
    })
    count = groups["close"].count()
    complete = count >= HOURS_PER_4H
    incomplete = int(((count > 0) & ~complete).sum())
    candles = candles.loc[complete]
    return bars_frame(candles.index, {c: candles[c].to_numpy() for c in PRICE_COLUMNS}, "4h"), incomplete


@dataclass
class DownloadResult:
    """Bars per symbol, a message per symbol that failed, when, and notes per symbol."""

    bars: dict[str, pd.DataFrame]
    failed: dict[str, DataError]
    downloaded_at: str
    notes: dict[str, list[str]] = field(default_factory=dict)
    #: What the screening of each symbol's bars changed (notes: ticker, check, message, action).
    screened: dict[str, list[dict]] = field(default_factory=dict)


@dataclass
class YahooSource:
    """Prices downloaded from Yahoo Finance (see the module docstring).

    Parameters
    ----------
    frequency : "1d" or "4h".
    adjusted : True for split- and dividend-adjusted prices, False for split-adjusted only.
    span : what a study needs; :meth:`load_many` downloads it (widened to the cached range).
    cache : where downloads are merged and kept; None keeps them in memory only.
    yahoo_symbols : study ticker -> Yahoo symbol (from the gazetteer); missing = the ticker.
    unverified : tickers whose Yahoo symbol has not been checked online (named in messages).
    not_listed : tickers with no market prices (private firms, projects): never asked.
    timeout : seconds per HTTP answer; max_attempts, backoff : rate-limit retries (s, doubling).
    sleep : the waiting function (tests pass a fake to record the backoff).
    """

    frequency: str = "1d"
    adjusted: bool = True
    span: Span | None = None
    cache: PriceCache | None = None
    yahoo_symbols: dict[str, str] = field(default_factory=dict)
    unverified: frozenset[str] = frozenset()
    not_listed: frozenset[str] = frozenset()
    timeout: float = TIMEOUT_SECONDS
    max_attempts: int = MAX_ATTEMPTS
    backoff: float = BACKOFF_SECONDS
    batch_size: int = BATCH_SIZE
    sleep: Callable[[float], None] = time.sleep
    name: str = "yfinance"
    #: This source uses the network (the study accepts tickers it may find online).
    online: ClassVar[bool] = True

    @classmethod
    def from_gazetteer(cls, gazetteer, **kwargs) -> "YahooSource":
        """A source whose symbol mapping comes from a :class:`~eventstudy.reference.gazetteer.Gazetteer`.

        Synonym ids map like their entity: a study naming ``LVMH.PA`` (a Reuters code) or ``FB``
        (Meta's old ticker) asks Yahoo for ``MC.PA`` or ``META``. The wider equity layer's lines
        (Yahoo symbol = id, not checked on Yahoo) are mapped without making their entities."""
        mapping, unverified, unlisted = {}, set(), set()
        eager = gazetteer.eager() if hasattr(gazetteer, "eager") else gazetteer
        for entity in eager:
            if not entity.is_listed:
                unlisted.add(entity.id)
                continue
            if entity.yahoo:
                mapping[entity.id] = entity.yahoo
                if not entity.yahoo_verified:
                    unverified.add(entity.id)
        for key in getattr(gazetteer, "lazy_ids", lambda: ())():
            mapping.setdefault(key, key)
            unverified.add(key)
        for old, new in getattr(gazetteer, "synonyms", {}).items():
            if new in mapping and old not in mapping:
                mapping[old] = mapping[new]
                if new in unverified:
                    unverified.add(old)
            elif new in unlisted:
                unlisted.add(old)
        return cls(yahoo_symbols=mapping, unverified=frozenset(unverified), not_listed=frozenset(unlisted), **kwargs)

    def yahoo_symbol(self, symbol: str) -> str:
        return self.yahoo_symbols.get(symbol, symbol)

    @property
    def adjustment(self) -> str:
        return ADJUSTMENT[self.adjusted]

    # -- downloading -----------------------------------------------------------------------
    def download(self, symbols: Sequence[str], start: pd.Timestamp, end: pd.Timestamp,
                 progress: Callable[[int], None] | None = None) -> DownloadResult:
        """Download ``start`` .. ``end`` (inclusive) for every symbol, in batches; no caching.

        ``progress(n)`` is called after each batch with the number of symbols it held.
        """
        start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
        interval = INTERVALS[self.frequency]
        ask = dict(start=start.strftime("%Y-%m-%d"), end=(end + pd.Timedelta(days=1)).strftime("%Y-%m-%d"),
                   interval=interval, auto_adjust=self.adjusted, timeout=self.timeout)
        result = DownloadResult({}, {}, _now())
        todo = []
        for symbol in dict.fromkeys(symbols):
            if symbol in self.not_listed:
                result.failed[symbol] = NotInSourceError(f"{symbol} is not listed (gazetteer): it has no market prices")
            else:
                todo.append(symbol)
        for i in range(0, len(todo), self.batch_size):
            batch = todo[i:i + self.batch_size]
            self._download_batch(batch, ask, result)
            if progress:
                progress(len(batch))
        result.downloaded_at = _now()
        return result

    def _download_batch(self, batch: list[str], ask: dict, result: DownloadResult) -> None:
        pending, waited = list(batch), 0.0
        for attempt in range(1, self.max_attempts + 1):
            remote = [self.yahoo_symbol(s) for s in pending]
            try:
                frame, errors = yf_download(remote, **ask)
            except EventStudyError as exc:  # already in our words (e.g. a stand-in for the network)
                for s in pending:
                    result.failed[s] = exc
                return
            except Exception as exc:  # yfinance and its HTTP layer raise many types; classify them
                kind = _kind(exc)
                if kind == "rate_limit" and attempt < self.max_attempts:
                    waited += self._wait(attempt)
                    continue
                for s in pending:
                    result.failed[s] = self._error(s, kind, f"{type(exc).__name__}: {exc}", ask, attempt, waited)
                return
            got = split_download(frame, remote)
            retry, no_data = [], []
            network = next((m for m in errors.values() if _kind(m) in ("network", "timeout")), None)
            for s in pending:
                key = self.yahoo_symbol(s).upper()
                if key in got:
                    self._take(s, got[key], result)
                    continue
                message = errors.get(key, "")
                kind = _kind(message) if message else "no_data"
                if kind == "rate_limit" and attempt < self.max_attempts:
                    retry.append(s)
                elif kind == "no_data":
                    no_data.append((s, message))
                else:
                    result.failed[s] = self._error(s, kind, message, ask, attempt, waited)
            nothing = not any(self.yahoo_symbol(s).upper() in got for s in pending)
            for s, message in no_data:
                if network is not None and nothing:
                    # yfinance reports a symbol whose metadata request failed as "no timezone
                    # found": when the connection failed for others and nobody got data, it is
                    # the connection, not the symbol.
                    result.failed[s] = self._error(s, _kind(network), network, ask, attempt, waited)
                else:
                    result.failed[s] = self._error(s, "no_data", message, ask, attempt, waited,
                                                   all_failed=nothing and len(pending) > 1)
            if not retry:
                return
            waited += self._wait(attempt)
            pending = retry

    def _take(self, symbol: str, bars: pd.DataFrame, result: DownloadResult) -> None:
        try:
            bars, notes = screen_download(symbol, bars, f"Yahoo ({self.yahoo_symbol(symbol)})")
        except DataError as exc:
            result.failed[symbol] = exc
            return
        if notes:
            result.screened.setdefault(symbol, []).extend(notes)
        if bars.empty:
            result.failed[symbol] = DataError(f"{symbol}: no usable bar in Yahoo's answer for "
                                              f"{self.yahoo_symbol(symbol)} ({notes[0]['message'] if notes else ''})")
            return
        if self.frequency == "4h":
            bars, dropped = hourly_to_4h(bars)
            if dropped:
                result.notes.setdefault(symbol, []).append(
                    f"{dropped} incomplete 4-hour candle(s) (fewer than {HOURS_PER_4H} hourly bars) left out")
            if bars.empty:
                result.failed[symbol] = DataError(f"{symbol}: Yahoo's 1-hour bars for {self.yahoo_symbol(symbol)} "
                                                  "make no complete 4-hour candle")
                return
        result.bars[symbol] = bars

    def _wait(self, attempt: int) -> float:
        seconds = self.backoff * 2 ** (attempt - 1)
        self.sleep(seconds)
        return seconds

    def _error(self, symbol: str, kind: str, detail: str, ask: dict, attempts: int, waited: float,
               all_failed: bool = False) -> DataError:
        """One message per failure. Connection problems do not name the symbol (they are the same
        for every symbol of a download, and the study reports them once)."""
        if kind == "rate_limit":
            return NetworkError(f"Yahoo rate-limited the download ({attempts} attempts, {waited:.0f} s of backoff); "
                                "wait a few minutes and rerun, or run offline (`--offline`)")
        if kind == "timeout":
            return NetworkError(f"Yahoo did not answer within {self.timeout:g} s; rerun when the "
                                "connection is better, or run offline (`--offline`)")
        if kind == "network":
            return NetworkError(f"cannot reach Yahoo ({_network_words(detail)}); check the connection, or run "
                                "offline (`--offline` uses the cache and the snapshot; `--pinned` the snapshot only)")
        remote = self.yahoo_symbol(symbol)
        shown = f"{symbol} (Yahoo {remote})" if remote != symbol else symbol
        last = (pd.Timestamp(ask["end"]) - pd.Timedelta(days=1)).strftime("%Y-%m-%d")
        hint = (f" The gazetteer's Yahoo symbol {remote!r} for {symbol} is not verified and may be wrong." if
                symbol in self.unverified else "")
        also = (" No symbol of this download got data: if the symbols are right, the connection or Yahoo may be "
                "down." if all_failed else "")
        said = _no_data_words(detail)
        return DataError(f"{shown}: Yahoo has no {ask['interval']} prices between {ask['start']} and {last}"
                         f"{' (' + said + ')' if said else ''}.{hint}{also} Check the symbol on finance.yahoo.com "
                         "and give the right one with `yahoo = \"...\"` in a gazetteer file ([data] gazetteer)")

    # -- downloading into the cache --------------------------------------------------------
    def refresh(self, symbols: Sequence[str], start: pd.Timestamp, end: pd.Timestamp,
                progress: Callable[[int], None] | None = None) -> dict[str, PriceSeries | DataError]:
        """Download and merge into the cache; return each symbol's series (or why it failed).

        A symbol already cached is downloaded over the whole cached range too, so the file
        stays on one adjustment basis. A series that could not be cached (disk error, or a
        download that conflicts with the cache) is returned from memory with a note.
        """
        start, end = pd.Timestamp(start), pd.Timestamp(end)
        groups: dict[tuple[pd.Timestamp, pd.Timestamp], list[str]] = {}
        for symbol in dict.fromkeys(symbols):
            lo, hi = start, end
            cached = self._cached_range(symbol)
            if cached is not None:
                lo, hi = min(lo, cached.start), max(hi, cached.end)
            groups.setdefault((lo, hi), []).append(symbol)
        out: dict[str, PriceSeries | DataError] = {}
        for (lo, hi), members in groups.items():
            res = self.download(members, lo, hi, progress)
            out.update(res.failed)
            for symbol, bars in res.bars.items():
                notes = [*res.screened.get(symbol, []),
                         *({"ticker": symbol, "check": "download", "message": n, "action": "left out"}
                           for n in res.notes.get(symbol, []))]
                out[symbol] = self._keep(symbol, bars, lo, hi, res.downloaded_at, notes)
        return out

    def _cached_range(self, symbol: str) -> Span | None:
        if self.cache is None:
            return None
        try:
            meta = self.cache.read(symbol, self.frequency, self.adjusted).provenance
        except DataError:
            return None
        if meta.get("requested_start") and meta.get("requested_end"):
            return Span(pd.Timestamp(meta["requested_start"]), pd.Timestamp(meta["requested_end"]))
        return None

    def _keep(self, symbol: str, bars: pd.DataFrame, lo: pd.Timestamp, hi: pd.Timestamp, at: str,
              notes: list[dict] | None = None) -> PriceSeries:
        remote = self.yahoo_symbol(symbol)
        fmt = "%Y-%m-%d" if self.frequency == "1d" else "%Y-%m-%dT%H:%M"
        hi = hi if self.frequency == "1d" else hi.normalize() + pd.Timedelta(hours=20)
        memory = PriceSeries(symbol, bars, self.frequency,
                             f"yfinance {remote} (downloaded {at}; {self.adjustment}; not cached)",
                             {"source": "yfinance", "remote_symbol": remote, "downloaded_at": at,
                              "adjustment": self.adjustment, "requested_start": lo.strftime(fmt),
                              "requested_end": hi.strftime(fmt)})
        for note in notes or ():
            memory = memory.with_note(note["check"], note["message"], note["action"])
        if self.cache is None:
            return memory
        try:
            outcome = self.cache.store(symbol, bars, frequency=self.frequency, adjusted=self.adjusted,
                                       requested=(lo.strftime(fmt), hi.strftime(fmt)), remote_symbol=remote,
                                       downloaded_at=at, adjustment=self.adjustment, notes=notes)
        except OSError as exc:
            return memory.with_note("cache", f"could not write the cache {self.cache.root} ({os_reason(exc)})",
                                    "used the download for this run only")
        except DataError as exc:  # the cache lock could not be had
            return memory.with_note("cache", str(exc), "used the download for this run only")
        if not outcome.written:
            why = outcome.merge.conflict or "the download holds no bars"
            return memory.with_note("cache", f"download not merged into {outcome.path}: {why}",
                                    "cache kept unchanged; used the download for this run only")
        series = self.cache.read(symbol, self.frequency, self.adjusted)
        if outcome.replaced_corrupt:
            series = series.with_note("cache", outcome.replaced_corrupt, "downloaded again; the bad file was replaced")
        if outcome.merge.replaced:
            series = series.with_note("cache", f"{outcome.merge.disagreement}", "cache replaced by the new download, "
                                      "which covers the whole cached range")
        return series

    # -- the PriceSource protocol ----------------------------------------------------------
    def load_many(self, symbols: Sequence[str]) -> dict[str, PriceSeries | DataError]:
        """Download what a study needs (its span) for all ``symbols`` at once."""
        if self.span is None:
            raise DataError("internal: YahooSource needs the study's span to download")
        span = self.span.clipped()
        return self.refresh(symbols, span.start, span.end)

    def load(self, symbol: str) -> PriceSeries:
        result = self.load_many([symbol])[symbol]
        if isinstance(result, DataError):
            raise result
        return result


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
