"""The results object: one immutable bundle the CLI, the report and the notebook all read.

Faces (statsmodels/arch style): :meth:`EventStudyResults.summary` (text), :meth:`to_frame`
(tidy long frame), :meth:`tests` (one row per test and window), :meth:`plot` (matplotlib), and
the :attr:`dropped` list with reasons.

Units: returns, ARs and CARs are fractions (0.01 = 1 %); columns ending in ``_pct`` are percent.
``rel_day`` counts bars of the security's own calendar from day 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .display import ResultsDisplay

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ..article import Extraction
    from ..plan.calendars import EventTime
    from ..stats.confounding import ConfoundingReport
    from ..study.spec import StudySpec


@dataclass(frozen=True)
class Dropped:
    """A security left out of (part of) the study, and why."""

    ticker: str
    group: str
    reason: str


@dataclass(frozen=True)
class EventStudyResults(ResultsDisplay):
    """Everything a study produced.

    Attributes
    ----------
    spec : the study as read from its file.
    extraction : what was extracted from the article (None without an article).
    event_time : the event's timestamp/date used (None for an events-file study with many
        events), and ``event_source`` where it came from.
    securities : one row per studied security: ticker, group, benchmark, calendar, day0,
        day0_rule, model, status, n_estimation, df, sigma (fraction per bar), alpha, beta,
        note, source.
    abnormal_returns : long frame, one row per security and event-window bar: event, ticker,
        group, date, rel_day, return, benchmark_return, expected, ar, car (cumulated from day -1:
        CAR[0, t] on day t >= 0), var_ar, t_ar, p_ar, model.
    cars : one row per security and CAR window: ticker, group, day0, window, start, end, car,
        se, t_stat, p_value, df, n_estimation, model, status.
    test_table : one row per cross-sectional test, group and day/window.
    dropped : securities left out, with the reason.
    warnings : data-quality and method warnings, each a dict(ticker, check, message, action).
    provenance : per symbol, where its prices came from.
    claims : the article's price claims checked against the prices (see :mod:`eventstudy.claims.check`):
        ticker, claimed_percent, horizon, date, measured_percent, difference, verdict, note.
    diagnostics : per-security regression diagnostics (statsmodels): alpha, beta and their
        standard errors, R^2, Durbin-Watson, Ljung-Box and Jarque-Bera p-values.
    confounding : what else happened in the CAR and estimation windows (see
        :mod:`eventstudy.stats.confounding`): one row per window and flagged date: group, event,
        security, calendar, window_kind (car/estimation), window, date, rel_day, source
        (benchmark / equal-weighted / events-file / article), series, what, magnitude, center,
        threshold (fractions), robust_z, contaminates.
    confounding_windows : one row per group event and CAR window: clean (no contaminating
        flag) and the flagged dates.
    plan : the event plan, one row per (event, security) of the study, studied or dropped: its
        calendar, day 0 and rule, window positions, status and drop reason (see
        :mod:`eventstudy.plan.plan` for the columns).
    """

    spec: "StudySpec"
    extraction: "Extraction | None"
    event_time: "EventTime | None"
    event_source: str
    securities: pd.DataFrame
    abnormal_returns: pd.DataFrame
    cars: pd.DataFrame
    test_table: pd.DataFrame
    dropped: tuple[Dropped, ...] = ()
    warnings: tuple[dict, ...] = ()
    provenance: dict[str, str] = field(default_factory=dict)
    diagnostics: pd.DataFrame = field(default_factory=pd.DataFrame)
    claims: pd.DataFrame = field(default_factory=pd.DataFrame)
    confounding: pd.DataFrame = field(default_factory=pd.DataFrame)
    confounding_windows: pd.DataFrame = field(default_factory=pd.DataFrame)
    extras: dict[str, Any] = field(default_factory=dict)
    plan: pd.DataFrame = field(default_factory=pd.DataFrame)

    # -- faces --------------------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """Tidy long frame, one row per event, security and event-window bar: event, security,
        group, date, rel_day, return, benchmark_return, expected, ar, car (fractions), var_ar,
        and the per-security test of the AR (t_ar, p_ar: Student t, two-sided)."""
        return self.abnormal_returns.rename(columns={"ticker": "security"})

    def tests(self) -> pd.DataFrame:
        """One row per test and window (or day) and group."""
        return self.test_table.copy()

    @property
    def dropped_frame(self) -> pd.DataFrame:
        return pd.DataFrame([d.__dict__ for d in self.dropped], columns=["ticker", "group", "reason"])

    def summary(self) -> str:
        """A readable text summary (statsmodels-like)."""
        from .summary import render_summary

        return render_summary(self)

    def __repr__(self) -> str:  # pragma: no cover - convenience
        n = len(self.securities)
        return f"<EventStudyResults {self.spec.name!r}: {n} securities, {len(self.dropped)} dropped>"

    def plot(self, kind: str = "car", **kwargs: Any) -> "Figure":
        """Draw a figure: ``kind`` in "prices", "ar", "car", "caar", "tests", "claims", and, when the
        study asked for them, "bhar", "volume", "volatility"."""
        from .. import plots

        return plots.plot(self, kind, **kwargs)

    def caveats(self) -> list[str]:
        """What a reader must keep in mind, in plain sentences, computed from the results."""
        out = []
        for d in self.dropped:
            out.append(f"{d.ticker} ({d.group}) is not in the study: {d.reason}.")
        flagged = self.securities[self.securities["status"].isin(["fallback", "short"])]
        for r in flagged.itertuples():
            out.append(f"{r.ticker}: {r.reason.lstrip('; ')}.")
        from ..stats.small_n import inference_caveats

        out.extend(inference_caveats(self.test_table, self.securities, [g.name for g in self.spec.groups]))
        from .further import further_caveats  # tests of [tests] known to over-reject here

        out.extend(further_caveats(self))
        out.extend(self.confounding_report().sentences())
        for w in self.warnings:
            if w["check"] == "estimation-window drift":
                out.append(f"{w['ticker']}: {w['message']}.")
        if not self.claims.empty:
            for r in self.claims[self.claims["verdict"] != "consistent"].itertuples():
                who = r.ticker if isinstance(r.ticker, str) else r.name
                out.append(f"Claim {who} {r.claimed_percent:+.2f}%: {r.verdict} ({r.note}).")
        return out

    def confounding_report(self) -> "ConfoundingReport":
        """The confounding check as an object: flagged rows, clean windows, notes, sentences."""
        from ..stats.confounding import CONFOUNDING_COLUMNS, K_ROBUST, ConfoundingReport

        frame = self.confounding if len(self.confounding.columns) else pd.DataFrame(columns=CONFOUNDING_COLUMNS)
        windows = (self.confounding_windows if len(self.confounding_windows.columns) else
                   pd.DataFrame(columns=["group", "event", "window", "clean", "flagged_dates"]))
        return ConfoundingReport(frame, windows, tuple(self.extras.get("confounding_notes", ())),
                                 self.extras.get("confounding_k", K_ROBUST))

    def return_on(self, ticker: str, date: pd.Timestamp | str) -> float:
        """The security's raw return (fraction) on a bar of the event window; NaN if absent."""
        ar = self.abnormal_returns
        rows = ar[(ar["ticker"] == ticker) & (ar["date"] == pd.Timestamp(date))]
        return float(rows["return"].iloc[0]) if len(rows) else float(np.nan)
