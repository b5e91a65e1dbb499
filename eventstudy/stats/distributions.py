"""Reference distributions of the tests, from ``scipy.special`` alone.

``scipy.stats`` takes about 0.6 s to import (it builds the docstrings of ~200 distributions), more
than the whole test battery at 10,000 events; a run only needs four functions of it, which are thin
wrappers around ``scipy.special`` ufuncs. The functions here call the same ufuncs, so they return the
same floats as ``scipy.stats`` (tested element-wise in ``tests/test_distributions.py``):

* ``scipy.stats.norm.sf(x)`` is ``special.ndtr(-x)``;
* ``scipy.stats.t.sf(x, df)`` is ``special.stdtr(df, -x)``;
* ``scipy.stats.t.ppf(q, df)`` is ``special.stdtrit(df, q)``.

The exact two-sided sign-test p-value is the one exception: ``scipy.stats.binomtest`` sums two
Boost binomial tails; :func:`binom_two_sided_half` uses the symmetry of Binomial(N, 1/2) and one
regularised incomplete beta (Boost's, through ``special.betainc``): equal to
``binomtest(w, n, 0.5).pvalue`` within a few 1e-15 relative (tested), and as close to the exact
rational value. (Cephes' ``special.bdtr`` is not used: it is off by up to 1e-11 at N = 10,000.)
Ranks come from :func:`eventstudy.stats.nonparametric.row_ranks` (the numbers of
``scipy.stats.rankdata``); ``scipy.stats`` is still imported, lazily, where its exact Wilcoxon
distribution is needed (small N or ties).
"""

from __future__ import annotations

import numpy as np
from scipy import special


def norm_sf(x):
    """Upper tail P(Z > x) of the standard normal (= ``scipy.stats.norm.sf``)."""
    return special.ndtr(-np.asarray(x, dtype=float))


def t_sf(x, df):
    """Upper tail P(T > x) of Student's t with ``df`` degrees of freedom (= ``scipy.stats.t.sf``)."""
    return special.stdtr(df, -np.asarray(x, dtype=float))


def t_ppf(q, df):
    """Quantile of Student's t: the x with P(T <= x) = q, 0 < q < 1 (= ``scipy.stats.t.ppf``)."""
    return special.stdtrit(df, q)


def binom_two_sided_half(w: int, n: int) -> float:
    """Exact two-sided p-value of w successes in n trials against Binomial(n, 1/2).

    The distribution is symmetric, so the two-sided p (the probability of an outcome at most as
    likely as w) is 2 P(X <= min(w, n - w)), capped at 1, and exactly 1 when w = n / 2 — the
    definition ``scipy.stats.binomtest(w, n, 0.5, alternative="two-sided")`` implements.
    P(X <= k) = I_{1/2}(n - k, k + 1), the regularised incomplete beta (Abramowitz & Stegun 26.5.24).
    """
    if n < 1:
        return float("nan")
    k = min(w, n - w)
    if 2 * k == n:
        return 1.0
    return float(min(1.0, 2.0 * special.betainc(n - k, k + 1, 0.5)))
