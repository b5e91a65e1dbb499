"""yfinance behind its boundary: batches, adjustment, retries on rate limits, empty and partial
results, and the cache never losing good data. yfinance itself is never called (fake_yahoo)."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from eventstudy.errors import DataError, NetworkError
from eventstudy.reference.gazetteer import Gazetteer
from eventstudy.paths import snapshot_dir
from eventstudy.prices import PriceCache, Snapshot, Span, YahooSource
from eventstudy.prices.yahoo import ADJUSTMENT, hourly_to_4h, parse_yf_errors, split_download
from eventstudy.prices.yahoo import yf_download as real_yf_download
from tests.fake_yahoo import YFRateLimitError, install, yf_frame

SNAP = Snapshot(snapshot_dir("1d"))
START, END = pd.Timestamp("2024-12-02"), pd.Timestamp("2025-01-31")


def bars(sym: str) -> pd.DataFrame:
    return SNAP.load(sym).bars


def source(tmp_path, **kw) -> YahooSource:
    kw.setdefault("cache", PriceCache(tmp_path / "cache"))
    kw.setdefault("sleep", lambda s: None)
    return YahooSource.from_gazetteer(Gazetteer.load(), **kw)


def test_one_batch_download_fills_the_cache_and_says_where_it_came_from(tmp_path, monkeypatch):
    fake = install(monkeypatch, ({"ORCL": bars("ORCL"), "BTC-USD": bars("BTC"), "^GSPC": bars("SPY")}, {}))
    src = source(tmp_path)
    out = src.refresh(["ORCL", "BTC", "GSPC"], START, END)
    assert len(fake.calls) == 1                                      # one batch for all three
    call = fake.calls[0]
    assert sorted(call["tickers"]) == ["BTC-USD", "ORCL", "^GSPC"]   # Yahoo symbols from the gazetteer
    assert call["auto_adjust"] is True and call["timeout"] == src.timeout and call["interval"] == "1d"
    assert (call["start"], call["end"]) == ("2024-12-02", "2025-02-01")   # yfinance's end is exclusive
    orcl = out["ORCL"]
    assert orcl.close.loc["2025-01-21"] == pytest.approx(169.6541)
    assert orcl.first == pd.Timestamp("2024-12-02") and orcl.last == pd.Timestamp("2025-01-31")
    path = src.cache.path_for("ORCL")
    assert path.is_file() and orcl.source.startswith(f"cache {path}")
    assert "yfinance ORCL" in orcl.source and "downloaded 20" in orcl.source and ADJUSTMENT[True] in orcl.source
    assert out["BTC"].close.loc["2025-01-20"] == bars("BTC").close.loc["2025-01-20"]  # crypto keeps weekends
    assert src.cache.path_for("GSPC").name == "GSPC.parquet" and "yfinance ^GSPC" in out["GSPC"].source


def test_unadjusted_is_explicit_and_cached_apart(tmp_path, monkeypatch):
    fake = install(monkeypatch, ({"ORCL": bars("ORCL")}, {}))
    src = source(tmp_path, adjusted=False)
    out = src.refresh(["ORCL"], START, END)
    assert fake.calls[0]["auto_adjust"] is False
    assert "splits only, not dividends" in out["ORCL"].source
    assert src.cache.path_for("ORCL", adjusted=False).is_file() and not src.cache.path_for("ORCL").exists()


def test_batches_are_bounded(tmp_path, monkeypatch):
    fake = install(monkeypatch, ({s: bars(s) for s in ["ORCL", "NVDA", "ARM", "MSFT", "SPY"]}, {}))
    ticks = []
    src = source(tmp_path, batch_size=2)
    out = src.refresh(["ORCL", "NVDA", "ARM", "MSFT", "SPY"], START, END, progress=ticks.append)
    assert [len(c["tickers"]) for c in fake.calls] == [2, 2, 1] and ticks == [2, 2, 1]
    assert set(out) == {"ORCL", "NVDA", "ARM", "MSFT", "SPY"}


def test_no_data_for_a_symbol_is_one_clear_message(tmp_path, monkeypatch):
    install(monkeypatch, ({"ORCL": bars("ORCL")},
                          {"VIRTUAL-USD": "possibly delisted; no price data found  (1d 2024-12-02 -> 2025-02-01)"}))
    out = source(tmp_path).refresh(["ORCL", "VIRTUAL"], START, END)
    err = out["VIRTUAL"]
    assert isinstance(err, DataError) and not isinstance(err, NetworkError)
    msg = str(err)
    assert msg.startswith("VIRTUAL (Yahoo VIRTUAL-USD): Yahoo has no 1d prices between 2024-12-02 and 2025-01-31")
    assert "not verified" in msg and "yahoo = " in msg and "gazetteer" in msg
    assert not PriceCache(tmp_path / "cache").has("VIRTUAL")
    assert len(out["ORCL"].bars) > 0                                  # partial batch: the rest is kept


def test_empty_answer_for_every_symbol(tmp_path, monkeypatch):
    install(monkeypatch, ({}, {}))
    out = source(tmp_path).refresh(["ORCL", "SPY"], START, END)
    assert all(isinstance(e, DataError) for e in out.values())
    assert "No symbol of this download got data" in str(out["ORCL"])


def test_exception_is_a_network_error_and_leaves_the_cache_alone(tmp_path, monkeypatch):
    install(monkeypatch, ({"ORCL": bars("ORCL")}, {}))
    src = source(tmp_path)
    src.refresh(["ORCL"], START, END)
    before = src.cache.path_for("ORCL").read_bytes()
    install(monkeypatch, ConnectionError("Failed to connect to query2.finance.yahoo.com"))
    out = src.refresh(["ORCL"], START, END + pd.Timedelta(days=30))
    assert isinstance(out["ORCL"], NetworkError) and "cannot reach Yahoo" in str(out["ORCL"])
    assert src.cache.path_for("ORCL").read_bytes() == before


def test_timeout_is_named(tmp_path, monkeypatch):
    install(monkeypatch, TimeoutError("Read timed out"))
    out = source(tmp_path, timeout=7).refresh(["ORCL"], START, END)
    assert "did not answer within 7 s" in str(out["ORCL"])


def test_connection_failure_reported_as_no_timezone_is_the_connection(tmp_path, monkeypatch):
    # What yfinance really logs without a network: a DNS error for some symbols and
    # "no timezone found" for the others.
    install(monkeypatch, ({}, {"ORCL": "possibly delisted; no timezone found",
                               "SPY": "DNSError('curl: (6) Could not resolve host: query2.finance.yahoo.com')"}))
    out = source(tmp_path).refresh(["ORCL", "SPY"], START, END)
    assert str(out["ORCL"]) == str(out["SPY"]) and "cannot reach Yahoo" in str(out["ORCL"])


def test_rate_limit_retries_with_exponential_backoff(tmp_path, monkeypatch):
    fake = install(monkeypatch, YFRateLimitError(), YFRateLimitError(), ({"ORCL": bars("ORCL")}, {}))
    slept = []
    out = source(tmp_path, sleep=slept.append).refresh(["ORCL"], START, END)
    assert len(fake.calls) == 3 and slept == [2.0, 4.0]
    assert len(out["ORCL"].bars) > 0


def test_rate_limit_of_some_tickers_retries_only_those(tmp_path, monkeypatch):
    limited = "YFRateLimitError('Too Many Requests. Rate limited. Try after a while.')"
    fake = install(monkeypatch, ({"ORCL": bars("ORCL")}, {"SPY": limited}), ({"SPY": bars("SPY")}, {}))
    out = source(tmp_path).refresh(["ORCL", "SPY"], START, END)
    assert [sorted(c["tickers"]) for c in fake.calls] == [["ORCL", "SPY"], ["SPY"]]
    assert len(out["ORCL"].bars) and len(out["SPY"].bars)


def test_rate_limit_retries_are_bounded(tmp_path, monkeypatch):
    fake = install(monkeypatch, YFRateLimitError())
    slept = []
    out = source(tmp_path, sleep=slept.append, max_attempts=3).refresh(["ORCL"], START, END)
    assert len(fake.calls) == 3 and slept == [2.0, 4.0]
    assert isinstance(out["ORCL"], NetworkError) and "rate-limited" in str(out["ORCL"]) and "3 attempts" in str(out["ORCL"])


def test_partial_download_never_loses_cached_rows(tmp_path, monkeypatch):
    full = bars("ORCL")
    install(monkeypatch, ({"ORCL": full}, {}))
    src = source(tmp_path)
    src.refresh(["ORCL"], START, END)
    # Yahoo now answers with the last two weeks only (a partial download).
    install(monkeypatch, ({"ORCL": full.loc["2025-01-20":]}, {}))
    out = src.refresh(["ORCL"], START, END)
    assert out["ORCL"].first == pd.Timestamp("2024-12-02") and out["ORCL"].last == pd.Timestamp("2025-01-31")
    assert out["ORCL"].provenance["requested_start"] == "2024-12-02"


def test_a_cached_symbol_is_downloaded_over_the_whole_cached_range(tmp_path, monkeypatch):
    fake = install(monkeypatch, ({"ORCL": bars("ORCL")}, {}))
    src = source(tmp_path)
    src.refresh(["ORCL"], START, END)
    src.refresh(["ORCL"], pd.Timestamp("2025-02-01"), pd.Timestamp("2025-03-31"))
    assert (fake.calls[1]["start"], fake.calls[1]["end"]) == ("2024-12-02", "2025-04-01")
    assert src.cache.read("ORCL").last == pd.Timestamp("2025-03-31")


def test_a_new_adjustment_basis_replaces_the_cache_only_when_complete(tmp_path, monkeypatch):
    full = bars("ORCL").loc["2024-12-02":"2025-01-31"]
    install(monkeypatch, ({"ORCL": full}, {}))
    src = source(tmp_path)
    src.refresh(["ORCL"], START, END)
    rebased = full * [0.99, 0.99, 0.99, 0.99, 1.0]          # a dividend later: every price scaled
    install(monkeypatch, ({"ORCL": rebased.loc["2025-01-02":]}, {}))   # ... but only part of the range
    out = src.refresh(["ORCL"], START, END)
    assert src.cache.read("ORCL").close.loc["2024-12-02"] == full.close.loc["2024-12-02"]  # cache untouched
    assert out["ORCL"].notes and "cache kept unchanged" in out["ORCL"].notes[0]["action"]
    install(monkeypatch, ({"ORCL": rebased}, {}))                       # the whole range: it replaces
    out = src.refresh(["ORCL"], START, END)
    assert src.cache.read("ORCL").close.loc["2024-12-02"] == pytest.approx(0.99 * full.close.loc["2024-12-02"])
    assert "adjustment basis changed" in out["ORCL"].notes[0]["message"]


def test_not_listed_entities_are_never_asked(tmp_path, monkeypatch):
    fake = install(monkeypatch, ({}, {}))
    out = source(tmp_path).refresh(["OPENAI"], START, END)
    assert "not listed" in str(out["OPENAI"]) and fake.calls == []


def test_load_many_uses_the_span(tmp_path, monkeypatch):
    fake = install(monkeypatch, ({"ORCL": bars("ORCL")}, {}))
    src = source(tmp_path, span=Span("2025-01-01", "2025-01-31"))
    assert src.load("ORCL").first == pd.Timestamp("2025-01-02")
    assert fake.calls[0]["start"] == "2025-01-01"


def test_four_hour_bars_are_built_from_hourly_bars(tmp_path, monkeypatch):
    idx = pd.date_range("2025-01-21 00:00", periods=11, freq="h")
    hourly = pd.DataFrame({"open": np.arange(11.0) + 1, "high": np.arange(11.0) + 2, "low": np.arange(11.0) + 0.5,
                           "close": np.arange(11.0) + 1.5, "volume": 10.0}, index=idx)
    candles, incomplete = hourly_to_4h(hourly)
    assert list(candles.index) == [pd.Timestamp("2025-01-21 00:00"), pd.Timestamp("2025-01-21 04:00")]
    first = candles.iloc[0]
    assert (first.open, first.high, first.low, first.close, first.volume) == (1.0, 5.0, 0.5, 4.5, 40.0)
    assert incomplete == 1                              # 08:00 .. 10:00 is only three hours
    fake = install(monkeypatch, ({"BTC-USD": hourly}, {}))
    out = source(tmp_path, frequency="4h").refresh(["BTC"], pd.Timestamp("2025-01-21"), pd.Timestamp("2025-01-21"))
    assert fake.calls[0]["interval"] == "1h" and len(out["BTC"].bars) == 2
    assert "incomplete 4-hour candle" in out["BTC"].notes[0]["message"]


def test_split_download_shapes():
    one = bars("ORCL").iloc[:3].rename(columns=str.title)   # single ticker, no ticker level
    assert list(split_download(one, ["ORCL"])) == ["ORCL"]
    frame = yf_frame({"ORCL": bars("ORCL").iloc[:3], "BTC-USD": bars("BTC").iloc[:5]})
    got = split_download(frame, ["ORCL", "BTC-USD"])
    assert len(got["ORCL"]) == 3 and len(got["BTC-USD"]) == 5      # NaN rows of the union are dropped
    aware = frame.copy()
    aware.index = aware.index.tz_localize("America/New_York")
    assert split_download(aware, ["ORCL"])["ORCL"].index.tz is None


def test_the_real_boundary_collects_yfinance_logged_errors(monkeypatch):
    import yfinance

    def fake_download(tickers, **kwargs):
        assert kwargs["progress"] is False and kwargs["auto_adjust"] is True and kwargs["timeout"] == 5
        log = logging.getLogger("yfinance")
        log.error("\n1 Failed download:")
        log.error("['BBB']: YFRateLimitError('Too Many Requests. Rate limited. Try after a while.')")
        return yf_frame({"AAA": bars("ORCL").iloc[:2]})

    monkeypatch.setattr(yfinance, "download", fake_download)
    frame, errors = real_yf_download(["AAA", "BBB"], start="2024-01-01", end="2024-02-01", interval="1d",
                                     auto_adjust=True, timeout=5)
    assert "AAA" in frame.columns.get_level_values(0) and errors == {"BBB": parse_yf_errors(
        ["['BBB']: YFRateLimitError('Too Many Requests. Rate limited. Try after a while.')"])["BBB"]}
    assert "RateLimit" in errors["BBB"]


def test_synonym_ids_ask_yahoo_for_the_canonical_symbol(tmp_path, monkeypatch):
    # a study naming a Reuters code (LVMH.PA) or an old ticker (FB) downloads the canonical series
    fake = install(monkeypatch, ({"MC.PA": bars("ORCL"), "TTE.PA": bars("ORCL")}, {}))
    src = source(tmp_path)
    gaz = Gazetteer.load()
    assert gaz.synonyms["LVMH.PA"] == "MC.PA" and gaz.synonyms["FP.PA"] == "TTE.PA"   # synonyms, not entities
    assert src.yahoo_symbol("LVMH.PA") == "MC.PA" and src.yahoo_symbol("FP.PA") == "TTE.PA"
    out = src.refresh(["LVMH.PA", "FP.PA"], START, END)
    assert sorted(fake.calls[0]["tickers"]) == ["MC.PA", "TTE.PA"]
    assert set(out) == {"LVMH.PA", "FP.PA"} and len(out["FP.PA"].close) > 0
    # the wider equity layer's lines map to themselves, flagged as not checked on Yahoo
    assert src.yahoo_symbol("3231.T") == "3231.T" and "3231.T" in src.unverified
