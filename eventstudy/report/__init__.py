"""The HTML report and the files a run writes."""

from .html import render_report
from .output import write_outputs

__all__ = ["render_report", "write_outputs"]
