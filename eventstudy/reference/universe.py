"""The securities universe shipped with the package: ``data/reference/`` read into entities.

Layers (files under :func:`eventstudy.paths.reference_dir`; ``PROVENANCE.md`` gives each source):

``equities.csv``
    generated from pytickersymbols by ``python -m eventstudy.reference.build`` (never edited by
    hand; ``equity_overrides.toml`` holds the corrections, each with its reason). Entity id = the
    home listing's Yahoo symbol ("MC.PA", "AIR.PA", "AAPL").
``crypto.csv``
    generated from CoinGecko market-cap snapshots (``sources/``) and ``crypto_overrides.toml``.
    Entity id = the bare symbol ("DOGE"), Yahoo symbol ``SYM-USD``; calendar "24/7".
``indices.toml``
    market and sector indices (id = Yahoo symbol, "^FCHI") with their ETF ``proxy``, and the ETFs.
``listings.toml``
    large companies of markets the source bundles no index for (Copenhagen, Hong Kong, Milan ...),
    with their US lines (hand-written, same format as the gazetteer).
``renames.toml``
    renamed, merged and delisted companies: an old name is an alias of the successor, the old
    symbol a synonym id and a listing (evidence in the text); a delisted line is its own entity.
``reuters.toml``
    Reuters RIC roots that differ from Yahoo's ("LVMH.PA" -> "MC.PA"): synonym ids and listings.

``universe.json``
    all of the above compiled into one file by the same build command (JSON reads ten times faster
    than TOML): it records the SHA-256 of every layer file, and is used only while they all match;
    after a hand edit of a layer file the layers are read directly (slower) until the next build.

Everything is read once per process (:func:`load_universe` is cached) and nothing is read at import.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import hashlib
import json
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import StudyFileError
from ..paths import reference_dir
from .gazetteer import CRYPTO_CALENDAR, Entity, parse_gazetteer
from .markets import split_symbol
from .lazy import FIELDS as LAZY_FIELDS, LazyEntities, encode as encode_row
from .name_table import names_table
from .names import fuzzy_key

#: The files of the universe, in the order they are layered.
LAYER_FILES = ("equities.csv", "equities_wide.csv", "crypto.csv", "indices.toml", "listings.toml", "institutions.toml",
               "renames.toml", "reuters.toml")


@dataclass(frozen=True)
class CompiledNames:
    """The universe's names table as the build computed it (:mod:`.name_table`): key -> rows
    ``[entity id, written form, flags]``, the ids it covers, every proper token prefix of a key
    and the longest key's length in tokens."""

    table: dict[str, list]
    ids: frozenset[str]
    prefixes: frozenset[str]
    max_tokens: int
    #: the wider layer's names: key -> its rows as text ("id\x1eform\x1eflags", joined by "\x1f")
    wide: dict[str, str] = dataclasses.field(default_factory=dict)
    #: the fuzzy fallback's choices for the universe's equities and ETFs, as text ("name\tid" lines;
    #: split by :meth:`fuzzy_choices` when the fallback first runs)
    fuzzy_text: str = ""

    def fuzzy_choices(self) -> tuple[list[str], list[str]]:
        """(folded names, owner ids) of the universe's equities and ETFs for the fuzzy fallback."""
        pairs = [line.split("\t") for line in self.fuzzy_text.split("\n") if line]
        return [p[0] for p in pairs], [p[1] for p in pairs]


@dataclass(frozen=True)
class UniverseLayer:
    """The universe's entities (in layer order) and its synonym ids (old symbol -> entity id)."""

    entities: tuple[Entity, ...]
    synonyms: dict[str, str]
    counts: dict[str, int]
    names: CompiledNames | None = None
    #: the wider equity layer, made into entities on first use (:mod:`.lazy`)
    lazy: LazyEntities | None = None


def _split(value: str) -> tuple[str, ...]:
    return tuple(v for v in value.split("|") if v) if value else ()


def _rows(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(line for line in fh if not line.startswith("#")))
    except OSError as exc:
        raise StudyFileError(f"cannot read the securities universe file {path}: {exc.strerror}; "
                             "regenerate it with `python -m eventstudy.reference.build`") from None


def _equities(path: Path, source: str = "universe:equities", verified: bool = True) -> list[Entity]:
    out = []
    if not path.exists() and source != "universe:equities":
        return out
    for r in _rows(path):
        code, suffix = split_symbol(r["id"])
        listings = _split(r["listings"])
        us = [s for s in (r["id"], *listings) if "." not in s and not s.startswith("^")]
        out.append(Entity(
            id=r["id"], name=r["name"], asset_class="equity", ticker=r["ticker"] or code, exchange=r["exchange"],
            calendar=r["calendar"], currency=r["currency"], yahoo=r["id"], aliases={"any": _split(r["aliases"])},
            cashtags=tuple(f"${s}" for s in us), common_words=_split(r["common_words"]), isin=r["isin"] or None,
            listings=listings, source=source, yahoo_verified=verified, context=_split(r.get("context") or ""),
        ))
    return out


def _crypto(path: Path) -> list[Entity]:
    return [Entity(
        id=r["id"], name=r["name"], asset_class="crypto", ticker=r["id"], exchange="crypto (CoinGecko-ranked)",
        calendar=CRYPTO_CALENDAR, currency="USD", yahoo=r["yahoo"], yahoo_verified=False,
        aliases={"any": _split(r["aliases"])}, cashtags=(f"${r['id']}",), common_words=_split(r["common_words"]),
        source="universe:crypto",
    ) for r in _rows(path)]


def _toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise StudyFileError(f"cannot read the securities universe file {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise StudyFileError(f"{path}: not valid TOML: {exc}") from None


def apply_renames(entities: dict[str, Entity], renames: list[dict], where: str) -> dict[str, str]:
    """Add the renames to ``entities`` (in place); the synonym ids they define.

    A rename's old names become aliases of its successor (or of the delisted line's own entity);
    its old symbol becomes a listing and a synonym id.
    """
    synonyms: dict[str, str] = {}
    for i, r in enumerate(renames):
        for key in ("old_id", "old_names", "date", "kind"):
            if key not in r:
                raise StudyFileError(f"{where}, rename #{i + 1}: missing key {key!r}")
        old_id, new_id = r["old_id"], r.get("new_id") or None
        names = tuple(r["old_names"])
        common = tuple(r.get("common_words", ()))
        note = r.get("note") or f"{r['kind']} {r['date']}"
        if r.get("delisted"):
            entities[old_id] = Entity(
                id=old_id, name=r.get("name", names[0]), asset_class="equity", ticker=split_symbol(old_id)[0],
                exchange=r.get("exchange"), calendar=r.get("calendar"), currency=r.get("currency"), yahoo=old_id,
                yahoo_verified=False, aliases={"any": names}, common_words=common, source="universe:renames",
                delisted=r["date"], successor=new_id, note=note,
            )
            continue
        target = entities.get(new_id) if new_id else None
        if target is None:
            continue  # the successor is not in the universe: nothing to attach the old names to
        have = set(target.all_aliases())
        add = tuple(n for n in names if n not in have)
        aliases = dict(target.aliases)
        aliases["any"] = tuple(aliases.get("any", ())) + add
        entities[new_id] = replace(
            target, aliases=aliases, common_words=tuple(dict.fromkeys(target.common_words + common)),
            listings=tuple(dict.fromkeys(target.listings + ((old_id,) if old_id != new_id else ()))),
            note=(target.note + "; " if target.note else "") + note,
            former_names=tuple(dict.fromkeys(target.former_names + names)),
        )
        if old_id != new_id and old_id not in entities:
            synonyms[old_id] = new_id
    return synonyms


COMPILED = "universe.json"
#: The source of the wider equity layer's entities (kept as lines in universe.json: :mod:`.lazy`).
WIDE = "universe:equities_wide"
_TUPLE_FIELDS = {f.name for f in dataclasses.fields(Entity) if f.type in ("tuple[str, ...]",)}
_DEFAULTS = {f.name: f.default for f in dataclasses.fields(Entity) if f.default is not dataclasses.MISSING}


def layer_hashes(ref: Path) -> dict[str, str]:
    """SHA-256 of each layer file (what a compiled universe was built from)."""
    return {name: hashlib.sha256((ref / name).read_bytes()).hexdigest() for name in LAYER_FILES if (ref / name).exists()}


def compile_universe(ref: Path) -> str:
    """The text of ``universe.json``: every entity of the layers, the synonyms, counts and hashes."""
    layer = _read_layers(ref)
    entities = []
    core = [e for e in layer.entities if e.source != WIDE]
    wide = [e for e in layer.entities if e.source == WIDE]
    for e in core:
        d = {k: v for k, v in dataclasses.asdict(e).items() if v not in (None, (), {}, []) or k in ("id",)}
        d["aliases"] = {k: list(v) for k, v in e.aliases.items()}
        entities.append(d)
    table = names_table(core)
    wide_table = names_table(wide)
    keys = set(table) | set(wide_table)
    prefixes = sorted({" ".join(k.split(" ")[:n]) for k in keys for n in range(1, k.count(" ") + 1)})
    wide_names = "\n".join(k + "\t" + "\x1f".join(f"{i}\x1e{t}\x1e{fl}" for i, t, fl in rows)
                           for k, rows in sorted(wide_table.items()))
    fuzzy = []
    for e in layer.entities:
        if e.asset_class in ("equity", "etf"):
            common = set(e.common_words)
            for alias in e.all_aliases():
                key = fuzzy_key(alias) if alias not in common else None
                if key:
                    fuzzy.append(f"{key}\t{e.id}")
    doc = {"about": "generated by `python -m eventstudy.reference.build`; do not edit (edit the layer files)",
           "hashes": layer_hashes(ref), "counts": layer.counts, "synonyms": layer.synonyms, "entities": entities,
           "names": table, "prefixes": "\n".join(prefixes),
           "wide_fields": list(LAZY_FIELDS), "wide": "\n".join(encode_row(e) for e in wide), "wide_names": wide_names,
           "fuzzy": "\n".join(dict.fromkeys(fuzzy))}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=False) + "\n"


def _from_compiled(ref: Path) -> UniverseLayer | None:
    path = ref / COMPILED
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if doc.get("hashes") != layer_hashes(ref):
        return None  # a layer file was edited since the build: read the layers themselves
    entities = []
    new = object.__new__
    for d in doc["entities"]:
        d["aliases"] = {k: tuple(v) for k, v in d.get("aliases", {}).items()}
        for k in _TUPLE_FIELDS & d.keys():
            d[k] = tuple(d[k])
        # the fields were checked when the file was compiled: fill the instance directly (a frozen
        # dataclass's __init__ costs a setattr per field, 20 fields x 2,000 entities)
        e = new(Entity)
        e.__dict__.update(_DEFAULTS)
        e.__dict__.update(d)
        entities.append(e)
    if doc.get("wide_fields") != list(LAZY_FIELDS):
        return None  # compiled by another version of the code
    lazy = LazyEntities({line.split("\t", 1)[0]: line for line in doc["wide"].split("\n") if line})
    wide = dict(line.split("\t", 1) for line in doc["wide_names"].split("\n") if line)
    prefixes = frozenset(doc["prefixes"].split("\n"))
    longest = 1 + max((p.count(" ") + 1 for p in prefixes), default=0)
    names = CompiledNames(doc["names"], frozenset(e.id for e in entities), prefixes, longest, wide,
                          doc.get("fuzzy", ""))
    return UniverseLayer(tuple(entities), dict(doc["synonyms"]), dict(doc["counts"]), names, lazy)


@functools.lru_cache(maxsize=4)
def _load(folder: str) -> UniverseLayer:
    ref = Path(folder)
    return _from_compiled(ref) or _read_layers(ref)


def _read_layers(ref: Path) -> UniverseLayer:
    entities: dict[str, Entity] = {}
    counts: dict[str, int] = {}
    for e in _equities(ref / "equities.csv"):
        entities[e.id] = e
    counts["equities"] = len(entities)
    wide = _equities(ref / "equities_wide.csv", WIDE, verified=False)
    counts["equities_wide"] = len(wide)
    for e in wide:
        entities.setdefault(e.id, e)
    crypto = _crypto(ref / "crypto.csv")
    counts["crypto"] = len(crypto)
    for e in crypto:
        entities.setdefault(e.id, e)  # an equity and a token never share an id (symbols vs Yahoo symbols)
    curated = parse_gazetteer((ref / "indices.toml").read_text(encoding="utf-8"), str(ref / "indices.toml"),
                              layer="universe:indices")
    counts["indices"] = sum(e.asset_class == "index" for e in curated)
    counts["etfs"] = sum(e.asset_class == "etf" for e in curated)
    for e in curated:
        entities[e.id] = e
    extra = parse_gazetteer((ref / "listings.toml").read_text(encoding="utf-8"), str(ref / "listings.toml"),
                            layer="universe:listings")
    counts["listings"] = len(extra)
    for e in extra:
        entities.setdefault(e.id, e)
    if (ref / "institutions.toml").exists():
        inst = parse_gazetteer((ref / "institutions.toml").read_text(encoding="utf-8"), str(ref / "institutions.toml"),
                               layer="universe:institutions")
        counts["institutions"] = len(inst)
        for e in inst:
            entities.setdefault(e.id, e)
    renames = _toml(ref / "renames.toml").get("rename", [])
    counts["renames"] = len(renames)
    synonyms = apply_renames(entities, renames, str(ref / "renames.toml"))
    codes = _toml(ref / "reuters.toml").get("codes", {})
    counts["reuters"] = len(codes)
    for ric, yahoo in codes.items():
        target = synonyms.get(yahoo, yahoo)
        if target in entities:
            e = entities[target]
            if ric != target:
                synonyms.setdefault(ric, target)
                if ric not in e.listings:
                    entities[target] = replace(e, listings=e.listings + (ric,))
    return UniverseLayer(tuple(entities.values()), synonyms, counts)


def load_universe(folder: Path | str | None = None) -> UniverseLayer:
    """The universe's entities and synonyms, read once per process and folder."""
    return _load(str(folder or reference_dir()))
