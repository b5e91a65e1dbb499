"""Distributed runs (issue #11): the same study on a Dask cluster gives the in-process results.

A real scheduler and two worker processes on loopback (``local:2``, as ``--dask local:2`` starts
it, shared by the tests of this module; an external ``dask scheduler`` / ``dask worker`` case; the
command with ``--dask local:2``), on one synthetic user-prices study of a few thousand events in
three groups, one per model (market, constant mean, factor), with drops at every stage, a late
listing, a gap and a common-date cluster with its own windows. Each distributed run is compared
with the in-process run: every table exactly, every test statistic to 1e-12, the dropped pairs,
warnings and confounding flags identical and in the same order.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("distributed")

from eventstudy import load_study, run_study  # noqa: E402
from eventstudy.cli import main  # noqa: E402
from eventstudy.prices.parquet import ParquetPriceSource, read_manifest  # noqa: E402
from eventstudy.prices.userdata import UserPricesSource  # noqa: E402
from tests.conftest import write  # noqa: E402

N_SEC, N_DAYS = 12, 420
NUMERIC = ["n", "estimate", "statistic", "p_value", "ci_low", "ci_high"]
#: The event groups of the synthetic study and the normal-return model each is studied with.
MODELS = {"mkt": "market", "cmean": "constant_mean", "ff": "factor"}


def synthetic_study(folder: Path, n_events: int = 2400, seed: int = 3) -> Path:
    """Wide user prices (12 securities with a common factor, 420 XNYS sessions), an events file
    of ``n_events`` rows spread over three groups, one per model (market, constant mean, factor),
    a fourth group of 12 securities on a common date with its own windows, and the study file.

    Drops at every stage: events too early for their windows (plan), a security in the gazetteer
    without prices (prices), a late listing whose estimation window is too short
    (``short_estimation = "drop"``: the engine); a gap in a common-date estimation window."""
    import exchange_calendars as xcals

    rng = np.random.default_rng(seed)
    days = pd.DatetimeIndex(xcals.get_calendar("XNYS").sessions_in_range("2020-01-02", "2021-12-31")[:N_DAYS])
    m = rng.normal(0.0003, 0.01, N_DAYS)
    smb = rng.normal(0.0, 0.005, N_DAYS)
    R = 0.0002 + np.outer(m, rng.uniform(0.5, 1.5, N_SEC)) + np.outer(smb, rng.uniform(-0.5, 0.5, N_SEC)) \
        + rng.normal(size=(N_DAYS, N_SEC)) * 0.02 + 0.008 * rng.normal(size=(N_DAYS, 1))
    wide = pd.DataFrame(100 * np.cumprod(1 + R, axis=0), index=days, columns=[f"S{j:02d}" for j in range(N_SEC)])
    wide.iloc[:230, 1] = np.nan        # listed late: dropped for a short estimation window
    wide.iloc[300:306, 2] = np.nan     # a gap inside the common date's estimation window
    wide["MKT"] = 1000 * np.cumprod(1 + m)
    wide.index.name = "date"
    wide.to_csv(folder / "prices.csv", float_format="%.10g")
    pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "MKT_RF": m - 0.0001, "SMB": smb, "RF": 0.0001}).to_csv(
        folder / "factors.csv", index=False, float_format="%.10g")
    pos = rng.integers(20, N_DAYS - 3, size=n_events)     # some too early for the windows: dropped
    col = rng.integers(0, N_SEC, size=n_events)
    grp = np.array(list(MODELS))[rng.integers(0, len(MODELS), size=n_events)]
    rows = [f"S{c:02d},{days[p]:%Y-%m-%d},e{k},{g},MKT" for k, (p, c, g) in enumerate(zip(pos, col, grp))]
    rows += [f"S{j:02d},{days[380]:%Y-%m-%d},common,common,MKT" for j in range(N_SEC)]
    rows += [f"ORCL,{days[300]:%Y-%m-%d},noprices,mkt,MKT"]  # in the gazetteer, not in the prices
    write(folder, "events.csv", "security,date,event,group,benchmark\n" + "\n".join(rows) + "\n")
    # the study's model is the factor model; a group's own model can be any other (not a factor model)
    groups = "".join(f'''[[group]]
name = "{g}"
calendar = "XNYS"
{f'model = "{kind}"' if kind != "factor" else ""}
''' for g, kind in MODELS.items())
    return write(folder, "study.toml", f"""name = "synthetic-three-models"
events = "events.csv"
{groups}[[group]]
name = "common"
calendar = "XNYS"
model = "market"
windows = {{ event = [-3, 3], car = [[0, 0], [-1, 1]] }}
[windows]
estimation = [-100, -11]
event = [-5, 5]
car = [[-5, 5], [0, 0], [0, 1]]
[model]
kind = "factor"
short_estimation = "drop"
factors = "factors.csv"
[data]
prices = "prices.csv"
""")


def assert_same_results(a, b):
    """Every table equal (the price source's description aside: it names the Parquet dataset),
    every test statistic within 1e-12, dropped pairs, warnings and the confounding check identical
    and in the same order."""
    for name in ("securities", "abnormal_returns", "cars"):
        x, y = getattr(a, name), getattr(b, name)
        pd.testing.assert_frame_equal(x.drop(columns=["source"], errors="ignore"),
                                      y.drop(columns=["source"], errors="ignore"), check_exact=True)
    ta, tb = a.test_table, b.test_table
    assert len(ta) > 0
    pd.testing.assert_frame_equal(ta.drop(columns=NUMERIC), tb.drop(columns=NUMERIC))
    np.testing.assert_allclose(tb[NUMERIC].to_numpy(float), ta[NUMERIC].to_numpy(float), rtol=1e-12, atol=1e-12)
    assert list(a.dropped) == list(b.dropped) and len(a.dropped) > 0
    assert list(a.warnings) == list(b.warnings)
    cols = ["row", "ticker", "status", "stage", "reason", "drop_code", "seq"]
    pd.testing.assert_frame_equal(a.plan[cols], b.plan[cols])
    pd.testing.assert_frame_equal(a.confounding, b.confounding)
    pd.testing.assert_frame_equal(a.confounding_windows, b.confounding_windows)


def _partitions_check(a, b, workers) -> None:
    """Each security in one partition, every studied pair mapped, every worker used."""
    d = b.extras["distributed"]
    parts = d["partitions"]
    assert len(parts) >= 4 and parts["pairs"].sum() == int((a.plan["seq"] >= 0).sum())  # sent to the engine
    tickers = [set(s) - {"MKT"} for s in d["symbols"]]
    assert sum(len(t) for t in tickers) == len(set().union(*tickers))
    assert set(parts["worker"]) <= set(workers) and len(set(parts["worker"])) == 2


@pytest.fixture(scope="module")
def engine():
    """``local:2`` as ``--dask local:2`` starts it (two worker processes, one thread each, loopback)."""
    from eventstudy.cluster.connect import connect

    e = connect("local:2")
    yield e
    e.close()


@pytest.fixture(scope="module")
def client(engine):
    return engine.client


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    return synthetic_study(tmp_path_factory.mktemp("dask-study"))


@pytest.fixture(scope="module")
def in_process(study):
    return run_study(load_study(study))


def test_the_study_exercises_every_model_and_drop(in_process):
    """What the distributed tests compare: three models, drops at three stages, the common date."""
    a = in_process
    stages = set(a.plan.loc[a.plan["status"] == "dropped", "stage"])
    assert {"prices", "coverage", "estimation"} <= stages, stages
    assert set(a.securities["group"]) == {*MODELS, "common"} and len(a.securities) > 1500
    fits = a.extras["groups"]
    kinds = {g.name: g.model.name for g in fits}
    assert kinds == {**MODELS, "common": "market"}, kinds
    assert {"kp_bmp_t", "corrado_rank", "grank_t", "wilcoxon", "bootstrap_ci"} <= set(a.test_table["test"])
    assert set(a.test_table["group"]) >= set(MODELS)


def test_local_2_gives_the_in_process_results(engine, study, in_process, capsys):
    """``local:2`` (the module's cluster), partitions of at most 300 pairs: the same tables, tests,
    drops and confounding flags; a progress bar of partitions done on stderr."""
    b = run_study(load_study(study), dask=engine.client,
                  dask_options={"events_per_partition": 300, "show_progress": True})
    assert_same_results(in_process, b)
    _partitions_check(in_process, b, engine.client.scheduler_info()["workers"])
    n = len(b.extras["distributed"]["partitions"])
    bar = re.findall(r"partitions: +(\d+)%\|[^|]*\| (\d+)/(\d+)", capsys.readouterr().err)
    assert bar and bar[-1] == ("100", str(n), str(n)), bar


@pytest.mark.slow
def test_a_worker_killed_mid_run_is_replaced_and_the_results_do_not_change(client, study, monkeypatch):
    """Kill the worker process that is running a partition; the scheduler moves its tasks to the
    other worker (the nanny restarts the dead one) and the run ends with the same numbers. GRANK
    off and the small-run threshold at 0: the workers keep the estimation windows and the
    event-window arrays, as in a run of a million events."""
    import dataclasses

    from eventstudy.cluster import run as R

    spec = load_study(study)
    spec = dataclasses.replace(spec, tests=dataclasses.replace(spec.tests, grank=False))
    expected = run_study(spec)
    monkeypatch.setattr(R, "FULL_ESTIMATES", 0)
    pids = client.run(os.getpid)
    out, killed = {}, {}

    def run():
        out["res"] = run_study(spec, dask=client, dask_options={"partitions": 12, "retries": 2})

    t = threading.Thread(target=run)
    t.start()
    deadline = time.time() + 60
    while time.time() < deadline and not killed and t.is_alive():
        busy = {w: keys for w, keys in client.processing().items() if any("partition" in str(k) for k in keys)}
        if busy:
            w = sorted(busy)[0]
            killed[w] = busy[w]
            os.kill(pids[w], 9)
        time.sleep(0.005)
    t.join(120)
    assert killed, "no partition was seen running"
    (worker, keys), = killed.items()
    res = out["res"]
    assert_same_results(expected, res)
    assert "grank_t" not in set(res.test_table["test"])
    assert res.extras["groups"][0].est.ar.shape[1] == 0  # the event-window arrays stayed on the workers
    assert worker not in set(res.extras["distributed"]["partitions"]["worker"])
    client.wait_for_workers(2, timeout=60)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_scheduler_is_one_message_and_exit_2(study, tmp_path, capsys):
    address = f"tcp://127.0.0.1:{_free_port()}"
    t0 = time.time()
    code = main(["run", str(study), "--out", str(tmp_path / "out"), "--quiet", "--dask", address,
                 "--dask-timeout", "1"])
    err = capsys.readouterr().err
    assert code == 2 and time.time() - t0 < 30
    assert f"cannot reach the Dask scheduler at {address}" in err and "within 1 s" in err
    assert "dask scheduler" in err and "--dask local:2" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_a_run_that_fails_on_the_workers_writes_nothing(engine, study, tmp_path, capsys, monkeypatch):
    """The price dataset loses a symbol after the driver read it: the workers say so, the command
    exits 2 with that message, and neither the output folder nor the run's scratch files remain."""
    from eventstudy.cluster import run as R

    ds = tmp_path / "ds"
    assert main(["data", "export-parquet", str(ds), "--study", str(study), "--quiet"]) == 0
    capsys.readouterr()  # (the export warns that ORCL has no prices)
    real = R.DaskMap.n_partitions

    def vanish(self, n):
        shutil.rmtree(ds / "symbol=S03")
        return real(self, n)

    monkeypatch.setattr(R.DaskMap, "n_partitions", vanish)
    real_connect = R.connect
    monkeypatch.setattr(R, "connect", lambda dask, timeout: real_connect(engine.client))  # the module's cluster
    code = main(["run", str(study), "--out", str(tmp_path / "out"), "--quiet", "--dask", "local:2",
                 "--dataset", str(ds)])
    err = capsys.readouterr().err
    assert code == 2 and "S03" in err and str(ds) in err and "export it again" in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "out").exists() and not list(tmp_path.glob(".out*"))  # no staging folder either
    assert not (ds / ".runs").exists() or not any((ds / ".runs").iterdir())


def test_export_parquet_round_trips_the_users_prices(study, tmp_path, capsys):
    folder = study.parent
    for by in ("symbol", "year"):
        out = tmp_path / f"ds-{by}"
        assert main(["data", "export-parquet", str(out), "--prices", str(folder / "prices.csv"), "--by", by]) == 0
        manifest = read_manifest(out)
        assert manifest["partitioning"] == by and len(manifest["symbols"]) == N_SEC + 1
        user = UserPricesSource(folder / "prices.csv")
        got = ParquetPriceSource(out).load_many(["S01", "MKT", "NOPE"])
        for sym in ("S01", "MKT"):
            pd.testing.assert_frame_equal(got[sym].bars, user.load(sym).bars, check_exact=True)
            assert got[sym].source.startswith(user.load(sym).source) and str(out) in got[sym].source
        assert "not in the price dataset" in str(got["NOPE"])
    assert "partitioned by year" in capsys.readouterr().out
    (tmp_path / "other").mkdir()
    write(tmp_path / "other", "x.txt", "x")
    assert main(["data", "export-parquet", str(tmp_path / "other"), "S01", "--prices",
                 str(folder / "prices.csv")]) == 2
    assert "is not a price dataset" in capsys.readouterr().err
    assert main(["data", "export-parquet", str(tmp_path / "ds-year"), "--prices", str(folder / "prices.csv")]) == 2
    assert "--replace" in capsys.readouterr().err


def test_an_external_scheduler_and_workers_on_loopback(study, in_process, tmp_path, monkeypatch):
    """`dask scheduler` and two `dask worker` processes, started as the README shows; the run
    reads a dataset exported beforehand (`eventstudy data export-parquet DIR --study STUDY`) and
    gives the in-process results. As in the command's own process, the run's client is the only
    one: no default client for Dask to fall back on (the module's local:2 client is hidden)."""
    import distributed.client

    ds = tmp_path / "ds"
    assert main(["data", "export-parquet", str(ds), "--study", str(study), "--quiet"]) == 0
    dask = shutil.which("dask", path=str(Path(sys.executable).parent)) or "dask"
    procs = []
    try:
        sched = subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard"],
                                 stderr=subprocess.PIPE, text=True)
        procs.append(sched)
        address, deadline = None, time.time() + 60
        while address is None and time.time() < deadline:
            line = sched.stderr.readline()
            m = re.search(r"Scheduler at:\s+(tcp://127\.0\.0\.1:\d+)", line)
            address = m.group(1) if m else None
        assert address, "the scheduler did not print its address"
        threading.Thread(target=sched.stderr.read, daemon=True).start()  # keep its pipe drained
        procs.append(subprocess.Popen([dask, "worker", address, "--nworkers", "2", "--nthreads", "1",
                                       "--host", "127.0.0.1", "--no-dashboard"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        from distributed import Client

        with Client(address, timeout="30s") as c:
            c.wait_for_workers(2, timeout=60)
            workers = c.scheduler_info()["workers"]
        monkeypatch.setattr(distributed.client, "_get_global_client", lambda: None)
        b = run_study(load_study(study), dask=address, dataset=ds,
                      dask_options={"timeout": 30, "events_per_partition": 500})
        assert b.extras["distributed"]["workers"] == 2 and b.extras["distributed"]["dataset"] == str(ds)
        assert_same_results(in_process, b)
        _partitions_check(in_process, b, workers)
        assert str(ds) in b.securities["source"].iloc[0]
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()


def test_dask_addresses_are_checked(study):
    from eventstudy.cluster.connect import ClusterError, parse_local

    assert parse_local("local:3") == 3 and parse_local("local") >= 1 and parse_local("tcp://x:1") is None
    for bad in ("local:0", "local:two"):
        with pytest.raises(ClusterError, match="positive integer"):
            parse_local(bad)
    with pytest.raises(ClusterError, match="not a scheduler address"):
        run_study(load_study(study), dask="127.0.0.1")


def test_the_command_with_local_2_prints_the_dashboard_and_writes_the_report(study, tmp_path, capsys,
                                                                               monkeypatch):
    """`eventstudy run STUDY --dask local:2` on 150 of the events: the scheduler and dashboard
    lines, the dashboard served, the outputs written, the in-process numbers."""
    import urllib.request

    import eventstudy.pipeline as pipeline

    small = tmp_path / "small"
    small.mkdir()
    for name in ("prices.csv", "factors.csv"):
        shutil.copy(study.parent / name, small / name)
    lines = (study.parent / "events.csv").read_text().splitlines()
    write(small, "events.csv", "\n".join(lines[:150] + lines[-13:]) + "\n")
    small_study = write(small, "s.toml", study.read_text())
    expected = run_study(load_study(small_study))
    seen = {}

    def served(spec, **kw):  # the run as the command makes it; its dashboard fetched while it is up
        from eventstudy.cluster import run as R

        start = R.DaskMap.start

        def start_and_fetch(*a, **k):
            m = start(*a, **k)
            with urllib.request.urlopen(m.engine.dashboard, timeout=20) as r:
                seen["dashboard"] = r.status
            return m

        monkeypatch.setattr(R.DaskMap, "start", start_and_fetch)
        seen["res"] = res = real_run(spec, **kw)
        return res

    real_run = pipeline.run_study
    monkeypatch.setattr(pipeline, "run_study", served)  # the command imports it from there when it runs
    code = main(["run", str(small_study), "--out", str(tmp_path / "out"), "--dask", "local:2"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "dask: local cluster tcp://127.0.0.1:" in captured.err and "2 workers" in captured.err
    assert re.search(r"dask dashboard: http://127\.0\.0\.1:\d+/status", captured.err), captured.err
    assert seen["dashboard"] == 200 and "partitions by security" in captured.err
    assert_same_results(expected, seen["res"])
    for name in ("report.html", "results.csv", "tests.csv", "dropped.csv"):
        assert (tmp_path / "out" / name).is_file()
    assert "noprices" in (tmp_path / "out" / "dropped.csv").read_text()
