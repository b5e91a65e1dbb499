"""Run the `eventstudy` command in a real process against the faked Yahoo boundary (fault suite).

    python tests/fault_runner.py SCENARIO.json ARGS...

SCENARIO.json gives what the fake answers (``bars``: Yahoo symbol -> CSV text of bars in the
snapshot format) and, to make a race certain rather than likely, a ``barrier`` folder and a
number of ``parties``: each process waits there, right before it stores its download in the
cache, until all have arrived; ``slow_merge`` seconds are then spent inside the merge, so that
without the cache's lock every process would read the cache before any of them writes it.
The network is blocked, as in the test suite.
"""

from __future__ import annotations

import io
import json
import os
import socket
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _block_network() -> None:
    def refuse(*args, **kwargs):
        raise RuntimeError("fault runner: no network")

    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.create_connection = refuse  # type: ignore[assignment]


def _barrier(folder: Path, parties: int, timeout: float = 30.0) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / str(os.getpid())).touch()
    deadline = time.monotonic() + timeout
    while len(list(folder.iterdir())) < parties:
        if time.monotonic() > deadline:
            raise SystemExit("fault runner: the other processes never reached the barrier")
        time.sleep(0.01)


def main() -> int:
    import pandas as pd

    from eventstudy.cli import main as cli_main
    from eventstudy.prices import cache as cache_module
    from eventstudy.prices import yahoo

    scenario = json.loads(Path(sys.argv[1]).read_text())
    bars = {sym: pd.read_csv(io.StringIO(text), index_col=0, parse_dates=True)
            for sym, text in scenario.get("bars", {}).items()}
    fields = {"open": "Open", "high": "High", "low": "Low", "close": "Close", "volume": "Volume"}

    def fake_download(tickers, *, start, end, interval, auto_adjust, timeout):
        """As tests/fake_yahoo.py answers (without importing yfinance, to start fast)."""
        wanted = {t: b.loc[(b.index >= pd.Timestamp(start)) & (b.index < pd.Timestamp(end))]
                  for t, b in bars.items() if t in tickers}
        parts = {t: b.rename(columns=fields)[list(fields.values())] for t, b in wanted.items() if len(b)}
        frame = pd.concat(parts, axis=1, names=["Ticker", "Price"], sort=True) if parts else pd.DataFrame()
        return frame, {t: e for t, e in scenario.get("errors", {}).items() if t in tickers}

    yahoo.yf_download = fake_download
    if scenario.get("barrier"):
        store = cache_module.PriceCache.store
        merge = cache_module.merge_bars
        slow = float(scenario.get("slow_merge", 0.0))

        def store_after_barrier(self, *args, **kwargs):
            _barrier(Path(scenario["barrier"]), int(scenario["parties"]))
            return store(self, *args, **kwargs)

        def slow_merge(*args, **kwargs):
            time.sleep(slow)
            return merge(*args, **kwargs)

        cache_module.PriceCache.store = store_after_barrier
        cache_module.merge_bars = slow_merge
    if scenario.get("no_lock"):  # only to show, by hand, that the test fails without the lock
        from contextlib import contextmanager

        @contextmanager
        def no_lock(self, symbol, frequency="1d", adjusted=True):
            yield self.path_for(symbol, frequency, adjusted)

        cache_module.PriceCache.locked = no_lock
    return cli_main(sys.argv[2:])


if __name__ == "__main__":
    _block_network()
    sys.exit(main())
