"""Shared fixtures. Tests never touch the network."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
STARGATE = DATA / "studies" / "stargate.toml"
SHARED = ROOT.parent / "shared"
ESTUDY2 = SHARED / "data" / "estudy2-covid"


LOCAL_HOSTS = {"127.0.0.1", "::1", "localhost"}


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Any attempt to open a connection beyond this machine fails the test (the headless
    browser test talks to chromedriver on localhost, which is allowed)."""
    real_connect, real_create = socket.socket.connect, socket.create_connection

    def host_of(address) -> str:
        return address[0] if isinstance(address, tuple) else str(address)

    def connect(self, address, *args, **kwargs):
        if self.family == socket.AF_UNIX or host_of(address) in LOCAL_HOSTS:
            return real_connect(self, address, *args, **kwargs)
        raise RuntimeError(f"tests must not touch the network (connect to {address!r})")

    def create_connection(address, *args, **kwargs):
        if host_of(address) in LOCAL_HOSTS:
            return real_create(address, *args, **kwargs)
        raise RuntimeError(f"tests must not touch the network (connect to {address!r})")

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "create_connection", create_connection)


@pytest.fixture(autouse=True)
def _isolated_cache(monkeypatch, tmp_path_factory):
    """Every test gets an empty download cache (never the user's), and the Yahoo boundary
    refuses to run unless a test fakes it (tests/test_prices_yahoo.py shows how)."""
    from eventstudy.errors import NetworkError
    from eventstudy.prices import yahoo

    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path_factory.mktemp("cache")))

    def no_yahoo(*args, **kwargs):
        raise NetworkError("tests must not touch the network (yfinance was not faked)")

    monkeypatch.setattr(yahoo, "yf_download", no_yahoo)


@pytest.fixture(scope="session")
def stargate_results():
    """The Stargate study run once on the embedded snapshot (shared by many tests)."""
    from eventstudy import load_study, run_study

    return run_study(load_study(STARGATE).with_data(source="pinned"))


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


ESTUDY2_SECURITIES = ["AMZN", "ZM", "UBER", "NFLX", "SHOP", "FB", "UPWK"]


def estudy2_study(prices: str, model_lines: str = 'returns = "log"') -> str:
    """Study-file text of estudy2's COVID example (7 stocks vs GSPC, date windows) on ``prices``."""
    secs = ", ".join(f'"{s}"' for s in ESTUDY2_SECURITIES)
    return f"""name = "covid"
[event]
date = "2020-03-16"
[[group]]
name = "covid"
securities = [{secs}]
benchmark = "GSPC"
[windows]
estimation = ["2019-04-01", "2020-03-13"]
event = ["2020-03-16", "2020-03-20"]
car = [["2020-03-16", "2020-03-20"]]
[model]
{model_lines}
[data]
prices = "{prices}"
"""
