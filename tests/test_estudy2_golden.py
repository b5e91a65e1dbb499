"""estudy2 (R, v0.10) reproduced exactly on its published COVID example (the test oracle).

The oracle lives in ../shared/data/estudy2-covid (prices.csv and published.json); the test
skips with a reason where it is absent.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from eventstudy.plan.calendars import ExchangeCalendar
from eventstudy.estimation.engine import estimate_events, gather
from eventstudy.estimation.models import MarketModel
from eventstudy.estimation.panel import build_panel
from eventstudy.plan.windows import window_offsets_for
from eventstudy.stats.battery import GroupInput, estudy2_battery
from eventstudy.study.spec import WindowSpec
from tests.conftest import ESTUDY2, estudy2_study

pytestmark = pytest.mark.skipif(not (ESTUDY2 / "published.json").is_file(),
                                reason="estudy2 oracle ../shared/data/estudy2-covid is absent")

SECS = ["AMZN", "ZM", "UBER", "NFLX", "SHOP", "FB", "UPWK"]
NAMES = {  # published key -> our test name
    "bw_1980_stat": "brown_warner_1980", "bw_1985_stat": "brown_warner_1985", "t_test_stat": "t_test",
    "pt_stat": "patell", "bh_stat": "boehmer", "lmb_stat": "lamb", "sign_stat": "sign",
    "gsign_stat": "generalized_sign", "csign_stat": "corrado_sign", "rank_stat": "rank",
    "mrank_stat": "modified_rank", "wlcx_stat": "wilcoxon",
}
SIGNIF = {k: k.replace("_stat", "_signif") for k in NAMES}


@pytest.fixture(scope="module")
def table():
    import datetime as dt

    prices = pd.read_csv(ESTUDY2 / "prices.csv", parse_dates=["date"]).set_index("date")
    cal = ExchangeCalendar("XNYS")
    panel = build_panel(cal, {c: prices[c] for c in prices.columns}, "log")
    ws = WindowSpec((dt.date(2019, 4, 1), dt.date(2020, 3, 13)), (dt.date(2020, 3, 16), dt.date(2020, 3, 20)),
                    ((dt.date(2020, 3, 16), dt.date(2020, 3, 20)),))
    pos0 = panel.position(pd.Timestamp("2020-03-16"))
    windows, labels = window_offsets_for(panel, pos0, ws)
    K = len(SECS)
    rows0 = np.full(K, pos0)
    cols = np.array([panel.col(s) for s in SECS])
    bcol = np.full(K, panel.col("GSPC"))
    est = estimate_events(gather(panel.returns, rows0, cols, windows.est_offsets),
                          gather(panel.returns, rows0, bcol, windows.est_offsets)[..., None],
                          gather(panel.returns, rows0, cols, windows.evt_offsets),
                          gather(panel.returns, rows0, bcol, windows.evt_offsets)[..., None],
                          MarketModel(), windows, min_estimation=30)
    meta = pd.DataFrame({"ticker": SECS, "calendar": "XNYS", "day0": pd.Timestamp("2020-03-16"), "benchmark": "GSPC"})
    dates = [panel.label(pos0 + o) for o in windows.evt_offsets]
    g = GroupInput("covid", est, meta, labels, dates, MarketModel())
    return pd.DataFrame(estudy2_battery(g)), est


@pytest.fixture(scope="module")
def published():
    return json.loads((ESTUDY2 / "published.json").read_text())


def test_estimation_lengths_and_dates(table, published):
    _, est = table
    assert list(est.n.astype(int)) == [240, 227, 212, 240, 240, 240, 240]  # ZM and UBER listed late
    t = table[0]
    days = t[t.test == "t_test"].sort_values("rel_day")
    assert [d.strftime("%Y-%m-%d") for d in days["date"]] == published["dates"]


@pytest.mark.parametrize("key", list(NAMES))
def test_daily_statistics_match_published(table, published, key):
    t = table[0]
    rows = t[t.test == NAMES[key]].sort_values("rel_day")
    got = rows["statistic"].to_numpy(float)
    want = np.array(published["daily"][key], float)
    tol = np.array(published["abs_tol_printed"][key], float)
    np.testing.assert_allclose(got, want, rtol=1e-4)
    assert np.all(np.abs(got - want) <= tol * (1 + 1e-9)), "outside R's printed precision"
    assert list(rows["signif"]) == published["significance"][SIGNIF[key]]


def test_daily_mean_and_percentage(table, published):
    t = table[0]
    rows = t[t.test == "t_test"].sort_values("rel_day")
    np.testing.assert_allclose(rows["estimate"].to_numpy(float), published["daily"]["mean"], rtol=1e-4)
    assert all("100.0% of securities present" in n for n in rows["note"])


@pytest.mark.parametrize("name", ["car_lamb", "car_brown_warner_1985", "car_rank_test"])
def test_car_tests_match_published(table, published, name):
    t = table[0]
    row = t[t.test == name].iloc[0]
    pub = published["car"][name]
    assert row["statistic"] == pytest.approx(pub["statistic"], rel=1e-4, abs=pub["abs_tol_printed"]["statistic"])
    assert row["n"] == pub["number_of_days"]
    assert row["signif"] == pub["significance"]
    if "car_mean" in pub:
        assert row["estimate"] == pytest.approx(pub["car_mean"], rel=1e-4)


def test_study_file_in_estudy2_mode_end_to_end(tmp_path, published):
    """The same numbers through the study file, the user-prices source and the pipeline."""
    from eventstudy import load_study, run_study
    from eventstudy.report import write_outputs

    study = tmp_path / "covid.toml"
    study.write_text(estudy2_study((ESTUDY2 / "prices.csv").as_posix(),
                                   'kind = "market"\nreturns = "log"\nconventions = "estudy2"'))
    res = run_study(load_study(study))
    assert not res.dropped
    t = res.tests()
    assert set(t.test) == set(NAMES.values()) | {"car_lamb", "car_brown_warner_1985", "car_rank_test"}
    for key, name in NAMES.items():
        got = t[t.test == name].sort_values("rel_day")["statistic"].to_numpy(float)
        np.testing.assert_allclose(got, published["daily"][key], rtol=1e-4, err_msg=name)
    car = t[t.test == "car_brown_warner_1985"].iloc[0]
    assert car["statistic"] == pytest.approx(published["car"]["car_brown_warner_1985"]["statistic"], rel=1e-4)
    write_outputs(res, tmp_path / "out")
    written = pd.read_csv(tmp_path / "out" / "tests.csv")
    assert "car_rank_test" in set(written["test"]) and "signif" in written.columns
