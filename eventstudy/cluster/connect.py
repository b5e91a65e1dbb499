"""Which Dask cluster a distributed run uses, and the one message when it cannot be reached.

``dask`` (the ``--dask`` option, ``run_study(spec, dask=...)``) is one of:

* ``"local"`` or ``"local:N"``: a :class:`distributed.LocalCluster` started for the run on this
  machine, N worker processes (default: the machine's cores) with one thread each, on loopback;
  closed when the run ends;
* ``"tcp://HOST:PORT"`` (or ``tls://...``): an existing scheduler (``dask scheduler``), with its
  workers (``dask worker tcp://HOST:PORT``) started from an environment where ``eventstudy`` is
  installed; left running;
* a :class:`distributed.Client` the caller made; left open.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from ..errors import EventStudyError

#: Seconds to wait for a scheduler to answer before giving up.
DEFAULT_TIMEOUT = 10.0


class ClusterError(EventStudyError):
    """The Dask cluster cannot be used (unreachable, not installed, no workers)."""


@dataclass
class Engine:
    """A connected client, the cluster it started (None when it uses someone else's) and what to show."""

    client: Any
    cluster: Any
    address: str
    dashboard: str | None
    owned_client: bool

    @property
    def n_workers(self) -> int:
        return len(self.client.scheduler_info(n_workers=-1).get("workers", {}))

    def close(self) -> None:
        if self.owned_client:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _import_distributed():
    try:
        import distributed
    except ImportError:
        raise ClusterError("a distributed run needs Dask: pip install 'eventstudy-toolkit[dask]' "
                           "(or pip install dask distributed)") from None
    return distributed


def has_dashboard() -> bool:
    """Whether the Dask dashboard can be served (it needs bokeh)."""
    try:
        import bokeh  # noqa: F401
    except ImportError:
        return False
    return True


def parse_local(text: str) -> int | None:
    """N of ``"local"`` / ``"local:N"`` (None when ``text`` names no local cluster)."""
    if text == "local":
        return max(1, os.cpu_count() or 1)
    if text.startswith("local:"):
        n = text.split(":", 1)[1]
        if not n.isdigit() or int(n) < 1:
            raise ClusterError(f"--dask {text!r}: give the number of workers as a positive integer, e.g. local:2")
        return int(n)
    return None


def connect(dask: Any, timeout: float = DEFAULT_TIMEOUT) -> Engine:
    """The engine for ``dask`` (see the module doc)."""
    distributed = _import_distributed()
    if isinstance(dask, distributed.Client):
        return Engine(dask, None, str(dask.scheduler.address), _dashboard(dask), owned_client=False)
    if not isinstance(dask, str) or not dask.strip():
        raise ClusterError(f"dask={dask!r}: give 'local', 'local:N', a scheduler address 'tcp://HOST:PORT' or a "
                           "distributed.Client")
    text = dask.strip()
    n = parse_local(text)
    if n is not None:
        cluster = distributed.LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                                           dashboard_address="127.0.0.1:0" if has_dashboard() else None)
        client = distributed.Client(cluster)
        return Engine(client, cluster, cluster.scheduler_address, _dashboard(client), owned_client=True)
    if "://" not in text:
        raise ClusterError(f"--dask {text!r}: not a scheduler address; give tcp://HOST:PORT (what `dask scheduler` "
                           "prints), or local:N for a cluster on this machine")
    try:
        client = distributed.Client(text, timeout=f"{timeout:g}s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(
            f"cannot reach the Dask scheduler at {text} (no connection within {timeout:g} s: {exc}). Check that it "
            f"is running and the address is right (`dask scheduler --host HOST --port PORT` prints it), start "
            f"workers with `dask worker {text}` from an environment where eventstudy is installed, or run on this "
            "machine with --dask local:2") from None
    return Engine(client, None, text, _dashboard(client), owned_client=True)


def _dashboard(client) -> str | None:
    if not has_dashboard():
        return None
    try:
        return client.dashboard_link
    except Exception:  # noqa: BLE001 - no dashboard is not an error
        return None


__all__ = ["ClusterError", "DEFAULT_TIMEOUT", "Engine", "connect", "has_dashboard", "parse_local"]
