"""What the study found, in a few computed sentences: the block the report, the summary and the
notebook lead with (:func:`findings`).

Every sentence is generated from the results' frames; none is fixed text. Per group: the CAAR over
the main CAR window (the first ``car`` window of the study file) with the lead test, the other
primary tests and the other windows; which securities moved significantly (per-security t at 5%,
two-sided); which of the article's claims the prices confirm, refute or cannot check; and the
caveats that change the reading (:meth:`EventStudyResults.caveats`, and contaminated windows when
the results carry a ``confounding`` frame).

The lead test of a window is the first test marked primary in the battery (dependence-robust when
the group's events share day 0) that has a p-value, in the order of :data:`LEAD_ORDER`:
Kolari & Pynnönen's (2010) adjusted BMP t first, as it corrects the standardised test for the
cross-correlation of events sharing a date.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..stats.confounding import contaminating
from .views import main_window, many_events, pair_label, window_order

#: Preference among the primary tests for the one a finding leads with.
LEAD_ORDER = ("kp_bmp_t", "bmp_t", "portfolio_t", "brown_warner_t", "corrado_rank", "generalized_sign",
              "cross_sectional_t")
#: Significance level of the findings' per-security and group statements (two-sided).
ALPHA = 0.05
#: Named securities per sentence before the rest are counted.
MAX_NAMED = 6
#: Caveats shown in the block (the rest are counted; all are in ``results.caveats()``).
MAX_CAVEATS = 8
#: Rows of a confounding table shown in the block.
MAX_CONFOUNDING_ROWS = 10
#: What each test is called in a sentence.
TEST_NAMES = {"kp_bmp_t": "Kolari-Pynnönen adjusted BMP t", "bmp_t": "BMP t", "portfolio_t": "portfolio t",
              "brown_warner_t": "Brown-Warner t", "corrado_rank": "Corrado rank z", "generalized_sign": "generalized sign z",
              "cross_sectional_t": "cross-sectional t", "patell_z": "Patell z", "kp_patell_z": "adjusted Patell z"}


@dataclass(frozen=True)
class Section:
    """One part of the findings: a heading, its sentences and, optionally, a small table."""

    heading: str
    sentences: tuple[str, ...]
    table: pd.DataFrame | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Findings:
    """The findings block. ``str()`` gives plain text; in Jupyter it displays as HTML."""

    title: str
    sections: tuple[Section, ...]

    def to_text(self, width: int = 96) -> str:
        lines = [f"Findings: {self.title}"]
        for s in self.sections:
            lines.append(f"{s.heading}:")
            for sentence in s.sentences:
                lines.extend(textwrap.wrap(sentence, width, initial_indent="  - ", subsequent_indent="    "))
            if s.table is not None and not s.table.empty:
                lines.extend("    " + line for line in s.table.to_string(index=False, max_colwidth=60).splitlines())
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()

    def to_html(self) -> str:
        from ..report.html import render_findings

        return render_findings(self)

    def _repr_html_(self) -> str:
        return self.to_html()


# -- formatting -------------------------------------------------------------------------------
def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _pct(x: float) -> str:
    return "n/a" if _missing(x) else f"{100 * x:+.2f}%"


def _p(p: float) -> str:
    return "not computable" if _missing(p) else ("p < 0.001" if p < 0.001 else f"p = {p:.3f}")


def _name(test: str) -> str:
    return TEST_NAMES.get(test, test)


def _listing(items: list[str], total: int | None = None) -> str:
    total = len(items) if total is None else total
    shown = items[:MAX_NAMED]
    more = total - len(shown)
    return ", ".join(shown) + (f" and {more:,} more" if more > 0 else "")


# -- the parts --------------------------------------------------------------------------------
def lead_test(rows: pd.DataFrame) -> pd.Series | None:
    """The row a finding leads with among a window's test rows (see the module docstring)."""
    ok = rows[rows["p_value"].notna() & rows["statistic"].notna()]
    primary = ok[ok["primary"].astype(bool)]
    pool = primary if len(primary) else ok
    if pool.empty:
        return None
    rank = pool["test"].map({t: i for i, t in enumerate(LEAD_ORDER)}).fillna(len(LEAD_ORDER))
    return pool.loc[rank.sort_values(kind="stable").index[0]]


#: Tests whose estimate is a count, a rank or a share, not a CAAR.
NOT_A_CAAR = {"sign", "generalized_sign", "corrado_rank", "car_rank_test", "wilcoxon", "grank_t"}


def _subset(row: pd.Series, n: int) -> str:
    """", on 1 of 2 securities (VIRTUAL), whose CAAR is -2.75%" when a test uses fewer events than
    the CAAR (e.g. only those with a variance estimate); "" when it uses them all."""
    m = row.get("n")
    if m is None or _missing(m) or int(m) >= n:
        return ""
    members = row.get("members")
    names = f" ({_listing(str(members).split(', '))})" if isinstance(members, str) and members else ""
    est = row.get("estimate")
    caar = "" if row["test"] in NOT_A_CAAR or _missing(est) else f", whose CAAR is {_pct(est)}"
    return f", on {int(m)} of {n}{names}{caar}"


def _group_sentences(res, group: str) -> list[str]:
    cars = res.cars[res.cars["group"] == group]
    w = main_window(res, group)
    if w is None:
        return [f"{group}: no CAR window could be computed."]
    main = cars[cars["window"] == w]
    values = main["car"].to_numpy(dtype=float)
    n = int(np.isfinite(values).sum())
    caar = float(np.nanmean(values)) if n else math.nan
    tests = res.test_table[(res.test_table["group"] == group) & (res.test_table["kind"] == "car")]
    sec = res.securities[res.securities["group"] == group]
    shared = sec[["calendar", "day0"]].drop_duplicates()
    who = f"{n:,} event-securities" if many_events(res) else f"{n} securities"
    if len(shared) == 1 and n > 1:
        d0 = shared.iloc[0]
        who += f", all with day 0 = {pd.Timestamp(d0['day0']):%Y-%m-%d} ({d0['calendar']})"
    out = []
    rows = tests[tests["window"] == w]
    lead = lead_test(rows)
    head = f"CAAR{w} = {_pct(caar)} ({who})"
    if lead is None:
        notes = "; ".join(str(x) for x in pd.unique(rows["note"].dropna()) if str(x))
        out.append(f"{head}; no test could be computed for this window" + (f" ({notes})" if notes else "") + ".")
    else:
        robust = bool(lead["robust_to_clustering"]) and len(shared) == 1 and n > 1
        verdict = ("significant at 5%" if lead["p_value"] < ALPHA else
                   "not significant at 5%" + (" (significant at 10%)" if lead["p_value"] < 0.10 else ""))
        kind = "dependence-robust " if robust else ""
        primary = "primary" if bool(lead["primary"]) else "no test is marked primary; first available"
        out.append(f"{head}: {verdict} by the {kind}{_name(lead['test'])} ({primary} test"
                   f"{_subset(lead, n)}), statistic {lead['statistic']:.2f}, {_p(lead['p_value'])}, "
                   f"{lead['distribution']}.")
        others = rows[rows["primary"].astype(bool) & (rows["test"] != lead["test"])]
        if len(others):
            parts = [f"{_name(r.test)} {_p(r.p_value)}" for r in others.itertuples()]
            n_sig = int((others["p_value"] < ALPHA).sum())
            n_ok = int(others["p_value"].notna().sum())
            out.append(f"Other primary tests on CAR{w}: {'; '.join(parts)} ({n_sig} of {n_ok} computable below 0.05).")
    rest = []
    for other in window_order(res, group)[1:]:
        vals = cars.loc[cars["window"] == other, "car"].to_numpy(dtype=float)
        m = float(np.nanmean(vals)) if np.isfinite(vals).any() else math.nan
        lt = lead_test(tests[tests["window"] == other])
        k = int(np.isfinite(vals).sum())
        on = (f" on {int(lt['n'])} of {k}" if lt is not None and "n" in lt and not _missing(lt["n"])
              and int(lt["n"]) < k else "")
        rest.append(f"CAR{other} {_pct(m)}" + (f" ({_name(lt['test'])}{on} {_p(lt['p_value'])})" if lt is not None else ""))
    if rest:
        out.append("Other windows: " + "; ".join(rest) + ".")
    return out


def _further_sentences(res, group: str) -> list[str]:
    """One sentence on the further tests of the main window, when the study asked for them: the BHAR
    with its conventional t (well specified where the LBT tests over-reject), the abnormal log volume
    with the volume form of the group's lead test, the abnormal volatility with its rank test."""
    w = main_window(res, group)
    t = res.test_table
    if w is None or t.empty:
        return []
    rows = t[(t["group"] == group) & (t["kind"] == "car") & (t["window"] == w)].set_index("test")
    lead = lead_test(t[(t["group"] == group) & (t["kind"] == "car") & (t["window"] == w)
                       & ~t["test"].astype(str).str.startswith(("volume_", "volatility_", "bhar_", "wild_", "car_reg"))])
    parts = []
    if "bhar_t" in rows.index:
        r = rows.loc["bhar_t"]
        parts.append(f"BHAR{w} {_pct(r['estimate'])} (conventional t {_p(r['p_value'])})")
    vol = next((f"volume_{x}" for x in ([lead["test"]] if lead is not None else []) + ["bmp_t", "cross_sectional_t"]
                if f"volume_{x}" in rows.index and not _missing(rows.loc[f"volume_{x}", "p_value"])), None)
    if vol is not None:
        r = rows.loc[vol]
        parts.append(f"abnormal log volume {r['estimate']:+.3f} ({_name(vol.removeprefix('volume_'))} "
                     f"{_p(r['p_value'])})")
    if "volatility_rank" in rows.index:
        parts.append(f"abnormal volatility: rank test {_p(rows.loc['volatility_rank', 'p_value'])}")
    return [f"Further tests on {w}: " + "; ".join(parts) + " (see Further tests)."] if parts else []


def _mover_sentences(res, group: str) -> list[str]:
    w = main_window(res, group)
    if w is None:
        return []
    main = res.cars[(res.cars["group"] == group) & (res.cars["window"] == w)]
    tested = main[main["p_value"].notna()]
    untested = main[main["p_value"].isna()]
    several = many_events(res)
    sig = tested[tested["p_value"] < ALPHA].sort_values("car", ascending=False)
    out = []
    if several or len(main) > 2 * MAX_NAMED:
        share = len(sig) / len(tested) if len(tested) else math.nan
        up, down = int((sig["car"] > 0).sum()), int((sig["car"] < 0).sum())
        sentence = (f"Per-security t at 5% on CAR{w}: {len(sig):,} of {len(tested):,} tested event-securities "
                    f"({100 * share:.1f}%; 5% would be significant by chance if nothing happened), {up:,} up and "
                    f"{down:,} down.")
        ranked = main.dropna(subset=["car"])
        if len(ranked):
            hi, lo = ranked.nlargest(1, "car"), ranked.nsmallest(1, "car")
            sentence += (f" Largest CAR: {pair_label(hi, several).iloc[0]} {_pct(hi['car'].iloc[0])}; smallest: "
                         f"{pair_label(lo, several).iloc[0]} {_pct(lo['car'].iloc[0])}.")
        out.append(sentence)
    else:
        labels = pair_label(sig, several).tolist()
        moved = [f"{lab} {_pct(r.car)} (t = {r.t_stat:.2f}, {_p(r.p_value)})" for lab, r in zip(labels, sig.itertuples())]
        calm = pair_label(tested[tested["p_value"] >= ALPHA], several).tolist()
        if moved:
            out.append(f"Moved significantly on CAR{w} (per-security t, 5%): {_listing(moved)}.")
        else:
            out.append(f"No security moved significantly on CAR{w} (per-security t, 5%).")
        if calm:
            out.append(f"Not significant: {_listing(calm)}.")
    if len(untested):
        labels = pair_label(untested, several).tolist()
        out.append(f"No per-security test (no variance estimate) for {_listing(labels)}.")
    return out


def _claim_sentences(res) -> list[str]:
    claims = res.claims
    if claims is None or claims.empty:
        return []
    total = len(claims)

    def label(r) -> str:
        who = r.ticker if isinstance(r.ticker, str) and r.ticker else (r.name if isinstance(r.name, str) else "?")
        text = f"{who} {r.claimed_percent:+.2f}%"
        if not _missing(r.measured_percent):
            text += f" (measured {r.measured_percent:+.2f}%)"
        return text

    out = []
    verdicts = [str(v) for v in pd.unique(claims["verdict"].astype(str))]
    order = sorted(verdicts, key=lambda v: (0 if v == "consistent" else 1 if "range" in v else
                                            2 if v.startswith("not") else 4 if v.startswith("cannot") else 3))
    for v in order:
        rows = claims[claims["verdict"].astype(str) == v]
        names = [label(r) for r in rows.itertuples()]
        k = len(rows)
        if v == "consistent":
            out.append(f"The prices confirm {k} of the article's {total} price claims: {_listing(names)}.")
        elif v.startswith("not"):
            out.append(f"The prices refute {k} of {total}: {_listing(names)}.")
        elif v.startswith("cannot"):
            out.append(f"{k} of {total} cannot be checked against the prices: {_listing(names)}.")
        elif "range" in v:
            out.append(f"{k} of {total} are only {v} of the prices' intraday moves (a weaker check than a match): "
                       f"{_listing(names)}.")
        else:
            out.append(f"{k} of {total} are {v}: {_listing(names)}.")
    return out


#: Columns of a confounding table shown in the findings, when present.
CONFOUNDING_SHOWN = ["group", "event", "window_kind", "window", "date", "source", "what"]


def _date_text(d) -> str:
    try:
        ts = pd.Timestamp(d)
    except (TypeError, ValueError):
        return str(d)
    return f"{ts:%Y-%m-%d}" if ts == ts.normalize() else f"{ts:%Y-%m-%d %H:%M}"


def _confounding(res) -> tuple[list[str], pd.DataFrame | None]:
    """Sentences and a small table on other events inside the windows, from ``results.confounding``
    (rows that contaminate a window, when the frame says so in a ``contaminates`` column) and
    ``results.confounding_windows`` (clean / contaminated CAR windows), when the results carry them."""
    frame = getattr(res, "confounding", None)
    if not isinstance(frame, pd.DataFrame) or frame.empty:
        return [], None
    flagged = frame[contaminating(frame)]
    if flagged.empty:
        return [], None
    text_col = next((c for c in ("what", "message", "description", "note", "reason") if c in flagged), None)
    sentences = []
    windows = getattr(res, "confounding_windows", None)
    if isinstance(windows, pd.DataFrame) and not windows.empty and {"group", "window", "clean"} <= set(windows):
        clean_col = windows["clean"].astype(bool)
        for g in pd.unique(windows["group"]):
            in_g = (windows["group"] == g).to_numpy()
            bad = windows[in_g & ~clean_col.to_numpy()]
            if bad.empty:
                continue
            clean = [str(w) for w in pd.unique(windows.loc[in_g & clean_col.to_numpy(), "window"])]
            shown = bad.head(MAX_NAMED)
            if "flagged_dates" in bad:
                dirty = [f"CAR{w} ({d})" for w, d in zip(shown["window"], shown["flagged_dates"])]
            else:
                dirty = [f"CAR{w}" for w in shown["window"]]
            sentences.append(f"{g}: {_listing(dirty, len(bad))} contaminated by other events; clean: "
                             + (_listing(clean) if clean else "none") + ".")
    in_car = flagged[flagged["window_kind"] == "car"] if "window_kind" in flagged else flagged
    if text_col is not None and len(in_car):
        shown = in_car.head(MAX_CONFOUNDING_ROWS)
        dates = shown["date"] if "date" in shown else [None] * len(shown)
        sentences += [f"{_date_text(d)}: {t}" if d is not None else str(t) for d, t in zip(dates, shown[text_col])]
        if len(in_car) > len(shown):
            sentences.append(f"... and {len(in_car) - len(shown):,} more flags in CAR windows (confounding.csv).")
    if "window_kind" in flagged:
        est = flagged[flagged["window_kind"] == "estimation"]
        if len(est):
            days = pd.unique(est["date"]) if "date" in est else []
            dates = [_date_text(d) for d in days[:MAX_NAMED]]
            n_bars = len(days) if "date" in est else len(est)  # a date flagged by two series is one date
            sentences.append(f"{n_bars:,} flagged date(s) inside estimation windows"
                             + (f" ({_listing(dates, len(days))})" if dates else "")
                             + ": they widen the variance estimates.")
    if not sentences:
        where = ""
        if "window" in flagged:
            where = f" in {_listing([str(w) for w in pd.unique(flagged['window'])])}"
        sentences.append(f"{len(flagged):,} confounding event(s) found{where}; read the affected windows with care.")
    shown = [c for c in CONFOUNDING_SHOWN if c in flagged] or list(flagged.columns)
    return sentences, flagged[shown].head(MAX_CONFOUNDING_ROWS)


def findings(res) -> Findings:
    """The findings block of a results object (see the module docstring). Paths in it are relative
    to the study file's folder (:mod:`eventstudy.report.relpaths`)."""
    from ..report.relpaths import PathRewriter, relative_results

    rewriter = PathRewriter.for_study(res.spec)
    cache = res.__dict__.setdefault(_CACHE, {})  # results are immutable: the report and the summary share one
    if str(rewriter.base) not in cache:
        cache[str(rewriter.base)] = _findings(relative_results(res, rewriter))
    return cache[str(rewriter.base)]


#: Attribute of a results object holding its findings, by the folder their paths are relative to.
_CACHE = "_findings_by_base"


def _findings(res) -> Findings:
    sections = []
    groups = [g.name for g in res.spec.groups if (res.securities["group"] == g.name).any()]
    for g in groups:
        sections.append(Section(g, tuple(_group_sentences(res, g) + _further_sentences(res, g)
                                         + _mover_sentences(res, g))))
    claims = _claim_sentences(res)
    if claims:
        sections.append(Section("The article's claims", tuple(claims)))
    conf, table = _confounding(res)
    if conf:
        sections.append(Section("Confounding events", tuple(conf), table))
    caveats = list(res.caveats())
    if caveats:
        shown = caveats[:MAX_CAVEATS]
        if len(caveats) > MAX_CAVEATS:
            shown.append(f"... and {len(caveats) - MAX_CAVEATS:,} more caveats (results.caveats(), the report's "
                         "warnings and warnings.csv).")
        sections.append(Section("Caveats", tuple(shown)))
    return Findings(res.spec.title or res.spec.name, tuple(sections))
