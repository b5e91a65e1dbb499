"""The results object the CLI, the report and the notebook all read, and its text summary."""

from .results import Dropped, EventStudyResults
from .summary import render_summary

__all__ = ["Dropped", "EventStudyResults", "render_summary"]
