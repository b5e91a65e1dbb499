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


# --- claims: lists of moves, and hard-wrapped text ----------------------------------------------

import textwrap  # noqa: E402
from pathlib import Path  # noqa: E402

#: Names the universe links without ambiguity, with their ids.
_LISTED = {"Toyota": "7203.T", "Honda": "7267.T", "Nissan": "7201.T", "Kering": "KER.PA",
           "Hermès": "RMS.PA", "LVMH": "MC.PA", "Nvidia": "NVDA", "Microsoft": "MSFT", "Oracle": "ORCL",
           "Deutsche Bank": "DBK.DE", "Volkswagen": "VOW3.DE"}
_PUBLISHED = dt.date(2025, 3, 27)


def _figure(value: float, language: str) -> str:
    text = f"{value:g}"
    return text.replace(".", ",") + " %" if language == "fr" else text + "%"


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(sorted(_LISTED)), min_size=2, max_size=6, unique=True),
       st.lists(st.integers(min_value=1, max_value=6000), min_size=6, max_size=6),
       st.sampled_from(["en", "fr"]), st.booleans(), st.booleans())
def test_a_list_of_n_moves_gives_n_claims_to_n_subjects(names, hundredths, language, down, verb_each):
    """"A rose 1.2%, B 0.8% and C 3%" (one verb, or one per name): N figures, N claims, in order, each
    to its own name, with the list's sign."""
    values = [h / 100 for h in hundredths[:len(names)]]
    verb = {("en", False): "rose", ("en", True): "fell", ("fr", False): "gagne", ("fr", True): "recule de"}[
        (language, down)]
    parts = [f"{n} {verb} {_figure(v, language)}" if (k == 0 or verb_each) else f"{n} {_figure(v, language)}"
             for k, (n, v) in enumerate(zip(names, values))]
    joined = ", ".join(parts[:-1]) + (" and " if language == "en" else " et ") + parts[-1] + "."
    x = extract_events(joined, published=_PUBLISHED)
    sign = -1 if down else 1
    assert [(c.ticker, c.percent) for c in x.claims] == [(_LISTED[n], sign * v) for n, v in zip(names, values)]


@settings(max_examples=20, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(_LISTED)), st.sampled_from(sorted(_LISTED)), st.integers(min_value=1, max_value=900),
       st.sampled_from(["both fell", "each fell", "fell"]))
def test_joint_subjects_share_the_move(first, second, tenths, verb):
    if first == second:
        return
    x = extract_events(f"{first} and {second} {verb} {tenths / 10:g}%.", published=_PUBLISHED)
    assert [(c.ticker, c.percent) for c in x.claims] == [(_LISTED[first], -tenths / 10), (_LISTED[second], -tenths / 10)]


_CORPUS = sorted((Path(__file__).parent / "articles" / "corpus").glob("*.txt"))


def _hard_wrap(text: str, width: int) -> str:
    return "\n\n".join("\n".join(textwrap.fill(line, width) if len(line) > width else line
                                 for line in para.split("\n")) for para in text.split("\n\n"))


@settings(max_examples=12, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_CORPUS), st.integers(min_value=45, max_value=100))
def test_one_line_and_hard_wrapped_articles_give_the_same_extraction(path, width):
    from eventstudy.article import read_article

    article = read_article(path)
    one = extract_events(article.text, published=article.published)
    wrapped = extract_events(_hard_wrap(article.text, width), published=article.published)
    key = [(c.ticker, c.percent, c.horizon, c.date) for c in one.claims]
    assert [(c.ticker, c.percent, c.horizon, c.date) for c in wrapped.claims] == key
    assert (wrapped.primary.date, wrapped.primary.kind) == (one.primary.date, one.primary.kind)
