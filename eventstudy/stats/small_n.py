"""What a reader must know about the tests of a small or uneven group, in sentences.

Read from the test table (its ``primary``, ``statistic`` and ``members`` columns, see
:mod:`eventstudy.stats.battery`) and the securities frame, so the sentences only name tests that
were computed and say who is in each average:

* a group whose securities share day 0: the dependence-robust tests to read, *among those that
  could be computed*, and those that could not (with the minimum N they need);
* a group of fewer than :data:`FEW` securities: little power;
* a security without a variance estimate (no or too few estimation bars) that still feeds the
  AAR/CAAR: which tests it enters and which it does not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .battery import MIN_N, TEXTBOOK_TESTS

#: Below this many securities a group's cross-sectional tests have little power.
FEW = 5
ROBUST_PRIMARY = [t.name for t in TEXTBOOK_TESTS if t.primary_clustered]


def _labels(sec: pd.DataFrame) -> pd.Series:
    if "event" in sec and sec["event"].nunique() > 1:
        return sec["ticker"].astype(str) + " (" + sec["event"].astype(str) + ")"
    return sec["ticker"].astype(str)


def _listing(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def inference_caveats(tests: pd.DataFrame, securities: pd.DataFrame, groups: list[str]) -> list[str]:
    """The sentences of the module docstring, group by group."""
    out: list[str] = []
    if tests is None or tests.empty or securities is None or securities.empty:
        return out
    for group in groups:
        sec = securities[securities["group"] == group]
        n = len(sec)
        if not n:
            continue
        sub = tests[(tests["group"] == group) & (tests["kind"] == "car")]
        stat = pd.to_numeric(sub["statistic"], errors="coerce")
        shared = n >= 2 and len(sec[["calendar", "day0"]].drop_duplicates()) == 1
        if shared and len(sub):
            done = [t for t in ROBUST_PRIMARY if ((sub["test"] == t) & sub["primary"].astype(bool)).any()]
            missing = [t for t in ROBUST_PRIMARY if t not in done and
                       not np.isfinite(stat[sub["test"] == t]).any()]
            why = "; ".join(f"{t} needs N >= {MIN_N[t].n} ({MIN_N[t].needs})" for t in missing if t in MIN_N)
            if done:
                txt = (f"{group}: all {n} securities share day 0, so their abnormal returns are correlated; read the "
                       f"dependence-robust tests ({', '.join(done)})")
                out.append(txt + (f"; {', '.join(missing)} could not be computed here: {why}." if missing else "."))
            else:
                out.append(f"{group}: all {n} securities share day 0, so their abnormal returns are correlated, and no "
                           f"dependence-robust test could be computed: {why}.")
        if 0 < n < FEW:
            out.append(f"{group}: only {n} securities; cross-sectional tests have little power and their p-values "
                       "rest on few degrees of freedom.")
        novar = sec[~np.isfinite(pd.to_numeric(sec["sigma"], errors="coerce"))]
        if len(novar) and len(sub):
            names = list(_labels(sec).loc[novar.index])
            first = sub[sub["window"] == sub["window"].iloc[0]]
            enters, left = [], []
            for r in first.itertuples():
                members = str(getattr(r, "members", "") or "")
                listed = [m.strip() for m in members.split(":")[-1].replace("all but", "").split(",")]
                if "all but" in members:
                    (left if any(nm in listed for nm in names) else enters).append(r.test)
                elif " of " in members and "," not in members:  # a count only: cannot tell
                    continue
                else:
                    (enters if any(nm in listed for nm in names) else left).append(r.test)
            bars = ", ".join(sorted({str(int(v)) for v in novar["n_estimation"]}))
            who = _listing(names)
            verb = "has" if len(names) == 1 else "have"
            txt = (f"{group}: {who} {verb} no variance estimate ({bars} estimation bars) but still feed"
                   f"{'s' if len(names) == 1 else ''} the AAR/CAAR")
            if enters:
                txt += f" and {', '.join(enters)}"
            if left:
                txt += (f"; {', '.join(left)} leave{'s' if len(left) == 1 else ''} "
                        f"{'it' if len(names) == 1 else 'them'} out")
            out.append(txt + " (see the members column of results.tests()).")
    return out
