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


class ResultsDisplay:
    """Display methods shared by the results object (no state of its own)."""

    def findings(self) -> "Findings":
        """What the study found, in computed sentences (see :mod:`eventstudy.results.findings`)."""
        from .findings import findings

        return findings(self)

    def _repr_html_(self) -> str:
        from ..report.html import results_html

        return results_html(self)
