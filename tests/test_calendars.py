"""Trading calendars and the day-0 rule, on real 2025 cases."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from eventstudy.plan.calendars import CryptoCalendar, EventTime, ExchangeCalendar, IntradayCalendar, get_calendar

NY = "America/New_York"


def test_nyse_holidays_of_january_2025():
    xnys = ExchangeCalendar("XNYS")
    sessions = xnys.sessions(pd.Timestamp("2025-01-06"), pd.Timestamp("2025-01-24"))
    assert pd.Timestamp("2025-01-20") not in sessions  # Martin Luther King Day
    assert pd.Timestamp("2025-01-09") not in sessions  # national day of mourning (President Carter)
    assert pd.Timestamp("2025-01-21") in sessions and len(sessions) == 13


def test_after_the_close_moves_to_next_session_but_not_on_crypto():
    when = EventTime(dt.date(2025, 1, 21), dt.time(16, 30), NY)
    d_xnys = ExchangeCalendar("XNYS").day0(when)
    d_crypto = CryptoCalendar().day0(when)
    assert d_xnys.session == pd.Timestamp("2025-01-22") and "after the close" in d_xnys.rule
    assert d_crypto.session == pd.Timestamp("2025-01-21")  # 21:30 UTC is still 21 January


def test_during_and_before_the_session():
    xnys = ExchangeCalendar("XNYS")
    assert xnys.day0(EventTime(dt.date(2025, 1, 21), dt.time(15, 59), NY)).session == pd.Timestamp("2025-01-21")
    before = xnys.day0(EventTime(dt.date(2025, 1, 21), dt.time(7, 0), NY))
    assert before.session == pd.Timestamp("2025-01-21") and "before the open" in before.rule


def test_holidays_and_weekends_move_to_next_session():
    xnys = ExchangeCalendar("XNYS")
    assert xnys.day0(EventTime(dt.date(2025, 1, 20))).session == pd.Timestamp("2025-01-21")   # MLK, date only
    assert xnys.day0(EventTime(dt.date(2025, 1, 9), dt.time(10), NY)).session == pd.Timestamp("2025-01-10")
    assert xnys.day0(EventTime(dt.date(2025, 1, 18), dt.time(12), NY)).session == pd.Timestamp("2025-01-21")


def test_date_without_time_uses_documented_default():
    d = ExchangeCalendar("XNYS").day0(EventTime(dt.date(2025, 1, 21)))
    assert d.session == pd.Timestamp("2025-01-21") and "date without time" in d.rule


def test_timezone_matters():
    # 23:30 in Tokyo on 21 January is 09:30 New York the same day: NYSE day 0 = 21 January.
    d = ExchangeCalendar("XNYS").day0(EventTime(dt.date(2025, 1, 21), dt.time(23, 30), "Asia/Tokyo"))
    assert d.session == pd.Timestamp("2025-01-21")
    # Tokyo: news at 16:30 JST (after the 15:30 close) -> next Tokyo session.
    t = ExchangeCalendar("XTKS").day0(EventTime(dt.date(2025, 1, 21), dt.time(16, 30), "Asia/Tokyo"))
    assert t.session == pd.Timestamp("2025-01-22")


def test_crypto_cutoff_is_configurable():
    when = EventTime(dt.date(2025, 1, 21), dt.time(16, 30), NY)  # 21:30 UTC
    assert CryptoCalendar(cutoff=dt.time(20, 0)).day0(when).session == pd.Timestamp("2025-01-22")


def test_intraday_bar_contains_the_timestamp():
    cal = IntradayCalendar("4h")
    d = cal.day0(EventTime(dt.date(2025, 1, 21), dt.time(16, 30), NY))
    assert d.session == pd.Timestamp("2025-01-21 20:00")
    assert len(cal.sessions(pd.Timestamp("2025-01-21"), pd.Timestamp("2025-01-21 20:00"))) == 6


def test_get_calendar():
    assert get_calendar("24/7").name == "24/7"
    assert get_calendar("XNYS").name == "XNYS"


def test_session_word_without_clock_time():
    xnys = ExchangeCalendar("XNYS")
    after = xnys.day0(EventTime(dt.date(2025, 1, 21), timing="after_close"))
    assert after.session == pd.Timestamp("2025-01-22") and "after the close" in after.rule
    before = xnys.day0(EventTime(dt.date(2025, 1, 21), timing="before_open"))
    assert before.session == pd.Timestamp("2025-01-21")
    assert CryptoCalendar().day0(EventTime(dt.date(2025, 1, 21), timing="after_close")).session == pd.Timestamp("2025-01-21")


def test_cached_session_lookups_equal_exchange_calendars():
    """Day 0 and the quality checks read sessions from the cached index; they must say what
    exchange_calendars says (is_session, date_to_session "next", next_session, sessions_in_range)."""
    import numpy as np

    rng = np.random.default_rng(5)
    for code in ("XNYS", "XTKS"):
        cal = get_calendar(code)
        raw = cal._cal
        first, last = cal.known_range()
        for _ in range(150):
            d = first + pd.Timedelta(days=int(rng.integers(0, (last - first).days)))
            assert cal._is_session(d) == raw.is_session(d)
            assert cal._next_session(d) == pd.Timestamp(raw.date_to_session(d, direction="next")).tz_localize(None)
            if raw.is_session(d) and d < last:
                assert cal._session_after(d) == pd.Timestamp(raw.next_session(d)).tz_localize(None)
            e = d + pd.Timedelta(days=int(rng.integers(0, 400)))
            ref = pd.DatetimeIndex(raw.sessions_in_range(d, min(e, last))).tz_localize(None)
            assert cal.sessions(d, e).equals(ref)
