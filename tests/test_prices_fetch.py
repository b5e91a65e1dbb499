"""`eventstudy data fetch` (Yahoo faked) into the cache and into a snapshot, and `data list --cache`."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from eventstudy.cli import main
from eventstudy.paths import snapshot_dir
from eventstudy.prices import PriceCache, Snapshot
from tests.fake_yahoo import install

SNAP = Snapshot(snapshot_dir("1d"))


def test_fetch_into_the_cache_with_a_progress_bar(monkeypatch, capsys):
    fake = install(monkeypatch, ({"ORCL": SNAP.load("ORCL").bars, "BTC-USD": SNAP.load("BTC").bars}, {}))
    code = main(["data", "fetch", "ORCL", "BTC", "--start", "2024-06-03", "--end", "2024-12-31"])
    out, err = capsys.readouterr()
    assert code == 0 and len(fake.calls) == 1 and fake.calls[0]["auto_adjust"] is True
    assert "yfinance: 100%" in err and "2/2" in err                     # tqdm's bar on stderr
    assert "ORCL: 147 bars 2024-06-03 .. 2024-12-31 -> cache " in out
    cached = PriceCache().read("BTC")
    assert cached.first == pd.Timestamp("2024-06-03") and cached.last == pd.Timestamp("2024-12-31")
    assert main(["data", "list", "--cache"]) == 0
    listing = capsys.readouterr().out
    assert "BTC " in listing and "ORCL" in listing and "2024-06-03 .. 2024-12-31" in listing


def test_fetch_reports_each_failure_and_exits_non_zero(monkeypatch, capsys):
    install(monkeypatch, ({"ORCL": SNAP.load("ORCL").bars}, {"NOPE": "possibly delisted; no price data found"}))
    code = main(["data", "fetch", "ORCL", "NOPE", "--start", "2024-06-03", "--end", "2024-12-31", "--unadjusted",
                 "--quiet"])
    out, err = capsys.readouterr()
    assert code == 2
    assert "eventstudy: error: NOPE: Yahoo has no 1d prices between 2024-06-03 and 2024-12-31" in err
    assert "1 of 2 symbol(s) failed" in err and "Traceback" not in err
    assert PriceCache().has("ORCL", adjusted=False) and not PriceCache().has("ORCL")


@pytest.mark.parametrize("args, fragment", [
    (["--start", "2024-13-01", "--end", "2024-12-31"], "--start '2024-13-01' is not a date"),
    (["--start", "2024-12-31", "--end", "2024-01-01"], "is after --end"),
])
def test_fetch_argument_errors(args, fragment, capsys):
    assert main(["data", "fetch", "ORCL", *args]) == 2
    assert fragment in capsys.readouterr().err


def test_fetch_into_a_snapshot_records_provenance(tmp_path, monkeypatch, capsys):
    install(monkeypatch, ({"ORCL": SNAP.load("ORCL").bars}, {}))
    root = tmp_path / "snap"
    code = main(["data", "fetch", "ORCL", "--start", "2024-06-03", "--end", "2024-12-31", "--to", "snapshot",
                 "--snapshot", str(root), "--quiet"])
    assert code == 0, capsys.readouterr().err
    entry = json.loads((root / "manifest.json").read_text())["symbols"]["ORCL"]
    assert entry["source"] == "yfinance" and entry["yahoo"] == "ORCL" and entry["downloaded_at"].startswith("20")
    assert entry["adjustment"] == "splits and dividends (yfinance auto_adjust=True)" and entry["rows"] == 147
    series = Snapshot(root).load("ORCL")
    assert series.close.loc["2024-12-31"] == SNAP.load("ORCL").close.loc["2024-12-31"]
    assert "downloaded 20" in series.source and "auto_adjust=True" in series.source
    # a second fetch may refresh it; a curated symbol is protected
    assert main(["data", "fetch", "ORCL", "--start", "2024-06-03", "--end", "2024-12-31", "--to", "snapshot",
                 "--snapshot", str(root), "--quiet"]) == 0
    (root / "SPY.csv").write_bytes((snapshot_dir("1d") / "SPY.csv").read_bytes())
    assert main(["data", "fetch", "SPY", "--start", "2024-06-03", "--end", "2024-12-31", "--to", "snapshot",
                 "--snapshot", str(root), "--quiet"]) == 2
    assert "pass --replace" in capsys.readouterr().err


def test_fetch_into_a_snapshot_validates_the_download(tmp_path, monkeypatch, capsys):
    bad = SNAP.load("ORCL").bars.copy()
    bad.loc["2024-07-01", "low"] = bad.loc["2024-07-01", "high"] * 2
    install(monkeypatch, ({"ORCL": bad}, {}))
    code = main(["data", "fetch", "ORCL", "--start", "2024-06-03", "--end", "2024-12-31", "--to", "snapshot",
                 "--snapshot", str(tmp_path / "snap"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "ORCL (yfinance): refused for the snapshot" in err and "on 2024-07-01" in err
    assert not (tmp_path / "snap" / "ORCL.csv").exists()
