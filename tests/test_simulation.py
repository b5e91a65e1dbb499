"""Size and power by simulation: pseudo-events at random dates of the real snapshot's returns.

With no abnormal return injected, each test at the 5 % level must reject in about 5 % of the
samples; the tolerance is 3.5 binomial standard deviations for the number of samples (the
exact sign test is discrete and conservative, hence the lower bound of 1 %). With +1 % injected
on day 0 the power is reported and must clearly exceed the size.
"""

from __future__ import annotations

import math

import pytest

from eventstudy.estimation.engine import Windows
from eventstudy.stats.simulation import pseudo_event_rejections
from tests.snapshot_returns import SYMS, snapshot_inputs

WIN = Windows((-110, -11), (-3, 3), ((0, 0), (-1, 1)))
N_SAMPLES = 400


@pytest.fixture(scope="module")
def real_returns(real_with_volume):
    return real_with_volume[:2]


@pytest.mark.slow
def test_size_under_the_null(real_returns):
    R, m = real_returns
    out = pseudo_event_rejections(R, m, n_samples=N_SAMPLES, n_events=10, windows=WIN, seed=1)
    sd = math.sqrt(0.05 * 0.95 / N_SAMPLES)
    for row in out.itertuples():
        assert row.samples == N_SAMPLES, row
        assert 0.01 <= row.rate <= 0.05 + 3.5 * sd, f"{row.test} {row.window}: size {row.rate:.3f}"


@pytest.mark.slow
def test_power_with_one_percent_on_day0(real_returns, capsys):
    R, m = real_returns
    out = pseudo_event_rejections(R, m, n_samples=N_SAMPLES, n_events=10, windows=WIN, inject=0.01, seed=2)
    day0 = out[out.window == "[0,0]"].set_index("test")["rate"]
    with capsys.disabled():
        print("\npower at 5% with +1% on day 0 (10 events, 400 samples):",
              ", ".join(f"{k} {v:.2f}" for k, v in day0.sort_values().items()))
    assert (day0 > 0.25).all(), day0


# --- every method of issue 12 (tests/benchmarks/size_power.py runs 1,000 samples) -------------------

#: Tests the README documents as over-rejecting on these real returns, and why (not asserted here).
KNOWN_OVER_REJECTING = {
    ("volume", "volume_patell_z"): "log-volume residuals are autocorrelated: time-series variances understate",
    ("volume", "volume_corrado_rank"): "same, for windows longer than a day",
    ("volatility", "volatility_t"): "U = SAR^2 is heavily skewed: the cross-sectional t needs many events",
    ("volatility", "volatility_rank"): "slightly liberal (6-7 % on 1,000 samples): volatility clustering",
    ("bhar", "bhar_mm_skew_adjusted_t"): "LBT's skewness adjustment over-rejects with 20 heavy-tailed BHARs",
    ("bhar", "bhar_madj_skew_adjusted_t"): "same",
    ("bhar", "bhar_mm_lbt_bootstrap"): "resamples of N/4 = 5 events are too small (LBT: N = 200)",
    ("bhar", "bhar_madj_lbt_bootstrap"): "same",
    ("multiple_testing", "any_day_cross_sectional_t_unadjusted"): "no adjustment: shown for comparison (about 40 %)",
    ("multiple_testing", "any_day_bmp_t_unadjusted"): "same",
}


@pytest.fixture(scope="module")
def real_with_volume():
    return snapshot_inputs()


def _run(data, n, **kw):
    from eventstudy.stats.simulation import size_power

    R, m, vol, mv = data
    return size_power(R, m, volume=vol, market_volume=mv, n_samples=n, n_events=20, centre_bhar=True, **kw)


def test_every_new_method_runs_and_rejects_more_under_the_alternative(real_with_volume):
    """CI version: 40 samples. Every test returns a p-value on every sample; no test rejects grossly
    more than 5 % under H0 (3.5 binomial sd); day-0 power with +1 % exceeds the size."""
    n = 40
    fams = ("grank", "wild_bootstrap", "eventstudy_r", "bhar", "models", "multiple_testing", "calendar_time")
    size = _run(real_with_volume, n, seed=3, families=fams)
    power = _run(real_with_volume, n, seed=4, inject=0.01, families=fams)
    assert set(size.family) == set(fams)
    bound = 0.05 + 3.5 * math.sqrt(0.05 * 0.95 / n)
    for row in size.itertuples():
        assert row.samples >= n - 1, row
        if (row.family, row.test) not in KNOWN_OVER_REJECTING:
            assert row.rate <= bound, f"{row.test} {row.window}: size {row.rate:.3f}"
    day0 = size.merge(power, on=["family", "test", "window"], suffixes=("", "_p"))
    day0 = day0[(day0.window == "[0,0]") & ~day0.family.isin(["bhar", "calendar_time"])]
    assert (day0.rate_p > day0.rate).all(), day0[day0.rate_p <= day0.rate]


@pytest.mark.slow
def test_size_of_every_new_method(real_with_volume, capsys):
    """300 samples of 20 pseudo-events: size within 3.5 binomial sd of 5 % for every test the README
    does not document as over-rejecting (the 1,000-sample table is tests/benchmarks/size_power.py)."""
    n = 300
    out = _run(real_with_volume, n, seed=11, families=("grank", "wild_bootstrap", "eventstudy_r", "bhar", "volume",
                                                       "volatility", "models", "cross_section", "calendar_time"))
    sd = math.sqrt(0.05 * 0.95 / n)
    bad = []
    for row in out.itertuples():
        if (row.family, row.test) in KNOWN_OVER_REJECTING:
            continue
        lo = 0.0 if row.test.startswith("wild_mammen") or row.family == "calendar_time" else 0.05 - 3.5 * sd
        if not lo <= row.rate <= 0.05 + 3.5 * sd:
            bad.append(f"{row.test} {row.window}: {row.rate:.3f}")
    with capsys.disabled():
        print(f"\nsize at 5% ({n} samples of 20): " + ", ".join(
            f"{r.test}{r.window} {r.rate:.3f}" for r in out.itertuples()))
    assert not bad, bad
