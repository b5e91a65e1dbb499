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
    "Regulators launched a probe into Nvidia on Monday.",
    "Les valeurs technologiques se lancent dans une course lundi.",
])
def test_no_event_without_a_trigger_or_a_move(text):
    assert _events(text) == []


@pytest.mark.parametrize("text, expected", [
    # a move with no news behind it is a plain market move, dated on its day (not a launch, not a sell-off)
    ("Nvidia shares launched higher on Monday.", [("market_move", "Nvidia rise", MON)]),
    ("Nvidia shares rose 3% on Monday.", [("market_move", "Nvidia rise", MON)]),
    ("Le CAC 40 a terminé en baisse de 0,38 % lundi.", [("market_move", "CAC 40 fall", MON)]),
    ("The S&P 500 closed down 0.56% on Tuesday.", [("market_move", "S&P 500 fall", TUE)]),
    # undated closing reports are those of the publication day
    ("The S&P 500 closed down 0.56%.", [("market_move", "S&P 500 fall", TUE)]),
    ("Le CAC 40 recule de 1,38 % à la mi-séance.", [("market_move", "CAC 40 fall", TUE)]),
])
def test_every_market_move_gives_a_dated_event(text, expected):
    assert _events(text) == expected
    x = extract_events(text, published=PUBLISHED)
    assert x.primary.date_basis in ("move", "publication") and "main price move" in x.date_rule


def test_an_after_hours_move_is_dated_on_its_day_with_its_session():
    x = extract_events("Arm gained another 1.5% after hours on Wednesday.", published=dt.date(2025, 1, 23))
    assert (x.primary.kind, x.primary.date, x.primary.timing) == ("market_move", dt.date(2025, 1, 22), "after_close")


def test_the_news_a_market_reacts_to_names_the_event_dated_on_the_day_of_the_move():
    """'rallied on Wednesday, a day after the Stargate announcement of January 21': the announcement,
    dated on the day the market moved (day 0 of a study), with the news's own date beside it."""
    x = extract_events("Crypto tokens rallied on Wednesday, a day after the Stargate announcement of January 21.",
                       published=dt.date(2025, 1, 22))
    assert [(e.kind, e.date, e.news_date, e.date_basis) for e in x.events] == [
        ("announcement", dt.date(2025, 1, 22), dt.date(2025, 1, 21), "move")]


@pytest.mark.parametrize("text, expected", [
    # results out on Tuesday evening, the market reacts on Wednesday: day 0 is Wednesday
    ("Mardi soir, LVMH a publié ses résultats trimestriels. Mercredi, l'action LVMH a chuté de 4 %.",
     dt.date(2025, 1, 29)),
    # the day of pricing is a reference; the first trading day is the move
    ("DoorDash priced its IPO on Tuesday. DoorDash stock climbed more than 80% on its first day yesterday.",
     dt.date(2025, 1, 28)),
    # a quarter end, a start date, an earlier launch are reference dates, not the move's day
    ("For the quarter that ended April 29, Ciena earned $0.74. Ciena shares dropped 10.2% on Tuesday.",
     dt.date(2025, 1, 28)),
    ("The tariffs take effect on February 3. GM sank 7.4% on Monday.", MON),
    ("Dimanche, Nvidia a dévoilé un nouveau processeur. Mercredi, Nvidia a gagné 5,16 %.", dt.date(2025, 1, 29)),
    ("Le Dax a chuté de 2,63 % mardi, sa plus faible clôture depuis le 13 juin.", dt.date(2025, 1, 28)),
])
def test_the_main_event_is_dated_on_the_day_of_the_move_not_a_reference_date(text, expected):
    assert extract_events(text, published=dt.date(2025, 1, 29)).primary.date == expected


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


def test_a_dateline_stands_for_a_missing_publication_date():
    x = extract_events("LONDON, Wednesday, April 15, 2015 - Shares of Yahoo rose 1.1 percent on Wednesday.")
    assert x.published == dt.date(2015, 4, 15) and x.primary.date == dt.date(2015, 4, 15)
    assert any("dateline" in n for n in x.notes)


@pytest.mark.parametrize("text, published, words", [
    # a body date with its year after publication: noted (taken as written; the study warns)
    ("Le CAC 40 a cédé 1 % le 4 mars 2031.", dt.date(2025, 1, 22), "after its publication date"),
    # a dateline a week away from the publication date
    ("TOKYO, July 2 (Reuters) - Japanese stocks rose on Friday.", dt.date(2021, 7, 9), "contradicts the publication"),
])
def test_a_body_date_that_contradicts_the_publication_date_is_noted(text, published, words):
    x = extract_events(text, published=published)
    assert any(words in n for n in x.notes), x.notes


def test_the_weekend_is_dated_to_its_last_day():
    x = extract_events("Les cryptomonnaies ont passé un mauvais week-end : le bitcoin a cédé 10 %.",
                       published=dt.date(2022, 6, 13))
    assert x.primary.date == dt.date(2022, 6, 12)


def test_every_corpus_article_gets_a_dated_main_event():
    """Every article of the scoring corpus reports a price move, so every one gets a dated main event."""
    from pathlib import Path

    from eventstudy.article import read_article

    for path in sorted((Path(__file__).parent / "articles" / "corpus").glob("*.txt")):
        article = read_article(path)
        x = extract_events(article.text, published=article.published)
        assert x.events and x.primary.date is not None, path.name
