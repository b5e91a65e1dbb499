"""The value every test returns, and p-value helpers (two-sided unless stated)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from .distributions import norm_sf, t_sf


@dataclass(frozen=True)
class TestResult:
    """One test on one day or window.

    ``estimate`` is the quantity tested (AAR or CAAR as a fraction, or a count/rank statistic);
    ``distribution`` names the reference distribution with its df, e.g. "t(3)" or "N(0,1)".
    """

    statistic: float
    p_value: float
    n: int
    distribution: str
    estimate: float = math.nan
    df: float = math.nan
    ci_low: float = math.nan
    ci_high: float = math.nan
    note: str = ""


def nan_result(n: int, distribution: str, estimate: float = math.nan, note: str = "") -> TestResult:
    return TestResult(math.nan, math.nan, int(n), distribution, float(estimate), note=note)


def p_normal(z: float) -> float:
    """Two-sided p-value of a standard-normal statistic."""
    return float(2.0 * norm_sf(abs(z))) if np.isfinite(z) else math.nan


def p_student(t: float, df: float) -> float:
    """Two-sided p-value of a Student-t statistic with ``df`` degrees of freedom."""
    if not (np.isfinite(t) and np.isfinite(df) and df > 0):
        return math.nan
    return float(2.0 * t_sf(abs(t), df))


def t_label(df: float) -> str:
    return f"t({df:.0f})" if float(df).is_integer() else f"t({df:.2f})"
