"""The claim check of a study: choose what measures each claim, ask for those prices, check.

The price loading is passed in (``load_daily``, ``load_4h``) so this module does no I/O itself;
:func:`eventstudy.pipeline.run_study` gives it loaders over the study's price sources.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from ..plan.calendars import CRYPTO_CALENDAR, TradingCalendar, get_calendar
from .check import check_claims
from .subjects import claim_subject, measurement_symbols, name_index

LoadDaily = Callable[[list[str]], tuple[dict[str, Any], dict[str, str]]]
Load4h = Callable[[list[str]], dict[str, pd.DataFrame]]


def check_article_claims(claims: Sequence[Any], *, event_date: dt.date, studied: set[str], gazetteer: Any,
                         series: dict[str, Any], missing: dict[str, str], load_daily: LoadDaily,
                         load_4h: Load4h | None = None) -> pd.DataFrame:
    """Check an article's claims with the study's prices, loading what else they need.

    ``series`` (symbol -> :class:`~eventstudy.prices.PriceSeries`) and ``missing`` (symbol ->
    reason) are what the study already loaded; ``load_daily(symbols)`` returns more of both;
    ``load_4h(symbols)`` returns 4-hour bars (symbol -> frame) for 24/7 tokens, or is None.
    """
    idx = name_index(gazetteer)
    subjects = [claim_subject(c, gazetteer, idx) for c in claims]
    tries = {sid: measurement_symbols(sid, gazetteer) for sid, _ in subjects if sid}
    have = dict(series)
    why = dict(missing)

    def fetch(symbols: list[str]) -> None:
        want = [s for s in dict.fromkeys(symbols) if s not in have and s not in why]
        known = [s for s in want if gazetteer.get(s) is not None]
        for s in want:
            if s not in known:
                why[s] = "not in the gazetteer"
        if known:
            more, more_missing = load_daily(known)
            have.update(more)
            why.update(more_missing)

    fetch([options[0][0] for options in tries.values()])
    fetch([sym for options in tries.values() if options[0][0] not in have for sym, _ in options[1:]])

    chosen: list[tuple[str | None, str]] = []
    for sid, subject_note in subjects:
        if sid is None:
            chosen.append((None, subject_note))
            continue
        options = tries[sid]
        sym, note = next(((s, n) for s, n in options if s in have), options[0])
        chosen.append((sym, "; ".join(x for x in (subject_note, note) if x)))

    symbols = [s for s, _ in chosen if s]
    calendars: dict[str, TradingCalendar] = {}
    for s in dict.fromkeys(symbols):
        ent = gazetteer.get(s)
        if ent is not None and ent.calendar:
            calendars[s] = get_calendar(ent.calendar)
    daily = {s: have[s].bars for s in symbols if s in have}
    crypto = [s for s in dict.fromkeys(symbols) if s in daily and getattr(calendars.get(s), "name", None) == CRYPTO_CALENDAR]
    intraday = load_4h(crypto) if (crypto and load_4h is not None) else {}
    return check_claims(claims, event_date=event_date, studied=studied, calendars=calendars, daily=daily,
                        intraday=intraday, missing=why, subjects=chosen)
