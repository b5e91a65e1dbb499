"""The reference distributions and ranks computed without importing scipy.stats give scipy.stats'
numbers (eventstudy/stats/distributions.py, nonparametric.row_ranks, the Wilcoxon normal path)."""

from fractions import Fraction
from math import comb

import numpy as np
import pytest
from scipy import stats

from eventstudy.stats.distributions import binom_two_sided_half, norm_sf, t_ppf, t_sf
from eventstudy.stats.nonparametric import row_ranks, wilcoxon_signed_rank


def test_normal_and_student_tails_are_scipy_stats_floats():
    x = np.linspace(-40, 40, 20001)
    assert np.array_equal(norm_sf(x), stats.norm.sf(x))
    for df in (1, 2.5, 7, 249, 1e6):
        assert np.array_equal(t_sf(x, df), stats.t.sf(x, df))
        q = np.linspace(1e-6, 1 - 1e-6, 2001)
        assert np.array_equal(t_ppf(q, df), stats.t.ppf(q, df))
    df = np.array([3.0, 30.0, 300.0])
    assert np.array_equal(t_sf(np.array([1.0, 2.0, 3.0]), df), stats.t.sf([1.0, 2.0, 3.0], df))


def test_sign_test_p_value_matches_binomtest_and_the_exact_fraction():
    for n in [1, 2, 3, 7, 10, 25, 50, 51, 120, 999, 10_000]:
        for w in range(0, n + 1, 1 if n < 200 else 97):
            ours = binom_two_sided_half(w, n)
            ref = stats.binomtest(w, n, 0.5).pvalue
            assert ours == pytest.approx(ref, rel=1e-13, abs=1e-300), (n, w)
    # a hand-checkable case: 1 of 6 positive -> 2 (1 + 6) / 64 = 0.21875 exactly
    assert binom_two_sided_half(1, 6) == 0.21875
    assert binom_two_sided_half(3, 6) == 1.0
    n, w = 2_000, 957
    exact = float(Fraction(2 * sum(comb(n, j) for j in range(w + 1)), 2**n))
    assert binom_two_sided_half(w, n) == pytest.approx(exact, rel=1e-13)


def test_row_ranks_are_rankdata_with_ties_and_missing_values():
    rng = np.random.default_rng(7)
    a = np.round(rng.normal(size=(40, 60)), 1)  # many ties
    a[rng.random(a.shape) < 0.1] = np.nan
    assert np.array_equal(row_ranks(a), stats.rankdata(a, axis=1, nan_policy="omit"), equal_nan=True)


@pytest.mark.parametrize("decimals", [2, 3, 6])
def test_wilcoxon_normal_approximation_with_ties_is_scipys(decimals):
    rng = np.random.default_rng(decimals)
    x = np.round(rng.normal(0.002, 0.02, 800), decimals)
    r = wilcoxon_signed_rank(x)
    ref = stats.wilcoxon(x[x != 0])
    assert r.p_value == ref.pvalue
    nz = x[x != 0]
    ranks = stats.rankdata(np.abs(nz))
    assert r.statistic == ranks[nz > 0].sum()
