"""How a results object shows itself in Jupyter, and its findings block (a mixin of the results class).

Kept apart from :mod:`eventstudy.results.results` (the data fields) so the display can change
without touching the data. ``results`` as the last expression of a cell shows the findings and
the main tables (capped for many events); ``results.plot(...)`` returns a figure that displays
itself as a PNG (:class:`eventstudy.plots.style.StudyFigure`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .findings import Findings
    from .further import FurtherTests


class ResultsDisplay:
    """Display methods shared by the results object (no state of its own)."""

    def findings(self) -> "Findings":
        """What the study found, in computed sentences (see :mod:`eventstudy.results.findings`)."""
        from .findings import findings

        return findings(self)

    def relative_paths(self):
        """A copy whose texts (warnings, drop reasons, provenance, sources) name paths relative to the
        study file's folder, as the report, the CSVs and the summary do; numbers are unchanged."""
        from ..report.relpaths import PathRewriter, relative_results

        return relative_results(self, PathRewriter.for_study(self.spec))

    def further_tests(self) -> "FurtherTests":
        """The tests the study file asked for beyond the battery (BHAR, GRANK, wild bootstrap, calendar
        time, abnormal volume and volatility, the CAR regression), as tables with their caveats
        (see :mod:`eventstudy.results.further`); falsy when there are none."""
        from .further import further_tests

        return further_tests(self)

    def _repr_html_(self) -> str:
        from ..report.html import results_html

        return results_html(self)
