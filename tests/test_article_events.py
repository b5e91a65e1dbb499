"""Event kinds and names (eventstudy.article.events, .moves): launches need something launched, and a
sell-off or rally set off by news is an event."""

from __future__ import annotations

import datetime as dt

import pytest

from eventstudy.article import extract_events
from eventstudy.article.moves import find_market_move

PUBLISHED = dt.date(2025, 1, 28)  # a Tuesday
MON, TUE = dt.date(2025, 1, 27), dt.date(2025, 1, 28)


def _events(text: str) -> list[tuple]:
    return [(e.kind, e.name, e.date) for e in extract_events(text, published=PUBLISHED).events]


@pytest.mark.parametrize("text, expected", [
    # market moves set off by news
    ("Chip stocks tumbled on Monday after DeepSeek said its R1 model was cheap to train.",
     [("sell_off", "Market sell-off after DeepSeek announcement", MON)]),
    ("Nvidia plunged 17% on Monday after DeepSeek launched its R1 reasoning model.",
     [("sell_off", "Nvidia sell-off after DeepSeek launch", MON)]),
    ("Stocks tumbled on Monday after Trump announced new tariffs on Chinese goods.",
     [("sell_off", "Market sell-off after Trump policy announcement", MON)]),
    ("Le CAC 40 s'envole mardi après l'annonce de la BCE.", [("rally", "CAC 40 rally after BCE announcement", TUE)]),
    ("Bitcoin dégringole lundi après les propos de Jerome Powell.",
     [("sell_off", "Bitcoin sell-off after Jerome Powell remarks", MON)]),
    ("Les valeurs technologiques ont chuté lundi après l'annonce de DeepSeek.",
     [("sell_off", "Market sell-off after DeepSeek announcement", MON)]),
    # results set the kind even when the market reacts to them
    ("Oracle soared 10% on Tuesday after it reported quarterly results.",
     [("earnings", "Oracle earnings release", TUE)]),
    # launches need something launched, and are named after who launches what
    ("DeepSeek launched its R1 reasoning model on January 20.", [("launch", "DeepSeek R1 launch", dt.date(2025, 1, 20))]),
    ("Le 20 janvier, DeepSeek a lancé son nouveau modèle R1.", [("launch", "DeepSeek R1 launch", dt.date(2025, 1, 20))]),
    ("Nvidia launched its Blackwell chips on Monday.", [("launch", "Nvidia Blackwell launch", MON)]),
    ("The R1 model was released on January 20.", [("launch", "R1 launch", dt.date(2025, 1, 20))]),
    ("Nvidia released a statement on Monday.", [("announcement", "Nvidia announcement", MON)]),
])
def test_event_kinds_and_names(text, expected):
    assert _events(text) == expected


@pytest.mark.parametrize("text", [
    "Nvidia shares launched higher on Monday.",          # a move, not a launch, and no news behind it
    "Regulators launched a probe into Nvidia on Monday.",
    "Les valeurs technologiques se lancent dans une course lundi.",
    "Nvidia shares rose 3% on Monday.",                  # a move without its cause is a claim, not an event
    "Arm gained another 1.5% after hours on Wednesday.",  # "after hours" is no news
])
def test_no_event_without_a_trigger(text):
    assert _events(text) == []


def test_the_news_a_market_reacts_to_is_the_event_when_the_text_dates_it():
    """'rallied on Wednesday, a day after the Stargate announcement of January 21': the announcement."""
    x = extract_events("Crypto tokens rallied on Wednesday, a day after the Stargate announcement of January 21.",
                       published=dt.date(2025, 1, 22))
    assert [(e.kind, e.date) for e in x.events] == [("announcement", dt.date(2025, 1, 21))]


def test_find_market_move_spans():
    text = "Chip stocks tumbled on Monday after DeepSeek said its costs fell."
    move = find_market_move(text)
    assert move.kind == "sell_off" and text[move.start:move.end] == "tumbled"
    assert text[move.cause_start:move.cause_end] == "after DeepSeek said its costs fell."
    fronted = "Après l'annonce de Stargate, le cours d'Oracle a grimpé d'environ 7 %."
    move = find_market_move(fronted)
    assert move.kind == "rally" and fronted[move.cause_start:move.cause_end] == "Après l'annonce de Stargate"
    assert find_market_move("DeepSeek rout wipes $589 billion off Nvidia").kind == "sell_off"
    assert find_market_move("Oracle rose 7% after the close.") is None


def test_selling_off_a_stake_is_not_a_market_sell_off():
    assert find_market_move("The group confirmed the sell-off of its UK unit on Monday.") is None
