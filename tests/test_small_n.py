"""Small-N inference: two tokens, one with no estimation bars (the Stargate tokens' situation)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy import parse_study, run_study

STUDY = """name = "two-tokens"
[event]
date = "2025-01-21"
[[group]]
name = "tokens"
securities = ["VIRTUAL", "ARC"]
benchmark = "BTC"
model = "market_adjusted"
[windows]
estimation = [-60, -6]
event = [-5, 10]
car = [[0, 0], [0, 1]]
[data]
source = "pinned"
"""


@pytest.fixture(scope="module")
def res():
    return run_study(parse_study(STUDY))


def test_the_crafted_study_is_what_it_claims(res):
    sec = res.securities.set_index("ticker")
    assert sec.loc["ARC", "n_estimation"] == 0 and not np.isfinite(sec.loc["ARC", "sigma"])
    assert sec.loc["VIRTUAL", "n_estimation"] >= 30


def test_every_test_has_a_minimum_n_documented_in_the_battery_and_the_readme():
    from eventstudy.stats.battery import MIN_N
    from conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("**Minimum N per test**", 1)[1].split("\n\n", 2)[1]
    rows = {}
    for line in section.splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        for name in cells[0].replace("`", "").split(","):
            rows[name.strip()] = int(cells[1])
    assert set(rows) == set(MIN_N)
    for test, rule in MIN_N.items():
        assert rule.n >= 1 and rule.needs, test
        assert rows[test] == rule.n, test


def test_no_primary_test_is_one_that_cannot_be_computed(res):
    t = res.tests()
    primary = t[t["primary"]]
    assert len(primary) and np.isfinite(primary["statistic"].astype(float)).all()
    assert not (t[t["test"] == "kp_bmp_t"]["primary"]).any()  # no r-bar with one estimated member


def test_caveats_recommend_only_tests_that_were_computed(res):
    t = res.tests()
    computed = set(t.loc[np.isfinite(t["statistic"].astype(float)) & (t["kind"] == "car"), "test"])
    text = " ".join(res.caveats())
    for name in ("kp_bmp_t", "kp_patell_z", "portfolio_t", "bmp_t", "patell_z", "brown_warner_t", "corrado_rank"):
        recommended = f"read the dependence-robust tests" in text and name in text.split("read the dependence-robust tests")[1].split(")")[0]
        if recommended:
            assert name in computed, name


def test_a_security_without_variance_that_feeds_the_caar_is_named(res):
    text = " ".join(res.caveats())
    assert "ARC" in text and "no variance" in text and "CAAR" in text


def test_every_statistic_says_who_is_in_its_average(res):
    t = res.tests()
    assert "members" in t.columns
    car = t[(t["kind"] == "car") & (t["window"] == "[0,0]")].set_index("test")
    assert set(car.loc["cross_sectional_t", "members"].split(", ")) == {"VIRTUAL", "ARC"}
    assert car.loc["patell_z", "members"] == "VIRTUAL"


def test_brown_warner_uses_the_same_members_for_the_aar_and_its_standard_deviation(res):
    t = res.tests()
    ar = res.abnormal_returns
    for window in ("[0,0]",):
        bw = t[(t["test"] == "brown_warner_t") & (t["window"] == window)].iloc[0]
        members = bw["members"].split(", ")
        assert members == ["VIRTUAL"]  # ARC has no estimation-window abnormal returns
        day0 = ar[(ar["rel_day"] == 0) & ar["ticker"].isin(members)]["ar"].mean()
        assert bw["estimate"] == pytest.approx(day0) and bw["n"] == 1
    # S(AAR) from VIRTUAL's own estimation-window abnormal returns (market-adjusted: R - R_BTC)
    g = res.extras["groups"][0]
    k = list(g.meta["ticker"]).index("VIRTUAL")
    resid = g.est.resid_est[k]
    s = float(np.nanstd(resid, ddof=1))
    assert bw["statistic"] == pytest.approx(bw["estimate"] / s, rel=1e-6)
