"""The extractor on our own test articles (tests/articles/), French and English, text and HTML."""

from __future__ import annotations

import datetime as dt

import pytest

from eventstudy.article import Extraction, extract_events, read_article
from eventstudy.reference.gazetteer import Gazetteer
from tests.conftest import ROOT

ARTICLES = ROOT / "tests" / "articles"


def _extract(name: str, *extra_gazetteer: str) -> Extraction:
    article = read_article(ARTICLES / name)
    gazetteer = Gazetteer.load([ARTICLES / g for g in extra_gazetteer]) if extra_gazetteer else None
    return extract_events(article.text, published=article.published, source=name, gazetteer=gazetteer)


def _claims(extraction: Extraction) -> list[tuple]:
    return [(c.ticker, c.percent, c.horizon, c.date, c.approximate) for c in extraction.claims]


@pytest.fixture(scope="module")
def stargate_en() -> Extraction:
    return _extract("stargate-en.txt")


def test_english_event_with_clock_time_and_session_word(stargate_en):
    ev = stargate_en.primary
    assert stargate_en.language == "en" and stargate_en.published == dt.date(2025, 1, 23)
    # announced "on Tuesday" at 4:30 p.m. ET after the close; the market moved "yesterday" (published
    # Thursday 23 January): day 0 is the session of the move, the news keeps its own date
    assert ev.date == dt.date(2025, 1, 22) and ev.date_basis == "move"
    assert ev.news_date == dt.date(2025, 1, 21)
    assert ev.date_text == "yesterday"
    assert ev.time is None and ev.timing == "yesterday"  # the news's 4:30 p.m. is not the move's time
    assert ev.name == "Stargate joint venture announcement"
    assert "publication date 2025-01-23" in stargate_en.date_rule


def test_english_claim_forms(stargate_en):
    d22, d23 = dt.date(2025, 1, 22), dt.date(2025, 1, 23)
    assert _claims(stargate_en) == [
        ("ORCL", 7.18, "1d", d22, False),      # "(ORCL+7.18%)", "yesterday"
        ("NVDA", 2.4, "1d", d22, False),       # "up 2.4%"
        ("ARM", 9.0, "1d", d22, True),         # "jumped nearly 9%"
        ("9984.T", 10.6, "1d", d22, False),    # the main move's day, from the sentence before
        ("ORCL", -0.8, "premarket", d23, False),
        ("ARM", 1.5, "after_hours", d22, False),
    ]


def test_english_amounts(stargate_en):
    assert [(a.text, a.usd, a.approximate) for a in stargate_en.amounts] == [
        ("$500bn", 500e9, False), ("$100-billion", 100e9, False), ("$500bn", 500e9, True)]


def test_english_roles_and_ordinary_words(stargate_en):
    roles = {e.gazetteer_id: e.roles for e in stargate_en.primary.entities}
    assert roles["9984.T"] == ("funder",) and roles["OPENAI"] == ("operator",) and roles["MGX"] == ("funder",)
    assert {roles[t] for t in ("ARM", "MSFT", "NVDA", "ORCL")} == {("technology partner",)}
    arm = next(e for e in stargate_en.primary.entities if e.gazetteer_id == "ARM")
    # "Arm, ...", "Arm Holdings", "Arm gained": not "a shot in the arm"
    assert arm.mentions == 3
    orcl = next(e for e in stargate_en.primary.entities if e.gazetteer_id == "ORCL")
    assert orcl.mentions == 6  # headline, 2 in lists, "Oracle (ORCL+...)" twice, "Oracle slipped": not "the oracle of"


def test_arc_read_as_arc_document_solutions():
    x = _extract("arc-document-solutions-en.txt")
    ev = x.primary
    assert ev.kind == "acquisition" and ev.date == dt.date(2024, 8, 27) and ev.timing == "on Tuesday"
    arc = [e for e in ev.entities if e.ticker == "ARC"]
    assert len(arc) == 1 and arc[0].gazetteer_id == "ARC-DOC" and arc[0].exchange == "NYSE"
    assert _claims(x) == [("ARC-DOC", 18.0, "1d", None, False)]
    assert [a.usd for a in x.amounts] == [85e6]


@pytest.fixture(scope="module")
def tokens_html() -> Extraction:
    return _extract("ai-agent-tokens-en.html")


def test_html_article_metadata_and_event(tokens_html):
    assert tokens_html.published == dt.date(2025, 1, 22)  # from <meta article:published_time>
    assert tokens_html.title == "AI-agent tokens rally after Stargate"
    ev = tokens_html.primary
    # the tokens "rallied on Wednesday, a day after the Stargate announcement of January 21": day 0 is
    # the day of the move, the announcement names the event and keeps its date
    assert (ev.date, ev.news_date, ev.date_basis) == (dt.date(2025, 1, 22), dt.date(2025, 1, 21), "move")
    assert ev.name == "Stargate announcement"
    assert len(tokens_html.events) == 1


def test_html_claims_tokens_sector_and_unmapped_cashtag(tokens_html):
    got = [(c.ticker, c.name, c.percent, c.horizon, c.scope, c.source_attribution) for c in tokens_html.claims]
    assert got == [
        (None, "AI-agent sector", 10.5, "24h", "sector", "CoinGecko"),
        ("VIRTUAL", "VIRTUAL", 12.0, "24h", "security", "CoinGecko"),
        ("ARC", "ARC", 44.6, "24h", "security", "CoinGecko"),
        ("AI16Z", "$AI16Z", 30.2, "24h", "security", "CoinGecko"),
        (None, "$GRIFFAIN", 25.0, "24h", "security", "CoinGecko"),
        ("BTC", "Bitcoin", -1.2, "24h", "security", None),  # "in the same period", on the move's day
    ]
    assert tokens_html.claims[0].sector == "AI-agent"
    griffain = next(e for e in tokens_html.entities if e.name == "$GRIFFAIN")
    assert griffain.unmapped and griffain.ticker is None and griffain.kind_hint == "ticker"


def test_html_virtual_the_adjective_is_not_the_token(tokens_html):
    virtual = next(e for e in tokens_html.entities if e.gazetteer_id == "VIRTUAL")
    assert virtual.mentions == 2  # "Virtuals Protocol's VIRTUAL token", not "Virtual meetings ..."
    assert any("'Virtual'" in n and "ordinary word" in n for n in tokens_html.notes)
    # nothing from the page's script, navigation or footer
    assert all("50" not in c.text for c in tokens_html.claims)


@pytest.fixture(scope="module")
def oracle_fr() -> Extraction:
    return _extract("oracle-resultats-fr.txt")


def test_french_event_relative_day_and_paris_time(oracle_fr):
    ev = oracle_fr.primary
    assert oracle_fr.language == "fr"
    assert ev.date == dt.date(2025, 3, 11) and ev.date_text == "mardi"  # published Thursday 13 March
    assert ev.kind == "earnings" and ev.name == "Oracle earnings release"
    assert ev.time == dt.time(22, 5) and ev.timezone == "Europe/Paris" and ev.timing == "after_close"


def test_french_claim_forms_and_horizons(oracle_fr):
    d12 = dt.date(2025, 3, 12)
    assert _claims(oracle_fr) == [
        ("ORCL", 9.5, "after_hours", None, True),   # "d'environ 9,5 %"
        ("ORCL", -3.2, "intraday", d12, False),     # "reculer hier de 3,2 % en séance"
        ("FCHI", -0.4, "1d", d12, False),           # "Le CAC 40 a cédé 0,4 % mercredi"
        ("NVDA", -1.1, "premarket", d12, False),    # "avant l'ouverture"
        ("ORCL", 4.3, "1w", None, False),           # "le titre ... +4,3 % sur la semaine"
        ("ORCL", -12.0, "ytd", None, False),        # "repli de −12 %"
    ]
    assert "le titre" in oracle_fr.claims[4].note


def test_french_backlog_growth_is_not_a_price_move(oracle_fr):
    assert all(c.percent != 63 for c in oracle_fr.claims)
    assert any("carnet de commandes" in n for n in oracle_fr.notes)


def test_french_amounts_and_numbers(oracle_fr):
    got = [(a.text, a.value, a.currency, a.usd) for a in oracle_fr.amounts]
    assert got == [
        ("130 milliards de dollars", 130e9, "USD", 130e9),
        ("1,5 milliard de dollars", 1.5e9, "USD", 1.5e9),
        ("3 Md$", 3e9, "USD", 3e9),
        ("500 millions d'euros", 500e6, "EUR", None),  # no exchange rate offline
    ]


def test_french_lowercase_oracle_is_not_the_company(oracle_fr):
    orcl = next(e for e in oracle_fr.entities if e.gazetteer_id == "ORCL")
    assert orcl.mentions == 4  # headline, "Oracle a publié", "l'action Oracle", "Oracle n'est pas l'oracle de Delphes"


def test_latin1_article_is_detected_and_read():
    article = read_article(ARTICLES / "stargate-latin1-fr.txt")
    assert article.encoding == "cp1252" and "not UTF-8" in article.notes[0]
    assert "coentreprise d’OpenAI" in article.text
    x = extract_events(article.text, published=article.published)
    assert x.primary.date == dt.date(2025, 1, 21) and x.primary.timing == "Mardi"
    assert _claims(x) == [("ORCL", 7.2, None, None, False), ("9984.T", 10.6, None, None, False)]


def test_user_gazetteer_maps_the_firms_and_roles():
    x = _extract("northwind-acquisition-en.txt", "user-gazetteer.toml")
    ev = x.primary
    assert ev.kind == "acquisition" and ev.name == "Northwind Robotics acquisition announcement"
    assert ev.date == dt.date(2025, 2, 3)
    assert (ev.time, ev.timezone, ev.timing) == (dt.time(7, 0), "America/New_York", "before_open")
    roles = {e.gazetteer_id: e.roles for e in ev.entities if e.gazetteer_id}
    assert roles["NWRB"] == ("acquirer",) and roles["CONTOSO"] == ("target",)
    assert _claims(x) == [("NWRB", -4.0, "premarket", None, False), (None, 2.0, "premarket", None, False),
                          ("IXIC", 0.5, "1d", None, False)]
    assert x.claims[1].name == "Fabrikam Inc."
    assert [a.usd for a in x.amounts] == [2.1e9, 2.1e9]


def test_without_the_user_gazetteer_the_firms_are_unmapped_not_dropped():
    x = _extract("northwind-acquisition-en.txt")
    unmapped = {e.name: e for e in x.entities if e.unmapped}
    assert {"Northwind Robotics", "Contoso Labs", "NWRB", "Fabrikam Inc."} <= set(unmapped)
    assert unmapped["NWRB"].exchange == "NASDAQ"
    assert unmapped["Northwind Robotics"].mentions == 3  # "Northwind shares fell 4%" is the same firm
    assert [(c.ticker, c.name, c.percent) for c in x.claims][:2] == [(None, "Northwind", -4.0),
                                                                      (None, "Fabrikam Inc.", 2.0)]


# --- the DeepSeek sell-off (a new user's article: hard-wrapped and on one line) -----------------

D27 = dt.date(2025, 1, 27)
DEEPSEEK_CLAIMS = [
    # ticker, percent, horizon, date, approximate
    ("NVDA", -17.0, "1d", D27, True),     # "closed down nearly 17%"
    ("ARM", -10.0, "1d", D27, True),      # "fell about 10%"
    ("SMH", -9.9, "1d", D27, False),      # "the VanEck Semiconductor ETF (SMH) dropped 9.9%"
    ("AVGO", -17.0, "1d", D27, False),    # "Broadcom lost 17%"
    ("GSPC", -1.5, "1d", D27, False),     # "The S&P 500 slipped 1.5%
    ("IXIC", -3.1, "1d", D27, False),     #  and the Nasdaq fell 3.1%": not GSPC
    ("MSFT", -2.1, "1d", D27, False),
    ("ORCL", -14.0, "1d", D27, True),     # "Oracle sank nearly 14%"
]


@pytest.fixture(scope="module", params=["deepseek-selloff-en.txt", "deepseek-selloff-oneline-en.txt"])
def deepseek(request) -> Extraction:
    return _extract(request.param)


def test_deepseek_sell_off_is_the_event(deepseek):
    ev = deepseek.primary
    assert len(deepseek.events) == 1 and deepseek.published == dt.date(2025, 1, 28)
    assert ev.kind == "sell_off" and ev.date == D27 and ev.date_precision == "day"
    assert ev.name == "Market sell-off after DeepSeek announcement"
    assert ev.sentence.startswith("Chip stocks tumbled on Monday, January 27, 2025, after the Chinese start-up")
    assert ev.sentence.endswith("of its American rivals.") and "\n" not in ev.sentence


def test_deepseek_claims_each_to_its_own_subject_with_the_event_day(deepseek):
    assert _claims(deepseek) == DEEPSEEK_CLAIMS
    nvda = deepseek.claims[0]
    assert nvda.note is not None and "carried from the sentence of the article's main move" in nvda.note
    assert not any("no security or sector" in n for n in deepseek.notes)


def test_deepseek_price_level_is_not_an_amount(deepseek):
    assert [(a.text, a.usd) for a in deepseek.amounts] == [("$589 billion", 589e9)]
    assert any("'$98,000' is a price level" in n for n in deepseek.notes)
    assert not any(c.ticker == "BTC" for c in deepseek.claims)  # "fell below $98,000" is no percent move


def test_deepseek_nasdaq_is_the_index_and_deepseek_the_private_firm(deepseek):
    by_id = {e.gazetteer_id: e for e in deepseek.entities}
    assert by_id["IXIC"].name == "Nasdaq" and by_id["IXIC"].ticker == "^IXIC"
    assert "read as Nasdaq Composite index" in by_id["IXIC"].resolution
    assert by_id["AVGO"].exchange == "NASDAQ" and by_id["DEEPSEEK"].asset_class == "private"


def test_deepseek_wrapped_and_one_line_give_the_same_extraction():
    wrapped, one_line = (_extract(n).to_dict() for n in ("deepseek-selloff-en.txt", "deepseek-selloff-oneline-en.txt"))
    for key in ("events", "claims", "amounts", "entities", "notes", "title", "published"):
        assert wrapped[key] == one_line[key], key


def test_french_sell_off_article():
    x = _extract("deepseek-selloff-fr.txt")
    ev = x.primary
    assert x.language == "fr" and len(x.events) == 1
    assert (ev.kind, ev.date, ev.date_text) == ("sell_off", D27, "lundi 27 janvier")
    assert ev.name == "Market sell-off after DeepSeek announcement"
    assert _claims(x) == [
        ("NVDA", -17.0, "1d", D27, True),    # its own sentence gives the day; "en une séance"
        ("ARM", -10.0, "1d", D27, True),     # the event's day, carried within the paragraph
        ("AVGO", -17.0, "1d", D27, False),
        ("GSPC", -1.5, "1d", D27, False),
        ("IXIC", -3.1, "1d", D27, False),    # "tandis que le Nasdaq a chuté de 3,1 %"
        ("NVDA", 8.9, "1d", dt.date(2025, 1, 28), False),  # "Mardi, ..." in another paragraph: its own day
    ]
    assert x.claims[0].note is None and "carried" in x.claims[1].note
    assert [(a.text, a.usd) for a in x.amounts] == [("589 milliards de dollars", 589e9)]
    assert any("'98 000 dollars' is a price level" in n for n in x.notes)
