"""Render the self-contained HTML report from a jinja2 template (figures embedded as PNG data URIs).

Autoescaping is on: text from articles and data files cannot inject markup or scripts.
"""

from __future__ import annotations

import base64
import io
import math
from typing import TYPE_CHECKING

import jinja2
import pandas as pd
from matplotlib.figure import Figure

from .. import __version__

if TYPE_CHECKING:  # pragma: no cover
    from ..results import EventStudyResults


def figure_png(fig: Figure) -> bytes:
    """PNG bytes of a figure at its own dpi (150 by default)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi, bbox_inches="tight")
    return buf.getvalue()


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _pct(x, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{100 * x:+.{digits}f}%"


def _num(x, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:.{digits}f}"


def _pval(x) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return "<0.001" if x < 0.001 else f"{x:.3f}"


_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("eventstudy.report", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters.update(pct=_pct, num=_num, pval=_pval)


def render_report(res: "EventStudyResults", figures: dict[str, tuple[str, bytes]]) -> str:
    """The report's HTML. ``figures`` maps a key to (caption, PNG bytes)."""
    template = _ENV.get_template("report.html.j2")
    ar = res.abnormal_returns
    day0_returns = ar[ar["rel_day"] == 0][["ticker", "group", "date", "return", "benchmark_return", "ar"]]
    context = {
        "res": res,
        "spec": res.spec,
        "version": __version__,
        "generated": pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%d %H:%M UTC"),
        "figures": [(key, caption, _data_uri(png)) for key, (caption, png) in figures.items()],
        "securities": res.securities.to_dict("records"),
        "cars": res.cars.to_dict("records"),
        "tests": res.test_table.to_dict("records"),
        "day0_returns": day0_returns.to_dict("records"),
        "dropped": res.dropped,
        "warnings": res.warnings,
        "provenance": sorted(res.provenance.items()),
        "extraction": res.extraction,
    }
    return template.render(**context)
