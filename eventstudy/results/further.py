"""The tests beyond the textbook battery, as the analyst reads them (the summary, the report, the notebook).

The study file's ``[tests]`` and ``[cross_section]`` tables add rows to the test table
(:mod:`eventstudy.stats.extras`): buy-and-hold abnormal returns with the Lyon, Barber & Tsai (1999)
tests, Kolari & Pynnönen's (2011) GRANK, the wild bootstrap, the calendar-time portfolio, abnormal
volume and volatility, and the cross-sectional regression of the CARs. :func:`further_tests` turns
those rows, per group and family, into small tables of display strings (one row per test and CAR
window; the regression: one row per window and term) with what each family measures, the
multiple-testing adjusted p beside the raw p when the study asked for an adjustment, and the
notes of rows that could not be computed. :func:`further_caveats` gives, for the families present,
the conditions under which the README's size simulation found a test to over-reject, computed
from the rows (N, window length) so that a caveat appears only where it applies.

Nothing here computes a statistic: every number is a cell of ``results.test_table``. A family is
shown only when its rows exist (i.e. when the study asked for it; GRANK is on by default with the
textbook conventions).
"""

from __future__ import annotations

import math
import re
import textwrap
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .views import window_order

#: Below this many events the LBT skewness-adjusted t and its bootstrap over-reject on short windows
#: (README, size and power: 7-11 % at 5 % with 20 events; 4-6 % with 100 events).
BHAR_LARGE_N = 100
#: Below this many events GRANK is slightly liberal (README: 6.4 % at N = 20, 5.2 % at N = 50).
GRANK_LARGE_N = 50
#: Fewer clusters than this make cluster-robust standard errors unreliable (Cameron & Miller 2015,
#: J. Human Resources 50(2), section VI).
FEW_CLUSTERS = 10
#: Volume tests shown in the block besides the group's primary tests (the rest are in tests.csv).
VOLUME_SHOWN = ("cross_sectional_t", "bmp_t")
#: Names of the multiple-testing methods.
METHOD_NAMES = {"holm": "Holm", "bh": "BH"}

MISSING = "n/a"


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA


def _pct(x, digits: int = 2) -> str:
    return MISSING if _missing(x) else f"{100 * x:+.{digits}f}%"


def _num(x, digits: int = 2) -> str:
    return MISSING if _missing(x) else f"{x:.{digits}f}"


def _signed(x, digits: int = 3) -> str:
    return MISSING if _missing(x) else f"{x:+.{digits}f}"


def _p(x) -> str:
    return MISSING if _missing(x) else ("<0.001" if x < 0.001 else f"{x:.3f}")


def family_of(test: str) -> str | None:
    """The family a test row belongs to (None: the study's battery on returns)."""
    if test.startswith("bhar_"):
        return "bhar"
    if test == "grank_t":
        return "grank"
    if test.startswith("wild_"):
        return "wild"
    if test == "calendar_time_alpha":
        return "calendar"
    if test.startswith("volume_"):
        return "volume"
    if test.startswith("volatility_"):
        return "volatility"
    if test.startswith("car_regression"):
        return "regression"
    return None


def is_further(tests: pd.Series) -> pd.Series:
    """Boolean mask of the rows of a test table that are further tests (vectorised)."""
    s = tests.astype(str)
    return (s.str.startswith(("bhar_", "wild_", "volume_", "volatility_", "car_regression"))
            | s.isin(["grank_t", "calendar_time_alpha"]))


def other_measure(tests: pd.Series) -> pd.Series:
    """Rows that test another measure than returns (abnormal volume, abnormal volatility)."""
    return tests.astype(str).str.startswith(("volume_", "volatility_"))


@dataclass(frozen=True)
class FurtherBlock:
    """One family of further tests of one group: a title, what it is, a table of display strings,
    and notes (why a cell is n/a, how to read it)."""

    group: str
    family: str
    title: str
    what: str
    table: pd.DataFrame
    notes: tuple[str, ...] = ()
    numeric: tuple[str, ...] = field(default=(), compare=False)  # columns aligned right


@dataclass(frozen=True)
class FurtherTests:
    """Every further-test block of a study, and the caveats that apply. ``str()`` gives text; in
    Jupyter it displays as HTML."""

    blocks: tuple[FurtherBlock, ...]
    caveats: tuple[str, ...]
    adjustment: str = ""

    def __bool__(self) -> bool:
        return bool(self.blocks)

    def of_group(self, group: str) -> "FurtherTests":
        """The blocks and caveats of one group."""
        return FurtherTests(tuple(b for b in self.blocks if b.group == group),
                            tuple(c for c in self.caveats if c.startswith(f"{group}: ")), self.adjustment)

    def to_text(self, indent: str = "  ", headings: bool = True, width: int = 96) -> str:
        lines: list[str] = []
        group = None
        for b in self.blocks:
            if b.group != group and headings:
                group = b.group
                lines.append(f"Further tests: {group}")
            lines.extend(textwrap.wrap(f"{b.title}: {b.what}", width, initial_indent=indent,
                                       subsequent_indent=indent + "  "))
            lines.extend(indent + "  " + line for line in text_table(b.table, b.numeric))
            for n in b.notes:
                lines.extend(textwrap.wrap(f"note: {n}", width, initial_indent=indent + "  ",
                                           subsequent_indent=indent + "    "))
        if self.adjustment and self.blocks:
            lines.extend(textwrap.wrap(self.adjustment, width, initial_indent=indent, subsequent_indent=indent + "  "))
        if self.caveats:
            lines.append(f"{indent}Caveats on these tests:")
            for c in self.caveats:
                lines.extend(textwrap.wrap(c, width, initial_indent=indent + "  - ", subsequent_indent=indent + "    "))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()

    def to_html(self) -> str:
        from ..report.html import render_further

        return render_further(self)

    def _repr_html_(self) -> str:
        return self.to_html()


def text_table(table: pd.DataFrame, numeric: tuple[str, ...] = ()) -> list[str]:
    """Rows of a small table of strings, aligned (numbers right, text left)."""
    if table.empty:
        return []
    cols = [str(c) for c in table.columns]
    cells = [[str(v) for v in row] for row in table.itertuples(index=False)]
    widths = [max(len(c), *(len(r[j]) for r in cells)) for j, c in enumerate(cols)]

    def line(values: list[str]) -> str:
        return "  ".join(v.rjust(w) if c in numeric else v.ljust(w) for v, w, c in zip(values, widths, cols)).rstrip()

    return [line(cols), *(line(r) for r in cells)]


# -- the families ---------------------------------------------------------------------------------

#: Per family: title, the tests shown (in order) with their label and how their estimate is formatted.
LABELS = {
    "bhar_t": "conventional t", "bhar_skew_adjusted_t": "LBT skewness-adjusted t",
    "bhar_lbt_bootstrap": "LBT bootstrap of the skewness-adjusted t",
    "grank_t": "GRANK t",
    "calendar_time_alpha": "alpha per bar",
    "volatility_t": "t of U", "volatility_rank": "rank test of |SAR|",
}
ROW_ORDER = {"bhar": ("bhar_t", "bhar_skew_adjusted_t", "bhar_lbt_bootstrap"), "volatility": ("volatility_rank", "volatility_t")}


def _label(test: str) -> str:
    """A test's name in a further-test table (the family is in the block's title)."""
    if test in LABELS:
        return LABELS[test]
    for prefix in ("volume_", "wild_rademacher_", "wild_mammen_"):
        if test.startswith(prefix):
            return test[len(prefix):]
    return test


def _adjusted(rows: pd.DataFrame) -> bool:
    return "p_adjusted" in rows and rows["p_adjusted"].notna().any()


def _estimate_text(family: str, test: str, x) -> str:
    if family in ("bhar",):
        return _pct(x)
    if family == "calendar":
        return _pct(x, 3)
    if family == "wild":
        return _pct(x) if test.endswith("cross_sectional_t") else _num(x, 3) + " (mean SAR)"
    if family == "volume":
        return _num(x, 2) + " (mean rank)" if test.endswith("corrado_rank") else _signed(x, 3)
    if family == "volatility":
        return _num(x, 2) + " (mean rank)" if test == "volatility_rank" else _signed(x, 2)
    if family == "grank":
        return _num(x, 3)
    return _num(x, 3)


def _long_table(family: str, rows: pd.DataFrame, order: list[str], estimate: str, adj_name: str) -> pd.DataFrame:
    """Rows (test, window) in window order, then the family's test order."""
    w_rank = {w: i for i, w in enumerate(order)}
    tests = ROW_ORDER.get(family) or tuple(dict.fromkeys(rows["test"]))
    t_rank = {t: i for i, t in enumerate(tests)}
    rows = rows[rows["test"].isin(t_rank)]
    rows = rows.assign(_w=rows["window"].map(w_rank).fillna(len(w_rank)), _t=rows["test"].map(t_rank))
    rows = rows.sort_values(["_w", "_t"], kind="stable")
    out = {"window": rows["window"].astype(str).tolist(),
           "test": [_label(t) for t in rows["test"]],
           "N": [MISSING if _missing(n) else f"{int(n):,}" for n in rows["n"]],
           estimate: [_estimate_text(family, t, x) for t, x in zip(rows["test"], rows["estimate"])],
           "statistic": [_num(x) for x in rows["statistic"]],
           "p": [_p(x) for x in rows["p_value"]]}
    if adj_name:
        out[adj_name] = [_p(x) for x in rows["p_adjusted"]]
    out["distribution"] = rows["distribution"].astype(str).tolist()
    return pd.DataFrame(out)


def _na_notes(rows: pd.DataFrame) -> tuple[str, ...]:
    """Why rows could not be computed: each distinct reason once, with the windows it concerns."""
    bad = rows[rows["p_value"].isna()]
    out = []
    for note, sub in bad.groupby(bad["note"].astype(str), sort=False):
        reason = note.split("; ")[0] if note else "cannot be computed"
        tests = ", ".join(dict.fromkeys(_label(t) for t in sub["test"]))
        out.append(f"{tests} n/a on {', '.join(dict.fromkeys(sub['window'].astype(str)))}: {reason}")
    return tuple(dict.fromkeys(out))


def _bhar_what(rows: pd.DataFrame) -> str:
    against = "the benchmark (market-adjusted)" if rows["note"].astype(str).str.contains("against the benchmark").any() \
        else "the model's expected returns"
    return ("buy-and-hold abnormal return over each CAR window, prod(1 + R) - prod(1 + E) against " + against +
            "; mean BHAR, conventional t (t(N-1)), Lyon, Barber & Tsai (1999) skewness-adjusted t (N(0,1)) and its "
            "bootstrap (resamples of N/4, the null imposed)")


def _regression_table(rows: pd.DataFrame, order: list[str], adj_name: str) -> pd.DataFrame:
    w_rank = {w: i for i, w in enumerate(order)}
    rows = rows.assign(_w=rows["window"].map(w_rank).fillna(len(w_rank))).sort_values("_w", kind="stable")
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.where(rows["statistic"].to_numpy(float) != 0,
                      np.abs(rows["estimate"].to_numpy(float) / rows["statistic"].to_numpy(float)), np.nan)
    r2 = rows["note"].astype(str).str.extract(r"R\^2 (-?[0-9.]+)")[0]
    out = {"window": rows["window"].astype(str).tolist(),
           "term": [t[len("car_regression["):-1] if t.startswith("car_regression[") else t for t in rows["test"]],
           "coef": [_pct(x, 3) for x in rows["estimate"]],
           "SE": [_pct(x, 3).lstrip("+") for x in se],
           "t": [_num(x) for x in rows["statistic"]],
           "p": [_p(x) for x in rows["p_value"]]}
    if adj_name:
        out[adj_name] = [_p(x) for x in rows["p_adjusted"]]
    out["N"] = [MISSING if _missing(n) else f"{int(n):,}" for n in rows["n"]]
    out["df"] = rows["distribution"].astype(str).tolist()
    out["R²"] = [MISSING if isinstance(x, float) or x is None else x for x in r2]
    return pd.DataFrame(out)


def _covariance(res) -> str:
    cs = getattr(res.spec, "cross_section", None)
    cluster = getattr(cs, "cluster", "none")
    return {"none": "HC3 (MacKinnon & White 1985)", "date": "clustered by event date (CR1)",
            "firm": "clustered by security (CR1)",
            "both": "two-way clustered by date and security (Cameron, Gelbach & Miller 2011)"}.get(cluster, cluster)


def _primary_tests(res, group: str) -> list[str]:
    t = res.test_table
    rows = t[(t["group"] == group) & (t["kind"] == "car") & t["primary"].astype(bool)]
    return list(dict.fromkeys(rows["test"]))


def further_tests(res) -> FurtherTests:
    """The further-test blocks of a results object (see the module docstring)."""
    t = res.test_table
    if t.empty or "test" not in t:
        return FurtherTests((), ())
    car = t[(t["kind"] == "car") & is_further(t["test"])]
    if car.empty:
        return FurtherTests((), ())
    method = str(car["p_adjust_method"].dropna().iloc[0]) if "p_adjust_method" in car and \
        car["p_adjust_method"].notna().any() else ""
    adj_name = f"p ({METHOD_NAMES.get(method, method)})" if method and _adjusted(car) else ""
    fam = car["test"].map(family_of)
    present = set(res.securities["group"])
    blocks: list[FurtherBlock] = []
    for g in [g.name for g in res.spec.groups if g.name in present]:
        order = window_order(res, g)
        in_g = car["group"] == g
        for family in ("bhar", "grank", "wild", "calendar", "volume", "volatility", "regression"):
            rows = car[in_g & (fam == family)]
            if rows.empty:
                continue
            notes = _na_notes(rows)
            num = ("N", "statistic", "p", adj_name) if adj_name else ("N", "statistic", "p")
            if family == "bhar":
                table = _long_table(family, rows, order, "mean BHAR", adj_name)
                blocks.append(FurtherBlock(g, family, "Buy-and-hold abnormal returns (BHAR)", _bhar_what(rows), table,
                                           notes, (*num, "mean BHAR")))
            elif family == "grank":
                table = _long_table(family, rows, order, "mean rank", adj_name)
                blocks.append(FurtherBlock(g, family, "Generalized rank test (GRANK)",
                                           "Kolari & Pynnönen (2011): ranks of the standardised CAR among the "
                                           "estimation-window standardised returns, robust to event-induced variance "
                                           "and cross-correlation; t(T-2)", table, notes, (*num, "mean rank")))
            elif family == "wild":
                weights = "Mammen" if rows["test"].str.contains("mammen").any() else "Rademacher"
                table = _long_table(family, rows, order, "estimate", adj_name)
                if weights == "Mammen":  # README, size and power: 2-4 % at 5 %
                    notes = (*notes, "Mammen weights with the null imposed are conservative (rejects less often "
                                     "than the level); Rademacher weights are the recommended ones "
                                     "(Davidson & Flachaire 2008)")
                blocks.append(FurtherBlock(g, family, f"Wild bootstrap ({weights} weights)",
                                           "p-values of the cross-sectional t and the BMP t from the wild bootstrap, "
                                           "the null imposed (events taken as independent)", table, notes,
                                           (*num, "estimate")))
            elif family == "calendar":
                table = _long_table(family, rows, order, "alpha", adj_name).rename(columns={"N": "bars"})
                sec = res.securities[res.securities["group"] == g]
                if len(sec) > 1 and len(sec[["calendar", "day0"]].drop_duplicates()) == 1:
                    notes = (*notes, "all events of this group share day 0, so the portfolio exists on the window's "
                                     "bars only; the calendar-time method is meant for events spread over time and "
                                     "long windows (on short windows it is conservative, README)")
                blocks.append(FurtherBlock(g, family, "Calendar-time portfolio",
                                           "each calendar bar, the equally weighted portfolio of the events inside "
                                           "their window, regressed on the market (Jaffe 1974; Mitchell & Stafford "
                                           "2000); alpha = abnormal return per bar; N = portfolio bars",
                                           table, notes, (*num, "alpha", "bars")))
            elif family == "volume":
                keep = list(dict.fromkeys([*_primary_tests(res, g), *VOLUME_SHOWN]))
                shown = rows[rows["test"].str.removeprefix("volume_").isin(keep)]
                table = _long_table(family, shown, order, "abnormal log volume", adj_name)
                left = rows["test"].nunique() - shown["test"].nunique()
                model = next((n.split(";")[0] for n in rows["note"].astype(str) if "abnormal log volume" in n),
                             "abnormal log volume")
                blocks.append(FurtherBlock(g, family, "Abnormal volume",
                                           f"{model}: the battery on the volume measure; estimate = mean abnormal "
                                           "log volume over the window (0.69 = twice the normal volume on one bar), "
                                           "or the mean rank" + (f"; the group's primary tests and the usual t tests "
                                                                 f"shown, {left} more in tests.csv" if left else ""),
                                           table, _na_notes(shown), (*num, "abnormal log volume")))
            elif family == "volatility":
                table = _long_table(family, rows, order, "mean U", adj_name)
                blocks.append(FurtherBlock(g, family, "Abnormal volatility",
                                           "U = AR^2 / Var(AR) - df/(df-2), 0 when volatility is normal; averaged over "
                                           "the window's bars; rank test of |SAR| among estimation and event bars, and the "
                                           "cross-sectional t of U", table, notes, (*num, "mean U")))
            else:
                table = _regression_table(rows, order, adj_name)
                blocks.append(FurtherBlock(g, family, "Cross-sectional regression of the CARs",
                                           f"OLS of each window's CARs on the event characteristics; standard errors "
                                           f"{_covariance(res)}; coef and SE in percent of price per unit of the "
                                           "characteristic (a dummy: the difference from the base level)",
                                           table, notes, ("coef", "SE", "t", "p", "N", *((adj_name,) if adj_name else ()))))
    adjustment = ""
    if adj_name:
        what = "family-wise error rate" if method == "holm" else "false discovery rate"
        adjustment = (f"{adj_name}: {METHOD_NAMES.get(method, method)}-adjusted p ({what}), each test of each group "
                      "over its CAR windows (its event days are another family); column p_adjusted of tests.csv.")
    return FurtherTests(tuple(blocks), tuple(further_caveats(res)), adjustment)


def _n_max(rows: pd.DataFrame) -> int:
    n = rows["n"].to_numpy(float)
    return int(np.nanmax(n)) if np.isfinite(n).any() else 0


def _span(window: str) -> int:
    m = re.fullmatch(r"\[(-?\d+),\s*(-?\d+)\]", str(window))
    return int(m.group(2)) - int(m.group(1)) + 1 if m else 1


def further_caveats(res) -> list[str]:
    """When a further test of the study is known to over-reject (README, size and power), per group."""
    t = res.test_table
    if t.empty or "test" not in t:
        return []
    out: list[str] = []
    ok = t[t["p_value"].notna() & is_further(t["test"])]
    for g in pd.unique(ok["group"]):
        rows = ok[ok["group"] == g]
        tests = set(rows["test"])
        bh = rows[rows["test"].isin(["bhar_skew_adjusted_t", "bhar_lbt_bootstrap"])]
        if len(bh) and _n_max(bh) < BHAR_LARGE_N:
            out.append(f"{g}: the LBT skewness-adjusted t and its bootstrap rest on {_n_max(bh):,} BHARs; below about "
                       f"{BHAR_LARGE_N} events and on short windows they over-reject (heavy-tailed BHARs make the sample "
                       "skewness move with the mean); read the conventional BHAR t beside them.")
        gr = rows[rows["test"] == "grank_t"]
        if len(gr) and _n_max(gr) < GRANK_LARGE_N:
            out.append(f"{g}: GRANK on {_n_max(gr):,} events is slightly liberal (the standardised CARs are "
                       f"re-standardised by a cross-sectional sd of few values; near 5 % from about {GRANK_LARGE_N} "
                       "events).")
        if "volatility_t" in tests:
            out.append(f"{g}: the t test of abnormal volatility (volatility_t) over-rejects: U = SAR^2 is skewed like a "
                       "chi-square, far from normal in small samples; read the rank test (volatility_rank).")
        vol = rows[(rows["kind"] == "car") & rows["test"].isin(["volume_patell_z", "volume_corrado_rank"])]
        multi = vol[vol["window"].map(_span) > 1]
        if "volume_patell_z" in tests or len(multi):
            which = ["volume_patell_z"] if "volume_patell_z" in tests else []
            if (multi["test"] == "volume_corrado_rank").any():
                which.append("volume_corrado_rank on multi-day windows")
            out.append(f"{g}: {' and '.join(which)} over-reject: log-volume residuals are autocorrelated, so variances "
                       "from the estimation window understate a multi-day sum; read volume_bmp_t or "
                       "volume_cross_sectional_t.")
        reg = rows[rows["test"].astype(str).str.startswith("car_regression")]
        if len(reg):
            clusters = reg["note"].astype(str).str.extract(r"(\d+) clusters")[0].dropna().astype(int)
            if len(clusters) and clusters.min() < FEW_CLUSTERS:
                out.append(f"{g}: the CAR regression's cluster-robust errors rest on {clusters.min()} clusters; with "
                           f"fewer than about {FEW_CLUSTERS} they are unreliable (Cameron & Miller 2015).")
            if getattr(getattr(res.spec, "cross_section", None), "cluster", "") == "date":
                out.append(f"{g}: clustering by date slightly over-rejects when most dates hold a single event.")
    return out


__all__ = ["FurtherBlock", "FurtherTests", "family_of", "further_caveats", "further_tests", "is_further",
           "other_measure", "text_table"]
