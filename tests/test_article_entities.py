"""Gazetteer matching and ambiguous names (eventstudy.article.entities, eventstudy.reference.gazetteer)."""

from __future__ import annotations

import pytest

from eventstudy.article import extract_events
from eventstudy.errors import StudyFileError
from eventstudy.reference.gazetteer import Gazetteer, parse_gazetteer
from tests.conftest import write


def _ids(text: str, **kwargs) -> list[str | None]:
    return [e.gazetteer_id for e in extract_events(text, **kwargs).entities]


@pytest.mark.parametrize("text, expected", [
    ("Arm, Microsoft and Nvidia rose after the chip deal.", ["ARM", "MSFT", "NVDA"]),
    ("He broke his arm while skiing; his arm is in a cast.", []),
    ("Arm in arm, the two leaders walked out of the summit.", []),
    ("SoftBank-backed Arm said its chip licensing revenue grew.", ["9984.T", "ARM"]),
    ("Oracle et Microsoft dominent le cloud.", ["ORCL", "MSFT"]),
    ("L'oracle de Delphes n'a rien prédit.", []),
    ("Warren Buffett, the oracle of Omaha, bought shares.", []),
    ("The Oracle of Omaha bought more shares.", []),
    ("Oracle said it would hire 2,000 engineers.", ["ORCL"]),
    ("Virtual meetings have replaced conferences.", []),
    ("Le protocole Virtual a vu ses revenus chuter.", ["VIRTUAL"]),
    ("The VIRTUAL token gained 12% over 24 hours.", ["VIRTUAL"]),
])
def test_common_word_names_need_context(text, expected):
    assert [i for i in _ids(text) if i is not None] == expected


def test_arc_token_or_arc_document_solutions_from_context():
    crypto = extract_events("AI-agent tokens rallied: PIPPIN (+104%), ARC (+44%) and AI16Z (+30%) on Solana.")
    arc = next(e for e in crypto.entities if e.name == "ARC")
    assert arc.gazetteer_id == "ARC" and arc.asset_class == "crypto"
    assert "read as AI Rig Complex" in arc.resolution
    equity = extract_events("ARC shares rose 5% on the NYSE after the printing company beat forecasts.")
    arc = next(e for e in equity.entities if e.name == "ARC")
    assert arc.gazetteer_id == "ARC-DOC" and arc.exchange == "NYSE" and arc.ticker == "ARC"
    assert "read as ARC Document Solutions" in arc.resolution
    listed = extract_events("ARC (NYSE: ARC) was quiet.")
    assert {e.gazetteer_id for e in listed.entities if e.name == "ARC"} == {"ARC-DOC"}


def test_arc_without_context_is_unmapped_with_its_candidates():
    x = extract_events("ARC was mentioned once.")
    arc = next(e for e in x.entities if e.name == "ARC")
    assert arc.unmapped and arc.ticker is None and set(arc.candidates) == {"ARC", "ARC-DOC"}
    assert "does not settle" in arc.resolution


def test_cashtag_is_decisive():
    x = extract_events("$ARM popped after the call.")
    assert [(e.name, e.gazetteer_id) for e in x.entities] == [("$ARM", "ARM")]


def test_unknown_cashtag_token_and_company_are_unmapped():
    x = extract_events("$FOO jumped 20%. The tokens ZORK and QUUX fell. Acme Robotics Inc. said nothing.")
    unmapped = {e.name: e.kind_hint for e in x.entities if e.unmapped}
    assert unmapped == {"$FOO": "ticker", "ZORK": "crypto token", "QUUX": "crypto token",
                        "Acme Robotics Inc.": "company"}
    assert [(c.name, c.percent, c.ticker) for c in x.claims] == [("$FOO", 20.0, None)]


def test_gazetteer_object_passed_in_is_used(tmp_path):
    path = write(tmp_path, "mine.toml", '[[entity]]\nid = "ZZZ"\nname = "Zed Corp"\nasset_class = "equity"\n'
                                        'ticker = "ZZZ"\naliases = { en = ["Zed Corp", "Zed"] }\n')
    gaz = Gazetteer.load([path])
    x = extract_events("Zed Corp jumped 12% on Tuesday after Oracle's deal.", gazetteer=gaz)
    assert [(e.gazetteer_id, e.ticker) for e in x.entities] == [("ZZZ", "ZZZ"), ("ORCL", "ORCL")]
    assert x.claims[0].ticker == "ZZZ"


def test_user_entry_overrides_the_project_one(tmp_path):
    path = write(tmp_path, "mine.toml", '[[entity]]\nid = "MGX"\nname = "MGX Fund"\nasset_class = "private"\n'
                                        'aliases = { any = ["MGX", "MGX Fund Management"] }\n')
    gaz = Gazetteer.load([path])
    assert gaz.get("MGX").name == "MGX Fund" and gaz.get("ORCL").calendar == "XNYS"


def test_project_gazetteer_keeps_its_contract():
    gaz = Gazetteer.load()
    assert gaz.get("ORCL").yahoo == "ORCL" and gaz.get("9984.T").calendar == "XTKS"
    assert gaz.get("ARC").asset_class == "crypto" and gaz.get("ARC-DOC").exchange == "NYSE"
    assert "Arm" in gaz.get("ARM").common_words and "puces" in gaz.get("ARM").context


@pytest.mark.parametrize("body, fragment", [
    ('common_words = ["Nope"]\n', "common_words ['Nope'] are not aliases"),
    ('context = [1]\n', "context must be a list of non-empty strings"),
    ('context = [""]\n', "context must be a list of non-empty strings"),
    ('aliases = { en = "Oracle" }\n', "aliases.en must be a list"),
])
def test_gazetteer_new_fields_are_validated(body, fragment):
    text = f'[[entity]]\nid = "X"\nname = "X"\nasset_class = "equity"\naliases = {{ any = ["X Co"] }}\n'
    if body.startswith("aliases"):
        text = '[[entity]]\nid = "X"\nname = "X"\nasset_class = "equity"\n' + body
    else:
        text += body
    with pytest.raises(StudyFileError, match=fragment.replace("[", r"\[").replace("]", r"\]")):
        parse_gazetteer(text, "mine.toml")
