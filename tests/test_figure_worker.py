"""Figures drawn in a forked worker process (eventstudy/report/figure_worker.py): the same bytes, and a
failed worker never fails the run."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from eventstudy.report import figure_worker
from eventstudy.report.figure_worker import FigureWorker

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the figure worker needs os.fork (POSIX)")


def _save(path, data: bytes) -> None:
    path.write_bytes(data)


def test_worker_draws_its_jobs_into_the_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(figure_worker, "worker_allowed", lambda: True)  # pytest-xdist runs threads
    parent = os.getpid()
    w = FigureWorker([("a", "x"), ("b", "y")], tmp_path, lambda kind: f"{kind} from {os.getpid()}".encode(), _save)
    assert w.started
    got = w.finish()
    assert set(got) == {"a", "b"} and got["a"].startswith(b"x from ") and got["a"] != f"x from {parent}".encode()
    assert (tmp_path / "b.png").read_bytes() == got["b"]


def test_a_failing_worker_returns_nothing_so_the_caller_draws(tmp_path, monkeypatch):
    monkeypatch.setattr(figure_worker, "worker_allowed", lambda: True)

    def draw(kind: str) -> bytes:
        if kind == "y":
            raise RuntimeError("broken figure")
        return b"ok"

    w = FigureWorker([("a", "x"), ("b", "y")], tmp_path, draw, _save)
    assert w.started and w.finish() == {}


def test_cancel_stops_a_running_worker(tmp_path, monkeypatch):
    monkeypatch.setattr(figure_worker, "worker_allowed", lambda: True)
    w = FigureWorker([("a", "x")], tmp_path, lambda kind: time.sleep(60) or b"", _save)
    pid = w.pid
    t0 = time.perf_counter()
    w.cancel()
    assert time.perf_counter() - t0 < 5 and not w.started
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, 0)  # reaped


def test_not_used_when_disabled_or_with_threads(monkeypatch):
    monkeypatch.setenv(figure_worker.ENV, "0")
    assert not figure_worker.worker_allowed()
    monkeypatch.setenv(figure_worker.ENV, "1")
    if len(os.sched_getaffinity(0)) >= 2:  # under pytest-xdist this process runs other threads: never forked
        import threading

        assert figure_worker.worker_allowed() == (threading.active_count() == 1)


@pytest.mark.slow
def test_cli_run_with_the_worker_writes_the_same_pngs(tmp_path, stargate_results):
    """`eventstudy run` (one thread: the worker is used) writes the PNGs the figures give in-process."""
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("the worker is used with at least two CPUs")
    from eventstudy.plots import available_plots
    from eventstudy.plots.style import figure_png
    from eventstudy.report.output import FIGURES
    from eventstudy.report.relpaths import PathRewriter, relative_results
    from tests.conftest import ROOT, STARGATE

    out = tmp_path / "out"
    env = {**os.environ, figure_worker.ENV: "1"}
    proc = subprocess.run([sys.executable, "-m", "eventstudy", "run", str(STARGATE), "--pinned", "--out", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "in a worker process" in proc.stderr
    shown = relative_results(stargate_results, PathRewriter.for_study(stargate_results.spec, out))  # as the CLI
    drawable = set(available_plots(shown))
    for key, (_, kind) in FIGURES.items():
        if kind in drawable:
            assert (out / f"{key}.png").read_bytes() == figure_png(shown.plot(kind)), key
