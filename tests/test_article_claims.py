"""Which security a percentage belongs to, and the date of a market-move event carried to its claims
(eventstudy.article.claims)."""

from __future__ import annotations

import datetime as dt

import pytest

from eventstudy.article import extract_events
from eventstudy.reference.gazetteer import Gazetteer

MON, TUE, WED = dt.date(2025, 1, 27), dt.date(2025, 1, 28), dt.date(2025, 1, 29)


def _claims(text: str, **kwargs) -> list[tuple]:
    return [(c.ticker, c.name, c.percent) for c in extract_events(text, **kwargs).claims]


@pytest.mark.parametrize("text, expected", [
    # each percentage to the nearest subject before it in its clause, never to the previous claim's
    ("The S&P 500 slipped 1.5% and the Nasdaq fell 3.1%.", [("GSPC", "S&P 500", -1.5), ("IXIC", "Nasdaq", -3.1)]),
    ("Le S&P 500 a cédé 1,5 % et le Nasdaq a chuté de 3,1 %.", [("GSPC", "S&P 500", -1.5), ("IXIC", "Nasdaq", -3.1)]),
    ("Nvidia fell 3% and Acme Robotics rose 2%.", [("NVDA", "Nvidia", -3.0), (None, "Acme Robotics", 2.0)]),
    # names in an aside or a compound modifier are not the subject
    ("Nvidia, which supplies Microsoft, fell 3%.", [("NVDA", "Nvidia", -3.0)]),
    ("Arm, the SoftBank-owned chip designer, rose 5%.", [("ARM", "Arm", 5.0)]),
    ("Nvidia, the chipmaker that sells to Microsoft, Amazon and Oracle, fell 3%.", [("NVDA", "Nvidia", -3.0)]),
    ("Nvidia fell 3%, its worst day, while Arm, a SoftBank unit, rose 2%.", [("NVDA", "Nvidia", -3.0),
                                                                             ("ARM", "Arm", 2.0)]),
    # percentages in a row go to the names listed before them, in order
    ("Nvidia, Microsoft and Oracle fell 3%, 2% and 1% respectively.",
     [("NVDA", "Nvidia", -3.0), ("MSFT", "Microsoft", -2.0), ("ORCL", "Oracle", -1.0)]),
    ("Nvidia, Microsoft et Oracle ont reculé de 3 %, 2 % et 1 %.",
     [("NVDA", "Nvidia", -3.0), ("MSFT", "Microsoft", -2.0), ("ORCL", "Oracle", -1.0)]),
    # the same subject goes on when no other one is named ("... and 3% on Tuesday", "the stock")
    ("Microsoft rose 5% on Monday and 3% on Tuesday.", [("MSFT", "Microsoft", 5.0), ("MSFT", "Microsoft", 3.0)]),
    ("Microsoft rose 5% on Monday and the stock added 3% on Tuesday.",
     [("MSFT", "Microsoft", 5.0), ("MSFT", "Microsoft", 3.0)]),
])
def test_each_percentage_goes_to_its_own_subject(text, expected):
    assert _claims(text) == expected


def test_a_name_the_gazetteer_lacks_is_an_unmapped_claim_not_the_previous_ticker():
    without_nasdaq = Gazetteer(e for e in Gazetteer.load() if e.id != "IXIC")
    x = extract_events("The S&P 500 slipped 1.5% and the Nasdaq fell 3.1%.", gazetteer=without_nasdaq)
    assert [(c.ticker, c.name, c.percent) for c in x.claims] == [("GSPC", "S&P 500", -1.5), (None, "Nasdaq", -3.1)]
    nasdaq = next(e for e in x.entities if e.name == "Nasdaq")
    assert nasdaq.unmapped and "not in the gazetteer" in nasdaq.resolution


def test_an_unnamed_subject_is_left_unmapped_with_a_note():
    x = extract_events("The S&P 500 slipped 1.5% and the broader market fell 3.1%.")
    gspc, market = x.claims
    assert gspc.ticker == "GSPC" and (market.ticker, market.name, market.percent) == (None, "the broader market", -3.1)
    assert "not given to S&P 500" in market.note


@pytest.mark.parametrize("text", [
    "Nvidia, a Nasdaq-listed chipmaker, fell 3%.",
    "Shares of Nvidia, listed on the Nasdaq, fell 3%.",
    "Nvidia (Nasdaq: NVDA) fell 3%.",
])
def test_nasdaq_the_exchange_is_not_the_index(text):
    x = extract_events(text)
    assert [(c.ticker, c.percent) for c in x.claims] == [("NVDA", -3.0)]
    assert "IXIC" not in {e.gazetteer_id for e in x.entities}


SELL_OFF = "Chip stocks tumbled on Monday after DeepSeek said its model was cheap to train. "


@pytest.mark.parametrize("text, expected", [
    # claims after the event sentence in its paragraph take its day ("1d" when no horizon is given)
    (SELL_OFF + "Nvidia fell 17%. Microsoft lost 2%.", [("NVDA", "1d", MON), ("MSFT", "1d", MON)]),
    (SELL_OFF + "Nvidia fell 17% after hours.", [("NVDA", "after_hours", None)]),   # another session
    (SELL_OFF + "Nvidia has fallen 30% this year.", [("NVDA", "ytd", None)]),        # another horizon
    (SELL_OFF + "Nvidia fell 17%. On Wednesday, Arm rose 2%. Microsoft fell 1%.",
     [("NVDA", "1d", MON), ("ARM", "1d", WED), ("MSFT", None, None)]),            # a date of its own stops it
    (SELL_OFF + "Nvidia fell 17%. The next day Arm rose 2%.", [("NVDA", "1d", MON), ("ARM", None, None)]),
    # a later paragraph that names no other day is still the main move's day
    (SELL_OFF + "\n\nNvidia fell 17%.", [("NVDA", "1d", MON)]),
    (SELL_OFF + "\n\nOn Tuesday Nvidia fell 17%.\n\nMicrosoft rose 2%.", [("NVDA", "1d", TUE), ("MSFT", None, None)]),
    # not a market move: an announcement may be after the close, its day is not the move's
    ("Oracle announced on Monday it would build data centres. Oracle shares rose 7%.", [("ORCL", None, None)]),
    # with no dated news, an undated move is one of the publication day
    ("Oracle wants to build data centres. Oracle shares rose 7%.", [("ORCL", "1d", WED)]),
])
def test_the_day_of_the_main_move_reaches_the_undated_claims(text, expected):
    x = extract_events(text, published=WED)
    assert [(c.ticker, c.horizon, c.date) for c in x.claims] == expected
    for claim in x.claims:
        if "carried from the sentence of the article's main move" in (claim.note or ""):
            assert claim.date in (MON, WED)
        elif claim.date is None:
            assert claim.horizon in (None, "after_hours", "ytd")
