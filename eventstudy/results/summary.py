"""Plain-text summary of a study's results (what ``results.summary()`` prints).

It leads with the findings block (:func:`eventstudy.results.findings.findings`, shared with the
report and the notebook). Long listings are capped for many events: per group the CARs of the
pairs with the largest and smallest CAR over the main window, the first dropped securities and
warnings; the full tables are in ``results.cars``, ``results.dropped``, ``results.warnings``
and the CSV files.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from .further import METHOD_NAMES, further_tests, is_further
from .views import TABLE_ROWS, main_window, many_events, pair_label, top_bottom

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
    t = t[(t["group"] == group) & (t["kind"] == "car") & ~is_further(t["test"])]
    if t.empty:
        return []
    out = []
    clustered = bool(t["primary"].any() and t.loc[t["primary"], "robust_to_clustering"].all())
    if res.spec.model.conventions == "estudy2":
        out.append("  CAR tests (estudy2 conventions)")
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
    adjusted = "p_adjusted" in t and t["p_adjusted"].notna().any()
    method = str(t["p_adjust_method"].dropna().iloc[0]) if adjusted and "p_adjust_method" in t else ""
    adj = METHOD_NAMES.get(method, method) if adjusted else ""
    head = f"{'p ' + adj:>9}" if adjusted else ""
    out.append(f"    {'test':<24}{'window':<9}{'estimate':>10}{'stat':>9}{'p':>8}{head}  distribution")
    for r in t.itertuples():
        mark = ">" if r.primary else " "
        est = _pct(r.estimate) if r.test not in COUNT_OR_RANK else _num(r.estimate, "{:.2f}")
        sig = f" {r.signif}" if isinstance(r.signif, str) and r.signif else ""
        p_adj = f"{_num(r.p_adjusted):>9}" if adjusted else ""
        out.append(f"  {mark} {r.test:<24}{str(r.window):<9}{est:>10}{_num(r.statistic, '{:.2f}'):>9}"
                   f"{_num(r.p_value):>8}{p_adj}  {r.distribution}{sig}")
    if adjusted:
        out.append(f"    p {adj}: adjusted over the CAR windows of each test and group (tests.csv column p_adjusted)")
    return out


def _day0_text(sec: pd.DataFrame) -> str:
    d0 = sec[["calendar", "day0"]].drop_duplicates()
    if len(d0) > 3:
        return (f"{len(d0):,} distinct dates, {pd.Timestamp(d0['day0'].min()):%Y-%m-%d} .. "
                f"{pd.Timestamp(d0['day0'].max()):%Y-%m-%d}")
    return ", ".join(sorted(f"{c} {_bar(pd.Timestamp(d), c)}" for c, d in zip(d0["calendar"], d0["day0"])))


def _car_rows(res: "EventStudyResults", group: str) -> tuple[pd.DataFrame, str]:
    """The group's CAR rows to list: all of them for few pairs, else the main window's extremes."""
    cars = res.cars[res.cars["group"] == group]
    if len(cars) <= 4 * TABLE_ROWS:
        return cars, ""
    w = main_window(res, group)
    main = cars[cars["window"] == w].dropna(subset=["car"])
    rows, _ = top_bottom(main, "car")
    return rows, (f"  (the {TABLE_ROWS} largest and {TABLE_ROWS} smallest CAR{w} of {len(main):,}; every row is in "
                  "results.cars and results.csv)")


def _capped_lines(items: list[str], what: str) -> list[str]:
    n = 2 * TABLE_ROWS
    out = items[:n]
    if len(items) > n:
        out.append(f"  ... and {len(items) - n:,} more {what}")
    return out


def _confounding_lines(res: "EventStudyResults") -> list[str]:
    """The confounding check, one line per group (see eventstudy.stats.confounding)."""
    from ..stats.confounding import summary_lines

    return summary_lines(res.confounding_report())


def render_summary(res: "EventStudyResults") -> str:
    from ..report.relpaths import PathRewriter, relative_results
    from .findings import findings

    res = relative_results(res, PathRewriter.for_study(res.spec))  # no absolute path of the machine
    further = further_tests(res)
    spec = res.spec
    lines = ["=" * WIDTH, f"Event study: {spec.title or spec.name}".center(WIDTH), "=" * WIDTH]
    lines.extend(findings(res).to_text(WIDTH).splitlines()[1:])
    lines.append("=" * WIDTH)
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
        lines.append(f"Group: {group.name}    benchmark: {group.benchmark or '-'}    day 0: {_day0_text(sec)}")
        ww = max(10, int(res.cars["window"].str.len().max()) + 2)
        cars, note = _car_rows(res, group.name)
        names = pair_label(cars, many_events(res)).tolist()
        nw = max([9, *(len(n) + 2 for n in names)])
        lines.append(f"  {'ticker':<{nw}}{'window':<{ww}}{'CAR':>10}{'s.e.':>9}{'t':>8}{'p':>8}{'n_est':>7}  model")
        for name, r in zip(names, cars.itertuples()):
            flag = f" *{r.status}*" if r.status in ("fallback", "short") else ""
            lines.append(f"  {name:<{nw}}{r.window:<{ww}}{_pct(r.car):>10}{_pct(r.se).lstrip('+'):>9}"
                         f"{_num(r.t_stat, '{:.2f}'):>8}{_num(r.p_value):>8}{r.n_estimation:>7}  {r.model}{flag}")
        if note:
            lines.append(note)
        lines.extend(_tests_block(res, group.name, len(sec)))
        mine = further.of_group(group.name)
        if mine:
            lines.append("  Further tests (beyond the battery: [tests] and [cross_section] of the study file; every row in "
                         "tests.csv)")
            lines.extend("  " + x for x in mine.to_text(indent="  ", headings=False, width=WIDTH - 2).splitlines())
    confounding = _confounding_lines(res)
    if confounding:
        lines.append("-" * WIDTH)
        lines.extend(confounding)
    if res.dropped:
        lines.append("-" * WIDTH)
        lines.append("Dropped:")
        lines.extend(_capped_lines([f"  {d.ticker} ({d.group}): {d.reason}" for d in res.dropped],
                                   "(results.dropped, dropped.csv)"))
    if res.warnings:
        lines.append("-" * WIDTH)
        lines.append("Warnings:")
        lines.extend(_capped_lines([f"  {w['ticker']}: {w['check']}: {w['message']} -> {w['action']}"
                                    for w in res.warnings], "(results.warnings, warnings.csv)"))
    lines.append("=" * WIDTH)
    lines.append("CAR and s.e. in percent of price; t uses Student t with the estimation df; p two-sided.")
    return "\n".join(lines)
