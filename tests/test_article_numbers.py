"""French and English number, percentage and money forms (eventstudy.article.numbers)."""

from __future__ import annotations

import pytest

from eventstudy.article.numbers import find_money, find_percents, parse_number
from eventstudy.article.text import normalise


@pytest.mark.parametrize("text, language, value", [
    ("10,47", "fr", 10.47), ("104,82", "fr", 104.82), ("100 000", "fr", 100_000.0), ("1 250,5", "fr", 1250.5),
    ("7.18", "en", 7.18), ("1,000", "en", 1000.0), ("1,000", "fr", 1.0), ("1,234,567.8", "en", 1_234_567.8),
    ("1.234.567,8", "fr", 1_234_567.8), ("2,3", "en", 2.3), ("42", "fr", 42.0),
])
def test_parse_number(text, language, value):
    assert parse_number(text, language) == pytest.approx(value)


@pytest.mark.parametrize("text, language, expected", [
    ("a grimpé de 10,47 %", "fr", [(10.47, False, False)]),
    ("PIPPIN (+104,82 %)", "fr", [(104.82, True, False)]),
    ("d'environ 7 %", "fr", [(7.0, False, True)]),
    ("près de 3 %", "fr", [(3.0, False, True)]),
    ("un repli de −12 %", "fr", [(-12.0, True, False)]),
    ("de 7 à 8 %", "fr", [(7.5, False, True)]),
    ("(ORCL+7.18%)", "en", [(7.18, True, False)]),
    ("up 2.4%", "en", [(2.4, False, False)]),
    ("jumped nearly 9%", "en", [(9.0, False, True)]),
    ("fell -3.5 percent", "en", [(-3.5, True, False)]),
    ("soared 1,000%", "en", [(1000.0, False, False)]),
    ("twenty per cent and 4 pct", "en", [(4.0, False, False)]),
    ("AI16Z and 2024", "en", []),
])
def test_find_percents(text, language, expected):
    got = [(p.value, p.signed, p.approximate) for p in find_percents(normalise(text), language)]
    assert got == expected


@pytest.mark.parametrize("text, language, value, currency, approximate", [
    ("500 milliards de dollars", "fr", 500e9, "USD", False),
    ("plus de 500 milliards de dollars", "fr", 500e9, "USD", True),
    ("1,5 milliard de dollars", "fr", 1.5e9, "USD", False),
    ("3 Md$", "fr", 3e9, "USD", False),
    ("500 millions d'euros", "fr", 500e6, "EUR", False),
    ("un billion de dollars", "fr", None, None, False),  # no digits: not an amount
    ("1 billion de dollars", "fr", 1e12, "USD", False),  # French long scale
    ("$100-billion", "en", 100e9, "USD", False),
    ("$500bn", "en", 500e9, "USD", False),
    ("about $2.1 billion", "en", 2.1e9, "USD", True),
    ("up to $500bn", "en", 500e9, "USD", True),
    ("US$5 million", "en", 5e6, "USD", False),
    ("€3bn", "en", 3e9, "EUR", False),
    ("10 billion dollars", "fr", 10e9, "USD", False),
    ("£1.5 trillion", "en", 1.5e12, "GBP", False),
])
def test_find_money(text, language, value, currency, approximate):
    found = find_money(normalise(text), language)
    if value is None:
        assert found == []
        return
    assert len(found) == 1
    assert found[0].value == pytest.approx(value)
    assert (found[0].currency, found[0].approximate) == (currency, approximate)


def test_bare_scaled_number_has_no_currency_and_jobs_are_not_money():
    found = find_money(normalise("doubler votre mise à 200 milliards ? Il créera 100 000 emplois."), "fr")
    assert [(m.value, m.currency) for m in found] == [(200e9, None)]
    assert find_money("100 millions d'utilisateurs", "fr") == []
    assert find_money("$ORCL rose", "en") == []
