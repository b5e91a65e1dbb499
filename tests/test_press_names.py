"""Names the press writes that the universe's index layers did not resolve (issue #9, names2):
one-word press names, listings outside the index layers, market places in wraps, index
abbreviations and sector indices, names shared by two listings."""

from __future__ import annotations

import pytest

from eventstudy.article.extract import extract_events
from eventstudy.reference import build


def _ids(text: str) -> list[str | None]:
    return [e.gazetteer_id for e in extract_events(text).entities]


def _claims(text: str) -> list[tuple[str | None, float]]:
    return [(c.ticker, c.percent) for c in extract_events(text).claims]


# 1. one-word press names of multi-word companies -------------------------------------------------

def test_press_names_of_multi_word_companies():
    assert _ids("Shares of Goldman slid 4% after the bank cut its outlook.") == ["GS"]
    assert _ids("Chipotle gained 6% and Lockheed lost 1% in New York trading.") == ["CMG", "LMT"]
    assert _ids("Disney shares rose 2% and Schwab fell 3% on Thursday.") == ["DIS", "SCHW"]
    assert _ids("Lilly climbed 5% after its obesity drug trial.") == ["LLY"]
    # the name's shorter beginning is the same company, not a longer unknown name around "Thermo"
    assert _ids("Thermo Fisher fell 2% and Thermo was down again on Friday.") == ["TMO"]


def test_press_name_rule_words():
    """The rule on made-up rows: first word, surname after a first name, nothing for a first name
    that is also a surname, for two names joined by '&', an ordinary word or a place; a word given
    to two companies is a candidate of both (common_words)."""
    def row(i, name):
        return {"id": i, "name": name, "aliases": [name], "_common": set(), "_not_common": set()}

    rows = [row("A", "Zorbex Capital Partners"), row("B", "Eli Quandrel"), row("C", "Morgan Trelby"),
            row("D", "Smith & Quandrix"), row("E", "Boston Quarvel"), row("F", "General Quarvel"),
            row("G", "Vantrio Foods"), row("H", "Vantrio Systems")]
    gd = {"Eli": "female", "Morgan": "mostly_male"}
    rule = build.PressRule(lambda w: gd.get(w, "unknown"), frozenset({"boston"}), frozenset())
    words = frozenset({"general", "capital", "partners", "foods", "systems"})
    build.add_press_names(rows, words, frozenset(), rule, set())
    got = {r["id"]: [a for a in r["aliases"][1:]] for r in rows}
    assert got == {"A": ["Zorbex", "Zorbex Capital"], "B": ["Quandrel"], "C": [], "D": [], "E": [], "F": [], "G": ["Vantrio"],
                   "H": ["Vantrio"]}
    assert "Vantrio" in rows[6]["_common"] and "Zorbex" not in rows[0]["_common"]


# 2. listings outside the index layers -------------------------------------------------------------

def test_recent_listings_and_ftse_mib_members():
    assert _ids("Snowflake fell 10%, Rivian dropped 3% and Peloton slid 8% on the day.") == ["SNOW", "RIVN", "PTON"]
    assert _ids("In Milan, Nexi lost 4% while Amplifon added 2%.") == ["NEXI.MI", "AMP.MI"]


# 3. market places in a market wrap ---------------------------------------------------------------

def test_market_places_with_a_figure_are_their_index():
    ids = _ids("Elsewhere in Europe, Madrid 0.4 %, Amsterdam 0.25 % and Zurich 0.3 % at the close.")
    assert ids == ["^IBEX", "^AEX", "^SSMI"]
    assert _ids("The group, which has offices in London and Tokyo, hired 300 people.") == []


# 4. index abbreviations and sector indices --------------------------------------------------------

def test_index_abbreviations_and_sector_indices():
    assert _claims("The SOX slid 2.5% as chipmakers sold off.") == [("^SOX", -2.5)]
    assert _ids("The SLI shed 0.7% in Zurich trading.") == ["^SLI"]
    assert _ids("The Stoxx Europe 600 Insurance index fell 1%.") == ["^SXIP"]


# 5. shared names, by context; "S&P" is never a fragment -------------------------------------------

def test_shared_name_by_context():
    assert "MARA" in _ids("Bitcoin miners jumped: Marathon rose 11% as bitcoin hit a record.")
    assert _ids("Refiners slid with crude, and Marathon lost 3%.") == ["MPC"]
    plain = extract_events("Marathon rose 2% on Friday.").entities
    assert plain[0].gazetteer_id is None and set(plain[0].candidates) == {"MARA", "MPC"}


def test_s_and_p_is_the_index_not_a_fragment():
    assert _claims("The S&P dropped 1.1% on Monday.") == [("GSPC", -1.1)]
    assert _ids("S&P Global rose 2%.") == ["SPGI"]
