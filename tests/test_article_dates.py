"""Date rule, relative dates and event timing (eventstudy.article.dates, .timing)."""

from __future__ import annotations

import datetime as dt

import pytest

from eventstudy.article import extract_events
from eventstudy.article.dates import resolve_dates
from eventstudy.article.text import normalise
from eventstudy.article.timing import find_session_timing, find_time


def _resolve(text: str, language: str, published: dt.date | None = None):
    res = resolve_dates(normalise(text), text, language, published)
    return res, {m.text: (m.date, m.precision, m.kind) for m in res.mentions}


@pytest.mark.parametrize("text, language, published, expected", [
    ("hier", "fr", dt.date(2025, 1, 23), dt.date(2025, 1, 22)),
    ("yesterday", "en", dt.date(2025, 1, 23), dt.date(2025, 1, 22)),
    ("mardi", "fr", dt.date(2025, 1, 23), dt.date(2025, 1, 21)),
    ("mardi", "fr", dt.date(2025, 1, 21), dt.date(2025, 1, 21)),          # the publication day itself
    ("mardi dernier", "fr", dt.date(2025, 1, 21), dt.date(2025, 1, 14)),  # strictly before
    ("on Wednesday", "en", dt.date(2025, 1, 23), dt.date(2025, 1, 22)),
    ("next Monday", "en", dt.date(2025, 1, 23), dt.date(2025, 1, 27)),
    ("le 21 janvier", "fr", dt.date(2025, 1, 23), dt.date(2025, 1, 21)),
    ("le 15 décembre", "fr", dt.date(2025, 1, 23), dt.date(2024, 12, 15)),  # nearest year: the previous one
    ("d'ici au 30 juin", "fr", dt.date(2025, 3, 13), dt.date(2025, 6, 30)),  # nearest year: this one
    ("Jan. 21", "en", dt.date(2025, 1, 23), dt.date(2025, 1, 21)),
    ("January 21, 2025", "en", None, dt.date(2025, 1, 21)),
    ("il y a 3 jours", "fr", dt.date(2025, 1, 23), dt.date(2025, 1, 20)),
    ("2025-01-22", "en", None, dt.date(2025, 1, 22)),
])
def test_resolution_against_the_publication_date(text, language, published, expected):
    res, found = _resolve(text, language, published)
    assert len(res.mentions) == 1, found
    assert res.mentions[0].date == expected


def test_periods_have_a_precision():
    _, found = _resolve("la semaine dernière, en décembre 2024, en 2024", "fr", dt.date(2025, 1, 23))
    assert found["la semaine dernière"] == (dt.date(2025, 1, 13), "week", "relative")  # a week starts on Monday
    assert found["décembre 2024"] == (dt.date(2024, 12, 1), "month", "explicit")
    assert found["en 2024"] == (dt.date(2024, 1, 1), "year", "explicit")


def test_without_publication_date_the_latest_explicit_date_anchors():
    res, found = _resolve("En décembre 2024, il a promis. Le 21 janvier, il a annoncé. Hier, le titre a monté.", "fr")
    assert res.anchor == dt.date(2024, 12, 1)
    assert found["Le 21 janvier"][0] == dt.date(2025, 1, 21)
    assert found["Hier"][0] == dt.date(2025, 1, 20)  # counted from the latest date found (21 January)
    assert "latest explicit date" in res.rule and "décembre 2024" in res.rule


def test_without_any_year_dates_stay_unresolved_and_the_rule_says_so():
    res, found = _resolve("Le 21 janvier, Oracle a annoncé un accord. Hier, le titre a monté.", "fr")
    assert res.anchor is None and all(d is None for d, _, _ in found.values())
    assert "unresolved" in res.rule and "--published" in res.rule
    x = extract_events("Le 21 janvier, Oracle a annoncé un partenariat stratégique avec OpenAI.")
    assert x.primary.date is None and x.primary.kind == "partnership"


def test_english_lowercase_may_is_not_a_month():
    _, found = _resolve("Shares may rise in May 2025.", "en")
    assert list(found) == ["May 2025"]


@pytest.mark.parametrize("text, when, zone", [
    ("at 4:30 p.m. ET", dt.time(16, 30), "America/New_York"),
    ("at 7:00 a.m. ET.", dt.time(7, 0), "America/New_York"),
    ("vers 22 h 05 (heure de Paris)", dt.time(22, 5), "Europe/Paris"),
    ("à 16h30, heure de New York", dt.time(16, 30), "America/New_York"),
    ("at 9 a.m. Tokyo time", dt.time(9, 0), "Asia/Tokyo"),
    ("at 16:30 GMT", dt.time(16, 30), "UTC"),
    ("à 9h", dt.time(9, 0), None),
    ("en hausse de 10 % sur 24h", None, None),
])
def test_find_time(text, when, zone):
    got_time, got_zone, _ = find_time(text)
    assert (got_time, got_zone) == (when, zone)


@pytest.mark.parametrize("text, timing", [
    ("announced before the opening bell", "before_open"),
    ("avant l'ouverture de Wall Street", "before_open"),
    ("après la clôture des marchés", "after_close"),
    ("after the close on Tuesday", "after_close"),
    ("pendant la séance", "during_session"),
    ("a quiet day", None),
])
def test_session_timing_words(text, timing):
    assert find_session_timing(text) == timing


def test_relative_word_is_kept_as_the_event_timing():
    x = extract_events("Oracle a annoncé hier le rachat de Cerner.", published=dt.date(2021, 12, 21))
    assert x.primary.date == dt.date(2021, 12, 20) and x.primary.timing == "hier"
    x = extract_events("Oracle announced the deal yesterday.", published=dt.date(2021, 12, 21))
    assert x.primary.date == dt.date(2021, 12, 20) and x.primary.timing == "yesterday"
