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


# --- attribution rules on sentence shapes of real articles (issue #9); names from the universe -------

P = dt.date(2025, 3, 27)


def _c(text: str) -> list[tuple]:
    return [(c.ticker, c.percent) for c in extract_events(text, published=P).claims]


@pytest.mark.parametrize("text, expected", [
    # a list of moves: each figure to its own name, the verb shared
    ("Toyota rose 1.14%, Honda 0.79% and Nissan Motor 2.96%.",
     [("7203.T", 1.14), ("7267.T", 0.79), ("7201.T", 2.96)]),
    ("Kering cède 2,96 %, L'Oréal 2,54 % et Hermès 2,06 %.", [("KER.PA", -2.96), ("OR.PA", -2.54), ("RMS.PA", -2.06)]),
    # a name the gazetteer lacks is an unmapped claim, never the previous name's
    ("Vallourec plongeait de 24,9%, CGG s'effondrait de 34,7% et Acme Widgets laissait 19,3%.",
     [("VK.PA", -24.9), ("VIRI.PA", -34.7), (None, -19.3)]),
    # "respectively", with a descriptor between the names
    ("Lloyds Banking Group and HSBC lost 3.3% and 12.8%, respectively.", [("LLOY.L", -3.3), ("HSBA.L", -12.8)]),
    ("Its smaller rivals Honda and Nissan were up 0.37 percent at 3,269 yen and up 0.96 percent at 460.7 yen, "
     "respectively.", [("7267.T", 0.37), ("7201.T", 0.96)]),
    # joint subjects: one claim each; a range shared by three names is its midpoint
    ("Toutes les banques ont été secouées, BNP Paribas et Société Générale perdant plus de 10 %.",
     [("BNP.PA", -10.0), ("GLE.PA", -10.0)]),
    ("Toyota and Honda both fell by about 2%.", [("7203.T", -2.0), ("7267.T", -2.0)]),
    ("Dogecoin, XRP et Cardano baissent de 28 %.", [("DOGE", -28.0), ("XRP", -28.0), ("ADA", -28.0)]),
    ("Shares of Mitsubishi, Nissan and Honda fell between 11 and 15 percent.",
     [("8058.T", -13.0), ("7201.T", -13.0), ("7267.T", -13.0)]),
    # a complement is not the subject; no list without a conjunction
    ("Lanterne rouge du CAC 40, LVMH a reculé de 3,64 %.", [("MC.PA", -3.64)]),
    ("Deutsche Bank a fini dernière du Dax, en baisse de 5,07 %.", [("DBK.DE", -5.07)]),
    ("Deutsche Bank a fermé la marche du Dax (-5,07 % à 14,05 euros).", [("DBK.DE", -5.07)]),
    ("Nvidia a même terminé devant Apple (+0,78 %).", [("AAPL", 0.78)]),
    # each clause its subject; a name with its symbol is one subject
    ("Facebook's stock gained 1.3 percent, while Google's shares on the German market slipped 0.1 percent.",
     [("FB", 1.3), ("GOOGL", -0.1)]),
    ("Ciena (NYSE: CIEN) saw its shares drop 10.2% by 11:55 a.m. ET.", [("CIEN", -10.2)]),
    ("Mardi matin, la Bourse de Francfort cédait du terrain, tandis que Volkswagen perdait plus de 3 %.",
     [("VOW3.DE", -3.0)]),
    # a market place is its benchmark index
    ("Mercredi, la Bourse de Paris a perdu 0,84 %.", [("FCHI", -0.84)]),
    # signs
    ("Le CAC 40 avance de 0,3 %.", [("FCHI", 0.3)]),
    ("Worldline, qui avait vu son cours fondre de près de 60 % mercredi, a regagné 13,11 %.",
     [("WLN.PA", -60.0), ("WLN.PA", 13.11)]),
    ("Extreme Networks fell 15% today; shareholders still sit on a 31% gain year to date.",
     [("EXTR", -15.0), ("EXTR", 31.0)]),
    # French with a decimal point; "Bitcoin Cash/BCH" is not Bitcoin
    ("Le bitcoin a fondu de 21.34 % en une semaine.", [("BTC", -21.34)]),
    ("Le Binance Coin/BNB (-27.01 %) et le Bitcoin Cash/BCH (-25.78 %) suivent.", [("BNB", -27.01), ("BCH", -25.78)]),
])
def test_each_move_goes_to_its_own_subject(text, expected):
    assert _c(text) == expected


@pytest.mark.parametrize("text, expected", [
    # words that refer back
    ("LVMH a reculé de 3,64 %. Depuis lundi, le titre a abandonné plus de 5,7 %, et il a chuté de 18 % depuis le "
     "14 juillet.", [("MC.PA", -3.64), ("MC.PA", -5.7), ("MC.PA", -18.0)]),
    ("Mercredi, le CAC 40 a perdu 0,84 %. La veille, l'indice avait déjà cédé 0,34 %.",
     [("FCHI", -0.84), ("FCHI", -0.34)]),
    ("Tesla edged up 0.4%. The stock is still down more than 30% this year.", [("TSLA", 0.4), ("TSLA", -30.0)]),
    # "the banking index" is another index: a sector figure, not the FTSE 100's
    ("HSBC fell 5.4%. The banking index as a whole fell 3.7%.", [("HSBA.L", -5.4), (None, -3.7)]),
])
def test_words_that_refer_back(text, expected):
    assert _c(text) == expected


@pytest.mark.parametrize("text", [
    "President Donald Trump said he will impose 25% tariffs on imported cars.",
    "Billings climbed 17% to $998.9 million and deferred revenue rose 27% to $3.2 billion.",
    "Analysts had expectations for a 12 percent drop in Apple's earnings.",
    "About 40% of the vehicles GM sells in the US come from Mexico and Canada.",
    "Merck will pay $200 a share in cash, a 45% premium to the last close.",
    "L'économie chinoise a progressé de 4,7 % sur un an, contre 5,3 % au premier trimestre.",
    "ThyssenKrupp a annoncé racheter les 26,87 % que son partenaire Vale détenait dans leur aciérie.",
    "Ces quatre sociétés pèsent environ 11 % de la capitalisation du CAC 40.",
    "Greggs posted a 9.6% rise in like-for-like sales.",
    "The price tag for the buyout is roughly 75% higher than Prometheus's last close.",
])
def test_only_price_moves_are_claims(text):
    x = extract_events(text, published=P)
    assert [c for c in x.claims if c.ticker is not None] == []


@pytest.mark.parametrize("text, expected", [
    ("The S&P 500 closed down 0.56% on Tuesday.", "1d"),
    ("Microsoft fell 2% to close at $420.", "1d"),
    ("Le S&P 500 (+1,18 %) et le Nasdaq (+1,96 %) ont clôturé à des sommets historiques.", "1d"),
    ("Autour de 10h00, le CAC 40 recule de 0,5 %.", "intraday"),
    ("In mid-afternoon trading, Apple was up 1.2%.", "intraday"),
    ("Nvidia shares dropped as much as 21% on Wednesday.", "intraday"),
    ("Arm gained 1.5% after hours on Wednesday.", "after_hours"),
    ("Prometheus shares had soared 70% this week.", "1w"),
    ("Resonant's stock has lost 35.1% over the past 12 months.", "1y"),
    ("Extreme Networks has gained 54% over the last six months.", None),
])
def test_horizons(text, expected):
    x = extract_events(text, published=P)
    assert x.claims and {c.horizon for c in x.claims} == {expected}


def test_headline_words_do_not_reach_the_body():
    x = extract_events("Le CAC 40 termine en baisse\n\nVers 13h00, le CAC 40 cède 1,38 %.", published=P)
    assert [(c.ticker, c.horizon) for c in x.claims] == [("FCHI", "intraday")]


def test_a_long_market_wrap_gives_one_claim_per_move_in_linear_work():
    """A 22 KB run of 1,200 moves in one sentence (the issue's fault case): every move to its own name.
    Work is bounded per sentence (``text.MAX_SENTENCE_CHARS``), so this takes about a second, not minutes."""
    names = ["Nvidia", "Microsoft", "Oracle", "Apple", "Amazon", "Meta"]
    moves = [(names[i % 6], (1 + i % 50) + (i % 10) / 10, -1 if i % 2 == 0 else 1) for i in range(1200)]
    text = "Market wrap: " + ", ".join(f"{n} {'rose' if s > 0 else 'fell'} {v}%" for n, v, s in moves) + "."
    x = extract_events(text)
    assert [(c.name, c.percent) for c in x.claims] == [(n, s * v) for n, v, s in moves]


def test_a_quote_box_beside_the_name_is_not_the_move_told():
    x = extract_events("Shares of communications equipment company Ciena (CIEN -0.48%) tumbled 10.2% through 11:55 "
                       "a.m. ET on Tuesday.", published=P)
    assert [c.percent for c in x.claims] == [-10.2]
    assert any("quote box" in n for n in x.notes)
    assert [(c.ticker, c.percent) for c in extract_events("Oracle (ORCL+7.18%) led the gains.").claims] == [
        ("ORCL", 7.18)]


@pytest.mark.parametrize("text", [
    "Selon Bloomberg, Siemens réfléchit à céder sa part restante (17%) dans Osram.",
    "BMW a pour sa part reculé de 4,94 %.",
])
def test_a_stake_is_not_a_move_but_pour_sa_part_is_no_stake(text):
    got = [(c.ticker, c.percent) for c in extract_events(text, published=P).claims]
    assert got == ([("BMW.DE", -4.94)] if "BMW" in text else [])
