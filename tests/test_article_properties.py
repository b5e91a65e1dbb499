"""Property-based tests: arbitrary text never crashes the extractor, and its output stays consistent."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventstudy.article import Extraction, extract_events
from eventstudy.article.model import HORIZONS
from eventstudy.article.numbers import find_money, find_percents, parse_number
from eventstudy.errors import ArticleError

# Pieces of real articles, so that random texts reach deep into the extractor.
FRAGMENTS = [
    "Oracle", "Arm", "arm", "ARC", "VIRTUAL", "Virtual", "PIPPIN", "$ORCL", "$FOO", "(NYSE: ARC)", "SoftBank",
    "OpenAI", "Stargate", "le secteur des Agents d'IA", "the AI-agent sector", "a grimpé de", "jumped nearly",
    "fell", "baisse de", "10,47 %", "+104,82 %", "(ORCL+7.18%)", "7.5%", "−3 %", "500 milliards de dollars",
    "$100-billion", "$500bn", "200 milliards", "100 000", "le 21 janvier", "mardi", "hier", "yesterday",
    "on Wednesday", "la semaine dernière", "en décembre 2024", "January 21, 2025", "2025-01-22", "à 16h30",
    "at 4:30 p.m. ET", "avant l'ouverture", "after hours", "sur 24 heures", "selon SoSoValue", "Par ailleurs,",
    "a annoncé", "announced", "joint venture", "rachat", "tokens TRUMP et MELANIA", "Acme Inc.", "le titre",
    "revenus", ".", ",", ":", ";", "\n", " ", "«", "»", "’", "\u00a0", "published: 2025-01-23\n", "%", "$", "(",
]

_settings = settings(max_examples=120, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def _check(x: Extraction) -> None:
    json.dumps(x.to_dict(), ensure_ascii=False)
    for claim in x.claims:
        assert claim.horizon is None or claim.horizon in HORIZONS
        assert claim.scope in ("security", "sector")
        assert claim.sentence and claim.percent == claim.percent  # not NaN
    for entity in x.entities:
        assert entity.unmapped == (entity.gazetteer_id is None)
        if entity.unmapped:
            assert entity.ticker is None and entity.asset_class is None
    for amount in x.amounts:
        assert amount.value >= 0 and (amount.usd is None) == (amount.currency != "USD")
    if x.events:
        assert x.primary is x.events[0] and x.primary.primary


def _run(text: str, published: dt.date | None = None) -> None:
    try:
        result = extract_events(text, published=published)
    except ArticleError as exc:
        assert str(exc)
        return
    _check(result)


@_settings
@given(st.text(max_size=400))
def test_arbitrary_text_never_crashes(text):
    _run(text)


@_settings
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40), st.one_of(st.none(), st.dates()))
def test_article_like_text_never_crashes(pieces, published):
    _run(" ".join(pieces), published)


@_settings
@given(st.text(alphabet="0123456789 ,.+-−%$€kKMB milliardsbnde", max_size=60), st.sampled_from(["en", "fr"]))
def test_number_finders_never_crash(text, language):
    for p in find_percents(text, language):
        assert p.start < p.end
    for m in find_money(text, language):
        assert m.value >= 0


@settings(database=None)
@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_french_and_english_forms_parse_to_the_same_number(value):
    english = f"{value:,.2f}"
    french = english.replace(",", " ").replace(".", ",")
    assert parse_number(english, "en") == parse_number(french, "fr") == float(value)
