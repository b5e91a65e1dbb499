"""Wall time per stage of a run (``eventstudy run --timings``); a no-op unless asked for.

Each line also gives the process's peak resident memory so far (``ru_maxrss``) when the stage
ended: the stage where it jumps is the one that set the peak."""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (0 where the platform cannot tell)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on POSIX
        return 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


class StageTimer:
    """Collects (stage, seconds) pairs. ``with timer("estimate"): ...`` times one stage;
    :meth:`mark` starts a stage that lasts until the next mark (for stages announced by progress
    messages); :meth:`report` prints them to stderr, one
    ``timing <seconds> s  peak <MB> MB  <stage>`` line each."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self.stages: list[tuple[str, float, float]] = []
        self._open: tuple[str, float] | None = None

    @contextmanager
    def __call__(self, stage: str):
        if not self.enabled:
            yield
            return
        self.close()
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.stages.append((stage, time.perf_counter() - t0, peak_rss_mb()))

    def mark(self, stage: str) -> None:
        """End the stage opened by the previous mark (if any) and open ``stage``."""
        if not self.enabled:
            return
        self.close()
        self._open = (stage, time.perf_counter())

    def close(self) -> None:
        if self._open is not None:
            stage, t0 = self._open
            self.stages.append((stage, time.perf_counter() - t0, peak_rss_mb()))
            self._open = None

    def report(self, stream=None) -> None:
        if not self.enabled:
            return
        self.close()
        stream = stream or sys.stderr
        for stage, seconds, peak in self.stages:
            print(f"timing {seconds:8.3f} s  peak {peak:7.0f} MB  {stage}", file=stream)
        print(f"timing {sum(s for _, s, _ in self.stages):8.3f} s  peak {peak_rss_mb():7.0f} MB  (sum of the stages)",
              file=stream, flush=True)


NO_TIMER = StageTimer(enabled=False)
