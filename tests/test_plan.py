"""The event plan, the staged pipeline and the map/reduce battery (issue #10), and two faults of issue #15
that live there (windows far longer than the calendar, an event date after the calendar's last session)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from eventstudy import load_study
from eventstudy import pipeline as P
from eventstudy.cli import main
from eventstudy.plan.coverage import check_coverage, check_prices
from eventstudy.plan.plan import DROP_CODES, build_plan
from eventstudy.reference.gazetteer import Gazetteer
from eventstudy.stats.battery import GroupInput, group_stats
from eventstudy.stats.crosscorr import mean_cross_correlation, pairwise_mean_cross_correlation
from eventstudy.stats.nonparametric import row_ranks
from eventstudy.stats.partials import battery_map, battery_reduce
from tests.conftest import write


# --- the plan ----------------------------------------------------------------------------------

def test_plan_has_one_row_per_pair_with_positions_and_reasons(stargate_results):
    plan = stargate_results.plan
    assert len(plan) == 8 and plan["row"].tolist() == list(range(8))
    p = plan.set_index("ticker")
    assert p.loc["ORCL", "calendar"] == "XNYS" and p.loc["VIRTUAL", "calendar"] == "24/7"
    assert p.loc["ORCL", "status"] == "ok" and p.loc["ARC", "status"] == "short"
    assert p.loc["AI16Z", "status"] == "dropped" and p.loc["AI16Z", "stage"] == "prices"
    assert p.loc["AI16Z", "drop_code"] == DROP_CODES["no prices"] and "no price data" in p.loc["AI16Z", "reason"]
    assert p.loc["PIPPIN", "stage"] == "coverage" and "2025-01-24" in p.loc["PIPPIN", "reason"]
    # positions count bars of the pair's calendar in the plan's index for that calendar
    bars = stargate_results.extras["event_plan"].calendars
    assert bars["XNYS"].index[p.loc["ORCL", "pos0"]] == pd.Timestamp("2025-01-21")
    assert p.loc["ORCL", "est_start"] == p.loc["ORCL", "pos0"] - 120
    assert p.loc["ORCL", "evt_end"] == p.loc["ORCL", "pos0"] + 10
    assert bars["24/7"].index[p.loc["VIRTUAL", "pos0"] - 60] == pd.Timestamp("2024-11-22")  # UTC days
    # the studied pairs are numbered in the order every table lists them
    studied = plan[plan["status"] != "dropped"].sort_values("seq")
    assert studied["ticker"].tolist() == stargate_results.securities["ticker"].tolist()


def test_events_plan_computes_day0_once_per_distinct_time(tmp_path, monkeypatch):
    from eventstudy.plan import calendars

    lines = ["security,date,event,benchmark"] + [f"{s},2025-01-{d:02d},e{s}{d},SPY"
                                                 for d in (21, 22, 23, 24) for s in ("ORCL", "NVDA", "MSFT")]
    write(tmp_path, "events.csv", "\n".join(lines) + "\n")
    study = write(tmp_path, "s.toml", 'name = "x"\nevents = "events.csv"\n[[group]]\nname = "events"\n'
                                      'benchmark = "SPY"\ncalendar = "XNYS"\n[data]\nsource = "pinned"\n')
    calls = []
    real = calendars.ExchangeCalendar.day0
    monkeypatch.setattr(calendars.ExchangeCalendar, "day0", lambda self, when: calls.append(when) or real(self, when))
    plan = build_plan(load_study(study), None, Gazetteer.load(()))
    assert len(plan.frame) == 12 and len(calls) == 4  # four dates, three securities each
    assert (plan.frame["label"] == plan.frame["ticker"] + " (" + plan.frame["event"] + ")").all()


# --- map and reduce ------------------------------------------------------------------------------

def _synthetic_study(tmp_path, n_events=150, seed=5):
    """Wide user prices (12 securities, 420 XNYS sessions, a common factor so that residuals
    correlate) and an events file with a common-date cluster, late listings and gaps."""
    import exchange_calendars as xcals

    rng = np.random.default_rng(seed)
    days = pd.DatetimeIndex(xcals.get_calendar("XNYS").sessions_in_range("2020-01-02", "2021-12-31")[:420])
    m = rng.normal(0.0003, 0.01, len(days))
    R = 0.0002 + np.outer(m, rng.uniform(0.5, 1.5, 12)) + rng.normal(size=(len(days), 12)) * 0.02 \
        + 0.008 * rng.normal(size=(len(days), 1))
    wide = pd.DataFrame(100 * np.cumprod(1 + R, axis=0), index=days, columns=[f"S{j}" for j in range(12)])
    wide.iloc[:200, 1] = np.nan        # listed late: partial estimation windows
    wide.iloc[300:306, 2] = np.nan     # a gap inside the common date's estimation window
    wide["MKT"] = 1000 * np.cumprod(1 + m)
    wide.index.name = "date"
    wide.to_csv(tmp_path / "prices.csv", float_format="%.10g")
    pos = rng.integers(100, len(days) - 5, size=n_events)
    col = rng.integers(0, 12, size=n_events)
    rows = [f"S{c},{days[p]:%Y-%m-%d},e{k},MKT" for k, (p, c) in enumerate(zip(pos, col))]
    rows += [f"S{j},{days[380]:%Y-%m-%d},common,MKT" for j in range(12)]
    write(tmp_path, "events.csv", "security,date,event,benchmark\n" + "\n".join(rows) + "\n")
    return write(tmp_path, "s.toml", 'name = "synthetic"\nevents = "events.csv"\n[[group]]\nname = "events"\n'
                                     'calendar = "XNYS"\n[windows]\nestimation = [-100, -11]\nevent = [-5, 5]\n'
                                     'car = [[-5, 5], [0, 0], [0, 1]]\n[data]\nprices = "prices.csv"\n')


def _run_partitioned(spec, n):
    gaz = Gazetteer.load(spec.data.gazetteer)
    timing = P.resolve_timing(spec, None, lambda m: None)
    plan = build_plan(spec, timing.event_time, gaz, timing.source)
    span = P.price_span(spec, timing.event_time)
    prices = P.quality_checked(spec, gaz, P.load_study_prices(spec, gaz, P.default_sources(spec, span, gaz), span,
                                                              lambda m: None))
    plan = check_prices(plan, prices.series, prices.missing)
    bars = P.symbol_bars_of(plan, prices)
    coverage = check_coverage(spec, plan, bars)
    parts = coverage.plan.partition(n) if n > 1 else [coverage.plan]
    return P.combine(spec, coverage, [P.analyse(spec, p, prices, bars, None) for p in parts], prices)


def test_partitions_by_security_reduce_to_the_single_process_results(tmp_path):
    spec = load_study(_synthetic_study(tmp_path))
    one, three = _run_partitioned(spec, 1), _run_partitioned(spec, 3)
    for name in ("securities", "abnormal_returns", "cars"):
        pd.testing.assert_frame_equal(getattr(one.frames, name), getattr(three.frames, name), check_exact=True)
    a, b = one.tests, three.tests
    num = ["n", "estimate", "statistic", "p_value", "ci_low", "ci_high"]
    pd.testing.assert_frame_equal(a.drop(columns=num), b.drop(columns=num))
    np.testing.assert_allclose(a[num].to_numpy(float), b[num].to_numpy(float), rtol=1e-12, atol=0)
    assert one.dropped == three.dropped
    assert [w["message"] for w in one.warnings] == [w["message"] for w in three.warnings]
    assert set(a.loc[a.group == "events", "test"]) >= {"kp_bmp_t", "corrado_rank", "bootstrap_ci", "wilcoxon"}


def test_battery_chunks_do_not_change_the_statistics(stargate_results):
    g = next(gi for gi in stargate_results.extras["groups"] if gi.name == "AI infrastructure equities")
    g = GroupInput(g.name, g.est, g.meta, g.car_labels, g.dates, g.model, g.min_estimation)
    whole = group_stats(g)
    chunked = battery_reduce([battery_map(g.events(), g.context(), chunk_cells=1)], g.context())
    assert whole.rbar == pytest.approx(chunked.rbar, rel=1e-12)
    np.testing.assert_allclose(whole.rank_days, chunked.rank_days, rtol=1e-12)
    np.testing.assert_allclose(whole.aar_est, chunked.aar_est, rtol=1e-12)
    assert whole.clustered and whole.portfolio is not None


def test_rbar_pooled_equals_the_pairwise_average_without_gaps():
    rng = np.random.default_rng(2)
    common = rng.normal(size=120)
    resid = 0.6 * common + rng.normal(size=(6, 120))
    cluster = np.array([0, 0, 0, 1, 1, 2])
    pooled, pairs = mean_cross_correlation(resid, cluster)
    pairwise, pairs2 = pairwise_mean_cross_correlation(resid, cluster)
    assert pooled == pytest.approx(pairwise, rel=1e-12) and pairs == pairs2 == 4
    # the same bars missing for every event of a cluster: still equal
    resid[:3, :10] = np.nan
    assert mean_cross_correlation(resid, cluster)[0] == pytest.approx(pairwise_mean_cross_correlation(resid, cluster)[0],
                                                                      rel=1e-12)


def test_rbar_with_gaps_by_hand():
    # two events, four bars; the second misses bar 3. Standardise each on its own bars
    # (population sd), average z_i z_j over the bars both have.
    e1 = np.array([1.0, -1.0, 2.0, -2.0])
    e2 = np.array([2.0, 0.0, np.nan, -2.0])
    z1 = (e1 - e1.mean()) / e1.std()
    v = e2[~np.isnan(e2)]
    z2 = np.where(np.isnan(e2), 0.0, (e2 - v.mean()) / v.std())
    pooled = (2 * (z1 * z2).sum()) / (2 * 3)  # sum over i != j and bars; 3 common bars, 2 ordered pairs
    got, _ = mean_cross_correlation(np.vstack([e1, e2]), np.array([0, 0]), min_overlap=3)
    assert got == pytest.approx(pooled, rel=1e-12)
    assert got != pytest.approx(pairwise_mean_cross_correlation(np.vstack([e1, e2]), np.array([0, 0]), 3)[0])


def test_row_ranks_equal_scipy_with_ties_and_gaps():
    rng = np.random.default_rng(4)
    a = rng.integers(0, 5, size=(30, 25)).astype(float)
    a[rng.random(a.shape) < 0.25] = np.nan
    np.testing.assert_array_equal(row_ranks(a), stats.rankdata(a, axis=1, nan_policy="omit"))


# --- faults of issue #15 that live in the plan ------------------------------------------------------

def _one_event(tmp_path, body, name="s.toml"):
    return write(tmp_path, name, 'name = "t"\n[[group]]\nsecurities = ["ORCL", "NVDA"]\nbenchmark = "SPY"\n'
                                 f'[data]\nsource = "pinned"\n{body}')


def _run(path, tmp_path, capsys):
    code = main(["run", str(path), "--out", str(tmp_path / "out"), "--quiet"])
    return code, capsys.readouterr().err


def test_a_window_of_100000_bars_is_refused_with_the_calendar_range(tmp_path, capsys):
    study = _one_event(tmp_path, '[event]\ndate = "2025-01-21"\n[windows]\nestimation = [-100000, -21]\n'
                                 'event = [-10, 10]\ncar = [[0, 1]]\n')
    code, err = _run(study, tmp_path, capsys)
    assert code == 2 and "internal error" not in err and "Traceback" not in err
    assert "estimation [-100000, -21]" in err and "100,011 bars" in err
    assert "XNYS calendar holds" in err and "1990-01-02" in err and "shorten them" in err
    assert not (tmp_path / "out").exists()


def test_an_event_after_the_calendars_last_session_is_refused(tmp_path, capsys):
    code, err = _run(_one_event(tmp_path, '[event]\ndate = "2099-01-02"\n'), tmp_path, capsys)
    assert code == 2 and "internal error" not in err
    assert "2099-01-02 is after the last XNYS session" in err and "XNYS covers 1990-01-02 .." in err
    assert "[event] date" in err  # what to do


def test_an_article_dated_2031_is_refused_naming_the_article(tmp_path, capsys):
    write(tmp_path, "a.txt", "published: 2031-03-05\n\nOracle shares rose 7% on 4 March 2031 after the company "
                             "announced a cloud contract.\n")
    study = write(tmp_path, "s.toml", 'name = "t"\narticle = "a.txt"\n[[group]]\nsecurities = ["ORCL"]\n'
                                      'benchmark = "SPY"\n[data]\nsource = "pinned"\n')
    code, err = _run(study, tmp_path, capsys)
    assert code == 2 and "internal error" not in err
    assert "2031-03-04 is after the last XNYS session" in err and "a.txt" in err


def test_an_events_file_row_after_the_calendar_is_dropped_with_its_line(tmp_path):
    write(tmp_path, "events.csv", "security,date,event,benchmark\nORCL,2025-01-21,stargate,SPY\n"
                                  "NVDA,2099-01-02,far,SPY\n")
    study = write(tmp_path, "s.toml", 'name = "x"\nevents = "events.csv"\n[[group]]\nname = "events"\n'
                                      'benchmark = "SPY"\n[data]\nsource = "pinned"\n')
    res = P.run_study(load_study(study))
    assert res.securities["ticker"].tolist() == ["ORCL"]
    (far,) = [d for d in res.dropped if d.ticker == "NVDA (far)"]
    assert "after the last XNYS session" in far.reason and "events file line 3" in far.reason


def test_nothing_studied_lists_a_bounded_number_of_reasons(tmp_path, capsys):
    rows = "\n".join(f"NVDA,2099-01-{d:02d},e{d},SPY" for d in range(1, 31))
    write(tmp_path, "events.csv", "security,date,event,benchmark\n" + rows + "\n")
    study = write(tmp_path, "s.toml", 'name = "x"\nevents = "events.csv"\n[[group]]\nname = "events"\n'
                                      'benchmark = "SPY"\n[data]\nsource = "pinned"\n')
    code, err = _run(study, tmp_path, capsys)
    assert code == 2 and "no security could be studied" in err and "... and 10 more" in err


def test_timings_flag_prints_every_stage(tmp_path, capsys):
    study = _one_event(tmp_path, '[event]\ndate = "2025-01-21"\n')
    assert main(["run", str(study), "--out", str(tmp_path / "out"), "--quiet", "--timings"]) == 0
    err = capsys.readouterr().err
    for stage in ("event time and plan", "load prices", "coverage", "test battery", "outputs: writing report.html"):
        assert any(line.startswith("timing") and line.endswith(stage) for line in err.splitlines()), stage


def test_a_crypto_window_centuries_long_says_what_the_benchmark_lacks(tmp_path, capsys):
    # 24/7 bars have no first session: 100,000 UTC days reach 1751, and the benchmark's prices say why
    study = write(tmp_path, "s.toml", 'name = "c"\n[event]\ndate = "2025-01-21"\n[[group]]\nsecurities = ["BTC"]\n'
                                      'benchmark = "ETH"\n[windows]\nestimation = [-100000, -6]\nevent = [-2, 2]\n'
                                      'car = [[0, 0]]\n[data]\nsource = "pinned"\n')
    code, err = _run(study, tmp_path, capsys)
    assert code == 2 and "internal error" not in err
    assert "need 24/7 prices 1751-04-07 .. 2025-01-23, but the benchmark ETH has" in err and "Shorten the windows" in err


def test_wilcoxon_normal_path_equals_scipy_bit_for_bit():
    from eventstudy.stats.nonparametric import _wilcoxon_normal

    rng = np.random.default_rng(0)
    for n in (51, 400, 5000):
        x = rng.normal(0.001, 0.02, n)
        r = stats.rankdata(np.abs(x))
        assert _wilcoxon_normal(x) == (float(r[x > 0].sum()), float(stats.wilcoxon(x, zero_method="wilcox").pvalue))
    ties = np.array([0.1, -0.1, 0.2] * 30)  # scipy corrects the variance for ties: so does the normal path
    r = stats.rankdata(np.abs(ties))
    assert _wilcoxon_normal(ties) == (float(r[ties > 0].sum()), float(stats.wilcoxon(ties).pvalue))


def test_bootstrap_of_several_windows_equals_each_alone():
    from eventstudy.stats.bootstrap import bootstrap_mean_ci, bootstrap_mean_cis

    rng = np.random.default_rng(8)
    xs = [rng.normal(0.01, 0.02, 300), rng.normal(0.0, 0.03, 300), rng.normal(0.0, 0.01, 120), np.ones(5)]
    assert bootstrap_mean_cis(xs, seed=3) == [bootstrap_mean_ci(x, seed=3) for x in xs]
