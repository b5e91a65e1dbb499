"""The securities universe (eventstudy.reference.universe, .build, .markets) and its layering."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from eventstudy.paths import reference_dir
from eventstudy.reference import build
from eventstudy.reference.gazetteer import Entity, Gazetteer
from eventstudy.reference.markets import market_of, split_symbol
from eventstudy.reference.names import short_names, strip_legal_form
from eventstudy.reference.universe import compile_universe, load_universe


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


def test_layers_have_their_entries():
    counts = load_universe().counts
    assert counts["equities"] > 1500 and 150 <= counts["crypto"] <= 260
    assert counts["indices"] >= 40 and counts["etfs"] >= 20 and counts["renames"] >= 20 and counts["reuters"] >= 40
    assert counts["equities_wide"] > 10000 and counts["institutions"] >= 40


@pytest.mark.parametrize("key, yahoo, calendar, currency", [
    ("AIR.PA", "AIR.PA", "XPAR", "EUR"),      # Dutch ISIN, home listing Paris (not the US OTC line)
    ("MC.PA", "MC.PA", "XPAR", "EUR"),
    ("BARC.L", "BARC.L", "XLON", "GBp"),
    ("SHEL.L", "SHEL.L", "XLON", "GBp"),      # GB ISIN: London, not Amsterdam
    ("NESN.SW", "NESN.SW", "XSWX", "CHF"),
    ("SAP.DE", "SAP.DE", "XETR", "EUR"),
    ("7203.T", "7203.T", "XTKS", "JPY"),
    ("ASML.AS", "ASML.AS", "XAMS", "EUR"),
    ("SAN.MC", "SAN.MC", "XMAD", "EUR"),
    ("ENEL.MI", "ENEL.MI", "XMIL", "EUR"),
    ("AAPL", "AAPL", "XNYS", "USD"),
    ("DOGE", "DOGE-USD", "24/7", "USD"),
])
def test_home_listing_calendar_and_currency(gaz, key, yahoo, calendar, currency):
    e = gaz.get(key)
    assert (e.yahoo, e.calendar, e.currency) == (yahoo, calendar, currency)


def test_study_ids_resolve_through_every_layer(gaz):
    # the hand-written gazetteer keeps its ids; the universe's id for the same series is a synonym
    assert gaz.get("GSPC") is gaz.get("^GSPC") and gaz.get("GSPC").proxy == "SPY"
    assert gaz.get("FCHI").proxy == "CAC.PA" and "^FCHI" in gaz
    assert gaz.get("FB") is gaz.get("META") and gaz.get("FB").yahoo == "META"
    # renames and Reuters codes
    assert gaz.get("FP.PA").id == "TTE.PA" and gaz.get("UG.PA").id == "STLAP.PA" and gaz.get("RBS.L").id == "NWG.L"
    assert gaz.get("LVMH.PA").id == "MC.PA" and gaz.get("BNPP.PA").id == "BNP.PA"
    twitter = gaz.get("TWTR")
    assert twitter.delisted == "2022-10-28" and twitter.calendar == "XNYS" and twitter.successor is None
    assert gaz.get("ATVI").successor == "MSFT"
    # ADR tickers are listings of the home line
    assert gaz.get("BCS").id == "BARC.L"


def test_index_entities_carry_their_etf_proxy(gaz):
    ixic = gaz.get("IXIC")
    assert ixic.proxy == "QQQ" and "Nasdaq-100" in ixic.proxy_note
    assert gaz.get("^SOX").proxy == "SOXX" and gaz.get("^GDAXI").proxy == "EXS1.DE"
    for e in gaz:
        if e.proxy:
            assert gaz.get(e.proxy) is not None, f"{e.id}: proxy {e.proxy} is not an entity"


def test_same_id_replaces_and_same_yahoo_merges():
    a = Entity(id="^X", name="X index", asset_class="index", yahoo="^X", proxy="XETF", aliases={"en": ("X idx",)},
               source="universe:indices")
    b = Entity(id="X", name="X (mine)", asset_class="index", yahoo="^X", aliases={"any": ("Index X",)})
    c = Entity(id="X", name="X again", asset_class="index", yahoo="^X")
    g = Gazetteer([a, b])
    assert g.get("^X").name == "X (mine)" and g.get("^X").proxy == "XETF" and "X idx" in g.get("X").all_aliases()
    assert g.synonyms == {"^X": "X"}
    assert Gazetteer([a, b, c]).get("X").name == "X again"


def test_universe_can_be_left_out():
    small = Gazetteer.load(universe=False)
    assert "ORCL" in small and "MC.PA" not in small and len(small) < 100


def test_compiled_file_matches_the_layers():
    ref = reference_dir()
    assert (ref / "universe.json").read_text(encoding="utf-8") == compile_universe(ref), \
        "universe.json is stale: run `python -m eventstudy.reference.build --layers-only`"


def test_universe_size_on_disk_is_small():
    size = sum(p.stat().st_size for p in reference_dir().rglob("*") if p.is_file())
    assert size < 30e6


@pytest.mark.parametrize("name, short", [
    ("Orange SA", "Orange"), ("Nasdaq, Inc.", "Nasdaq"), ("Aegon N.V.", "Aegon"), ("Merck & Co.", "Merck"),
    ("Roche Holding AG", "Roche"), ("Thales Group", "Thales"), ("Shell plc", "Shell"),
])
def test_legal_forms_are_stripped(name, short):
    assert strip_legal_form(name) == short


def test_short_names_keep_full_name_and_accent_free_spelling():
    assert short_names("Société Générale") == ["Société Générale", "Societe Generale"]
    assert short_names("Rio Tinto (corporation)") == ["Rio Tinto"]


def test_descriptor_dropped_only_for_a_proper_noun():
    words = frozenset({"general", "ford", "japan"})
    proper = frozenset({"Ford", "Japan"})
    assert build.drop_descriptor("Abbott Laboratories", words, proper) == "Abbott"
    assert build.drop_descriptor("Ford Motor", words, proper) == "Ford"
    assert build.drop_descriptor("General Motors", words, proper) is None
    assert build.drop_descriptor("Apple", words, proper) is None


def _rec(**kw):
    rec = build._Company()
    for k, v in kw.items():
        setattr(rec, k, v)
    return rec


def test_home_listing_rules():
    from collections import Counter

    airbus = _rec(symbols=Counter({("AIR.PA", "PA"): 1, ("AIR.PA.DE", "DE"): 1}), yahoo={"AIR.F", "EADSY", "AIR.MC"},
                  google={"FRA:AIR", "OTCMKTS:EADSY", "BME:AIR"}, isins=["NL0000235190"])
    assert build.choose_home(airbus) == "AIR.PA"
    # a bare code from a non-US index is a local code, not a US listing
    aperam = _rec(symbols=Counter({("APAM", "PA"): 1}), google={"FRA:7AA", "AMS:APAM"}, isins=["LU0569974404"])
    assert build.choose_home(aperam) == "APAM.AS"
    # nothing but Frankfurt and OTC lines: no home listing
    bare = _rec(symbols=Counter({("VACD", "PA"): 1}), google={"FRA:VACD", "OTCMKTS:VLOWY"}, isins=["FR0000120354"])
    assert build.choose_home(bare) is None


def test_ordinary_words_and_collisions_become_common_words():
    rows = [{"id": "TGT", "aliases": ["Target Corporation", "Target"], "_common": set(), "_not_common": set()},
            {"id": "NDAQ", "aliases": ["Nasdaq, Inc.", "Nasdaq"], "_common": set(), "_not_common": set()},
            {"id": "MRK", "aliases": ["Merck & Co.", "Merck"], "_common": set(), "_not_common": set()},
            {"id": "MRK.DE", "aliases": ["Merck Group", "Merck"], "_common": set(), "_not_common": set()},
            {"id": "AIR.PA", "aliases": ["Airbus"], "_common": set(), "_not_common": {"Airbus"}}]
    build._mark_common(rows, frozenset({"target", "airbus"}), reserved={"nasdaq"})
    assert {r["id"]: r["common_words"] for r in rows} == {
        "TGT": ["Target"], "NDAQ": ["Nasdaq"], "MRK": ["Merck"], "MRK.DE": ["Merck"], "AIR.PA": []}


def test_crypto_snapshots_filter_receipts_and_merge_symbol_changes():
    snaps = [("2025-10", [{"rank": "1", "coingecko": "bitcoin", "symbol": "btc", "name": "Bitcoin"},
                          {"rank": "2", "coingecko": "wrapped-bitcoin", "symbol": "wbtc", "name": "Wrapped Bitcoin"},
                          {"rank": "3", "coingecko": "render-token", "symbol": "render", "name": "Render"}]),
             ("2022-01", [{"rank": "5", "coingecko": "render-token", "symbol": "rndr", "name": "Render Token"},
                          {"rank": "6", "coingecko": "compound-ether", "symbol": "ceth", "name": "cETH"},
                          {"rank": "7", "coingecko": "cardano", "symbol": "ada", "name": "Cardano"}])]
    rows = {r["id"]: r for r in build.build_crypto(snaps, {}, frozenset({"render"}))}
    assert set(rows) == {"BTC", "RENDER", "ADA"}
    assert "RNDR" in rows["RENDER"]["aliases"] and "Render Token" in rows["RENDER"]["aliases"]
    assert rows["RENDER"]["common_words"] == ["Render", "RENDER"] and rows["BTC"]["yahoo"] == "BTC-USD"


def test_markets():
    assert split_symbol("MC.PA") == ("MC", "PA") and split_symbol("BRK-B") == ("BRK-B", "")
    assert market_of("NESN.SW").calendar == "XSWX" and market_of("AAPL").calendar == "XNYS"
    assert market_of("^FCHI") is None and market_of("BTC-USD") is None


@pytest.mark.skipif(importlib.util.find_spec("pytickersymbols") is None or not Path(build.WORD_LISTS[0]).exists(),
                    reason="the build needs pytickersymbols (pip install '.[universe]') and Debian's word lists")
@pytest.mark.slow
def test_generated_files_are_up_to_date():
    files = build.build(reference_dir(), log=lambda *a: None)
    for name, text in files.items():
        assert (reference_dir() / name).read_text(encoding="utf-8") == text, \
            f"{name} is stale: run `python -m eventstudy.reference.build`"


@pytest.mark.parametrize("key, yahoo, calendar", [
    ("GRG.L", "GRG.L", "XLON"),        # FTSE 250 (Greggs), from the wider layer
    ("GNTX", "GNTX", "XNYS"),          # S&P 400 (Gentex)
    ("601088.SS", "601088.SS", "XSHG"),  # China Shenhua Energy, Shanghai
    ("000002.SZ", "000002.SZ", "XSHG"),  # China Vanke, Shenzhen (Shanghai's sessions)
    ("3231.T", "3231.T", "XTKS"),
])
def test_wider_layer_entities(gaz, key, yahoo, calendar):
    e = gaz.get(key)
    assert (e.yahoo, e.calendar) == (yahoo, calendar) and e.yahoo_verified is False
    assert e.source == "universe:equities_wide"


def test_wider_layer_symbols_by_market_convention():
    assert build.investpy_yahoo("united states", "BRKb") == "BRK-B"
    assert build.investpy_yahoo("united states", "NPNYY") is None          # OTC line of a foreign company
    assert build.investpy_yahoo("sweden", "ATCOa") == "ATCO-A.ST"
    assert build.investpy_yahoo("china", "600519") == "600519.SS" and build.investpy_yahoo("china", "300750") == "300750.SZ"
    assert build.investpy_yahoo("switzerland", "SRENH") == "SRENH.SW" and build.investpy_yahoo("spain", "ENAGe") is None


def test_wider_layer_rows_rules():
    rows = [
        {"country": "united states", "name": "Gentex", "full_name": "Gentex Corporation", "isin": "US3719011096", "symbol": "GNTX"},
        {"country": "austria", "name": "Snap", "full_name": "Snap Inc", "isin": "US83304A1060", "symbol": "SNAP"},  # cross-listing
        {"country": "china", "name": "Vanke A", "full_name": "China Vanke Co Ltd A", "isin": "CNE0000000T2", "symbol": "000002"},
        {"country": "china", "name": "Vanke B", "full_name": "China Vanke Co Ltd B", "isin": "CNE0000001N9", "symbol": "200002"},
        {"country": "united states", "name": "Acme Pref", "full_name": "Acme Corp Preferred", "isin": "US0000000001", "symbol": "ACMP"},
        {"country": "united states", "name": "Tokyo", "full_name": "Tokyo Inc", "isin": "US0000000002", "symbol": "TKYO"},
        {"country": "united states", "name": "As One", "full_name": "As One Corp", "isin": "US0000000003", "symbol": "ASON"},
        {"country": "united states", "name": "Apple", "full_name": "Apple Inc", "isin": "US0378331005", "symbol": "AAPL"},
    ]
    words = frozenset({"as", "one", "apple"})
    out = {r["id"]: r for r in build.build_wide(rows, {"US0378331005"}, {"AAPL"}, set(), words, frozenset({"Tokyo"}))}
    assert set(out) == {"GNTX", "000002.SZ", "TKYO", "ASON"}              # no cross-listing, no preferred, no taken ISIN
    assert out["000002.SZ"]["listings"] == ["200002.SZ"]                    # the B share is a listing of the A share
    assert "Gentex" in out["GNTX"]["aliases"] and "Gentex" not in out["GNTX"]["common_words"]
    assert out["TKYO"]["aliases"] == ["Tokyo Inc"] and "As One" not in out["ASON"]["aliases"]


def test_share_classes_and_holdings():
    assert build.primary_class("FOX", ["FOXA"]) == "FOXA" and build.primary_class("GOOG", ["GOOGL"]) == "GOOGL"
    assert build.primary_class("BRK-B", ["BRK-A"]) == "BRK-B" and build.primary_class("SAP.DE", ["SAPA"]) == "SAP.DE"
    rows = [{"id": "PAH3.DE", "aliases": ["Porsche SE", "Porsche", "Porsche Automobil Holding"]},
            {"id": "P911.DE", "aliases": ["Porsche AG", "Porsche"]},
            {"id": "MRK", "aliases": ["Merck & Co.", "Merck"]}, {"id": "MRK.DE", "aliases": ["Merck KGaA", "Merck"]}]
    build._holdings_yield(rows)
    assert rows[0]["aliases"] == ["Porsche SE", "Porsche Automobil Holding"] and "Porsche" in rows[1]["aliases"]
    assert "Merck" in rows[2]["aliases"] and "Merck" in rows[3]["aliases"]  # no holding: a collision (context decides)
