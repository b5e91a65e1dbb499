"""Confounding events: market-wide shocks, overlapping events of an events file, the article's dates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy import load_study, run_study
from eventstudy.plan.calendars import get_calendar
from eventstudy.stats.confounding import K_ROBUST, MAD_TO_SIGMA, robust_band

from conftest import DATA, ROOT

ARTICLES = ROOT / "tests" / "articles"


def _returns(symbol: str) -> pd.Series:
    close = pd.read_csv(DATA / "prices" / f"{symbol}.csv", parse_dates=["date"], index_col="date")["close"]
    return close.pct_change()


def test_robust_band_by_hand():
    center, sigma, n = robust_band(np.array([[1.0, 2.0, 3.0, 4.0, 100.0, np.nan]]), min_bars=5)
    assert (center[0], sigma[0], n[0]) == pytest.approx((3.0, MAD_TO_SIGMA * 1.0, 5))  # |x - 3| -> median 1
    assert np.isnan(robust_band(np.array([[1.0, 2.0]]), min_bars=5)[1][0])  # too few bars: no band


# -- a hand-built study where the answer is known ------------------------------------------------------
def _synthetic_study(tmp_path) -> "EventStudyResults":
    """Three securities and a benchmark on XNYS. The benchmark repeats +0.4, -0.4, +0.2, -0.2 %
    (robust sigma = 1.4826 * 0.3 % = 0.44 %), except a -3 % shock on day +3 and +2.5 % on day -50;
    the securities add +-0.1 % that cancels in their average, and AAA jumps +20 % on day +1."""
    sessions = get_calendar("XNYS").sessions(pd.Timestamp("2024-01-02"), pd.Timestamp("2024-12-31"))[:200]
    t = np.arange(len(sessions))
    mkt = np.array([0.004, -0.004, 0.002, -0.002])[t % 4]
    d0 = 150
    mkt[d0 + 3], mkt[d0 - 50] = -0.03, 0.025
    idio = 0.001 * (-1.0) ** t
    rets = {"MKT": mkt, "AAA": mkt + idio, "BBB": mkt - idio, "CCC": mkt.copy()}
    rets["AAA"][d0 + 1] += 0.20
    prices = pd.DataFrame({k: 100 * np.cumprod(1 + v) for k, v in rets.items()}, index=sessions)
    prices.index.name = "date"
    prices.to_csv(tmp_path / "prices.csv", date_format="%Y-%m-%d")
    (tmp_path / "s.toml").write_text(
        f'name = "synthetic"\n[event]\ndate = "{sessions[d0]:%Y-%m-%d}"\n'
        '[[group]]\nname = "g"\nsecurities = ["AAA", "BBB", "CCC"]\nbenchmark = "MKT"\ncalendar = "XNYS"\n'
        '[windows]\nestimation = [-120, -11]\nevent = [-5, 10]\ncar = [[0, 0], [0, 1], [0, 5]]\n'
        '[data]\nprices = "prices.csv"\n', encoding="utf-8")
    return run_study(load_study(tmp_path / "s.toml")), sessions, d0


def test_a_hand_built_study_flags_exactly_the_shocks_it_holds(tmp_path):
    res, sessions, d0 = _synthetic_study(tmp_path)
    f = res.confounding
    flagged = {(r.window_kind, r.window, r.rel_day, r.source) for r in f.itertuples()}
    assert flagged == {
        ("car", "[0,5]", 3, "benchmark"), ("car", "[0,5]", 3, "equal-weighted"),
        ("car", "[0,1]", 1, "equal-weighted"), ("car", "[0,5]", 1, "equal-weighted"),   # AAA's own jump
        ("estimation", "[-120,-11]", -50, "benchmark"), ("estimation", "[-120,-11]", -50, "equal-weighted")}
    shock = f[(f["rel_day"] == 3) & (f["source"] == "benchmark")].iloc[0]
    assert shock["date"] == sessions[d0 + 3] and shock["magnitude"] == pytest.approx(-0.03)
    est = pd.read_csv(tmp_path / "prices.csv", index_col=0)["MKT"].pct_change().to_numpy()[d0 - 120:d0 - 10]
    med = np.median(est)
    sigma = MAD_TO_SIGMA * np.median(np.abs(est - med))
    assert shock["center"] == pytest.approx(med) and shock["threshold"] == pytest.approx(K_ROBUST * sigma)
    assert shock["robust_z"] == pytest.approx((-0.03 - med) / sigma)
    own = f[f["rel_day"] == 1]
    assert not own["contaminates"].any()  # the group's move on day +1 is the event itself
    w = res.confounding_windows.set_index("window")["clean"]
    assert w.to_dict() == {"[0,0]": True, "[0,1]": True, "[0,5]": False}
    text = " ".join(res.caveats())
    assert "CAR window [0,5] holds" in text and "without a flagged bar: [0,0], [0,1]" in text
    assert "[0,5] contaminated" in res.summary()


# -- the Stargate study on the snapshot -------------------------------------------------------------
def test_stargate_0_5_window_is_contaminated_by_what_the_data_show(stargate_results):
    res = stargate_results
    f = res.confounding
    eq = f[(f["group"] == "AI infrastructure equities") & (f["window"] == "[0,5]") & f["contaminates"]]
    # The equal-weighted return of the four equities, computed here from the snapshot's closes.
    r = pd.concat({s: _returns(s) for s in ["ORCL", "NVDA", "ARM", "MSFT"]}, axis=1)
    ew = r.mean(axis=1)
    hit = eq[eq["source"] == "equal-weighted"]
    assert len(hit) == 1
    day = pd.Timestamp(hit["date"].iloc[0])
    assert hit["magnitude"].iloc[0] == pytest.approx(ew[day])
    assert abs(hit["robust_z"].iloc[0]) > K_ROBUST and day.strftime("%Y-%m-%d") == "2025-01-27"
    # SPY fell too, but within its band: what the data show is a sector shock, not a market-wide one.
    assert eq[eq["source"] == "benchmark"].empty
    spy_est = _returns("SPY").loc[:"2025-01-02"].iloc[-110:]
    z = (_returns("SPY")[day] - spy_est.median()) / (MAD_TO_SIGMA * (spy_est - spy_est.median()).abs().median())
    assert -K_ROBUST < z < 0
    windows = res.confounding_windows
    eqw = windows[windows["group"] == "AI infrastructure equities"].set_index("window")["clean"].to_dict()
    assert eqw == {"[0,0]": True, "[0,1]": True, "[-1,1]": True, "[0,5]": False}
    # BTC did not move beyond its band in the tokens' CAR windows (27 January is their day 6).
    tok = f[(f["group"] == "AI agent tokens") & (f["window_kind"] == "car") & f["contaminates"]]
    assert tok.empty
    assert any("[0,5] holds 2025-01-27" in c for c in res.caveats())
    assert any("not assessed" in c and "AI agent tokens" in c for c in res.caveats())


def test_confounding_csv_is_written(stargate_results, tmp_path, monkeypatch):
    from eventstudy.report import output

    monkeypatch.setattr(output, "FIGURES", {})  # the tables only: figures are tested elsewhere
    paths = output.write_outputs(stargate_results, tmp_path)
    out = pd.read_csv(paths["confounding.csv"])
    assert {"window_kind", "rel_day", "source", "magnitude", "threshold", "contaminates"} <= set(out.columns)
    assert ((out["window"] == "[0,5]") & (out["date"] == "2025-01-27") & out["contaminates"]).any()


# -- an events file with overlapping events ----------------------------------------------------------
def test_overlapping_events_of_an_events_file(tmp_path):
    (tmp_path / "events.csv").write_text("security,date,event,group\nNVDA,2025-01-21,stargate,ai\n"
                                         "NVDA,2025-01-27,deepseek,ai\nARM,2025-01-24,arm-news,ai\n", encoding="utf-8")
    (tmp_path / "s.toml").write_text('name = "overlap"\nevents = "events.csv"\n[[group]]\nname = "ai"\n'
                                     'benchmark = "SPY"\n[data]\nsource = "pinned"\n', encoding="utf-8")
    res = run_study(load_study(tmp_path / "s.toml"))
    f = res.confounding
    ev = f[f["source"] == "events-file"]
    star = ev[(ev["event"] == "stargate") & (ev["window"] == "[0,5]")].set_index("series")
    assert "same security" in star.loc["NVDA", "what"] and star.loc["NVDA", "rel_day"] == 4
    assert "same group" in star.loc["ARM", "what"] and star.loc["ARM", "rel_day"] == 3
    assert ev[(ev["event"] == "stargate") & (ev["window"].isin(["[0,0]", "[0,1]", "[-1,1]"]))].empty
    # deepseek's [-1,1] (01-24 .. 01-28) holds ARM's event, of another security: same group only
    ds = ev[(ev["event"] == "deepseek") & (ev["window"] == "[-1,1]")]
    assert list(ds["series"]) == ["ARM"] and "same group" in ds["what"].iloc[0]
    # no event is its own confounder, and estimation windows only count the same security
    assert not ((ev["event"] == "stargate") & (ev["series"] == "NVDA") & (ev["date"] == "2025-01-21")).any()
    assert ev[(ev["window_kind"] == "estimation")].empty
    w = res.confounding_windows
    assert not w[(w["event"] == "stargate") & (w["window"] == "[0,5]")]["clean"].iloc[0]


# -- dates the article gives ------------------------------------------------------------------------
def test_an_event_the_article_mentions_is_flagged_in_the_windows_holding_it(tmp_path):
    (tmp_path / "s.toml").write_text(
        f'name = "two-events"\narticle = "{(ARTICLES / "stargate-puis-deepseek-fr.txt").as_posix()}"\n'
        '[[group]]\nname = "AI"\nsecurities = ["ORCL", "NVDA", "MSFT"]\nbenchmark = "SPY"\n'
        '[windows]\nestimation = [-120, -11]\nevent = [-5, 10]\ncar = [[0, 1], [0, 5]]\n'
        '[data]\nsource = "pinned"\n', encoding="utf-8")
    res = run_study(load_study(tmp_path / "s.toml"))
    assert res.event_time.date.isoformat() == "2025-01-21"
    art = res.confounding[res.confounding["source"] == "article"]
    assert list(art["window"]) == ["[0,5]"] and art["contaminates"].all()
    assert pd.Timestamp(art["date"].iloc[0]) == pd.Timestamp("2025-01-27") and art["rel_day"].iloc[0] == 4
    assert "DeepSeek" in art["what"].iloc[0]


def test_a_study_with_nothing_flagged_still_reads(tmp_path):
    """Two tokens, one with no estimation bars: nothing flagged, the equal-weighted return not assessed."""
    from eventstudy import parse_study

    res = run_study(parse_study('name = "two"\n[event]\ndate = "2025-01-21"\n[[group]]\nname = "tokens"\n'
                                'securities = ["VIRTUAL", "ARC"]\nbenchmark = "BTC"\nmodel = "market_adjusted"\n'
                                '[windows]\nestimation = [-60, -6]\nevent = [-5, 10]\ncar = [[0, 0], [0, 1]]\n'
                                '[data]\nsource = "pinned"\n'))
    assert res.confounding.empty and list(res.confounding.columns)[:3] == ["group", "event", "security"]
    assert res.confounding_windows["clean"].all()
    assert any("not assessed" in c for c in res.caveats())
    assert "tokens: no CAR window holds a flagged bar" in res.summary()
