"""Money amounts of an article (eventstudy.article.amounts): a price level is not an amount."""

from __future__ import annotations

import pytest

from eventstudy.article import extract_events


@pytest.mark.parametrize("text, level", [
    ("Bitcoin briefly fell below $98,000 before recovering.", "$98,000"),
    ("Bitcoin crossed the $100,000 mark for the first time.", "$100,000"),
    ("Ether traded at $3,200 on Monday.", "$3,200"),
    ("Le bitcoin est brièvement passé sous la barre des 98 000 dollars.", "98 000 dollars"),
    ("Ce matin, un bitcoin vaut 17.603 dollars.", "17.603 dollars"),
    ("Le BTC se traite à 121 400 dollars sur OKX.", "121 400 dollars"),
])
def test_a_price_level_is_left_out_with_a_note(text, level):
    x = extract_events(text)
    assert x.amounts == ()
    assert any(f"{level!r} is a price level" in n for n in x.notes)


@pytest.mark.parametrize("text, usd", [
    ("Revenue rose to $5 billion.", 5e9),
    ("The group will invest more than $500bn in data centres.", 500e9),
    ("It sold the unit for $2 billion on Monday.", 2e9),
    ("DeepSeek rout wipes $589 billion off Nvidia", 589e9),
    # French thousands written with a point: 3 trillion dollars, not 3 billion
    ("Le groupe a levé 3.000 milliards de dollars.", 3e12),
    ("Le fonds pèse 1.250 millions de dollars.", 1.25e9),
])
def test_other_amounts_are_kept(text, usd):
    assert [a.usd for a in extract_events(text).amounts] == [usd]
