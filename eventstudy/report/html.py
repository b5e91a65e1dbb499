"""Render the self-contained HTML report from a jinja2 template (figures embedded as PNG data URIs).

Autoescaping is on: text from articles and data files cannot inject markup or scripts, and the
page loads nothing from the network. The report stays small for any number of events: long
tables show their first rows, or the rows with the largest and smallest values, and say where the
full table is (the CSV files); see :data:`~eventstudy.results.views.TABLE_ROWS`.
"""

from __future__ import annotations

import base64
import math
from typing import TYPE_CHECKING

import jinja2
import pandas as pd

from .. import __version__
from ..plots.style import MAX_PANELS, figure_png
from ..results.further import METHOD_NAMES, further_tests, is_further, other_measure
from ..results.views import TABLE_ROWS, capped, main_window, many_events, top_bottom, window_order
from ..stats.conventions import BY_NAME
from .relpaths import PathRewriter, relative_results

if TYPE_CHECKING:  # pragma: no cover
    from ..results.findings import Findings
    from ..results.results import EventStudyResults

__all__ = ["figure_png", "render_findings", "render_further", "render_report", "results_html"]


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NaT


def _pct(x, digits: int = 2) -> str:
    return "n/a" if _missing(x) else f"{100 * x:+.{digits}f}%"


def _pp(x, digits: int = 2) -> str:
    """A number already in percent."""
    return "n/a" if _missing(x) else f"{x:+.{digits}f}%"


def _num(x, digits: int = 3) -> str:
    return "n/a" if _missing(x) else f"{x:.{digits}f}"


def _pval(x) -> str:
    return "n/a" if _missing(x) else ("<0.001" if x < 0.001 else f"{x:.3f}")


def _date(x) -> str:
    return "" if _missing(x) else pd.Timestamp(x).strftime("%Y-%m-%d")


_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("eventstudy.report", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
def _cell(v) -> str:
    if _missing(v):
        return ""
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d") if v == v.normalize() else v.strftime("%Y-%m-%d %H:%M")
    return str(v)


def _cells(frame: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    """Column names and the rows of a small frame as display strings (any columns)."""
    return [str(c) for c in frame.columns], [[_cell(v) for v in row] for row in frame.itertuples(index=False)]


_ENV.filters.update(pct=_pct, pp=_pp, num=_num, pval=_pval, date=_date, cells=_cells)
_ENV.tests["missing"] = _missing

RATE_LIKE = {"sign", "generalized_sign", "corrado_rank", "car_rank_test"}
ROBUST_NAMES = {"kp_bmp_t": "Kolari & Pynnönen's adjusted BMP", "portfolio_t": "the portfolio t",
                "brown_warner_t": "Brown & Warner's time-series t", "corrado_rank": "Corrado's rank test"}


def claims_finding(claims: pd.DataFrame) -> str:
    """One sentence on which session the consistent equity claims match, when they agree."""
    if claims.empty:
        return ""
    eq = claims[(claims["verdict"] == "consistent") & claims["matched"].str.contains("session", na=False)]
    sessions = {m.split(" ")[0] for m in eq["matched"]}
    if len(eq) >= 2 and len(sessions) == 1:
        s = sessions.pop()
        return (f"The article's stock figures ({', '.join(eq['ticker'])}) match the regular session of {s} "
                "(close to close), not the following session: the news was in prices before that close.")
    return ""


def _tests_by_group(res: "EventStudyResults") -> list[dict]:
    out = []
    t = res.test_table
    present = set(res.securities["group"])
    adjusted = "p_adjusted" in t and t["p_adjusted"].notna().any()
    method = str(t["p_adjust_method"].dropna().iloc[0]) if adjusted and "p_adjust_method" in t else ""
    for g in [g for g in res.spec.groups if g.name in present][:MAX_PANELS]:
        sub = t[(t["group"] == g.name) & ~other_measure(t["test"])]  # volume, volatility: in "Further tests"
        if sub.empty:
            continue
        order = {w: i for i, w in enumerate(window_order(res, g.name))}
        car = sub[(sub["kind"] == "car") & ~is_further(sub["test"])].assign(_o=lambda f: f["window"].map(order))
        car = car.sort_values(["_o", "primary"], ascending=[True, False], kind="stable").drop(columns="_o")
        day = sub[(sub["kind"] == "day") & ~is_further(sub["test"])]
        clustered = bool(car["primary"].any() and car.loc[car["primary"], "robust_to_clustering"].all()) \
            and res.spec.model.conventions != "estudy2"
        robust = [name for name in ("kp_bmp_t", "portfolio_t", "brown_warner_t", "corrado_rank")
                  if car.loc[car["test"] == name, "statistic"].notna().any()]
        out.append({"name": g.name, "car": car.to_dict("records"), "day": day.to_dict("records"),
                    "day0": day[day["rel_day"] == 0].to_dict("records"), "clustered": clustered,
                    "robust": [ROBUST_NAMES[r] for r in robust],
                    "p_adjusted": METHOD_NAMES.get(method, method) if adjusted else "",
                    "note": next((str(n).split("; ")[-1] for n in car["note"] if "share day 0" in str(n)), "")})
    return out


def _records(frame: pd.DataFrame) -> list[dict]:
    return frame.to_dict("records") if frame is not None and not frame.empty else []


def _table(frame: pd.DataFrame, csv: str, how: str = "first", column: str | None = None) -> dict:
    """A capped table for the template: rows, the number left out and where the full table is."""
    if how == "extremes" and column is not None:
        rows, left = top_bottom(frame, column)
        what = f"the {TABLE_ROWS} largest and {TABLE_ROWS} smallest by {column}"
    else:
        rows, left = capped(frame)
        what = f"the first {len(rows)}"
    note = f"Showing {what} of {len(frame):,} rows; the full table is in {csv}." if left else ""
    return {"rows": _records(rows), "left": left, "note": note, "total": len(frame)}


def _cars_table(res) -> dict:
    """Every CAR row for few pairs; for many, the main window's largest and smallest CARs per group."""
    cars = res.cars
    if len(cars) <= 4 * TABLE_ROWS:
        return _table(cars, "results.csv")
    parts, total = [], 0
    for g in pd.unique(cars["group"]):
        main = cars[(cars["group"] == g) & (cars["window"] == main_window(res, g))]
        rows, _ = top_bottom(main.dropna(subset=["car"]), "car")
        parts.append(rows)
        total += len(main)
    shown = pd.concat(parts) if parts else cars.head(0)
    note = (f"Showing, per group, the {TABLE_ROWS} largest and {TABLE_ROWS} smallest CARs over the main window "
            f"({len(shown):,} of {len(cars):,} rows); every security and window is in results.csv.")
    return {"rows": _records(shown), "left": len(cars) - len(shown), "note": note, "total": len(cars)}


def _context(res: "EventStudyResults", figures: dict[str, tuple[str, bytes]]) -> dict:
    from ..results.findings import findings

    ar = res.abnormal_returns
    day0 = ar[ar["rel_day"] == 0][["event", "ticker", "group", "date", "return", "benchmark_return", "ar",
                                   "t_ar", "p_ar"]]
    table = res.extras.get("provenance_table") or {}
    prov = pd.DataFrame([{"symbol": sym, "source": src, **{k: table.get(sym, {}).get(k, "") or ""
                                                          for k in ("venue", "time_convention")}}
                         for sym, src in sorted(res.provenance.items())],
                        columns=["symbol", "source", "venue", "time_convention"])
    several = many_events(res)
    return {
        "res": res,
        "spec": res.spec,
        "version": __version__,
        "generated": pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%d %H:%M UTC"),
        "findings": findings(res),
        "further": further_tests(res),
        "figures": [(key, caption, _data_uri(png)) for key, (caption, png) in figures.items()],
        "many": several,
        "securities": _table(res.securities.drop(columns=["_dates"], errors="ignore"), "securities.csv"),
        "cars": _cars_table(res),
        "groups": _tests_by_group(res),
        "n_groups": int(res.securities["group"].nunique()),
        "max_panels": MAX_PANELS,
        "day0_returns": (_table(day0, "abnormal_returns.csv (rel_day = 0)", "extremes", "ar") if len(day0) > 4 * TABLE_ROWS
                         else _table(day0, "abnormal_returns.csv")),
        "dropped": _table(res.dropped_frame, "dropped.csv"),
        "warnings": _table(pd.DataFrame(list(res.warnings), columns=["ticker", "check", "message", "action"]),
                           "warnings.csv"),
        "provenance": _table(prov, "securities.csv (column source)"),
        "extraction": res.extraction,
        "claims": _records(res.claims),
        "claims_finding": claims_finding(res.claims),
        "diagnostics": _table(res.diagnostics, "diagnostics.csv"),
        "conventions": BY_NAME[res.spec.model.conventions].as_rows(),
        "rate_like": RATE_LIKE,
        "study_file": res.spec.path.name if getattr(res.spec, "path", None) else "",
    }


def render_report(res: "EventStudyResults", figures: dict[str, tuple[str, bytes]]) -> str:
    """The report's HTML. ``figures`` maps a key to (caption, PNG bytes). Paths in it are relative
    to the study file (see :mod:`eventstudy.report.relpaths`)."""
    res = relative_results(res, PathRewriter.for_study(res.spec))
    return _ENV.get_template("report.html.j2").render(**_context(res, figures))


def render_findings(f: "Findings") -> str:
    """The findings block as an HTML fragment (the report's first section; Jupyter's display)."""
    return _ENV.get_template("findings.html.j2").render(findings=f)


def render_further(f) -> str:
    """The further-tests block (:class:`eventstudy.results.further.FurtherTests`) as an HTML fragment."""
    return _ENV.get_template("further.html.j2").render(further=f)


def results_html(res: "EventStudyResults") -> str:
    """The rich display of a results object in Jupyter: the findings and the main tables (capped)."""
    from ..results.findings import findings

    res = relative_results(res, PathRewriter.for_study(res.spec))
    tests = res.test_table[(res.test_table["kind"] == "car") & res.test_table["primary"].astype(bool)]
    return _ENV.get_template("results.html.j2").render(
        res=res, findings=findings(res), further=further_tests(res), cars=_cars_table(res),
        tests=_table(tests, "results.tests()"),
        adj=(METHOD_NAMES.get(str(tests["p_adjust_method"].iloc[0]), "") if "p_adjust_method" in tests and len(tests)
             and tests["p_adjusted"].notna().any() else ""),
        dropped=_table(res.dropped_frame, "results.dropped"), rate_like=RATE_LIKE)
