"""Render the self-contained HTML report from a jinja2 template (figures embedded as PNG data URIs).

Autoescaping is on: text from articles and data files cannot inject markup or scripts, and the
page loads nothing from the network.
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
from ..stats.conventions import BY_NAME

if TYPE_CHECKING:  # pragma: no cover
    from ..results.results import EventStudyResults


def figure_png(fig: Figure) -> bytes:
    """PNG bytes of a figure at its own dpi (150 by default)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi, bbox_inches="tight")
    return buf.getvalue()


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
_ENV.filters.update(pct=_pct, pp=_pp, num=_num, pval=_pval, date=_date)
_ENV.tests["missing"] = _missing

RATE_LIKE = {"sign", "generalized_sign", "corrado_rank", "car_rank_test"}
ROBUST_NAMES = {"kp_bmp_t": "Kolari & Pynnönen's adjusted BMP", "portfolio_t": "the portfolio t",
                "brown_warner_t": "Brown & Warner's time-series t", "corrado_rank": "Corrado's rank test"}


def _relative(text: str) -> str:
    """Paths inside the project shown relative to it (the report travels; local folders need not)."""
    try:
        from ..paths import data_dir

        root = str(data_dir().parent) + "/"
    except Exception:  # noqa: BLE001 - no project folder: leave the text as it is
        return text
    return text.replace(root, "")


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
    for g in res.spec.groups:
        sub = t[t["group"] == g.name]
        if sub.empty:
            continue
        order = {w: i for i, w in enumerate(dict.fromkeys(res.cars.loc[res.cars["group"] == g.name, "window"]))}
        car = sub[sub["kind"] == "car"].assign(_o=lambda f: f["window"].map(order))
        car = car.sort_values(["_o", "primary"], ascending=[True, False], kind="stable").drop(columns="_o")
        day = sub[sub["kind"] == "day"]
        clustered = bool(car["primary"].any() and car.loc[car["primary"], "robust_to_clustering"].all()) \
            and res.spec.model.conventions != "estudy2"
        robust = [name for name in ("kp_bmp_t", "portfolio_t", "brown_warner_t", "corrado_rank")
                  if car.loc[car["test"] == name, "statistic"].notna().any()]
        out.append({"name": g.name, "car": car.to_dict("records"), "day": day.to_dict("records"),
                    "day0": day[day["rel_day"] == 0].to_dict("records"), "clustered": clustered,
                    "robust": [ROBUST_NAMES[r] for r in robust],
                    "note": next((str(n).split("; ")[-1] for n in car["note"] if "share day 0" in str(n)), "")})
    return out


def render_report(res: "EventStudyResults", figures: dict[str, tuple[str, bytes]]) -> str:
    """The report's HTML. ``figures`` maps a key to (caption, PNG bytes)."""
    template = _ENV.get_template("report.html.j2")
    ar = res.abnormal_returns
    day0_returns = ar[ar["rel_day"] == 0][["event", "ticker", "group", "date", "return", "benchmark_return", "ar",
                                           "t_ar", "p_ar"]]
    table = res.extras.get("provenance_table") or {}
    prov = {sym: {"source": _relative(src), **{k: table.get(sym, {}).get(k, "") for k in ("venue", "time_convention")}}
            for sym, src in res.provenance.items()}
    context = {
        "res": res,
        "spec": res.spec,
        "version": __version__,
        "generated": pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%d %H:%M UTC"),
        "figures": [(key, caption, _data_uri(png)) for key, (caption, png) in figures.items()],
        "securities": res.securities.drop(columns=["_dates"], errors="ignore").to_dict("records"),
        "cars": res.cars.to_dict("records"),
        "groups": _tests_by_group(res),
        "day0_returns": day0_returns.to_dict("records"),
        "dropped": res.dropped,
        "warnings": res.warnings,
        "provenance": sorted(prov.items()),
        "extraction": res.extraction,
        "claims": res.claims.to_dict("records") if not res.claims.empty else [],
        "claims_finding": claims_finding(res.claims),
        "diagnostics": res.diagnostics.to_dict("records") if not res.diagnostics.empty else [],
        "conventions": BY_NAME[res.spec.model.conventions].as_rows(),
        "rate_like": RATE_LIKE,
    }
    return template.render(**context)
