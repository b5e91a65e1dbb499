"""A fake of the Yahoo boundary (``eventstudy.prices.yahoo.yf_download``) for tests.

It answers like ``yfinance.download(..., group_by="ticker")``: one frame with ``(Ticker, Price)``
columns on the union of the tickers' dates (NaN where a ticker has no row), plus the per-ticker
errors yfinance logs instead of raising. Each call takes the next scripted response; the last
one repeats.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

FIELDS = {"open": "Open", "high": "High", "low": "Low", "close": "Close", "volume": "Volume"}


def yf_frame(bars: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """A yfinance-shaped frame from bars frames (lower-case columns) keyed by Yahoo symbol."""
    if not bars:
        return pd.DataFrame()
    parts = {t.upper(): b.rename(columns=FIELDS)[[FIELDS[c] for c in FIELDS if c in b]] for t, b in bars.items()}
    frame = pd.concat(parts, axis=1, names=["Ticker", "Price"], sort=True)
    frame.index.name = "Date"
    return frame


from yfinance.exceptions import YFRateLimitError  # noqa: E402,F401  (what yfinance raises on HTTP 429)

Response = BaseException | tuple[dict[str, pd.DataFrame], dict[str, str]] | Callable


@dataclass
class FakeYahoo:
    """Scripted answers; ``calls`` records every call's arguments."""

    script: list[Response]
    calls: list[dict] = field(default_factory=list)

    def __call__(self, tickers, *, start, end, interval, auto_adjust, timeout):
        self.calls.append({"tickers": list(tickers), "start": start, "end": end, "interval": interval,
                           "auto_adjust": auto_adjust, "timeout": timeout})
        response = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if callable(response) and not isinstance(response, BaseException):
            response = response(list(tickers), start, end)
        if isinstance(response, BaseException):
            raise response
        bars, errors = response
        start_ts, end_ts = pd.Timestamp(start), pd.Timestamp(end)
        wanted = {t: b.loc[(b.index >= start_ts) & (b.index < end_ts)] for t, b in bars.items() if t in tickers}
        wanted = {t: b for t, b in wanted.items() if len(b)}
        return yf_frame(wanted), {t.upper(): e for t, e in errors.items() if t in tickers}


def install(monkeypatch, *script: Response) -> FakeYahoo:
    """Replace the boundary with a fake answering ``script``; returns it (see ``calls``)."""
    from eventstudy.prices import yahoo

    fake = FakeYahoo(list(script))
    monkeypatch.setattr(yahoo, "yf_download", fake)
    return fake
