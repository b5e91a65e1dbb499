"""The quality bar of issue 5 on the seed article (seeds/stargate-techflow-fr.txt)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from eventstudy.article import Extraction, extract_events, read_article
from tests.conftest import ROOT

SEED = ROOT / "seeds" / "stargate-techflow-fr.txt"


@pytest.fixture(scope="module")
def seed() -> Extraction:
    article = read_article(SEED)
    return extract_events(article.text, published=article.published, source=str(SEED))


def _claim(extraction: Extraction, name: str):
    matches = [c for c in extraction.primary.claims if c.ticker == name or c.sector == name]
    assert len(matches) == 1, (name, matches)
    return matches[0]


def test_language_and_date_rule(seed):
    assert seed.language == "fr"
    assert seed.published is None
    # no publication date: year-less dates are placed against the latest explicit date ("décembre 2024")
    assert "no publication date" in seed.date_rule and "décembre 2024" in seed.date_rule
    assert seed.anchor == dt.date(2024, 12, 1)


def test_the_stargate_event_on_21_january_2025(seed):
    ev = seed.primary
    assert ev.date == dt.date(2025, 1, 21)
    assert "21 janvier" in ev.sentence and ev.sentence.startswith("Le 21 janvier")
    assert ev.name == "Stargate joint venture announcement" and ev.kind == "joint_venture"
    assert ev.date_precision == "day" and ev.primary
    assert ev.time is None and ev.timezone is None  # the article gives no clock time


def test_secondary_event_is_sons_december_pledge(seed):
    assert len(seed.events) == 2
    second = seed.events[1]
    assert second.date == dt.date(2024, 12, 1) and second.date_precision == "month"
    assert "décembre 2024" in second.sentence and not second.primary
    assert [a.usd for a in second.amounts] == [100e9]


@pytest.mark.parametrize("name, ticker, gazetteer_id, asset_class, exchange", [
    ("SoftBank", "9984", "9984.T", "equity", "TSE"),
    ("OpenAI", None, "OPENAI", "private", None),
    ("Oracle", "ORCL", "ORCL", "equity", "NYSE"),
    ("MGX", None, "MGX", "private", None),
    ("Microsoft", "MSFT", "MSFT", "equity", "NASDAQ"),
    ("Arm", "ARM", "ARM", "equity", "NASDAQ"),
    ("NVIDIA", "NVDA", "NVDA", "equity", "NASDAQ"),
    ("Stargate", None, "STARGATE", "project", None),
    ("PIPPIN", "PIPPIN", "PIPPIN", "crypto", "Binance USDT perpetual"),
    ("ARC", "ARC", "ARC", "crypto", "Binance USDT perpetual"),
    ("AI16Z", "AI16Z", "AI16Z", "crypto", "Solana DEX"),
    ("VIRTUAL", "VIRTUAL", "VIRTUAL", "crypto", "Bybit USDT perpetual"),
])
def test_entities_with_the_right_tickers(seed, name, ticker, gazetteer_id, asset_class, exchange):
    entity = next(e for e in seed.primary.entities if e.gazetteer_id == gazetteer_id)
    assert (entity.name, entity.ticker, entity.asset_class, entity.exchange) == (name, ticker, asset_class, exchange)
    assert not entity.unmapped


def test_roles_given_by_the_text(seed):
    roles = {e.gazetteer_id: set(e.roles) for e in seed.primary.entities}
    assert {"funder", "lead partner"} <= roles["9984.T"]
    assert {"funder", "lead partner", "operator"} <= roles["OPENAI"]
    assert {"funder", "technology partner"} <= roles["ORCL"]
    assert roles["MGX"] == {"funder"}
    for tech in ("MSFT", "ARM", "NVDA"):
        assert roles[tech] == {"technology partner"}
    assert roles["STARGATE"] == set()


def test_ambiguous_names_record_their_resolution(seed):
    by_id = {e.gazetteer_id: e for e in seed.primary.entities}
    assert "ordinary word" in by_id["ARM"].resolution and "Arm Holdings" in by_id["ARM"].resolution
    assert "ordinary word" in by_id["ORCL"].resolution
    arc = by_id["ARC"].resolution
    assert "AI Rig Complex" in arc and "ARC Document Solutions" in arc and "read as AI Rig Complex" in arc
    assert by_id["ARC"].candidates == ("ARC", "ARC-DOC")
    assert "Virtuals Protocol" in by_id["VIRTUAL"].resolution


def test_unmapped_names_are_reported_not_dropped(seed):
    unmapped = {e.name: e for e in seed.primary.entities if e.unmapped}
    assert {"MELANIA", "SoSoValue", "McKinsey", "Dune Analytics", "Fox News"} <= set(unmapped)
    for e in unmapped.values():
        assert e.ticker is None and e.gazetteer_id is None and e.asset_class is None
    assert unmapped["MELANIA"].kind_hint == "crypto token"
    # "les tokens TRUMP et MELANIA": TRUMP (Official Trump) is in the universe's crypto layer; MELANIA is not
    trump = next(e for e in seed.primary.entities if e.name == "TRUMP")
    assert trump.gazetteer_id == "TRUMP" and trump.asset_class == "crypto"
    assert unmapped["SoSoValue"].role == "source"
    # "Trump" the person is never taken for the TRUMP token
    assert sum(e.name.lower() == "trump" for e in seed.primary.entities) == 1


@pytest.mark.parametrize("ticker, percent, approximate", [
    ("ORCL", 7.0, True),
    ("NVDA", 2.3, False),
    ("ARM", 4.1, False),
])
def test_equity_claims(seed, ticker, percent, approximate):
    claim = _claim(seed, ticker)
    assert claim.percent == pytest.approx(percent)
    assert claim.approximate is approximate
    assert claim.horizon is None and claim.date is None  # "Après l'annonce de Stargate": no horizon or date given
    assert claim.scope == "security" and claim.asset_class == "equity"
    assert "Après l'annonce de Stargate" in claim.sentence.replace("’", "'")


@pytest.mark.parametrize("ticker, percent", [
    ("PIPPIN", 104.82), ("ARC", 44.63), ("AI16Z", 30.17), ("VIRTUAL", 11.95),
])
def test_token_claims_are_24h_moves_per_sosovalue_on_22_january(seed, ticker, percent):
    claim = _claim(seed, ticker)
    assert claim.percent == pytest.approx(percent)
    assert (claim.horizon, claim.date, claim.source_attribution) == ("24h", dt.date(2025, 1, 22), "SoSoValue")
    assert claim.asset_class == "crypto" and not claim.approximate


def test_virtual_claim_says_its_context_was_carried_over(seed):
    assert "Par ailleurs" in _claim(seed, "VIRTUAL").note


def test_ai_agent_sector_claim(seed):
    claim = _claim(seed, "Agents d’IA")
    assert claim.ticker is None and claim.scope == "sector"
    assert claim.percent == pytest.approx(10.47)
    assert (claim.horizon, claim.date, claim.source_attribution) == ("24h", dt.date(2025, 1, 22), "SoSoValue")


def test_ai_token_capitalisation_drop_on_20_january(seed):
    claim = _claim(seed, "jetons d’IA")
    assert claim.percent == pytest.approx(-10.0) and claim.scope == "sector"
    assert claim.date == dt.date(2025, 1, 20) and claim.horizon == "1d"


def test_revenue_fall_is_not_a_price_claim(seed):
    assert all(abs(c.percent) != 99 for c in seed.claims)
    assert any("'99 %'" in n and "revenus" in n for n in seed.notes)


def test_claims_in_article_order(seed):
    assert [c.ticker or c.sector for c in seed.claims] == [
        "ORCL", "NVDA", "ARM", "Agents d’IA", "PIPPIN", "ARC", "AI16Z", "VIRTUAL", "jetons d’IA"]


def test_amounts_in_usd(seed):
    usd = [a.usd for a in seed.amounts]
    assert usd == [500e9, 100e9, 500e9, 100e9, 200e9, 250e9, 500e9, 150e9, 175e9]
    more_than = next(a for a in seed.amounts if a.qualifier == "plus de")
    assert more_than.usd == 500e9 and more_than.approximate
    inferred = next(a for a in seed.amounts if a.currency_inferred)
    assert inferred.text == "200 milliards" and inferred.currency == "USD"
    assert {100e9, 500e9} <= {a.usd for a in seed.primary.amounts}


def test_to_dict_is_json_safe(seed):
    data = json.loads(json.dumps(seed.to_dict(), ensure_ascii=False))
    assert data["events"][0]["date"] == "2025-01-21"
    assert data["events"][0]["claims"][0]["ticker"] == "ORCL"
