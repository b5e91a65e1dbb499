"""Many events with their own dates (an events file), and the factor model, on the real snapshot."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from eventstudy import StudyFileError, load_study, run_study
from eventstudy.paths import snapshot_dir
from eventstudy.prices import Snapshot
from tests.conftest import write

EVENTS = """security,date,time,timezone,event,group,benchmark
ORCL,2025-01-21,,,stargate,equities,SPY
NVDA,2025-01-27,,,deepseek,equities,SPY
MSFT,2024-10-30,16:30,America/New_York,msft earnings,equities,SPY
ARM,2024-11-06,09:00,America/New_York,us election,equities,SPY
BTC,2024-11-06,,,us election,crypto,ETH
SOL,2024-11-06,,,us election,crypto,ETH
"""


def _study(tmp_path, extra=""):
    write(tmp_path, "events.csv", EVENTS)
    return write(tmp_path, "s.toml", f"""name = "many"
events = "events.csv"
[windows]
estimation = [-100, -11]
event = [-3, 3]
car = [[0, 0], [0, 1]]
{extra}""")


def test_events_file_runs_each_event_on_its_own_date(tmp_path):
    res = run_study(load_study(_study(tmp_path)))
    sec = res.securities.set_index(["event", "ticker"])
    assert sec.loc[("stargate", "ORCL"), "day0"] == pd.Timestamp("2025-01-21")
    assert sec.loc[("deepseek", "NVDA"), "day0"] == pd.Timestamp("2025-01-27")
    # earnings after the close on Wednesday 30 October -> Thursday's session
    assert sec.loc[("msft earnings", "MSFT"), "day0"] == pd.Timestamp("2024-10-31")
    assert "after the close" in sec.loc[("msft earnings", "MSFT"), "day0_rule"]
    assert sec.loc[("us election", "BTC"), "calendar"] == "24/7"
    nvda = res.abnormal_returns[(res.abnormal_returns.event == "deepseek") & (res.abnormal_returns.rel_day == 0)]
    snap = Snapshot(snapshot_dir())
    c = snap.load("NVDA").close
    assert nvda["return"].iloc[0] == pytest.approx(c["2025-01-27"] / c["2025-01-24"] - 1)
    assert nvda["ar"].iloc[0] < -0.10  # the DeepSeek sell-off
    eq = res.tests()[(res.tests().group == "equities") & (res.tests().kind == "car")]
    assert set(eq.loc[eq.primary, "test"]) == {"bmp_t", "corrado_rank"}  # not clustered
    # the generalized sign test's normal approximation needs N >= 10: n/a with 3 events, so not primary
    gs = eq[eq.test == "generalized_sign"]
    assert gs["statistic"].isna().all() and gs["note"].str.contains("needs N >= 10").all()
    assert "portfolio_t" not in set(eq.test)


def test_events_file_errors_name_the_line(tmp_path):
    write(tmp_path, "events.csv", "security,date\nORCL,2025-13-01\n")
    path = write(tmp_path, "s.toml", 'events = "events.csv"\n[[group]]\nname = "events"\nbenchmark = "SPY"\n')
    with pytest.raises(StudyFileError, match=r"events.csv, line 2: date '2025-13-01' is not YYYY-MM-DD"):
        load_study(path)


def test_factor_model_matches_statsmodels(tmp_path):
    snap = Snapshot(snapshot_dir())
    spy, smh = snap.load("SPY").close, snap.load("SMH").close
    mkt = spy.pct_change()
    semi = smh.pct_change() - mkt
    f = pd.DataFrame({"date": spy.index.strftime("%Y-%m-%d"), "MKT": mkt.values, "SEMI": semi.values}).dropna()
    f.to_csv(tmp_path / "factors.csv", index=False)
    study = write(tmp_path, "f.toml", """name = "factor"
[event]
date = "2025-01-27"
[[group]]
name = "chips"
securities = ["NVDA", "ARM"]
[windows]
estimation = [-120, -11]
event = [-2, 2]
car = [[0, 0]]
[model]
kind = "factor"
factors = "factors.csv"
""")
    res = run_study(load_study(study))
    nvda = snap.load("NVDA").close.pct_change()
    idx = nvda.index.get_loc(pd.Timestamp("2025-01-27"))
    est_dates = nvda.index[idx - 120: idx - 10]
    X = sm.add_constant(pd.DataFrame({"MKT": mkt[est_dates], "SEMI": semi[est_dates]}))
    fit = sm.OLS(nvda[est_dates], X).fit()
    row = res.securities.set_index("ticker").loc["NVDA"]
    assert row["model"] == "factor" and row["n_estimation"] == 110
    assert row["alpha"] == pytest.approx(fit.params["const"], rel=1e-8)
    assert row["sigma"] == pytest.approx(np.sqrt(fit.scale), rel=1e-8)
    x0 = np.array([1.0, mkt["2025-01-27"], semi["2025-01-27"]])
    ar = res.abnormal_returns.set_index(["ticker", "rel_day"]).loc[("NVDA", 0), "ar"]
    assert ar == pytest.approx(nvda["2025-01-27"] - x0 @ fit.params.to_numpy(), rel=1e-8)
