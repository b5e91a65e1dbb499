"""Some of a run's figures drawn in a forked worker process while the main process writes the tables.

Drawing the PNGs is about a third of ``eventstudy run`` at 10,000 events and holds the GIL
(matplotlib's Agg renderer and FreeType), so threads would not overlap it; a child made by
``os.fork`` shares the results object without copying or pickling it (copy-on-write pages), draws
its share of the figures into the staging folder and exits. The main process writes the tables
and draws the rest meanwhile, then reads the child's PNGs. The PNG bytes are the same whichever
process draws them (same code, same data, same fonts).

The worker is used only where it is safe and useful: ``os.fork`` exists (POSIX), the process may
run on at least two CPUs, it runs no other Python thread (a Jupyter kernel or a Dask client does:
forking a multi-threaded process can deadlock the child), and ``EVENTSTUDY_FIGURE_WORKER`` is not
``0``. If the child fails or is killed, the main process draws its figures itself: a worker can
make a run faster, never make it fail or change a byte.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

#: Set to "0" to draw every figure in the main process.
ENV = "EVENTSTUDY_FIGURE_WORKER"


def worker_allowed() -> bool:
    """Whether a run may fork a figure worker here (see the module docstring)."""
    if os.environ.get(ENV, "1").strip() == "0" or not hasattr(os, "fork"):
        return False
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return cpus >= 2 and threading.active_count() == 1


class FigureWorker:
    """A forked child drawing ``jobs`` ((key, kind) pairs) into ``folder/<key>.png``.

    ``draw(kind)`` returns PNG bytes, ``save(path, png)`` writes a file atomically. Without a
    worker (:func:`worker_allowed` false, or ``fork`` failing) :meth:`finish` returns nothing and
    the caller draws every job itself.
    """

    def __init__(self, jobs: Sequence[tuple[str, str]], folder: Path, draw: Callable[[str], bytes],
                 save: Callable[[Path, bytes], None]):
        self.jobs = list(jobs)
        self.folder = folder
        self.pid: int | None = None
        if not self.jobs or not worker_allowed():
            return
        try:
            pid = os.fork()
        except OSError:
            return
        if pid == 0:  # the child: draw, write, leave without running the parent's exit handlers
            code = 1
            try:
                for key, kind in self.jobs:
                    save(folder / f"{key}.png", draw(kind))
                code = 0
            except BaseException:  # noqa: BLE001 - the parent draws whatever is missing
                code = 1
            finally:
                os._exit(code)
        self.pid = pid

    @property
    def started(self) -> bool:
        return self.pid is not None

    def finish(self) -> dict[str, bytes]:
        """Wait for the child; the PNG bytes of the jobs it completed (empty if it failed)."""
        if self.pid is None:
            return {}
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        if os.waitstatus_to_exitcode(status) != 0:
            return {}
        out = {}
        for key, _ in self.jobs:
            path = self.folder / f"{key}.png"
            if path.is_file():
                out[key] = path.read_bytes()
        return out

    def cancel(self) -> None:
        """Stop the child (the main process failed or was interrupted)."""
        if self.pid is None:
            return
        try:
            os.kill(self.pid, 9)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        self.pid = None
