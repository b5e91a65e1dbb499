"""The claim check's verdicts: named readings, range checks, contradictions, index proxies."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from eventstudy.article import Claim
from eventstudy.claims import VERDICTS, check_article_claims, check_claim
from eventstudy.plan.calendars import get_calendar
from eventstudy.prices.bars import PriceSeries

from conftest import DATA, ROOT

ARTICLES = ROOT / "tests" / "articles"


def _claim(percent, *, ticker="TOK", horizon="24h", date=dt.date(2025, 1, 10), approximate=False, name=None):
    return Claim(ticker=ticker, name=name or ticker or "?", percent=percent, horizon=horizon, date=date,
                 sentence="(test)", approximate=approximate)


def _daily_bars(closes, start="2025-01-01", spread=0.0):
    idx = pd.date_range(start, periods=len(closes), freq="D")
    c = np.asarray(closes, dtype=float)
    return pd.DataFrame({"open": c, "high": c * (1 + spread), "low": c * (1 - spread), "close": c}, index=idx)


def _bars4h(day: str, moves: list[float]) -> pd.DataFrame:
    """4-hour bars (labelled by open time) whose trailing 24 h move at the 7 marks of ``day``
    (00:00 .. 24:00) is ``moves`` (percent): 13 bars from 20:00 two days before to 20:00 of ``day``;
    the mark j compares the close of bar 6 + j with that of bar j."""
    g = [1 + m / 100 for m in moves]
    close = [100.0] * 6 + [100.0 * x for x in g[:6]]
    close.append(close[6] * g[6])
    idx = pd.date_range(end=pd.Timestamp(day) + pd.Timedelta(hours=20), periods=13, freq="4h")
    return pd.DataFrame({"close": close}, index=idx)


def _check(claim, bars=None, bars4h=None, calendar="24/7"):
    return check_claim(claim, event_date=dt.date(2025, 1, 10), in_study=True, calendar=get_calendar(calendar),
                       close=bars, bars4h=bars4h)


def test_the_verdict_vocabulary_is_explicit_and_documented_in_the_readme():
    assert list(VERDICTS) == ["consistent", "within range", "not consistent", "cannot be checked"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Claim check", 1)[1].split("\n## ", 1)[0]
    for verdict in VERDICTS:
        assert f"`{verdict}`" in section, verdict


# -- trailing 24 h with 4-hour bars ---------------------------------------------------------------
FLAT = [10.0, 10.1, 9.9, 10.0, 10.2, 10.0, 9.8]     # about +10 % at every mark of the day
RISING = [1.0, 3.0, 6.0, 10.0, 15.0, 21.0, 28.0]    # +1 % at 00:00 .. +28 % at 24:00


def test_a_24h_claim_matching_every_mark_is_consistent():
    row = _check(_claim(10.2), _daily_bars([100.0] * 15), _bars4h("2025-01-10", FLAT))
    assert row["verdict"] == "consistent" and "every 4-hour mark" in row["note"]


def test_a_24h_claim_inside_a_wide_range_is_only_within_range():
    row = _check(_claim(15.0), _daily_bars([100.0] * 15), _bars4h("2025-01-10", RISING))
    assert row["verdict"] == "within range"
    assert (row["range_low"], row["range_high"]) == pytest.approx((1.0, 28.0))
    assert "tolerance 0.75 points" in row["note"] and "+1.00% .. +28.00%" in row["note"]
    assert row["measured_percent"] == pytest.approx(15.0)  # the 16:00 mark


def test_a_24h_claim_outside_the_range_is_not_consistent():
    row = _check(_claim(-20.0), _daily_bars([100.0] * 15), _bars4h("2025-01-10", RISING))
    assert row["verdict"] == "not consistent" and "opposite sign" in row["note"]


def test_stargate_range_checks_are_labelled_within_range(stargate_results):
    c = stargate_results.claims.set_index("ticker")
    for ticker in ("VIRTUAL", "ARC"):
        assert c.loc[ticker, "verdict"] == "within range", ticker
        assert "range check" in c.loc[ticker, "note"] and "tolerance" in c.loc[ticker, "note"]
    assert c.loc["VIRTUAL", "range_high"] - c.loc["VIRTUAL", "range_low"] > 20
    assert c.loc["ARC", "range_high"] - c.loc["ARC", "range_low"] > 50
    for ticker in ("ORCL", "NVDA", "ARM"):  # the session figures are named readings: consistent
        assert c.loc[ticker, "verdict"] == "consistent", ticker
    assert not any(v == "consistent" and "range" in str(n) for v, n in zip(c["verdict"], c["note"]))


# -- trailing 24 h without 4-hour bars: the daily high/low bound -----------------------------------
def test_a_24h_claim_beyond_the_daily_high_low_bound_is_not_consistent():
    bars = _daily_bars([100.0] * 9 + [90.0] + [90.0] * 5, spread=0.02)  # the 10th falls 10 %
    day = bars.index[9]
    row = check_claim(_claim(25.0, date=day.date()), event_date=day.date(), in_study=True,
                      calendar=get_calendar("24/7"), close=bars, bars4h=None)
    lo, hi = 90 * 0.98 / (100 * 1.02) * 100 - 100, 90 * 1.02 / (100 * 0.98) * 100 - 100
    assert (row["range_low"], row["range_high"]) == pytest.approx((lo, hi))
    assert row["verdict"] == "not consistent" and "opposite sign" in row["note"]


def test_a_24h_claim_equal_to_the_utc_close_to_close_is_only_within_range():
    bars = _daily_bars([100.0] * 9 + [110.0] * 6, spread=0.05)
    row = check_claim(_claim(10.0, date=bars.index[9].date()), event_date=bars.index[9].date(), in_study=True,
                      calendar=get_calendar("24/7"), close=bars, bars4h=None)
    assert row["verdict"] == "within range" and "hour" in row["note"]


# -- intraday and multi-day horizons ---------------------------------------------------------------
def test_an_intraday_claim_is_checked_against_the_session_low_and_high():
    bars = _daily_bars([100.0] * 9 + [97.0] * 6)
    bars.loc[bars.index[9], ["low", "high"]] = [95.0, 101.0]
    day = bars.index[9].date()
    inside = check_claim(_claim(-4.0, horizon="intraday", date=day), event_date=day, in_study=True,
                         calendar=get_calendar("24/7"), close=bars, bars4h=None)
    assert inside["verdict"] == "within range" and (inside["range_low"], inside["range_high"]) == pytest.approx((-5, 1))
    outside = check_claim(_claim(-12.0, horizon="intraday", date=day), event_date=day, in_study=True,
                          calendar=get_calendar("24/7"), close=bars, bars4h=None)
    assert outside["verdict"] == "not consistent"


def test_multi_day_horizons_are_measured_over_their_period():
    closes = pd.Series(np.linspace(100, 130, 40), index=pd.date_range("2024-12-20", periods=40, freq="D"))
    bars = pd.DataFrame({"open": closes, "high": closes, "low": closes, "close": closes})
    day = dt.date(2025, 1, 20)
    week = check_claim(_claim(100 * (closes[pd.Timestamp(day)] / closes[pd.Timestamp(day) - pd.Timedelta(days=7)] - 1),
                              horizon="1w", date=day), event_date=day, in_study=True, calendar=get_calendar("24/7"),
                       close=bars, bars4h=None)
    assert week["verdict"] == "consistent" and "7 UTC days" in week["matched"]
    ytd_true = 100 * (closes[pd.Timestamp(day)] / closes[pd.Timestamp("2024-12-31")] - 1)
    ytd = check_claim(_claim(ytd_true, horizon="ytd", date=day), event_date=day, in_study=True,
                      calendar=get_calendar("24/7"), close=bars, bars4h=None)
    assert ytd["verdict"] == "consistent" and "year to date" in ytd["matched"]
    undated = check_claim(_claim(5.0, horizon="1w", date=None), event_date=day, in_study=True,
                          calendar=get_calendar("24/7"), close=bars, bars4h=None)
    assert undated["verdict"] == "cannot be checked" and "no date" in undated["note"]


# -- a false claim is a finding (#9 item 5) ----------------------------------------------------------
def _snapshot(symbol: str) -> pd.DataFrame:
    return pd.read_csv(DATA / "prices" / f"{symbol}.csv", parse_dates=["date"], index_col="date")


def test_a_far_claim_of_opposite_sign_is_measured_on_its_own_session():
    """ORCL fell 13.79 % on 2025-01-27; "+25 % that day" is contradicted by that session, not by
    whichever neighbouring reading happens to be closest to +25."""
    bars = _snapshot("ORCL")
    row = check_claim(_claim(25.0, ticker="ORCL", horizon="1d", date=dt.date(2025, 1, 27)),
                      event_date=dt.date(2025, 1, 27), in_study=True, calendar=get_calendar("XNYS"), close=bars,
                      bars4h=None)
    assert row["verdict"] == "not consistent"
    assert row["measured_percent"] == pytest.approx(-13.79, abs=0.01)
    assert row["matched"].startswith("2025-01-27 session")
    assert "opposite sign" in row["note"]


def test_a_false_claim_in_an_article_study_is_not_consistent(tmp_path):
    """The article (tests/articles/deepseek-oracle-faux-fr.txt) says Oracle jumped 25 % on the day it
    fell 13.8 %. (Before the universe's entity linking, "Oracle" alone in its paragraph was left
    unmapped and the claim read as a sector figure; the check now reads such a subject itself, see
    the next test.)"""
    from eventstudy import load_study, run_study

    study = tmp_path / "s.toml"
    study.write_text(f'name = "faux"\narticle = "{(ARTICLES / "deepseek-oracle-faux-fr.txt").as_posix()}"\n'
                     '[[group]]\nname = "AI"\nsecurities = ["NVDA", "MSFT"]\nbenchmark = "SPY"\n'
                     '[windows]\nestimation = [-120, -11]\nevent = [-3, 3]\ncar = [[0, 0]]\n'
                     '[data]\nsource = "pinned"\n', encoding="utf-8")
    res = run_study(load_study(study))
    orcl = res.claims[res.claims["name"] == "Oracle"].iloc[0]
    assert orcl["verdict"] == "not consistent"
    assert orcl["ticker"] == "ORCL" and orcl["measured_percent"] == pytest.approx(-13.79, abs=0.01)
    assert "opposite sign" in orcl["note"]
    assert any("Claim ORCL +25.00%: not consistent" in c for c in res.caveats())


def test_an_unmapped_subject_of_a_price_move_is_read_from_the_gazetteer():
    from eventstudy.reference.gazetteer import Gazetteer

    orcl = PriceSeries("ORCL", _snapshot("ORCL"))
    claim = _claim(25.0, ticker=None, horizon=None, date=None, name="Oracle")
    row = check_article_claims([claim], event_date=dt.date(2025, 1, 27), studied=set(), gazetteer=Gazetteer.load(),
                               series={"ORCL": orcl}, missing={}, load_daily=lambda s: ({}, {})).iloc[0]
    assert row["ticker"] == "ORCL" and row["verdict"] == "not consistent" and "unmapped" in row["note"]
    sector = Claim(ticker=None, name="secteur des Agents d'IA", percent=10.0, horizon="24h", date=None,
                   sentence="", scope="sector", sector="Agents d'IA")
    row = check_article_claims([sector], event_date=dt.date(2025, 1, 27), studied=set(), gazetteer=Gazetteer.load(),
                               series={}, missing={}, load_daily=lambda s: ({}, {})).iloc[0]
    assert row["verdict"] == "cannot be checked" and "sector-level" in row["note"]


def test_an_index_claim_of_the_shipped_universe_is_checked_on_its_proxy():
    """The universe's index entries carry an ETF proxy: the S&P 500 (no index prices here) on SPY."""
    from eventstudy.reference.gazetteer import Gazetteer

    spy = PriceSeries("SPY", _snapshot("SPY"))
    gaz = Gazetteer.load()
    claim = _claim(-1.5, ticker=gaz.get("^GSPC").id, horizon="1d", date=dt.date(2025, 1, 27), name="le S&P 500")
    row = check_article_claims([claim], event_date=dt.date(2025, 1, 27), studied=set(), gazetteer=gaz, series={},
                               missing={}, load_daily=lambda s: ({k: spy for k in s if k == "SPY"}, {})).iloc[0]
    assert row["measured_on"] == "SPY" and row["verdict"] == "consistent" and "ETF proxy SPY" in row["note"]


# -- indices: on the index, or on its ETF proxy ------------------------------------------------------
class _Gaz:
    """A minimal gazetteer with an index entry that carries an ETF proxy."""

    def __init__(self, *entities):
        self._e = {e.id: e for e in entities}

    def get(self, key):
        return self._e.get(key)

    def __iter__(self):
        return iter(self._e.values())


def _entity(id, name, asset_class, calendar="XNYS", currency="USD", **kw):
    return SimpleNamespace(id=id, name=name, asset_class=asset_class, calendar=calendar, currency=currency,
                           ticker=kw.pop("ticker", id), cashtags=(), yahoo=kw.pop("yahoo", id), is_listed=True,
                           all_aliases=lambda: (name,), **kw)


def test_an_index_claim_without_index_prices_is_checked_on_its_etf_proxy():
    gaz = _Gaz(_entity("^GSPC", "S&P 500 index", "index", proxy="SPY"),
               _entity("SPY", "SPDR S&P 500 ETF Trust", "etf"))
    spy = PriceSeries("SPY", _snapshot("SPY"))

    def load(symbols):
        return {s: spy for s in symbols if s == "SPY"}, {s: "no prices in the snapshot" for s in symbols if s != "SPY"}

    claim = _claim(-1.5, ticker="^GSPC", horizon="1d", date=dt.date(2025, 1, 27), name="le S&P 500")
    out = check_article_claims([claim], event_date=dt.date(2025, 1, 27), studied=set(), gazetteer=gaz, series={},
                               missing={}, load_daily=load)
    row = out.iloc[0]
    assert row["ticker"] == "^GSPC" and row["measured_on"] == "SPY"
    assert row["verdict"] == "consistent" and row["measured_percent"] == pytest.approx(-1.41, abs=0.01)
    assert "ETF proxy SPY" in row["note"]


def test_an_index_with_its_own_prices_is_checked_on_them():
    gaz = _Gaz(_entity("^GSPC", "S&P 500 index", "index", proxy="SPY"), _entity("SPY", "SPDR", "etf"))
    own = PriceSeries("^GSPC", _snapshot("SPY") * 10)  # the index's own series (same returns here)
    loaded = []

    def load(symbols):
        loaded.extend(symbols)
        return {s: own for s in symbols if s == "^GSPC"}, {}

    claim = _claim(-1.5, ticker="^GSPC", horizon="1d", date=dt.date(2025, 1, 27))
    row = check_article_claims([claim], event_date=dt.date(2025, 1, 27), studied=set(), gazetteer=gaz, series={},
                               missing={}, load_daily=load).iloc[0]
    assert row["measured_on"] == "^GSPC" and "proxy" not in row["note"] and loaded == ["^GSPC"]
