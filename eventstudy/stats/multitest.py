"""Multiple-testing adjusted p-values over event days and windows.

Testing every day of a 16-day event window at 5 % rejects somewhere with probability up to
1 - 0.95^16 = 56 % under H0. The adjusted p-values control, over a *family* of tests:

* ``holm``: the family-wise error rate (Holm 1979, Scand. J. Statist. 6(2)): sorted p_(1) <= ...
  <= p_(m), p~_(j) = max_{k <= j} min(1, (m - k + 1) p_(k)); valid under any dependence;
* ``bh``: the false discovery rate (Benjamini & Hochberg 1995, JRSS B 57(1), step-up):
  p~_(j) = min_{k >= j} min(1, m p_(k) / k); valid for independent or positively dependent tests
  (Benjamini & Yekutieli 2001), which covers the usual positive dependence of daily tests.

The adjustments are the closed forms above, vectorised; they are tested equal to statsmodels'
``multipletests`` (methods ``holm`` and ``fdr_bh``), which is not called at run time because
statsmodels 0.15 runs a full ``gc.collect()`` on every call (about 60 ms in a loaded process,
once per test family).

The family: one test of one group over its event days (``kind = "day"``), or over its CAR
windows (``kind = "car"``), as :func:`adjust_table` forms it. Missing p-values stay missing and
do not count in m.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

METHODS = {"holm": "holm", "bh": "fdr_bh"}  # our name -> statsmodels' name (the reference)
FAMILY = ("test", "group", "kind")


def adjust_pvalues(p: np.ndarray, method: str) -> np.ndarray:
    """Adjusted p-values (same shape; NaN where p is NaN) by ``method`` ("holm" or "bh")."""
    if method not in METHODS:
        raise ValueError(f"multiple-testing method {method!r} is not one of {', '.join(METHODS)}")
    p = np.asarray(p, float)
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    q = p[ok]
    m = q.size
    if m == 0:
        return out
    order = np.argsort(q, kind="stable")
    s = q[order]
    k = np.arange(1, m + 1)
    if method == "holm":
        adj = np.maximum.accumulate(np.minimum(1.0, (m - k + 1) * s))
    else:
        adj = np.minimum(1.0, np.minimum.accumulate((m * s / k)[::-1])[::-1])
    res = np.empty(m)
    res[order] = adj
    out[ok] = res
    return out


def adjust_table(tests: pd.DataFrame, method: str, family: tuple[str, ...] = FAMILY) -> pd.DataFrame:
    """A copy of a test table with ``p_adjusted`` (and ``p_adjust_method``), families by ``family``."""
    out = tests.copy()
    adj = np.full(len(out), np.nan)
    for _, idx in out.groupby(list(family), sort=False, dropna=False).indices.items():
        adj[idx] = adjust_pvalues(out["p_value"].to_numpy(float)[idx], method)
    out["p_adjusted"] = adj
    out["p_adjust_method"] = method
    return out
