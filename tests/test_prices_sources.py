"""Source modes (auto, offline, pinned, the user's prices), the chain, and provenance in results."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from eventstudy import StudyFileError, load_study, parse_study, run_study
from eventstudy.plan.calendars import EventTime
from eventstudy.cli import main
from eventstudy.errors import DataError, NotInSourceError
from eventstudy.paths import snapshot_dir
from eventstudy.pipeline import default_sources, price_span
from eventstudy.prices import PriceCache, PriceSeries, Snapshot, Span, load_prices
from tests.conftest import STARGATE, write
from tests.fake_yahoo import install

SNAP = Snapshot(snapshot_dir("1d"))
STUDY = """name = "s"
[event]
date = "2025-01-21"
[[group]]
name = "g"
securities = ["ORCL", "NVDA"]
benchmark = "SPY"
[windows]
estimation = [-60, -6]
event = [-3, 3]
car = [[0, 1]]
"""


def study(tmp_path, data: str = ""):
    return load_study(write(tmp_path, "s.toml", STUDY + data))


def test_modes_build_the_chain(tmp_path):
    names = lambda spec: [s.name for s in default_sources(spec)]  # noqa: E731
    assert names(study(tmp_path)) == ["cache", "yfinance", "snapshot"]
    assert names(study(tmp_path, '[data]\nsource = "offline"\n')) == ["cache", "snapshot"]
    assert names(study(tmp_path, '[data]\nsource = "pinned"\n')) == ["snapshot"]
    write(tmp_path, "p.csv", "date,ORCL\n2025-01-02,1\n")
    assert names(study(tmp_path, '[data]\nsource = "pinned"\nprices = "p.csv"\n')) == ["user prices"]


@pytest.mark.parametrize("data, fragment", [
    ('source = "snapshot"', "did you mean 'pinned'?"),
    ('source = "web"', "is not one of auto, offline, pinned"),
    ('adjusted = "yes"', "adjusted must be true (splits and dividends) or false (splits only)"),
    ('prices = "nope.csv"', "prices 'nope.csv' does not exist"),
])
def test_data_table_errors(data, fragment):
    with pytest.raises(StudyFileError) as err:
        parse_study(STUDY + "[data]\n" + data + "\n", "s.toml")
    assert fragment in str(err.value) and str(err.value).startswith("s.toml, line")


def test_price_span_covers_the_windows_with_a_margin():
    spec = parse_study(STUDY)
    span = price_span(spec, EventTime(dt.date(2025, 1, 21)))
    # 61 bars before (60 + the bar before the window) at 1.6 days a bar, plus 10 days
    assert span.start == pd.Timestamp("2025-01-21") - pd.Timedelta(days=98 + 10)
    assert span.end == pd.Timestamp("2025-01-21") + pd.Timedelta(days=5 + 10)
    sessions = pd.bdate_range(span.start, "2025-01-21")
    assert len(sessions) > 61 + 5                      # enough sessions even with holidays


def _series(sym, first, last, **prov):
    bars = SNAP.load(sym).bars.loc[first:last]
    return PriceSeries(sym, bars, "1d", f"test {first}", prov)


class Fixed:
    def __init__(self, name, found=None, error=None):
        self.name, self.found, self.error = name, found or {}, error

    def load(self, symbol):
        if symbol in self.found:
            return self.found[symbol]
        raise (self.error or NotInSourceError(f"{symbol}: not here"))


def test_chain_prefers_a_source_that_covers_the_span():
    span = Span("2024-10-01", "2025-01-31")
    stale = Fixed("cache", {"ORCL": _series("ORCL", "2024-12-01", "2025-01-10")})
    full = Fixed("snapshot", {"ORCL": _series("ORCL", "2024-01-02", "2025-03-31")})
    got, missing = load_prices(["ORCL"], [stale, full], span)
    assert got["ORCL"].source == "test 2024-01-02" and not missing
    got, _ = load_prices(["ORCL"], [stale, Fixed("snapshot")], span)   # nothing better: the partial one
    assert got["ORCL"].source == "test 2024-12-01"


def test_chain_counts_a_requested_range_as_covered():
    span = Span("2024-10-01", "2025-01-31")
    young = _series("ARC", "2025-01-17", "2025-03-31", requested_start="2024-09-01", requested_end="2025-03-31")
    got, _ = load_prices(["ARC"], [Fixed("cache", {"ARC": young}), Fixed("snapshot", {"ARC": "never asked"})], span)
    assert got["ARC"] is young


def test_chain_reports_problems_but_not_absences():
    problem = Fixed("cache", error=DataError("ORCL.parquet: the cache file is unreadable"))
    got, _ = load_prices(["ORCL"], [problem, Fixed("snapshot", {"ORCL": _series("ORCL", "2024-01-02", "2025-03-31")})])
    note = got["ORCL"].notes[0]
    assert note["check"] == "price source" and "cache: ORCL.parquet" in note["message"]
    assert note["action"] == "prices taken from the snapshot instead"
    got, missing = load_prices(["ORCL", "ZZZ"], [Fixed("cache"), Fixed("snapshot", {"ORCL": _series("ORCL", "2024-01-02", "2025-03-31")})])
    assert got["ORCL"].notes == () and "cache: ZZZ: not here; snapshot: ZZZ: not here" == missing["ZZZ"]


def _orcl_results(res):
    return res.securities.set_index("ticker").loc["ORCL"]


def test_pinned_ignores_the_cache_and_the_network(tmp_path, monkeypatch):
    cache = PriceCache()
    cache.path_for("ORCL").parent.mkdir(parents=True)
    cache.path_for("ORCL").write_bytes(b"not parquet")
    fake = install(monkeypatch, ({}, {}))
    res = run_study(study(tmp_path, '[data]\nsource = "pinned"\n'))
    assert fake.calls == [] and res.provenance["ORCL"].startswith("snapshot ")
    assert "sha256" in res.provenance["ORCL"] and "splits and dividends" in res.provenance["ORCL"]
    assert not [w for w in res.warnings if w["check"] == "price source"]


def test_offline_reports_a_corrupt_cache_file_and_falls_back(tmp_path, monkeypatch):
    cache = PriceCache()
    cache.path_for("ORCL").parent.mkdir(parents=True)
    cache.path_for("ORCL").write_bytes(b"not parquet")
    fake = install(monkeypatch, ({}, {}))
    res = run_study(study(tmp_path, '[data]\nsource = "offline"\n'))
    assert fake.calls == []
    warn = [w for w in res.warnings if w["check"] == "price source"]
    assert len(warn) == 1 and warn[0]["ticker"] == "ORCL" and "unreadable" in warn[0]["message"]
    assert res.provenance["ORCL"].startswith("snapshot ")


def test_offline_refuses_a_corrupt_cache_file_when_nothing_else_has_the_symbol(tmp_path):
    cache = PriceCache()
    cache.path_for("AI16Z").parent.mkdir(parents=True)
    cache.path_for("AI16Z").write_bytes(b"PAR1 truncated")
    text = STUDY.replace('securities = ["ORCL", "NVDA"]\nbenchmark = "SPY"',
                         'securities = ["ARC", "AI16Z"]\nbenchmark = "BTC"\nmodel = "market_adjusted"')
    res = run_study(parse_study(text + '[data]\nsource = "offline"\n', tmp_path / "s.toml"))
    reason = {d.ticker: d.reason for d in res.dropped}["AI16Z"]
    assert "cache:" in reason and "truncated or corrupt" in reason and "snapshot: AI16Z: no prices" in reason


def test_auto_downloads_once_then_reads_the_cache(tmp_path, monkeypatch):
    data = {s: SNAP.load(s).bars for s in ("ORCL", "NVDA", "SPY")}
    fake = install(monkeypatch, (data, {}))
    spec = study(tmp_path)
    first = run_study(spec)
    assert len(fake.calls) == 1 and sorted(fake.calls[0]["tickers"]) == ["NVDA", "ORCL", "SPY"]
    src = first.provenance["ORCL"]
    assert src.startswith(f"cache {PriceCache().path_for('ORCL')}") and "yfinance ORCL" in src
    assert "splits and dividends (yfinance auto_adjust=True)" in src and "downloaded 20" in src
    second = run_study(spec)
    assert len(fake.calls) == 1                                   # the cache covers the study: no download
    pd.testing.assert_frame_equal(first.cars, second.cars)
    pinned = run_study(spec.with_data(source="pinned"))
    assert _orcl_results(pinned)["day0"] == _orcl_results(first)["day0"]
    assert pinned.cars.set_index("ticker").loc["ORCL", "car"] == pytest.approx(first.cars.set_index("ticker").loc["ORCL", "car"])


def test_auto_refetches_a_corrupt_cache_file(tmp_path, monkeypatch):
    data = {s: SNAP.load(s).bars for s in ("ORCL", "NVDA", "SPY")}
    fake = install(monkeypatch, (data, {}))
    spec = study(tmp_path)
    run_study(spec)
    path = PriceCache().path_for("ORCL")
    path.write_bytes(path.read_bytes()[:100])
    res = run_study(spec)
    assert fake.calls[-1]["tickers"] == ["ORCL"]
    checks = {w["check"]: w for w in res.warnings}
    assert "truncated or corrupt" in checks["price source"]["message"]
    assert "replaced" in checks["cache"]["action"]
    assert len(PriceCache().read("ORCL").bars) > 0


def test_auto_without_network_falls_back_to_the_snapshot_and_says_so(tmp_path):
    # conftest's stand-in for yfinance fails like a machine without a connection
    res = run_study(study(tmp_path))
    warn = [w for w in res.warnings if w["check"] == "price source"]
    assert len(warn) == 1 and warn[0]["ticker"] == "ORCL, NVDA, SPY"
    assert "tests must not touch the network" in warn[0]["message"]
    assert res.provenance["SPY"].startswith("snapshot ")


def test_cli_run_pinned_and_offline(tmp_path, capsys, monkeypatch):
    fake = install(monkeypatch, ({}, {}))
    # --pinned is the README's main job (tests/test_cli.py); --offline must not download either
    assert main(["run", str(STARGATE), "--offline", "--out", str(tmp_path / "out"), "--quiet"]) == 0
    assert fake.calls == []
    with pytest.raises(SystemExit):
        main(["run", str(STARGATE), "--pinned", "--offline"])
    assert "not allowed with argument" in capsys.readouterr().err


def test_auto_accepts_a_ticker_the_gazetteer_lacks_when_its_calendar_is_given(tmp_path, monkeypatch):
    fake = install(monkeypatch, ({"AAPLX": SNAP.load("MSFT").bars, "SPY": SNAP.load("SPY").bars}, {}))
    text = STUDY.replace('securities = ["ORCL", "NVDA"]', 'securities = ["AAPLX"]\ncalendar = "XNYS"')
    res = run_study(parse_study(text, tmp_path / "s.toml"))
    assert fake.calls[0]["tickers"] == ["AAPLX", "SPY"] and list(res.securities["ticker"]) == ["AAPLX"]
    offline = text + '[data]\nsource = "offline"\n'
    assert list(run_study(parse_study(offline, tmp_path / "s.toml")).securities["ticker"]) == ["AAPLX"]  # cached now
    with pytest.raises(StudyFileError, match="unknown ticker 'AAPLY'"):          # offline, not cached: a likely typo
        run_study(parse_study(offline.replace("AAPLX", "AAPLY"), tmp_path / "s.toml"))
