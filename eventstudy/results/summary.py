"""Plain-text summary of a study's results (what ``results.summary()`` prints)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .results import EventStudyResults

WIDTH = 96
COUNT_OR_RANK = ("sign", "generalized_sign", "corrado_rank", "car_rank_test")


def _pct(x: float, digits: int = 2) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:+.{digits}f}%"


def _num(x: float, fmt: str = "{:.3f}") -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else fmt.format(x)


def _bar(ts, calendar: str) -> str:
    """A bar label: the date; for intraday calendars ("24/7 4h") the bar's UTC open time too."""
    intraday = calendar.startswith("24/7 ") or ts != ts.normalize()
    return f"{ts:%Y-%m-%d %H:%M} UTC" if intraday else f"{ts:%Y-%m-%d}"


def _window_text(w) -> str:
    return f"[{w[0]}, {w[1]}]"


def _tests_block(res: "EventStudyResults", group: str, n_sec: int) -> list[str]:
    t = res.test_table
    t = t[(t["group"] == group) & (t["kind"] == "car")]
    if t.empty:
        return []
    out = []
    clustered = bool(t["primary"].any() and t.loc[t["primary"], "robust_to_clustering"].all())
    if res.spec.model.conventions == "estudy2":
        out.append(f"  CAR tests (estudy2 conventions)")
    elif clustered:
        out.append(f"  Tests across securities (N = {n_sec}). All share day 0: ARs are cross-correlated, so the")
        out.append("  dependence-robust tests (marked >) are the ones to read; the others assume independent events.")
    else:
        out.append(f"  Tests across securities (N = {n_sec}); primary tests marked >")
    if res.spec.model.conventions != "estudy2":
        shown = t[t["primary"] | t["test"].isin(["cross_sectional_t", "bmp_t"])]
        out.append(f"    (showing the primary tests and the usual t tests; all {t['test'].nunique()} tests per window "
                   "are in results.tests() and tests.csv)")
        t = shown
    out.append(f"    {'test':<24}{'window':<9}{'estimate':>10}{'stat':>9}{'p':>8}  distribution")
    for r in t.itertuples():
        mark = ">" if r.primary else " "
        est = _pct(r.estimate) if r.test not in COUNT_OR_RANK else _num(r.estimate, "{:.2f}")
        sig = f" {r.signif}" if isinstance(r.signif, str) and r.signif else ""
        out.append(f"  {mark} {r.test:<24}{str(r.window):<9}{est:>10}{_num(r.statistic, '{:.2f}'):>9}"
                   f"{_num(r.p_value):>8}  {r.distribution}{sig}")
    return out


def _confounding_lines(res: "EventStudyResults") -> list[str]:
    """The confounding check, one line per group (see eventstudy.stats.confounding)."""
    from ..stats.confounding import summary_lines

    return summary_lines(res.confounding_report())


def render_summary(res: "EventStudyResults") -> str:
    spec = res.spec
    lines = ["=" * WIDTH, f"Event study: {spec.title or spec.name}".center(WIDTH), "=" * WIDTH]
    lines.append(f"Event:        {res.event_time.describe() if res.event_time else 'several (events file)'}")
    src = res.event_source
    lines.append(f"  from:       {src if len(src) <= WIDTH - 14 else src[:WIDTH - 17].rsplit(' ', 1)[0] + ' ...'}")
    lines.append(f"Model:        {spec.model.kind}, {spec.model.returns} returns, conventions = {spec.model.conventions}")
    lines.append(f"Windows:      estimation {_window_text(spec.windows.estimation)}, event {_window_text(spec.windows.event)}"
                 " (bars of each security's calendar; groups may override)")
    for group in spec.groups:
        sec = res.securities[res.securities["group"] == group.name]
        lines.append("-" * WIDTH)
        if sec.empty:
            lines.append(f"Group: {group.name}: no security could be studied (see Dropped)")
            continue
        d0 = ", ".join(sorted({f"{r.calendar} {_bar(r.day0, r.calendar)}" for r in sec.itertuples()}))
        lines.append(f"Group: {group.name}    benchmark: {group.benchmark or '-'}    day 0: {d0}")
        ww = max(10, int(res.cars["window"].str.len().max()) + 2)
        lines.append(f"  {'ticker':<9}{'window':<{ww}}{'CAR':>10}{'s.e.':>9}{'t':>8}{'p':>8}{'n_est':>7}  model")
        cars = res.cars[res.cars["group"] == group.name]
        for r in cars.itertuples():
            flag = f" *{r.status}*" if r.status in ("fallback", "short") else ""
            lines.append(f"  {r.ticker:<9}{r.window:<{ww}}{_pct(r.car):>10}{_pct(r.se).lstrip('+'):>9}{_num(r.t_stat, '{:.2f}'):>8}"
                         f"{_num(r.p_value):>8}{r.n_estimation:>7}  {r.model}{flag}")
        lines.extend(_tests_block(res, group.name, len(sec)))
    confounding = _confounding_lines(res)
    if confounding:
        lines.append("-" * WIDTH)
        lines.extend(confounding)
    if res.dropped:
        lines.append("-" * WIDTH)
        lines.append("Dropped:")
        for d in res.dropped:
            lines.append(f"  {d.ticker} ({d.group}): {d.reason}")
    if res.warnings:
        lines.append("-" * WIDTH)
        lines.append("Warnings:")
        for w in res.warnings:
            lines.append(f"  {w['ticker']}: {w['check']}: {w['message']} -> {w['action']}")
    lines.append("=" * WIDTH)
    lines.append("CAR and s.e. in percent of price; t uses Student t with the estimation df; p two-sided.")
    return "\n".join(lines)
