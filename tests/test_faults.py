"""The fault suite (issue #15 and #13's errors): bad inputs, hostile paths, full disks, races.

Each case runs the real command (``cli.main`` in this process, or ``python -m eventstudy`` /
``tests/fault_runner.py`` in real processes where a process boundary matters) on crafted inputs
inside a temporary tree (a copy of the data folder, a cache, a work folder), and asserts the exit
status, the message, and that nothing outside the output folder changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from eventstudy.cli import main
from tests.conftest import DATA, ROOT

pytestmark = pytest.mark.faults

WINDOWS = "[windows]\nestimation = [-60, -6]\nevent = [-3, 3]\ncar = [[0, 1]]\n"


# --- the temporary tree -----------------------------------------------------------------------------

@pytest.fixture
def tree(tmp_path, monkeypatch):
    """tmp/tree/{data (a copy of data/), cache, work (the current folder)}; env points at them."""
    root = tmp_path / "tree"
    data, cache, work = root / "data", root / "cache", root / "work"
    shutil.copytree(DATA, data)
    cache.mkdir()
    work.mkdir()
    monkeypatch.setenv("EVENTSTUDY_DATA", str(data))
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(cache))
    monkeypatch.chdir(work)
    return SimpleNamespace(tmp=tmp_path, root=root, data=data, cache=cache, work=work, snapshot=data / "prices")


def files(root: Path) -> dict[str, str]:
    """Every file under ``root`` (relative path -> sha256 of its bytes; folders as 'dir')."""
    out = {}
    for p in sorted(root.rglob("*")):
        rel = str(p.relative_to(root))
        if p.is_symlink() or not p.exists():
            out[rel] = "link"
        elif p.is_dir():
            out[rel] = "dir"
        elif p.is_file():
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
        else:
            out[rel] = "special"
    return out


def changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}


@contextmanager
def unchanged_outside(root: Path, *allowed: Path):
    """Assert that nothing under ``root`` changed, except in the ``allowed`` folders (absolute paths)."""
    before = files(root)
    yield
    moved = changed(before, files(root))
    rel = [str(Path(a).relative_to(root)) for a in allowed]
    stray = {m for m in moved if not any(m == a or m.startswith(a + "/") for a in rel)}
    assert not stray, f"files changed outside {allowed}: {sorted(stray)[:10]}"


def cli(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def study(tree, text: str, name: str = "s.toml") -> Path:
    path = tree.work / name
    path.write_text(text, encoding="utf-8")
    return path


def mini(name: str = "t", secs: str = '["ORCL", "NVDA"]', bench: str = '"SPY"', extra: str = "",
         windows: str = WINDOWS, data: str = 'source = "pinned"', event: str = '[event]\ndate = "2025-01-21"\n') -> str:
    return (f'name = "{name}"\n{extra}{event}[[group]]\nname = "g"\nsecurities = {secs}\nbenchmark = {bench}\n'
            f"{windows}[data]\n{data}\n")


def one_error(err: str) -> str:
    assert "Traceback" not in err and "internal error" not in err and "This is a bug" not in err, err
    assert err.count("eventstudy: error:") == 1, err
    return err


def run_in_thread(fn, timeout: float = 20.0):
    """fn() in a daemon thread; fail (rather than hang) when it does not return in time."""
    box = {}
    thread = threading.Thread(target=lambda: box.setdefault("value", fn()), daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), f"blocked for more than {timeout} s"
    return box["value"]


@contextmanager
def read_only(path: Path):
    """Make a folder read-only for this process (chmod; as root, the immutable attribute)."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(0o555)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    if not shutil.which("chattr") or subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode:
        pytest.skip("running as root on a file system without chattr +i: cannot make a folder read-only")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def walk_prices(n: int, seed: int, vol: float = 0.01, start: float = 100.0) -> np.ndarray:
    return start * np.exp(np.cumsum(np.random.default_rng(seed).normal(0, vol, n)))


def wide_prices(tree, name: str = "p.csv", spike: tuple[int, float] | None = None, start: str = "2024-08-01",
                end: str = "2025-02-28") -> tuple[Path, pd.DatetimeIndex]:
    """A wide CSV of AAA, BBB (calm random walks) and SPY on XNYS sessions; ``spike`` = (row, factor) on AAA."""
    from eventstudy.plan.calendars import ExchangeCalendar

    sessions = ExchangeCalendar("XNYS").sessions(pd.Timestamp(start), pd.Timestamp(end))
    aaa, bbb, spy = walk_prices(len(sessions), 1), walk_prices(len(sessions), 2), walk_prices(len(sessions), 3, 0.008)
    if spike:
        aaa = aaa.copy()
        aaa[spike[0]] *= spike[1]
    lines = ["date,AAA,BBB,SPY"] + [f"{d:%Y-%m-%d},{float(a)!r},{float(b)!r},{float(s)!r}"
                                    for d, a, b, s in zip(sessions, aaa, bbb, spy)]
    path = tree.work / name
    path.write_text("\n".join(lines) + "\n")
    return path, sessions


def user_study(prices: str = "p.csv", secs: str = '["AAA", "BBB"]', windows: str = WINDOWS) -> str:
    return (f'name = "u"\n[event]\ndate = "2025-01-21"\n[[group]]\nsecurities = {secs}\nbenchmark = "SPY"\n'
            f'calendar = "XNYS"\n{windows}[data]\nprices = "{prices}"\n')


# === Security: nothing read or written where it should not be =======================================

@pytest.mark.parametrize("name", ["../../escaped-out", "/tmp/escaped-out-abs", "reports/../../x", "..", ".hidden",
                                  "a\\\\b", "C:x"])
def test_a_study_name_never_writes_outside_reports(tree, capsys, name):
    path = study(tree, mini(name=name))
    with unchanged_outside(tree.tmp):
        code, _, err = cli(capsys, "run", path, "--quiet")
    assert code == 2 and "cannot be the report folder's name" in one_error(err) and "line 1" in err
    assert not Path("/tmp/escaped-out-abs").exists()
    from eventstudy.errors import OutputError
    from eventstudy.safety import default_output_dir

    with pytest.raises(OutputError, match="cannot be used as the output folder"):
        default_output_dir(name)  # a name changed in Python is checked again where it becomes a folder


@pytest.mark.parametrize("where", ["data", "data/prices", "data/prices/sub", "data/prices_4h", "cache", "cache/x",
                                   "."])
def test_out_is_never_the_data_the_snapshot_or_the_cache(tree, capsys, where):
    path = study(tree, mini())
    out = tree.root / where
    with unchanged_outside(tree.tmp):
        code, _, err = cli(capsys, "run", path, "--out", out, "--quiet")
    assert code == 2
    assert re.search(r"never writes where its prices live|may not hold the data", one_error(err)), err


def test_a_folder_eventstudy_did_not_write_is_never_overwritten(tree, capsys):
    mine = tree.work / "mine"
    mine.mkdir()
    (mine / "securities.csv").write_text("my own securities, not a report\n")
    path = study(tree, mini())
    with unchanged_outside(tree.tmp):
        code, _, err = cli(capsys, "run", path, "--out", mine, "--quiet")
    assert code == 2 and "already holds files that eventstudy did not write (securities.csv)" in one_error(err)


EVIL = ["../../x/evil/ORCL", "../../../tmp/x/evil/ORCL", "/etc/passwd", "..", ".", "a/../../b", "..\\..\\win",
        "%2E%2E%2Fx", ".hidden", "ORCL\x00.csv"]


def test_a_ticker_cannot_make_the_snapshot_read_outside_it(tree, capsys):
    evil = tree.root / "x" / "evil"
    evil.mkdir(parents=True)
    forged = (tree.snapshot / "ORCL.csv").read_text().replace("169.", "9169.")  # forged prices
    (evil / "ORCL.csv").write_text(forged)
    path = study(tree, mini(secs='["../../x/evil/ORCL", "NVDA"]', extra=""))
    with unchanged_outside(tree.tmp):
        for mode in ("--pinned", "--offline"):
            code, _, err = cli(capsys, "validate", path) if mode == "--pinned" else cli(capsys, "run", path, mode,
                                                                                         "--quiet")
            assert code == 2 and "unknown ticker '../../x/evil/ORCL'" in one_error(err), err


def test_no_symbol_maps_to_a_file_outside_its_folder(tree):
    from eventstudy.prices import PriceCache, Snapshot, UserPricesSource

    snap, cache = Snapshot(tree.snapshot), PriceCache(tree.cache)
    folder = tree.work / "mine"
    folder.mkdir()
    (folder / "ORCL.csv").write_bytes((tree.snapshot / "ORCL.csv").read_bytes())
    for sym in EVIL:
        assert snap.path_for(sym).parent == snap.root and not snap.has(sym), sym
        assert cache.path_for(sym).parent == cache.path_for("X").parent, sym
        assert not UserPricesSource(folder).has(sym), sym
    assert snap.path_for("9984.T").name == "9984.T.csv" and cache.path_for("^GSPC").name == "%5EGSPC.parquet"


def _snapshot_copy(tree) -> Path:
    snap = tree.work / "snap"
    shutil.copytree(tree.snapshot, snap)
    return snap


def test_a_snapshot_file_without_its_manifest_entry_is_refused(tree, capsys):
    snap = _snapshot_copy(tree)
    manifest = json.loads((snap / "manifest.json").read_text())
    del manifest["symbols"]["ORCL"]
    (snap / "manifest.json").write_text(json.dumps(manifest))
    (snap / "ORCL.csv").write_text((snap / "ORCL.csv").read_text().replace("169.6541", "1690.6541"))
    path = study(tree, mini(data=f'source = "pinned"\nsnapshot = "{snap}"'))
    with unchanged_outside(tree.tmp):
        code, out, _ = cli(capsys, "validate", path)
    assert code == 0
    line = next(x for x in out.splitlines() if x.strip().startswith("dropped  ORCL"))
    assert "ORCL.csv: the file is not in the snapshot manifest" in line and "eventstudy data import" in line
    assert "ok       NVDA" in out


def test_a_snapshot_without_a_manifest_is_refused_once(tree, capsys):
    snap = _snapshot_copy(tree)
    (snap / "manifest.json").unlink()
    path = study(tree, mini(secs='["ORCL", "NVDA", "MSFT"]', data=f'source = "pinned"\nsnapshot = "{snap}"'))
    with unchanged_outside(tree.tmp):
        code, _, err = cli(capsys, "validate", path)
    assert code == 2 and "has no manifest.json" in one_error(err) and "eventstudy data import" in err


def test_a_hand_edited_snapshot_file_is_refused_naming_it(tree, capsys):
    snap = _snapshot_copy(tree)
    (snap / "ORCL.csv").write_text((snap / "ORCL.csv").read_text().replace("169.6541", "1690.6541"))
    path = study(tree, mini(data=f'source = "pinned"\nsnapshot = "{snap}"'))
    code, out, _ = cli(capsys, "validate", path)
    line = next(x for x in out.splitlines() if x.strip().startswith("dropped  ORCL"))
    assert code == 0 and "differs from the snapshot manifest" in line and "eventstudy data import" in line


INJECTION = ('published: 2025-01-22\n\n=HYPERLINK("http://evil.example/x","click") Oracle shares jumped 7% on '
             "21 January 2025 after the Stargate announcement.\n\n@SUM(1+1) Nvidia rose 2.3% on 21 January 2025.\n\n"
             "+cmd|' /C calc'!A0 Arm gained 4.1% on 21 January 2025.\n\n-2+3 Microsoft fell 1% on 21 January 2025.\n")


def test_csv_cells_never_run_as_formulas_and_a_reused_folder_keeps_nothing_old(tree, capsys):
    (tree.work / "a.txt").write_text(INJECTION)
    injected = study(tree, mini(name="inj", secs='["ORCL", "NVDA", "ARM", "MSFT"]', extra='article = "a.txt"\n',
                                event=""), "inj.toml")
    out = tree.work / "out"
    with unchanged_outside(tree.tmp, out):
        code, _, err = cli(capsys, "run", injected, "--out", out, "--quiet")
    assert code == 0, err
    text = (out / "claims.csv").read_text()
    rows = pd.read_csv(out / "claims.csv", dtype=str, keep_default_na=False)
    cells = [c for col in rows.columns for c in rows[col]]
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r") or re.match(r"-(?![\d.])", c) or
                re.match(r"-\d[^,]*[+*/=]", c)], text
    assert any(c.startswith("'=HYPERLINK(") for c in cells) and any(c.startswith("'@SUM") for c in cells)
    assert any(c.startswith("'+cmd") for c in cells) and any(c.startswith("'-2+3") for c in cells)
    # numbers untouched (compared as numbers: the CSV writer prints 7.0 as "7")
    assert {float(x) for x in rows["claimed_percent"]} >= {7.0, -1.0} and (out / "claims.png").is_file()
    # the same folder for a study without claims: the old figure and CSVs go, nothing else is left behind
    plain = study(tree, mini(name="plain"), "plain.toml")
    with unchanged_outside(tree.tmp, out):
        code, _, err = cli(capsys, "run", plain, "--out", out, "--quiet")
    assert code == 0, err
    assert not (out / "claims.png").exists() and "HYPERLINK" not in (out / "report.html").read_text()
    marker = json.loads((out / ".eventstudy-output.json").read_text())
    assert marker["study"] == "plain" and sorted(os.listdir(out)) == sorted(marker["files"] + [".eventstudy-output.json"])
    assert not [p for p in tree.work.iterdir() if p.name.startswith(".out.")]  # no staging folder left


def test_spreadsheet_safe_touches_text_cells_only():
    from eventstudy.safety import csv_text, spreadsheet_safe

    frame = pd.DataFrame({"n": [-1.5, 2.0, -3.0], "i": [-1, 2, 3], "mixed": [-0.5, None, "-x"],
                          "t": ["=1+1", "-0.25", "\tcmd"], "u": ["@A1", "+41 22", "plain"]})
    safe = spreadsheet_safe(frame)
    assert safe["n"].tolist() == [-1.5, 2.0, -3.0] and safe["i"].tolist() == [-1, 2, 3]
    assert safe["mixed"].tolist()[0] == -0.5 and safe["mixed"].tolist()[2] == "'-x"
    assert safe["t"].tolist() == ["'=1+1", "-0.25", "'\tcmd"] and safe["u"].tolist() == ["'@A1", "'+41 22", "plain"]
    assert frame["t"].tolist()[0] == "=1+1"  # the caller's frame is not changed
    assert csv_text(frame).splitlines()[1].startswith("-1.5,-1,-0.5,'=1+1,'@A1")


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_an_article_that_is_not_a_regular_file_is_refused_at_once(tree, capsys, kind):
    if kind == "fifo":
        target = tree.work / "article.fifo"
        os.mkfifo(target)
        said = "is a FIFO (named pipe)"
    elif kind == "device":
        target, said = Path("/dev/zero"), "is a device"
    else:
        target, said = tree.work, "is a folder"
    code, _, err = run_in_thread(lambda: cli(capsys, "extract", target))  # never blocks, never reads /dev/zero
    assert code == 2 and said in one_error(err) and "does not exist" not in err
    path = study(tree, f'name = "a"\narticle = "{target}"\n[[group]]\nsecurities = ["ORCL"]\nbenchmark = "SPY"\n')
    code, _, err = run_in_thread(lambda: cli(capsys, "validate", path, "--file-only"))
    assert code == 2 and said in one_error(err) and "does not exist" not in err


def _market_wrap(n: int) -> str:
    names = ["Oracle", "Nvidia", "Arm", "Microsoft", "Apple", "Amazon", "Meta", "Tesla"]
    parts = [f"{names[i % len(names)]} {'rose' if i % 2 else 'fell'} {1 + (i % 9) / 10:.1f}%" for i in range(n)]
    return "published: 2025-01-22\n\nOn Tuesday, " + ", ".join(parts) + ".\n"


def test_claim_parsing_work_grows_linearly_with_the_sentence():
    from eventstudy.article import extract_events

    extract_events(_market_wrap(5))  # language models loaded

    def best(n: int) -> float:
        # CPU time of this process, best of three: other processes on a loaded machine do not count
        times = []
        for _ in range(3):
            t = time.process_time()
            extract_events(_market_wrap(n))
            times.append(time.process_time() - t)
        return min(times)

    small, large = best(30), best(120)  # 4x the moves: about 4x the time if linear, ~40x today
    assert large / small < 10, f"30 moves {small:.3f} s, 120 moves {large:.3f} s"


# === Silent wrong numbers or lost data ===============================================================

def _bars_csv(frame: pd.DataFrame) -> str:
    return frame.to_csv()


def test_two_concurrent_fetches_of_one_symbol_keep_every_row(tree):
    """Real processes, one barrier: both read the cache before either writes, unless the lock serialises them."""
    bars = pd.read_csv(tree.snapshot / "ORCL.csv", index_col=0, parse_dates=True)
    jobs = [(bars.loc["2024-01-01":"2024-03-31"], "2024-01-01", "2024-03-31"),
            (bars.loc["2024-04-01":"2024-06-30"], "2024-04-01", "2024-06-30")]
    procs = []
    for i, (part, lo, hi) in enumerate(jobs):
        scenario = tree.work / f"scenario{i}.json"
        scenario.write_text(json.dumps({"bars": {"ORCL": _bars_csv(part)}, "barrier": str(tree.work / "barrier"),
                                        "parties": 2, "slow_merge": 0.3}))
        procs.append(subprocess.Popen([sys.executable, str(ROOT / "tests" / "fault_runner.py"), str(scenario), "data",
                                       "fetch", "ORCL", "--start", lo, "--end", hi, "--quiet"], cwd=ROOT,
                                      env={**os.environ}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    from eventstudy.prices import PriceCache

    cached = PriceCache(tree.cache).read("ORCL")
    assert len(cached.bars) == len(jobs[0][0]) + len(jobs[1][0])  # no process lost the other's rows
    assert cached.provenance["requested_start"] == "2024-01-01" and cached.provenance["requested_end"] == "2024-06-30"


def test_yahoo_junk_never_enters_the_cache(tree, capsys, monkeypatch):
    from eventstudy.prices import PriceCache
    from tests.fake_yahoo import FIELDS, install

    bars = pd.read_csv(tree.snapshot / "ORCL.csv", index_col=0, parse_dates=True).loc["2024-01-01":"2024-06-28"].copy()
    junk = bars.copy()
    junk.loc["2024-02-01", "close"] = 0.0                        # non-positive
    junk.loc["2024-02-02", "close"] = np.inf                     # infinite
    junk.loc["2024-02-05", "close"] = 1e300                      # absurd
    junk.loc["2024-03-04", "close"] *= 37                        # one-bar fat finger, back the next day
    junk.loc["2024-03-05", "open"] = -5.0                        # a bad open on a good close
    junk = junk.iloc[::-1]                                       # unsorted
    install(monkeypatch, ({"ORCL": junk}, {}))
    with unchanged_outside(tree.tmp, tree.cache):
        code, out, err = cli(capsys, "data", "fetch", "ORCL", "--start", "2024-01-01", "--end", "2024-06-28", "--quiet")
    assert code == 0, err
    cached = PriceCache(tree.cache).read("ORCL").bars
    assert cached.index.is_monotonic_increasing and np.isfinite(cached["close"]).all() and (cached["close"] > 0).all()
    for day in ("2024-02-01", "2024-02-02", "2024-02-05", "2024-03-04"):
        assert pd.Timestamp(day) not in cached.index, day
    assert np.isnan(cached.loc["2024-03-05", "open"]) and cached["close"].max() < 1000
    assert "Yahoo (ORCL) sent" in out and "one-bar spike" in out and "2024-03-04" in out
    notes = PriceCache(tree.cache).read("ORCL").notes  # kept in the cache record: every later study reports them
    assert any("one-bar spike" in n["message"] for n in notes)
    # a date twice with different prices: the download is refused, the cache keeps what it had
    before = PriceCache(tree.cache).path_for("ORCL").read_bytes()
    twice = pd.concat([bars, bars.loc[["2024-02-01"]].assign(close=1.0)])  # a yfinance frame with a date twice
    frame = twice.rename(columns=FIELDS)[list(FIELDS.values())]
    frame.columns = pd.MultiIndex.from_product([["ORCL"], frame.columns], names=["Ticker", "Price"])
    from eventstudy.prices import yahoo

    monkeypatch.setattr(yahoo, "yf_download", lambda tickers, **kw: (frame, {}))
    code, _, err = cli(capsys, "data", "fetch", "ORCL", "--start", "2024-01-01", "--end", "2024-06-28", "--quiet")
    assert code == 2 and "twice with different prices" in err and "cache keeps what it had" in err
    assert PriceCache(tree.cache).path_for("ORCL").read_bytes() == before


def test_a_ticker_listed_twice_is_refused_with_its_line(tree, capsys):
    path = study(tree, mini(secs='["ORCL",\n  "NVDA",\n  "ORCL"]'))
    code, _, err = cli(capsys, "validate", path, "--file-only")
    assert code == 2 and "s.toml, line 8: group 'g' lists 'ORCL' twice" in one_error(err)


def test_a_benchmark_among_the_securities_is_refused_with_the_reason(tree, capsys):
    path = study(tree, mini(secs='["ORCL", "SPY"]'))
    code, _, err = cli(capsys, "validate", path, "--file-only")
    assert code == 2 and "the benchmark 'SPY' is also one of its securities" in one_error(err)
    assert "regressed on itself" in err and "s.toml, line 7:" in err


def test_an_events_file_with_a_repeated_pair_or_a_self_benchmark_is_refused(tree, capsys):
    (tree.work / "ev.csv").write_text("security,date,benchmark\nORCL,2025-01-21,SPY\nNVDA,2025-01-21,SPY\n"
                                      "ORCL,2025-01-21,SPY\n")
    path = study(tree, 'name = "e"\nevents = "ev.csv"\n' + WINDOWS + '[data]\nsource = "pinned"\n')
    code, _, err = cli(capsys, "validate", path, "--file-only")
    assert code == 2 and "ev.csv, lines 2 and 4: ORCL appears twice" in one_error(err)
    (tree.work / "ev.csv").write_text("security,date,benchmark\nSPY,2025-01-21,SPY\n")
    code, _, err = cli(capsys, "validate", path, "--file-only")
    assert code == 2 and "ev.csv, line 2: SPY is its own benchmark" in one_error(err)


@pytest.mark.parametrize("factor", [37.0, 1e300])
def test_a_one_bar_fat_finger_spike_is_caught_by_magnitude(tree, capsys, factor):
    from eventstudy import load_study, run_study

    clean, sessions = wide_prices(tree, "clean.csv")
    spiked, _ = wide_prices(tree, "p.csv", spike=(90, factor))
    code, out, _ = cli(capsys, "validate", study(tree, user_study()))
    assert code == 0
    day = sessions[90].strftime("%Y-%m-%d")
    line = next(x for x in out.splitlines() if "one-bar spike" in x)
    assert "AAA" in line and f"to {day}" in line and "back to" in line
    res = run_study(load_study(study(tree, user_study(), "s.toml")))
    warning = next(w for w in res.warnings if w["check"] == "one-bar spike")
    assert warning["action"].startswith(f"the bar of {day} treated as missing")
    base = run_study(load_study(study(tree, user_study("clean.csv"), "c.toml")))
    sigma = res.securities.set_index("ticker")["sigma"]["AAA"] / base.securities.set_index("ticker")["sigma"]["AAA"]
    assert 0.9 < sigma < 1.1  # the spike no longer inflates sigma (x37: about 200x before)


def test_an_infinite_price_is_a_clear_error_and_import_refuses_it(tree, capsys):
    path, _ = wide_prices(tree)
    lines = path.read_text().splitlines()
    lines[40] = lines[40].split(",")[0] + ",inf," + ",".join(lines[40].split(",")[2:])
    path.write_text("\n".join(lines) + "\n")
    code, _, err = cli(capsys, "validate", study(tree, user_study()))
    assert code == 2 and "p.csv, line 41: column 'AAA' holds 'inf', which is not a finite number" in one_error(err)
    assert "math domain" not in err
    snap = tree.work / "newsnap"
    for i, cell in enumerate(["inf", "-2.5", "0"]):
        bad = tree.work / f"BAD{i}.csv"
        bad.write_text(f"date,open,high,low,close,volume\n2025-01-02,1,2,0.5,1.5,10\n2025-01-03,1,2,0.5,{cell},10\n")
        with unchanged_outside(tree.tmp):
            code, _, err = cli(capsys, "data", "import", bad, "--snapshot", snap)
        assert code == 2 and f"BAD{i}.csv, line 3" in one_error(err), err
        assert re.search(r"finite positive|zero or negative|not a finite number", err), err


def test_an_event_date_after_the_publication_date_is_reported(tree, capsys):
    (tree.work / "a.txt").write_text("published: 2025-01-10\n\nOn 21 January 2025, Oracle shares jumped 7% after "
                                     "the company announced a joint venture with OpenAI.\n")
    path = study(tree, 'name = "c"\narticle = "a.txt"\n[[group]]\nsecurities = ["ORCL"]\nbenchmark = "SPY"\n'
                 + WINDOWS + '[data]\nsource = "pinned"\n')
    code, out, _ = cli(capsys, "validate", path)
    assert code == 0
    line = next(x for x in out.splitlines() if "event date" in x)
    assert "2025-01-21" in line and "after the article's publication date 2025-01-10" in line


def test_with_data_and_with_model_validate_like_the_file():
    from eventstudy import StudyFileError, load_study
    from tests.conftest import STARGATE

    spec = load_study(STARGATE)
    with pytest.raises(StudyFileError, match=r"source = 'pinnned' is not one of auto, offline, pinned \(did you mean "
                                             r"'pinned'\?\)"):
        spec.with_data(source="pinnned")
    with pytest.raises(StudyFileError, match="unknown \\[data\\] setting 'sorce'; did you mean 'source'"):
        spec.with_data(sorce="pinned")
    with pytest.raises(StudyFileError, match="frequency = '1h' is not one of 1d, 4h"):
        spec.with_data(frequency="1h")
    with pytest.raises(StudyFileError, match=r"kind = 'markt' is not one of .*\(did you mean 'market'\?\)"):
        spec.with_model(kind="markt")
    with pytest.raises(StudyFileError, match="source = 'x' is not one of"):
        load_study(STARGATE, source="x")
    assert spec.with_data(source="pinned").data.source == "pinned"


# === Internal errors become messages ==================================================================

def test_mixed_utc_offsets_in_a_daily_file_read_as_their_dates(tree, capsys):
    path, sessions = wide_prices(tree)
    lines = path.read_text().splitlines()
    out = [lines[0]]
    for line in lines[1:]:  # as pandas exports a tz-aware New York index: -05:00 in winter, -04:00 in summer
        day, rest = line.split(",", 1)
        offset = "-04:00" if "2024-03-10" <= day < "2024-11-03" else "-05:00"
        out.append(f"{day}T00:00:00{offset},{rest}")
    path.write_text("\n".join(out) + "\n")
    code, printed, err = cli(capsys, "validate", study(tree, user_study()))
    assert code == 0, err
    assert "ok       AAA" in printed and "ok       BBB" in printed


@pytest.mark.parametrize("case", ["file", "device", "under-device", "under-file", "report-folder"])
def test_an_output_path_that_cannot_be_a_report_folder(tree, capsys, case):
    path = study(tree, mini())
    if case == "file":
        out, said = tree.work / "s.toml", "s.toml is a file, not a folder"
    elif case == "device":
        out, said = Path("/dev/null"), "/dev/null is a device, not a folder"
    elif case == "under-device":
        out, said = Path("/dev/null/out"), "/dev/null is a device, not a folder, so /dev/null/out cannot be created"
    elif case == "under-file":
        out, said = tree.work / "s.toml" / "out", "s.toml is a file, not a folder, so"
    else:
        out = tree.work / "out"
        out.mkdir()
        (out / "report.html").mkdir()
        (out / ".eventstudy-output.json").write_text(json.dumps({"written_by": "eventstudy", "files": ["report.html"]}))
        said = "report.html is a folder, where eventstudy wrote a file"
    with unchanged_outside(tree.tmp):
        code, _, err = cli(capsys, "run", path, "--out", out, "--quiet")
    assert code == 2 and said in one_error(err)


def test_a_read_only_output_folder_is_a_message(tree, capsys):
    parent = tree.work / "ro"
    parent.mkdir()
    path = study(tree, mini())
    with read_only(parent), unchanged_outside(tree.tmp):
        code, _, err = cli(capsys, "run", path, "--out", parent / "out", "--quiet")
    assert code == 2 and "cannot write the output folder" in one_error(err) and "--out" in err


def test_a_full_disk_leaves_the_previous_report_whole(tree, capsys):
    """A file-size limit on this process (the OS then refuses writes with EFBIG, as a full disk does
    with ENOSPC; Python ignores SIGXFSZ): nothing half-written, the previous report kept whole."""
    import resource

    out = tree.work / "out"
    out.mkdir()
    (out / "report.html").write_text("the previous report\n")
    (out / ".eventstudy-output.json").write_text(json.dumps({"written_by": "eventstudy", "files": ["report.html"]}))
    path = study(tree, mini())
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    with unchanged_outside(tree.tmp):
        resource.setrlimit(resource.RLIMIT_FSIZE, (1500, hard))
        try:
            code, _, err = cli(capsys, "run", path, "--out", out, "--quiet")
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert code == 2, err
    assert "cannot write the report into" in one_error(err) and "nothing was published" in err
    assert (out / "report.html").read_text() == "the previous report\n"


def test_a_read_only_snapshot_on_import_is_a_message(tree, capsys):
    snap = _snapshot_copy(tree)
    src = tree.work / "NEW.csv"
    src.write_text("date,open,high,low,close,volume\n2025-01-02,1,2,0.5,1.5,10\n2025-01-03,1.5,2,1,1.8,12\n")
    with read_only(snap), unchanged_outside(tree.tmp):
        code, _, err = cli(capsys, "data", "import", src, "--snapshot", snap, "--adjustment", "none", "--venue", "t")
    assert code == 2 and f"cannot write into the snapshot {snap}" in one_error(err) and "nothing was imported" in err


def _api_cases(tree) -> dict:
    from eventstudy import load_study, parse_study, read_article
    from eventstudy.prices import PriceCache, Snapshot, UserPricesSource, read_user_prices

    afile = tree.work / "a.txt"
    afile.write_text("x")
    good = study(tree, mini(), "good.toml")
    return {
        "study is a folder": lambda: load_study(tree.work),
        "study under a file": lambda: load_study(afile / "s.toml"),
        "study is a device": lambda: load_study("/dev/zero"),
        "gazetteer not a path": lambda: parse_study(mini(data='gazetteer = [[]]'), "s.toml"),
        "article under a file": lambda: read_article(afile / "b.txt"),
        "prices under a file": lambda: read_user_prices(afile / "p.csv"),
        "prices a device": lambda: read_user_prices("/dev/null"),
        "user source folder": lambda: UserPricesSource(afile).load("ORCL"),
        "snapshot under a file": lambda: Snapshot(afile).load("ORCL"),
        "cache under a file": lambda: PriceCache(afile).read("ORCL"),
        "pin a wrong source": lambda: load_study(good, source="snapshot"),
        "with_data wrong value": lambda: load_study(good).with_data(adjusted="yes"),
    }


def test_the_api_raises_the_package_errors(tree):
    from eventstudy import EventStudyError

    for name, call in _api_cases(tree).items():
        with pytest.raises(EventStudyError):
            call()


@pytest.mark.parametrize("target, said", [("folder", "is a folder"), ("/dev/zero", "is a device"),
                                          ("/dev/null", "is a device")])
def test_an_article_path_that_is_a_folder_or_a_device_says_so(tree, capsys, target, said):
    where = tree.work if target == "folder" else target
    path = study(tree, f'name = "a"\narticle = "{where}"\n[[group]]\nsecurities = ["ORCL"]\nbenchmark = "SPY"\n')
    code, _, err = cli(capsys, "validate", path, "--file-only")
    assert code == 2 and said in one_error(err) and "does not exist" not in err


def test_a_wide_file_is_parsed_in_one_pass_and_hashed_once(tree, monkeypatch):
    """10,000 columns (the issue's case: 259 s, one sha256 of the whole file per column)."""
    from eventstudy.prices import userdata

    n_cols, n_rows = 10_000, 30
    dates = pd.bdate_range("2024-01-01", periods=n_rows)
    values = np.round(100 * np.exp(np.cumsum(np.random.default_rng(0).normal(0, 0.01, (n_rows, n_cols)), axis=0)), 4)
    header = "date," + ",".join(f"S{i:05d}" for i in range(n_cols))
    rows = [f"{d:%Y-%m-%d}," + ",".join(map(repr, row.tolist())) for d, row in zip(dates, values)]
    path = tree.work / "wide.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    calls = []
    real = userdata.sha256_file
    monkeypatch.setattr(userdata, "sha256_file", lambda p: calls.append(p) or real(p))
    source = userdata.UserPricesSource(path)
    assert len(source.symbols()) == n_cols
    got = [source.load(s) for s in ("S00000", "S04999", "S09999")]
    assert len(calls) == 1 and all(s.provenance["sha256"] == real(path) for s in got)
    assert got[2].close.iloc[-1] == values[-1, -1] and list(got[0].provenance["lines"][:2]) == [2, 3]


def test_quality_checks_have_no_python_loop_over_bars():
    """check_series and _near are array code: same findings as before, arrays in, arrays out."""
    import inspect

    from eventstudy.prices import quality

    assert "for " not in inspect.getsource(quality._near) and "while " not in inspect.getsource(quality.find_jumps)
    moves = np.abs(np.log([2.02, 0.5, 1.3, 99.0, 1 / 98.0]))
    assert np.allclose(quality._near(moves, (2.0, 3.0), 0.10), [2.0, 2.0, np.nan, np.nan, np.nan], equal_nan=True)
    assert np.allclose(quality._near(moves, (100.0,), 0.10), [np.nan] * 3 + [100.0, 100.0], equal_nan=True)


# === #13: errors a person can act on ==================================================================

def test_duplicate_dates_with_different_prices_name_the_file_the_lines_and_the_fix(tree, capsys):
    path, _ = wide_prices(tree)
    lines = path.read_text().splitlines()
    cells = lines[30].split(",")
    lines.insert(31, ",".join([cells[0], str(float(cells[1]) * 1.1), *cells[2:]]))
    path.write_text("\n".join(lines) + "\n")
    code, out, _ = cli(capsys, "validate", study(tree, user_study()))
    assert code == 2 or "dropped  AAA" in out
    printed = out + capsys.readouterr().err
    line = next(x for x in printed.splitlines() if "different prices" in x)
    assert "p.csv, lines 31, 32" in line and "keep one row per date" in line


def test_a_csv_row_with_an_extra_field_names_file_and_line_not_pandas(tree, capsys):
    path, _ = wide_prices(tree)
    lines = path.read_text().splitlines()
    lines[4] += ",12.5"
    path.write_text("\n".join(lines) + "\n")
    code, _, err = cli(capsys, "validate", study(tree, user_study()))
    assert code == 2 and "p.csv, line 5: 5 fields where the header has 4" in one_error(err)
    assert "tokeniz" not in err and "C error" not in err and "Expected" not in err


def test_car_written_as_one_window_says_how_to_write_it(tree, capsys):
    path = study(tree, mini(windows="[windows]\nestimation = [-60, -6]\nevent = [-3, 3]\ncar = [0, 1]\n"))
    code, _, err = cli(capsys, "validate", path, "--file-only")
    assert code == 2 and "write car = [[0, 1]]" in one_error(err) and "not 0" not in err


def test_integers_are_not_shown_quoted(tree, capsys):
    path = study(tree, mini(windows="[windows]\nestimation = [-60, 0]\nevent = [-3, 3]\ncar = [[0, 1]]\n"))
    code, _, err = cli(capsys, "validate", path, "--file-only")
    assert code == 2 and "the estimation window [-60, 0] must end before the event window [-3, 3]" in one_error(err)
    assert "'-60'" not in err and "'0'" not in err


def test_a_file_error_is_reported_once_not_once_per_security(tree, capsys):
    path, _ = wide_prices(tree)
    lines = path.read_text().splitlines()
    lines[2] = lines[2].replace(",", ",x", 1)
    path.write_text("\n".join(lines) + "\n")
    code, _, err = cli(capsys, "validate", study(tree, user_study(secs='["AAA", "BBB"]')))
    assert code == 2 and one_error(err).count("p.csv, line 3") == 1 and "holds 'x" in err


def test_a_relative_date_without_a_publication_date_says_how_to_resolve_it(tree, capsys):
    (tree.work / "m.txt").write_text("Oracle shares jumped 7% on Monday after the company announced a joint "
                                     "venture with OpenAI.\n")
    path = study(tree, 'name = "m"\narticle = "m.txt"\n[[group]]\nsecurities = ["ORCL"]\nbenchmark = "SPY"\n'
                 '[data]\nsource = "pinned"\n')
    code, _, err = cli(capsys, "validate", path)
    assert code == 2 and "'on Monday'" in one_error(err)
    assert "`published: YYYY-MM-DD` line at the top of the article" in err and "`published = YYYY-MM-DD`" in err


def test_date_windows_without_car_default_to_the_event_window(tree, capsys):
    from eventstudy import load_study

    windows = '[windows]\nestimation = ["2024-10-01", "2025-01-10"]\nevent = ["2025-01-17", "2025-01-27"]\n'
    path = study(tree, mini(windows=windows))
    spec = load_study(path)
    assert spec.windows.car == (spec.windows.event,)
    code, out, err = cli(capsys, "validate", path)
    assert code == 0 and "ok       ORCL" in out, err


def test_the_readme_documents_validate_and_pinning():
    readme = (ROOT / "README.md").read_text()
    assert "eventstudy validate" in readme and 'load_study("data/studies/stargate.toml", source="pinned")' in readme


def test_the_readme_python_snippet_runs_offline_without_network_text(monkeypatch, capsys):
    """The README's snippet, as written, in a session whose network is blocked (conftest)."""
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Python API", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(ROOT)
    exec(compile(block, "README.md", "exec"), {})
    printed = "".join(capsys.readouterr())
    assert "ORCL" in printed and "yfinance" not in printed.lower()
    for raw in ("curl", "DNS", "resolve host", "Traceback", "tests must not touch the network", "cannot reach Yahoo"):
        assert raw not in printed, raw


def test_network_failures_are_described_in_our_words(tmp_path, monkeypatch):
    from eventstudy.prices import PriceCache, YahooSource
    from tests.fake_yahoo import install

    install(monkeypatch, ({}, {"ORCL": "possibly delisted; no timezone found",
                               "SPY": "DNSError('curl: (6) Could not resolve host: query2.finance.yahoo.com')"}))
    out = YahooSource(cache=PriceCache(tmp_path)).refresh(["ORCL", "SPY"], pd.Timestamp("2024-06-03"),
                                                           pd.Timestamp("2024-12-31"))
    message = str(out["ORCL"])
    assert "could not be resolved" in message and "curl" not in message and "DNSError" not in message
    install(monkeypatch, ({}, {"NOPE": "possibly delisted; no price data found  (1d 2024-06-03 -> 2025-01-01)"}))
    message = str(YahooSource(cache=PriceCache(tmp_path)).refresh(["NOPE"], pd.Timestamp("2024-06-03"),
                                                                  pd.Timestamp("2024-12-31"))["NOPE"])
    assert "possibly delisted" in message and "->" not in message
