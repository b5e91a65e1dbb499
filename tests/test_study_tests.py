"""The study file's [tests], [cross_section] and new [model] keys: validation, and the rows they add."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from eventstudy import parse_study, run_study
from eventstudy.errors import StudyFileError
from eventstudy.paths import snapshot_dir
from eventstudy.prices import Snapshot
from eventstudy.stats.grank import grank_t

BASE = """name = "ai"
[event]
date = "2025-01-21"
[[group]]
name = "equities"
securities = ["ORCL", "NVDA", "ARM", "MSFT", "QQQ", "SMH", "SOXX"]
benchmark = "SPY"
[windows]
estimation = [-120, -11]
event = [-5, 5]
car = [[0, 0], [-1, 1], [0, 5]]
[data]
source = "pinned"
"""


def spec_of(tmp_path, extra: str, model: str = 'kind = "market"'):
    text = BASE + f"[model]\n{model}\n" + extra
    path = tmp_path / "s.toml"
    path.write_text(text)
    return parse_study(text, path)


# --- validation -------------------------------------------------------------------------------------

@pytest.mark.parametrize("extra, model, message", [
    ("[tests]\nbhr = true\n", 'kind = "market"', r"line 1\d: unknown key 'bhr' in \[tests\]; did you mean 'bhar'\?"),
    ('[tests]\nmultiple_testing = "holms"\n', 'kind = "market"', r"'holms' is not one of none, holm, bh \(did you mean 'holm'\?\)"),
    ('[tests]\nbhar_benchmark = "model"\n', 'kind = "market"', r"bhar_benchmark is set but bhar is not"),
    ("[tests]\nvolume = 1\n", 'kind = "market"', r"volume must be true or false"),
    ("", 'kind = "market"\nrolling_window = 40', r"rolling_window applies to kind = \"rolling_market\""),
    ("", 'kind = "rolling_market"\nrolling_window = 2', r"at least 3 bars"),
    ("", 'kind = "ff3"', r"kind = 'ff3' needs `factors"),
    ("", 'kind = "garhc"', r"'garhc' is not one of"),
    ("", 'kind = "market"\nconventions = "eventstudy"', r"not one of textbook, estudy2, eventstudy_r"),
    ('[cross_section]\nfile = "chars.csv"\ncolumns = ["siz"]\n', 'kind = "market"',
     r"column 'siz' is not in chars.csv .*did you mean 'size'"),
    ('[cross_section]\nfile = "chars.csv"\ncluster = "firms"\n', 'kind = "market"', r"did you mean 'firm'"),
])
def test_new_keys_are_validated_with_the_line(tmp_path, extra, model, message):
    (tmp_path / "chars.csv").write_text("security,size,sector\nORCL,1.0,tech\n")
    with pytest.raises(StudyFileError, match=message):
        spec_of(tmp_path, extra, model)


def test_new_keys_parse(tmp_path):
    (tmp_path / "chars.csv").write_text("security,size,sector\nORCL,1.0,tech\n")
    s = spec_of(tmp_path, '[tests]\nbhar = true\nwild_bootstrap = "mammen"\nmultiple_testing = "bh"\n'
                          '[cross_section]\nfile = "chars.csv"\ncluster = "both"\n',
                'kind = "rolling_market"\nrolling_window = 40\nconventions = "eventstudy_r"')
    assert s.tests.bhar and s.tests.wild_bootstrap == "mammen" and s.tests.multiple_testing == "bh"
    assert not s.tests.grank_on(s.model.conventions)  # GRANK defaults on with textbook conventions only
    assert s.cross_section.columns == ("size", "sector") and s.cross_section.keys == ("security",)
    assert s.model.rolling_window == 40


# --- the rows ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ff3_run(tmp_path_factory):
    """FF3 from a percent factor file (built from SPY's returns), every [tests] option, a CAR regression."""
    tmp = tmp_path_factory.mktemp("ff3")
    spy = Snapshot(snapshot_dir()).load("SPY").close
    r = spy.pct_change().dropna()
    rng = np.random.default_rng(0)
    ff = pd.DataFrame({"": r.index.strftime("%Y%m%d"), "Mkt-RF": 100 * r.to_numpy() - 0.02,
                       "SMB": rng.normal(0, 0.5, len(r)), "HML": rng.normal(0, 0.5, len(r)), "RF": 0.02})
    ff.to_csv(tmp / "ff.csv", index=False)
    (tmp / "chars.csv").write_text("security,size,sector\nORCL,1.2,software\nNVDA,3.1,chips\nARM,0.8,chips\n"
                                   "MSFT,3.0,software\nQQQ,2.0,etf\nSMH,0.9,etf\nSOXX,0.7,etf\n")
    spec = spec_of(tmp, '[tests]\nbhar = true\nvolume = true\nvolatility = true\ncalendar_time = true\n'
                        'wild_bootstrap = "rademacher"\nmultiple_testing = "holm"\n'
                        '[cross_section]\nfile = "chars.csv"\ncluster = "none"\n',
                   'kind = "ff3"\nfactors = "ff.csv"')
    return run_study(spec)


def test_ff3_preset_reads_percent_and_says_so(ff3_run):
    assert any("divided by 100" in w["message"] for w in ff3_run.warnings)
    sec = ff3_run.securities
    assert (sec["model"] == "factor").all()


def test_every_requested_test_has_rows(ff3_run):
    t = ff3_run.tests()
    names = set(t.test)
    for name in ("grank_t", "wild_rademacher_cross_sectional_t", "wild_rademacher_bmp_t", "bhar_t",
                 "bhar_skew_adjusted_t", "bhar_lbt_bootstrap", "volatility_t", "volatility_rank",
                 "volume_cross_sectional_t", "volume_bmp_t", "volume_corrado_rank", "calendar_time_alpha",
                 "car_regression[const]", "car_regression[size]", "car_regression[sector[etf]]"):
        assert name in names, name
    assert t["p_adjusted"].notna().any()
    fam = t[(t.test == "cross_sectional_t") & (t.kind == "day")]
    assert (fam.p_adjusted >= fam.p_value - 1e-15).all() and fam.p_adjusted.max() <= 1


def test_grank_rows_equal_the_function_on_the_engine_output(ff3_run):
    g = ff3_run.extras["groups"][0]
    est = g.est
    keep = est.status != "dropped"
    scar = est.car[keep, 1] / np.sqrt(est.var_car[keep, 1])
    want = grank_t(est.resid_est[keep], est.sigma2[keep], scar)
    row = ff3_run.tests().query("test == 'grank_t' and window == '[-1,1]'").iloc[0]
    assert row.statistic == pytest.approx(want.statistic) and row.p_value == pytest.approx(want.p_value)


def test_car_regression_rows_are_the_ols_of_cars_on_the_characteristics(ff3_run):
    t = ff3_run.tests()
    cars = ff3_run.cars[ff3_run.cars.window == "[0,0]"].set_index("ticker")["car"]
    size = pd.Series({"ORCL": 1.2, "NVDA": 3.1, "ARM": 0.8, "MSFT": 3.0, "QQQ": 2.0, "SMH": 0.9, "SOXX": 0.7})
    sector = pd.Series({"ORCL": "software", "NVDA": "chips", "ARM": "chips", "MSFT": "software", "QQQ": "etf",
                        "SMH": "etf", "SOXX": "etf"})
    X = np.column_stack([np.ones(7), size[cars.index], sector[cars.index] == "etf",
                         sector[cars.index] == "software"]).astype(float)
    b = np.linalg.lstsq(X, cars.to_numpy(), rcond=None)[0]
    row = t.query("test == 'car_regression[size]' and window == '[0,0]'").iloc[0]
    assert row.estimate == pytest.approx(b[1]) and row.distribution == "t(3)" and "HC3" in row.note


def test_eventstudy_r_conventions_and_the_garch_model_through_the_study_file(tmp_path):
    spec = spec_of(tmp_path, "", 'kind = "garch"\nconventions = "eventstudy_r"')
    res = run_study(spec)
    t = res.tests()
    assert set(t.test) == {"CSectT", "PatellZ", "BMP", "SignT", "GSignT", "RankT", "CalTimeT", "KP"}
    assert (res.securities["model"] == "garch").all()
    row = t.query("test == 'CSectT' and window == '[0,0]'").iloc[0]
    ar0 = res.abnormal_returns.query("rel_day == 0")["ar"].to_numpy()
    assert row.statistic == pytest.approx(math.sqrt(len(ar0)) * ar0.mean() / ar0.std(ddof=1))
