"""Run the test battery for every group of a study and return one tidy table."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

TEST_COLUMNS = ["test", "group", "window", "rel_day", "n", "estimate", "statistic", "p_value", "distribution", "note"]


def run_battery(group_estimates: dict, spec) -> pd.DataFrame:
    """One row per test, group and CAR window (cross-sectional t for now)."""
    rows = []
    for group, (est, meta) in group_estimates.items():
        ok = est.status != "dropped"
        for c, (a, b) in enumerate(est.windows.cars):
            x = est.car[ok, c]
            x = x[~np.isnan(x)]
            n = len(x)
            if n >= 2:
                t = x.mean() / (x.std(ddof=1) / np.sqrt(n))
                p = 2 * stats.t.sf(abs(t), n - 1)
            else:
                t = p = np.nan
            rows.append({"test": "cross_sectional_t", "group": group, "window": f"[{a},{b}]", "rel_day": np.nan,
                         "n": n, "estimate": x.mean() if n else np.nan, "statistic": t, "p_value": p,
                         "distribution": f"t({n - 1})", "note": "CAAR / (sd(CAR)/sqrt(N)); two-sided"})
    return pd.DataFrame(rows, columns=TEST_COLUMNS)
