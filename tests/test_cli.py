"""The command line: the README's main job, and errors without tracebacks."""

from __future__ import annotations

import csv
import subprocess
import sys

import pytest

from eventstudy.cli import main
from tests.conftest import ROOT, STARGATE, write


def test_run_writes_the_report_folder(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(STARGATE), "--pinned", "--out", str(out), "--quiet"]) == 0  # the README main job
    printed = capsys.readouterr().out
    assert str(out.resolve()) in printed
    for name in ["report.html", "results.csv", "abnormal_returns.csv", "tests.csv", "car_paths.png"]:
        assert (out / name).stat().st_size > 0, name
    rows = list(csv.DictReader((out / "results.csv").open()))
    assert list(rows[0])[:9] == ["ticker", "group", "day0", "window", "car", "t_stat", "p_value", "n_estimation", "model"]
    orcl = next(r for r in rows if r["ticker"] == "ORCL" and r["window"] == "[0,1]")
    assert float(orcl["car"]) > 0.05
    ar_rows = list(csv.DictReader((out / "abnormal_returns.csv").open()))
    assert {"ticker", "date", "rel_day", "return", "expected", "ar", "car"} <= set(ar_rows[0])
    html = (out / "report.html").read_text()
    assert "data:image/png;base64," in html and "+7.17%" in html and "AI16Z" in html
    assert (out / "car_paths.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _study(tmp_path, body):
    return write(tmp_path, "s.toml", f'name = "t"\n[event]\ndate = "2025-01-21"\n{body}')


@pytest.mark.parametrize("body, fragment", [
    ('[[group]]\nsecurities = ["ORCL"]\nbenchmark = "SPY"\nbenchmrk = "QQQ"\n', "did you mean 'benchmark'"),
    ('[[group]]\nsecurities = ["ORCLL"]\nbenchmark = "SPY"\n', "unknown ticker 'ORCLL'"),
    ('[[group]]\nsecurities = ["ORCL"]\nbenchmark = "SPY"\n[windows]\nestimation = [-2000, -11]\n',
     "need XNYS prices"),
    ('[[group]]\nsecurities = ["ORCL"]\nbenchmark = "SPY"\n[windows]\nevent = [-5, 400]\ncar = [[0, 1]]\n',
     "need XNYS prices"),
])
def test_bad_study_fails_with_one_clear_message(tmp_path, capsys, body, fragment):
    code = main(["run", str(_study(tmp_path, body)), "--offline", "--out", str(tmp_path / "o"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert fragment in err and "Traceback" not in err
    assert err.count("eventstudy: error:") == 1


def test_unknown_ticker_suggests_the_right_one(tmp_path, capsys):
    main(["run", str(_study(tmp_path, '[[group]]\nsecurities = ["ORCLL"]\nbenchmark = "SPY"\n')), "--offline"])
    assert "Did you mean ORCL" in capsys.readouterr().err


def test_console_script_entry_point_runs_without_traceback(tmp_path):
    bad = _study(tmp_path, '[[group]]\nsecurities = ["ORCL"]\n')
    proc = subprocess.run([sys.executable, "-m", "eventstudy", "run", str(bad), "--offline"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2 and "has no benchmark" in proc.stderr and "Traceback" not in proc.stderr


def test_validate_checks_the_file_and_the_data(capsys):
    assert main(["validate", str(STARGATE)]) == 0
    out = capsys.readouterr().out
    assert "the file itself is valid" in out
    assert "ok       ORCL" in out and "dropped  AI16Z" in out and "dropped  PIPPIN" in out
    assert main(["validate", str(STARGATE), "--file-only"]) == 0
    assert "dropped" not in capsys.readouterr().out


def test_progress_shows_the_article_relative_to_the_working_folder(monkeypatch, tmp_path):
    from eventstudy.pipeline import _shown_path

    monkeypatch.chdir(ROOT)
    assert _shown_path(ROOT / "seeds" / "stargate-techflow-fr.txt") == "seeds/stargate-techflow-fr.txt"
    outside = tmp_path / "a.txt"
    monkeypatch.chdir(ROOT / "seeds")
    assert _shown_path(outside) == str(outside)  # outside the working folder: as given
