"""The snapshot: reading, importing with validation, provenance, and refusing bad files."""

from __future__ import annotations

import json

import pytest

from eventstudy.cli import main
from eventstudy.errors import DataError
from eventstudy.paths import snapshot_dir
from eventstudy.prices import Snapshot, read_bars_csv
from tests.conftest import SHARED, write

HEADER = "date,open,high,low,close,volume\n"


def test_embedded_snapshot_holds_the_study_symbols_with_provenance():
    snap = Snapshot(snapshot_dir("1d"))
    for sym in ["ORCL", "NVDA", "ARM", "MSFT", "SPY", "QQQ", "SMH", "SOXX", "9984.T", "BTC", "ETH", "SOL",
                "VIRTUAL", "ARC", "PIPPIN"]:
        assert snap.has(sym), sym
    assert not snap.has("AI16Z")
    man = snap.manifest()["symbols"]
    assert man["ORCL"]["rows"] == 312 and man["ORCL"]["first"] == "2024-01-02"
    assert "dividends" in man["ORCL"]["adjustment"] and "NOT dividend" in man["SMH"]["adjustment"]
    assert "UTC" in man["BTC"]["time_convention"]
    assert (snap.root / man["ORCL"]["provenance"]).is_file()
    four = Snapshot(snapshot_dir("4h"), "4h")
    assert four.symbols() == ["ARC", "BTC", "ETH", "SOL", "VIRTUAL"]


@pytest.mark.skipif(not (SHARED / "data" / "prices").is_dir(), reason="../shared/data/prices is absent")
def test_snapshot_numbers_are_the_source_numbers():
    snap = Snapshot(snapshot_dir("1d"))
    for sym in snap.symbols():
        src = SHARED / "data" / "prices" / f"{sym}.csv"
        assert snap.path_for(sym).read_bytes() == src.read_bytes(), sym


def test_orcl_close_on_the_event_day():
    bars = Snapshot(snapshot_dir("1d")).load("ORCL").bars
    assert bars.loc["2025-01-21", "close"] == pytest.approx(169.6541)


@pytest.mark.parametrize("body, message", [
    ("2025-01-02,1,2,0.5,1.5,10\n2025-01-02,1,2,0.5,1.5,10\n", "line 3: date 2025-01-02 00:00:00 appears twice"),
    ("2025-01-03,1,2,0.5,1.5,10\n2025-01-02,1,2,0.5,1.5,10\n", "line 3: 2025-01-02 00:00:00 comes after"),
    ("2025-01-02,1,2,0.5,0,10\n", "line 2: a price is zero or negative"),
    ("2025-01-02,1,2,1.2,1.5,10\n", "line 2: low/high do not bracket"),
    ("2025-01-02,1,2,0.5,abc,10\n", "line 2: column 'close' holds 'abc'"),
    ("2025-13-02,1,2,0.5,1.5,10\n", "line 2: '2025-13-02' is not a date"),
    ("2025-01-02,1,2,0.5,,10\n", "line 2: close is missing"),
])
def test_import_refuses_bad_files_naming_file_and_line(tmp_path, body, message):
    src = write(tmp_path, "BAD.csv", HEADER + body)
    snap = Snapshot(tmp_path / "snap")
    with pytest.raises(DataError) as err:
        snap.import_files([src])
    assert message in str(err.value) and "BAD.csv" in str(err.value)
    assert not (tmp_path / "snap" / "BAD.csv").exists()


def test_import_is_all_or_nothing(tmp_path):
    good = write(tmp_path, "GOOD.csv", HEADER + "2025-01-02,1,2,0.5,1.5,10\n")
    bad = write(tmp_path, "BAD.csv", HEADER + "2025-01-02,1,2,0.5,-1,10\n")
    with pytest.raises(DataError):
        Snapshot(tmp_path / "snap").import_files([good, bad])
    assert not (tmp_path / "snap" / "GOOD.csv").exists()


def test_wrong_header(tmp_path):
    src = write(tmp_path, "X.csv", "Date,Price\n2025-01-02,3\n")
    with pytest.raises(DataError, match="line 1: header is"):
        read_bars_csv(src)


def test_cli_import_keeps_provenance_and_refuses_hand_edits(tmp_path, capsys):
    src = write(tmp_path, "AAA.csv", HEADER + "2025-01-02,1,2,0.5,1.5,10\n2025-01-03,1.5,2,1,1.8,12\n")
    prov = write(tmp_path, "PROV.md", "# where it came from\n")
    snap_dir = tmp_path / "snap"
    code = main(["data", "import", str(src), "--snapshot", str(snap_dir), "--provenance", str(prov),
                 "--adjustment", "none", "--venue", "test"])
    assert code == 0
    man = json.loads((snap_dir / "manifest.json").read_text())
    assert man["symbols"]["AAA"]["provenance"] == "PROV.md" and (snap_dir / "PROV.md").is_file()
    assert Snapshot(snap_dir).load("AAA").close.iloc[-1] == 1.8
    (snap_dir / "AAA.csv").write_text(HEADER + "2025-01-02,1,2,0.5,1.6,10\n")
    with pytest.raises(DataError, match="differs from the snapshot manifest"):
        Snapshot(snap_dir).load("AAA")
    code = main(["data", "import", str(tmp_path / "missing.csv"), "--snapshot", str(snap_dir)])
    assert code == 2 and "no such file" in capsys.readouterr().err
