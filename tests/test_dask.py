"""Distributed runs (issue #11): the same study on a Dask cluster gives the in-process results.

A real scheduler and two worker processes on loopback (``LocalCluster(processes=True)``, shared
by the tests of this module; an external ``dask scheduler`` / ``dask worker`` case below), a
synthetic user-prices study of a few thousand events with drops of every stage, late listings,
gaps, a common-date cluster and two groups with different windows, run with the market model,
the constant-mean model and a factor model.
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


def synthetic_study(folder: Path, model: str = "market", n_events: int = 3000, seed: int = 3) -> Path:
    """Wide user prices (12 securities with a common factor, 420 XNYS sessions), an events file
    of ``n_events`` rows in two groups and a study file for ``model``."""
    import exchange_calendars as xcals

    rng = np.random.default_rng(seed)
    days = pd.DatetimeIndex(xcals.get_calendar("XNYS").sessions_in_range("2020-01-02", "2021-12-31")[:N_DAYS])
    m = rng.normal(0.0003, 0.01, N_DAYS)
    smb = rng.normal(0.0, 0.005, N_DAYS)
    R = 0.0002 + np.outer(m, rng.uniform(0.5, 1.5, N_SEC)) + np.outer(smb, rng.uniform(-0.5, 0.5, N_SEC)) \
        + rng.normal(size=(N_DAYS, N_SEC)) * 0.02 + 0.008 * rng.normal(size=(N_DAYS, 1))
    wide = pd.DataFrame(100 * np.cumprod(1 + R, axis=0), index=days, columns=[f"S{j:02d}" for j in range(N_SEC)])
    wide.iloc[:230, 1] = np.nan        # listed late: fallback or dropped for a short estimation window
    wide.iloc[300:306, 2] = np.nan     # a gap inside the common date's estimation window
    wide["MKT"] = 1000 * np.cumprod(1 + m)
    wide.index.name = "date"
    wide.to_csv(folder / "prices.csv", float_format="%.10g")
    pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "MKT_RF": m - 0.0001, "SMB": smb, "RF": 0.0001}).to_csv(
        folder / "factors.csv", index=False, float_format="%.10g")
    pos = rng.integers(20, N_DAYS - 3, size=n_events)     # some too early for the windows: dropped
    col = rng.integers(0, N_SEC, size=n_events)
    rows = [f"S{c:02d},{days[p]:%Y-%m-%d},e{k},events,MKT" for k, (p, c) in enumerate(zip(pos, col))]
    rows += [f"S{j:02d},{days[380]:%Y-%m-%d},common,common,MKT" for j in range(N_SEC)]
    rows += [f"ORCL,{days[300]:%Y-%m-%d},noprices,events,MKT"]  # in the gazetteer, not in the prices
    write(folder, "events.csv", "security,date,event,group,benchmark\n" + "\n".join(rows) + "\n")
    kind = {"market": 'kind = "market"',
            # GRANK off: the estimation windows stay on the workers (the tables and the battery need no more)
            "constant_mean": 'kind = "constant_mean"\nshort_estimation = "drop"\n[tests]\ngrank = false',
            "factor": 'kind = "factor"\nfactors = "factors.csv"'}[model]
    return write(folder, f"{model}.toml", f"""name = "synthetic-{model}"
events = "events.csv"
[[group]]
name = "events"
calendar = "XNYS"
[[group]]
name = "common"
calendar = "XNYS"
windows = {{ event = [-3, 3], car = [[0, 0], [-1, 1]] }}
[windows]
estimation = [-100, -11]
event = [-5, 5]
car = [[-5, 5], [0, 0], [0, 1]]
[model]
{kind}
[data]
prices = "prices.csv"
""")


def assert_same_results(a, b):
    """Every table equal (the price source's description aside: it names the Parquet dataset),
    every test statistic within 1e-12, dropped pairs and warnings identical and in order."""
    for name in ("securities", "abnormal_returns", "cars"):
        x, y = getattr(a, name), getattr(b, name)
        pd.testing.assert_frame_equal(x.drop(columns=["source"], errors="ignore"),
                                      y.drop(columns=["source"], errors="ignore"), check_exact=True)
    ta, tb = a.test_table, b.test_table
    pd.testing.assert_frame_equal(ta.drop(columns=NUMERIC), tb.drop(columns=NUMERIC))
    np.testing.assert_allclose(tb[NUMERIC].to_numpy(float), ta[NUMERIC].to_numpy(float), rtol=1e-12, atol=1e-12)
    assert a.dropped == b.dropped
    assert list(a.warnings) == list(b.warnings)
    cols = ["row", "ticker", "status", "stage", "reason", "drop_code", "seq"]
    pd.testing.assert_frame_equal(a.plan[cols], b.plan[cols])


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=None)
    c = Client(cluster)
    yield c
    c.close()
    cluster.close()


@pytest.fixture(scope="module")
def studies(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dask-study")
    paths = {m: synthetic_study(folder, m) for m in ("market", "constant_mean", "factor")}
    return paths


@pytest.fixture(scope="module")
def in_process(studies):
    return {m: run_study(load_study(p)) for m, p in studies.items()}


@pytest.mark.parametrize("model", ["market", "constant_mean", "factor"])
def test_two_workers_give_the_in_process_results(client, studies, in_process, model):
    a = in_process[model]
    b = run_study(load_study(studies[model]), dask=client, dask_options={"events_per_partition": 700})
    assert_same_results(a, b)
    # the study exercises what it should: drops at several stages, both groups, the common date
    stages = set(a.plan.loc[a.plan["status"] == "dropped", "stage"])
    assert {"prices", "plan"} <= stages or {"prices", "coverage"} <= stages
    assert set(a.securities["group"]) == {"events", "common"} and len(a.securities) > 2000
    assert {"kp_bmp_t", "corrado_rank", "wilcoxon", "bootstrap_ci"} <= set(a.test_table["test"])
    assert ("grank_t" in set(a.test_table["test"])) == (model != "constant_mean")
    if model == "constant_mean":  # short_estimation = "drop": the engine drops the late listing
        assert (a.plan["stage"] == "estimation").any()
    else:
        assert (a.securities["status"] == "fallback").any()
    # which rows went to which worker: each security in one partition, every studied pair mapped
    d = b.extras["distributed"]
    parts = d["partitions"]
    assert len(parts) >= 4 and parts["pairs"].sum() == int((a.plan["seq"] >= 0).sum())  # sent to the engine
    tickers = [set(s) - {"MKT"} for s in d["symbols"]]
    assert sum(len(t) for t in tickers) == len(set().union(*tickers))
    assert set(parts["worker"]) == set(client.scheduler_info()["workers"])


@pytest.mark.slow
def test_a_worker_killed_mid_run_is_replaced_and_the_results_do_not_change(client, studies, in_process):
    """Kill the worker process that is running a partition; the scheduler moves its tasks to the
    other worker (the nanny restarts the dead one) and the run ends with the same numbers."""
    pids = client.run(os.getpid)
    out, killed = {}, {}

    def run():
        out["res"] = run_study(load_study(studies["market"]), dask=client,
                               dask_options={"partitions": 12, "retries": 2})

    t = threading.Thread(target=run)
    t.start()
    deadline = time.time() + 60
    while time.time() < deadline and not killed:
        busy = {w: keys for w, keys in client.processing().items() if any("partition" in str(k) for k in keys)}
        if busy:
            w = sorted(busy)[0]
            killed[w] = busy[w]
            os.kill(pids[w], 9)
        time.sleep(0.005)
    t.join(120)
    assert killed, "no partition was seen running"
    (worker, keys), = killed.items()
    assert_same_results(in_process["market"], out["res"])
    assert worker not in set(out["res"].extras["distributed"]["partitions"]["worker"])
    client.wait_for_workers(2, timeout=60)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_scheduler_is_one_message_and_exit_2(studies, tmp_path, capsys):
    address = f"tcp://127.0.0.1:{_free_port()}"
    t0 = time.time()
    code = main(["run", str(studies["market"]), "--out", str(tmp_path / "out"), "--quiet", "--dask", address,
                 "--dask-timeout", "1"])
    err = capsys.readouterr().err
    assert code == 2 and time.time() - t0 < 30
    assert f"cannot reach the Dask scheduler at {address}" in err and "within 1 s" in err
    assert "dask scheduler" in err and "--dask local:2" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_a_run_that_fails_on_the_workers_writes_nothing(client, studies, tmp_path, capsys, monkeypatch):
    """The price dataset loses a symbol after the driver read it: the workers say so, the command
    exits 2 with that message, and neither the output folder nor the run's scratch files remain."""
    from eventstudy.cluster import run as R

    ds = tmp_path / "ds"
    assert main(["data", "export-parquet", str(ds), "--study", str(studies["market"]), "--quiet"]) == 0
    real = R.DaskMap.n_partitions

    def vanish(self, n):
        shutil.rmtree(ds / "symbol=S03")
        return real(self, n)

    real_connect = R.connect
    monkeypatch.setattr(R.DaskMap, "n_partitions", vanish)
    monkeypatch.setattr(R, "connect", lambda dask, timeout: real_connect(client))  # the module's cluster
    code = main(["run", str(studies["market"]), "--out", str(tmp_path / "out"), "--quiet", "--dask", "local:2",
                 "--dataset", str(ds)])
    err = capsys.readouterr().err
    assert code == 2 and "S03" in err and str(ds) in err and "export it again" in err, err
    assert not (tmp_path / "out").exists() and not list(tmp_path.glob(".out*"))  # no staging folder either
    assert not (ds / ".runs").exists() or not any((ds / ".runs").iterdir())


def test_export_parquet_round_trips_the_users_prices(studies, tmp_path, capsys):
    folder = studies["market"].parent
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


@pytest.mark.slow
def test_an_external_scheduler_and_workers_on_loopback(studies, in_process, tmp_path):
    """`dask scheduler --port 0` and two `dask worker` processes, as the README shows; the run
    reads a dataset exported beforehand and gives the in-process results."""
    ds = tmp_path / "ds"
    assert main(["data", "export-parquet", str(ds), "--study", str(studies["factor"]), "--quiet"]) == 0
    dask = shutil.which("dask", path=str(Path(sys.executable).parent)) or "dask"
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    procs = []
    try:
        sched = subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard"],
                                 stderr=subprocess.PIPE, text=True, env=env)
        procs.append(sched)
        address, deadline = None, time.time() + 60
        while address is None and time.time() < deadline:
            line = sched.stderr.readline()
            m = re.search(r"Scheduler at:\s+(tcp://127\.0\.0\.1:\d+)", line)
            address = m.group(1) if m else None
        assert address, "the scheduler did not print its address"
        threading.Thread(target=sched.stderr.read, daemon=True).start()  # keep its pipe drained
        for _ in range(2):
            procs.append(subprocess.Popen([dask, "worker", address, "--nthreads", "1", "--nworkers", "1",
                                           "--host", "127.0.0.1", "--no-dashboard"],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env))
        from distributed import Client

        with Client(address, timeout="30s") as c:
            c.wait_for_workers(2, timeout=60)
        b = run_study(load_study(studies["factor"]), dask=address, dataset=ds, dask_options={"timeout": 30})
        assert b.extras["distributed"]["workers"] == 2 and b.extras["distributed"]["dataset"] == str(ds)
        assert_same_results(in_process["factor"], b)
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()


def test_dask_addresses_are_checked():
    from eventstudy.cluster.connect import ClusterError, parse_local

    assert parse_local("local:3") == 3 and parse_local("local") >= 1 and parse_local("tcp://x:1") is None
    for bad in ("local:0", "local:two"):
        with pytest.raises(ClusterError, match="positive integer"):
            parse_local(bad)
    with pytest.raises(ClusterError, match="not a scheduler address"):
        run_study(load_study(Path(__file__).parent.parent / "data" / "studies" / "stargate.toml"), dask="127.0.0.1")


@pytest.mark.slow
def test_the_command_with_a_local_cluster_writes_the_report(studies, tmp_path, capsys):
    folder = studies["market"].parent
    small = tmp_path / "small"
    small.mkdir()
    shutil.copy(folder / "prices.csv", small / "prices.csv")
    lines = (folder / "events.csv").read_text().splitlines()
    write(small, "events.csv", "\n".join(lines[:150] + lines[-13:]) + "\n")
    study = write(small, "s.toml", studies["market"].read_text())
    code = main(["run", str(study), "--out", str(tmp_path / "out"), "--dask", "local:2"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "dask: local cluster tcp://127.0.0.1:" in captured.err and "2 workers" in captured.err
    assert "dask dashboard: " in captured.err and "partitions by security" in captured.err
    for name in ("report.html", "results.csv", "tests.csv", "dropped.csv"):
        assert (tmp_path / "out" / name).is_file()
    assert "noprices" in (tmp_path / "out" / "dropped.csv").read_text()
