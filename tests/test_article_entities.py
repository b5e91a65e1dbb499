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


# --- the universe: names, legal forms, French elision, symbols, market, fuzzy ---------------------------

def _pairs(text: str, **kwargs) -> list[tuple[str, str | None]]:
    return [(e.name, e.gazetteer_id) for e in extract_events(text, **kwargs).entities]


@pytest.mark.parametrize("text, expected", [
    ("L'action d'Airbus a bondi de 3 % à la Bourse de Paris.", [("Airbus", "AIR.PA")]),
    ("Les ventes du groupe Renault ont reculé.", [("Renault", "RNO.PA")]),
    ("Peugeot SA a gagné 2 %.", [("Peugeot SA", "STLAP.PA")]),
    ("Alphabet Inc. rose 4% after the ruling.", [("Alphabet Inc.", "GOOGL")]),
    ("Shares of Airbus SE and Deutsche Telekom AG fell.", [("Airbus SE", "AIR.PA"), ("Deutsche Telekom AG", "DTE.DE")]),
    ("Société Générale et Crédit Agricole ont progressé.", [("Société Générale", "GLE.PA"), ("Crédit Agricole", "ACA.PA")]),
])
def test_names_with_legal_forms_and_french_elision(text, expected):
    assert _pairs(text) == expected


@pytest.mark.parametrize("text, written, expected", [
    ("General Electric (NYSE: GE) rose 2%.", "GE", "GE"),
    ("Barclays (BCS) fell 4%.", "BCS", "BARC.L"),
    ("BNP Paribas (EPA:BNPP) gained 1%.", "BNPP", "BNP.PA"),
    ("LVMH (Euronext Paris: MC) slipped.", "MC", "MC.PA"),
    ("Watch $AAPL into the close.", "$AAPL", "AAPL"),
    ("LVMH.PA fell 2% in Paris.", "LVMH.PA", "MC.PA"),
    ("Apple (NASDAQ:AAPL) beat estimates.", "AAPL", "AAPL"),
    ("Airbus (EPA: AIR) delivered more jets.", "AIR", "AIR.PA"),   # Paris, not AAR Corp (NYSE: AIR)
    ("NESN.S rose.", "NESN.S", "NESN.SW"),                           # a Reuters suffix
])
def test_symbols_written_in_the_text_are_evidence(text, written, expected):
    x = extract_events(text)
    assert expected in {e.gazetteer_id for e in x.entities}
    assert all(e.gazetteer_id is not None for e in x.entities if written in e.name or e.name == written)


def test_universe_tickers_are_not_read_as_bare_words():
    # "A", "IT", "ON", "ALL", "NOW", "CAT" are Agilent, Gartner, onsemi, Allstate, ServiceNow, Caterpillar
    text = "IT spending was ON track, and ALL analysts said NOW is the time: A CAT bond sold out."
    assert [e.gazetteer_id for e in extract_events(text).entities if e.gazetteer_id] == []


@pytest.mark.parametrize("text, expected", [
    ("Orange a annoncé une hausse de son chiffre d'affaires, a indiqué l'opérateur.", "ORA.PA"),
    ("Total a reculé de 1,2 % à la Bourse de Paris.", "TTE.PA"),          # the former name, French market
    ("Target shares fell 5% after the retailer cut its forecast.", "TGT"),
])
def test_ordinary_word_names_read_as_companies_with_context(text, expected):
    assert expected in {e.gazetteer_id for e in extract_events(text).entities}


@pytest.mark.parametrize("text", [
    "She ate an orange and missed the target.",
    "The total was higher than the sharp rise in next year's budget.",
    "Le total des ventes a été revu.",
])
def test_ordinary_words_stay_words(text):
    assert [e.gazetteer_id for e in extract_events(text).entities if e.gazetteer_id] == []


def test_crypto_names_need_crypto_context():
    crypto = extract_events("Polygon and Cardano tokens rallied 10% as crypto markets rose.")
    assert {"MATIC", "ADA"} <= {e.gazetteer_id for e in crypto.entities}
    geometry = extract_events("Draw a polygon with five sides.")
    assert [e.gazetteer_id for e in geometry.entities if e.gazetteer_id] == []


def test_index_entities_and_their_proxy():
    x = extract_events("Le CAC 40 a cédé 0,4 % et l'Euro Stoxx 50 a reculé de 0,6 %.")
    by_id = {e.gazetteer_id: e for e in x.entities}
    assert {"FCHI", "^STOXX50E"} <= set(by_id) and by_id["FCHI"].asset_class == "index"
    gaz = Gazetteer.load()
    assert gaz.get("FCHI").proxy == "CAC.PA" and gaz.get("^STOXX50E").proxy == "FEZ"


def test_a_longer_unknown_name_is_not_the_shorter_known_one():
    # "Nomura Zephyrine Estate" (made up) is not Nomura Holdings; "Nomura Real Estate" is a known
    # company of the wider equity layer and is read as itself
    x = extract_events("Nomura Zephyrine Estate tumbled 13.8 percent after Japan Post dropped its plan.")
    nomura = next(e for e in x.entities if e.name.startswith("Nomura"))
    assert nomura.unmapped and nomura.name == "Nomura Zephyrine Estate"
    x = extract_events("Nomura Real Estate tumbled 13.8 percent after Japan Post dropped its plan.")
    assert "3231.T" in {e.gazetteer_id for e in x.entities}


def test_a_first_name_before_a_surname_company_is_a_person():
    x = extract_events("Bitcoin fell after remarks by Jerome Powell on Wednesday.")
    assert "POWL" not in {e.gazetteer_id for e in x.entities}


def test_a_delisted_line_is_not_read_after_its_delisting():
    import datetime as dt

    before = extract_events("Twitter shares rose 3% on Monday.", published=dt.date(2016, 5, 2))
    after = extract_events("As one Twitter user put it, nobody reads the fine print.", published=dt.date(2023, 8, 10))
    assert "TWTR" in {e.gazetteer_id for e in before.entities}
    assert "TWTR" not in {e.gazetteer_id for e in after.entities}


def test_renamed_company_resolves_to_its_successor_with_a_note():
    x = extract_events("Royal Bank of Scotland shares fell 3% in London.")
    rbs = next(e for e in x.entities if e.gazetteer_id == "NWG.L")
    assert "earlier name" in rbs.resolution


def test_fuzzy_fallback_only_for_company_names_with_a_legal_form():
    x = extract_events("Deutsche Telekon AG said profit rose.")
    e = next(e for e in x.entities if e.name.startswith("Deutsche"))
    assert e.gazetteer_id == "DTE.DE" and "fuzzy match" in e.resolution
    # no legal form: never fuzzy; an unknown firm with one stays unmapped
    assert [e.gazetteer_id for e in extract_events("Deutsche Telekon said profit rose.").entities
            if e.gazetteer_id] == []
    acme = extract_events("Acme Robotics Inc. said nothing.")
    assert [(e.name, e.unmapped) for e in acme.entities] == [("Acme Robotics Inc.", True)]


def test_an_ambiguous_name_without_context_keeps_its_candidates():
    x = extract_events("Merck was mentioned once.")
    merck = next(e for e in x.entities if e.name == "Merck")
    assert merck.unmapped and set(merck.candidates) == {"MRK", "MRK.DE"}


def test_a_study_can_name_a_universe_security():
    gaz = Gazetteer.load()
    from eventstudy.plan.plan import calendar_name
    from eventstudy.study.spec import GroupSpec

    group = GroupSpec.__new__(GroupSpec)
    object.__setattr__(group, "calendar", None)
    object.__setattr__(group, "name", "g")
    assert calendar_name("MC.PA", group, gaz) == "XPAR" and calendar_name("^FCHI", group, gaz) == "XPAR"
    assert calendar_name("DOGE", group, gaz) == "24/7" and "MC.PA" in gaz


# --- name variants: rules of the look-up, not aliases per company (issue 9, item 2) ---------------

@pytest.mark.parametrize("text, expected", [
    ("Mercedes Benz fell 2% in Frankfurt.", "MBG.DE"),            # the source writes Mercedes-Benz
    ("Procter and Gamble rose 1%.", "PG"),                         # "&" written as "and"
    ("Procter et Gamble a gagné 1 %.", "PG"),                      # ... and as "et"
    ("McDonalds rose 2% after its results.", "MCD"),               # apostrophe left out
    ("McDonald's rose 2% after its results.", "MCD"),
    ("Nvidia's shares hit a record.", "NVDA"),                     # possessive
    ("Exxon Mobil advanced 3%.", "XOM"),                           # the source writes ExxonMobil
    ("SOCIETE GENERALE a reculé de 2 %.", "GLE.PA"),               # capitals without accents
    ("Les titres de L'Oreal ont progressé.", "OR.PA"),             # no accent, elided article
    ("JD Wetherspoon rose 2% in London.", "JDW.L"),                # initials joined (source: "J D Wetherspoon")
])
def test_name_variants_are_normalised(text, expected):
    assert expected in {e.gazetteer_id for e in extract_events(text).entities}


def test_name_keys():
    from eventstudy.reference.names import camel_split, key_variants, name_key
    assert name_key("Mercedes-Benz") == name_key("Mercedes Benz") == "mercedes benz"
    assert name_key("Procter & Gamble") == name_key("Procter and Gamble") == name_key("PROCTER ET GAMBLE")
    assert name_key("Société Générale") == "societe generale" and name_key("L'Oréal") == "l oreal"
    assert name_key("AND International") == "and international"   # a name's first word stays itself
    assert "mcdonalds" in key_variants("McDonald's") and camel_split("ExxonMobil") == "Exxon Mobil"
    assert "jd wetherspoon" in key_variants("J D Wetherspoon") and "us steel" in key_variants("U.S. Steel")
    # a camel-case split matches only with its case: "a soft bank" is not SoftBank
    assert [e.gazetteer_id for e in extract_events("They ran it like a soft bank.").entities if e.gazetteer_id] == []


# --- a known name inside a longer proper name; institutions (item 3) ---------------------------------

@pytest.mark.parametrize("text, absent", [
    ("The Swiss National Bank cut rates and the franc fell.", "NBHC"),
    ("Qatar National Bank shares fell 2%.", "NBHC"),
    ("National Bank of Greece rose 3% in Athens.", "NBHC"),
    ("La Banque nationale suisse a abaissé ses taux.", "NBHC"),
    ("Société Générale de Surveillance a publié ses comptes.", "GLE.PA"),
])
def test_a_known_name_inside_a_longer_proper_name_is_not_read(text, absent):
    assert absent not in {e.gazetteer_id for e in extract_events(text).entities}


def test_central_banks_regulators_and_exchanges_are_never_securities():
    x = extract_events("The Bank of England held rates while the Reserve Bank of Australia cut; the SEC and "
                       "l'Autorité des marchés financiers opened inquiries. La Banque centrale européenne a "
                       "relevé ses taux.")
    assert [e.gazetteer_id for e in x.entities if e.gazetteer_id] == []
    assert any("an institution, not a security" in n for n in x.notes)
    # the known longer name still leaves the company's own mentions alone
    x = extract_events("National Bank Holdings fell 2% after the Swiss National Bank cut rates.")
    assert [e.gazetteer_id for e in x.entities if e.gazetteer_id] == ["NBHC"]


# --- holdings, operating companies, share classes (item 4) ------------------------------------------

def test_bare_name_is_the_operating_company_the_holding_has_its_own_names():
    x = extract_events("Porsche fell 3% while Porsche SE slipped; Porsche Automobil Holding owns Volkswagen.")
    assert [e.gazetteer_id for e in x.entities if e.gazetteer_id and e.gazetteer_id.startswith(("P911", "PAH3"))] \
        == ["P911.DE", "PAH3.DE"]
    assert extract_events("Google rose 4%.").entities[0].gazetteer_id == "GOOGL"
    gaz = Gazetteer.load()
    assert gaz.get("FOX").id == "FOXA" and gaz.get("NWS").id == "NWSA"   # class A primary, class B a listing


# --- exchange or index (item 5) ---------------------------------------------------------------------

@pytest.mark.parametrize("text, index", [
    ("The company, which is listed on the Nasdaq, said sales grew.", False),
    ("NYSE-listed Ford rose 2%.", False),
    ("Airbus est coté à la Bourse de Paris.", False),
    ("Le groupe a fait son entrée au Nasdaq en 2019.", False),
    ("The Nasdaq fell 2% on Tuesday.", True),
    ("Le Nasdaq a cédé 1,2 %.", True),
])
def test_exchange_or_index(text, index):
    ids = {e.gazetteer_id for e in extract_events(text).entities}
    assert ("IXIC" in ids) is index and "NDAQ" not in ids and "inst:nasdaq" not in ids
