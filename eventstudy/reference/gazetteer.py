"""The gazetteer: which securities and named entities exist, and how to find their prices.

Layers, each overriding the ones before it (see :mod:`eventstudy.reference.universe`):

1. the securities universe under ``data/reference/`` (equities generated from pytickersymbols,
   crypto from CoinGecko snapshots, curated indices with ETF proxies, renames, Reuters codes);
2. the project's hand-written ``data/gazetteer.toml`` (the override layer);
3. the user's own files (``[data] gazetteer``, ``--gazetteer``).

A later entry with the same ``id`` replaces the earlier one. A later entry with another id but the
same Yahoo symbol and asset class (the gazetteer's ``GSPC`` and the universe's ``^GSPC``) replaces
it too, keeping its names, listings and proxy, and the earlier id stays a synonym
(``get("^GSPC")`` is the ``GSPC`` entry). The TOML files hold ``[[entity]]`` tables; see
``data/gazetteer.toml``'s header for the fields.
"""

from __future__ import annotations

import difflib
import functools
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import StudyFileError
from ..paths import gazetteer_path

ASSET_CLASSES = ("equity", "etf", "index", "crypto", "private", "project", "institution")
#: Calendar name for assets that trade around the clock; a "day" is a UTC calendar day.
CRYPTO_CALENDAR = "24/7"


@dataclass(frozen=True)
class Entity:
    """One known company, fund, index, token, project or private firm."""

    id: str
    name: str
    asset_class: str
    ticker: str | None = None
    exchange: str | None = None
    calendar: str | None = None
    currency: str | None = None
    yahoo: str | None = None
    yahoo_verified: bool = True
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    cashtags: tuple[str, ...] = ()
    #: aliases that are also ordinary words or other things ("Arm", "Oracle", "Virtual"): a mention
    #: counts only when the context supports it (see eventstudy.article.entities)
    common_words: tuple[str, ...] = ()
    #: words that, near a mention, support reading it as this entity ("puces", "token", "NYSE")
    context: tuple[str, ...] = ()
    #: for an index or sector: the Yahoo symbol of a liquid ETF that tracks it ("^GSPC" -> "SPY");
    #: a price claim on the index can be checked on the index or on this fund (say which). Stable name.
    proxy: str | None = None
    #: how the proxy differs from the index when it does ("tracks MSCI Spain, not the IBEX 35")
    proxy_note: str | None = None
    isin: str | None = None
    #: other symbols the security trades or traded under (ADRs, second lines, old tickers): a symbol
    #: written in the text ("(NYSE: BCS)") is evidence for it; Yahoo form ("BCS", "AIR.MC", "FP.PA")
    listings: tuple[str, ...] = ()
    #: which layer the entry comes from ("universe:equities", "gazetteer", a user file ...)
    source: str = "gazetteer"
    #: last trading day (ISO date) of a delisted line, and the id of its successor if any
    delisted: str | None = None
    successor: str | None = None
    #: what happened to it (a rename, a merger), for messages
    note: str | None = None
    #: names it was known under before a rename or merger (also among its aliases)
    former_names: tuple[str, ...] = ()

    @property
    def is_listed(self) -> bool:
        """True when the entity has prices somewhere (not a private firm or a project)."""
        return self.asset_class not in ("private", "project", "institution")

    def all_aliases(self) -> tuple[str, ...]:
        """Every alias in every language, without duplicates, in file order."""
        seen: dict[str, None] = {}
        for names in self.aliases.values():
            for name in names:
                seen.setdefault(name, None)
        return tuple(seen)


_FIELDS = {
    "id": str, "name": str, "asset_class": str, "ticker": str, "exchange": str, "calendar": str,
    "currency": str, "yahoo": str, "yahoo_verified": bool, "aliases": (dict, list), "cashtags": list,
    "common_words": list, "context": list, "proxy": str, "proxy_note": str, "isin": str, "listings": list,
    "delisted": str, "successor": str, "note": str, "former_names": list,
}


def _parse_entity(raw: dict, where: str) -> Entity:
    for key, value in raw.items():
        if key not in _FIELDS:
            raise StudyFileError(f"{where}: unknown key {key!r}; known keys: {', '.join(_FIELDS)}")
        if not isinstance(value, _FIELDS[key]):
            raise StudyFileError(f"{where}: key {key!r} has the wrong type ({type(value).__name__})")
    for key in ("id", "name", "asset_class"):
        if key not in raw:
            raise StudyFileError(f"{where}: missing key {key!r}")
    if raw["asset_class"] not in ASSET_CLASSES:
        raise StudyFileError(
            f"{where} ({raw['id']}): asset_class {raw['asset_class']!r} is not one of {', '.join(ASSET_CLASSES)}"
        )
    aliases = raw.get("aliases", {})
    if isinstance(aliases, list):
        aliases = {"any": aliases}
    for lang, names in aliases.items():
        if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
            raise StudyFileError(f"{where} ({raw['id']}): aliases.{lang} must be a list of non-empty strings")
    for key in ("cashtags", "common_words", "context", "listings"):
        if not all(isinstance(v, str) and v.strip() for v in raw.get(key, [])):
            raise StudyFileError(f"{where} ({raw['id']}): {key} must be a list of non-empty strings")
    known = {n for names in aliases.values() for n in names} | {raw.get("ticker")} | set(raw.get("cashtags", []))
    unknown_common = [w for w in raw.get("common_words", []) if w not in known]
    if unknown_common:
        raise StudyFileError(f"{where} ({raw['id']}): common_words {unknown_common} are not aliases, the ticker or "
                             "cashtags of this entity; list them under aliases too")
    return Entity(
        id=raw["id"],
        name=raw["name"],
        asset_class=raw["asset_class"],
        ticker=raw.get("ticker"),
        exchange=raw.get("exchange"),
        calendar=raw.get("calendar"),
        currency=raw.get("currency"),
        yahoo=raw.get("yahoo"),
        yahoo_verified=raw.get("yahoo_verified", True),
        aliases={lang: tuple(names) for lang, names in aliases.items()},
        cashtags=tuple(raw.get("cashtags", ())),
        common_words=tuple(raw.get("common_words", ())),
        context=tuple(raw.get("context", ())),
        proxy=raw.get("proxy") or None,
        proxy_note=raw.get("proxy_note") or None,
        isin=raw.get("isin") or None,
        listings=tuple(raw.get("listings", ())),
        delisted=raw.get("delisted") or None,
        successor=raw.get("successor") or None,
        note=raw.get("note") or None,
        former_names=tuple(raw.get("former_names", ())),
    )


def parse_gazetteer(text: str, source: str = "<gazetteer>", layer: str | None = None) -> list[Entity]:
    """Parse gazetteer TOML text into entities (no merging); ``layer`` names their source."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StudyFileError(f"{source}: not valid TOML: {exc}") from None
    unknown = set(doc) - {"entity"}
    if unknown:
        raise StudyFileError(f"{source}: unknown top-level key(s) {sorted(unknown)}; use [[entity]] tables")
    entities = [_parse_entity(raw, f"{source}, entity #{i + 1}") for i, raw in enumerate(doc.get("entity", []))]
    if layer is not None:
        entities = [replace(e, source=layer) for e in entities]
    return entities


def _merge(old: Entity, new: Entity) -> Entity:
    """``new`` (a later layer, another id, the same security) keeping ``old``'s names and data."""
    aliases = {lang: tuple(names) for lang, names in new.aliases.items()}
    have = set(new.all_aliases())
    extra = tuple(a for a in old.all_aliases() if a not in have)
    if extra:
        aliases["any"] = aliases.get("any", ()) + extra
    return replace(
        new, aliases=aliases,
        cashtags=tuple(dict.fromkeys(new.cashtags + old.cashtags)),
        common_words=tuple(dict.fromkeys(new.common_words + tuple(w for w in old.common_words if w in extra))),
        context=tuple(dict.fromkeys(new.context + old.context)),
        proxy=new.proxy or old.proxy, proxy_note=new.proxy_note or old.proxy_note, isin=new.isin or old.isin,
        listings=tuple(dict.fromkeys(new.listings + old.listings + ((old.id,) if old.id != new.id else ()))),
        delisted=new.delisted or old.delisted, successor=new.successor or old.successor, note=new.note or old.note,
        former_names=tuple(dict.fromkeys(new.former_names + old.former_names)),
    )


class Gazetteer:
    """Look-up of entities by id (or a synonym id), ticker, cashtag or listed symbol.

    ``entities`` are taken in order: a later one replaces an earlier one with the same id, or with
    the same Yahoo symbol and asset class (the earlier id then stays a synonym). ``synonyms`` maps
    other ids to entity ids (old symbols of renamed companies: "FB" -> "META").
    """

    def __init__(self, entities: Iterable[Entity], synonyms: dict[str, str] | None = None, names=None,
                 lazy=None):
        #: the universe's compiled names table (eventstudy.reference.universe.CompiledNames), if any
        self.universe_names = names
        #: the wider equity layer (eventstudy.reference.lazy.LazyEntities, shared and never changed
        #: here) and the ids of it that later entries replaced
        self._lazy = lazy
        self._hidden: set[str] = set()
        self._by_id: dict[str, Entity] = {}
        self._synonyms: dict[str, str] = dict(synonyms or {})
        by_yahoo: dict[tuple[str, str], str] = {}
        for entity in entities:
            key = (entity.yahoo, entity.asset_class) if entity.yahoo else None
            previous = by_yahoo.get(key) if key else None
            if lazy is not None and entity.id in lazy:
                self._hidden.add(entity.id)  # a later entry with the same id replaces the wider layer's
            elif (lazy is not None and entity.yahoo and entity.yahoo in lazy and entity.asset_class == "equity"
                  and entity.yahoo not in self._hidden):
                self._hidden.add(entity.yahoo)
                entity = _merge(lazy.get(entity.yahoo), entity)
                self._synonyms[entity.yahoo] = entity.id
            if entity.id in self._by_id:
                old = self._by_id[entity.id]
                if old.yahoo and old.yahoo != entity.yahoo:
                    by_yahoo.pop((old.yahoo, old.asset_class), None)
            elif previous is not None and previous in self._by_id and previous != entity.id:
                entity = _merge(self._by_id.pop(previous), entity)
                self._synonyms[previous] = entity.id
            self._by_id[entity.id] = entity  # later files override earlier ones
            if key:
                by_yahoo[key] = entity.id
        for old, new in list(self._synonyms.items()):
            if old in self._by_id or (old != new and self._visible_lazy(old)):
                del self._synonyms[old]  # a real entry wins over a synonym
            else:
                while new in self._synonyms and new not in self._by_id:
                    new = self._synonyms[new]
                self._synonyms[old] = new
        self._symbols: dict[str, list[str]] | None = None

    @classmethod
    def load(cls, extra: Sequence[Path | str] = (), *, universe: bool = True) -> "Gazetteer":
        """The universe and the project's gazetteer, extended/overridden by the user's files in ``extra``.

        Loaded once per process for the same files (unchanged on disk); ``universe=False`` leaves
        out the securities universe (the hand-written gazetteer and ``extra`` only).
        """
        return _load_cached(_file_keys(extra), universe)

    @classmethod
    def deferred(cls, extra: Sequence[Path | str] = ()) -> "DeferredGazetteer":
        """:meth:`load`, done on first use: a study whose groups name their calendar and whose
        prices all come from its own files never needs the universe (0.2 s to load)."""
        _file_keys(extra)  # a missing or unreadable file is reported now, not at first use
        return DeferredGazetteer(tuple(extra))

    def _visible_lazy(self, key: str) -> bool:
        return self._lazy is not None and key in self._lazy and key not in self._hidden

    def entity(self, key: str) -> Entity | None:
        """The entity with id ``key`` (no synonyms, no symbols)."""
        e = self._by_id.get(key)
        if e is None and self._visible_lazy(key):
            e = self._lazy.get(key)
        return e

    def eager(self):
        """The entities held as objects (every layer but the wider equity layer's lines)."""
        return iter(self._by_id.values())

    def lazy_ids(self):
        """The ids of the wider equity layer still in force."""
        if self._lazy is None:
            return iter(())
        return (i for i in self._lazy.ids() if i not in self._hidden)

    @property
    def synonyms(self) -> dict[str, str]:
        """Other ids that name an entity (old symbols, ids a later layer replaced) -> its id."""
        return dict(self._synonyms)

    def __contains__(self, key: str) -> bool:
        return key in self._by_id or key in self._synonyms or self._visible_lazy(key)

    def __iter__(self):
        """Every entity (the wider layer's lines are made into entities: slower than :meth:`eager`)."""
        yield from self._by_id.values()
        for key in self.lazy_ids():
            yield self._lazy.get(key)

    def __len__(self) -> int:
        return len(self._by_id) + (len(self._lazy) - len(self._hidden & set(self._lazy.ids())) if self._lazy else 0)

    def _symbol_index(self) -> dict[str, list[str]]:
        if self._symbols is None:
            index: dict[str, list[str]] = {}
            for e in self._by_id.values():
                for sym in dict.fromkeys((e.ticker, e.yahoo, *e.cashtags, *e.listings)):
                    if sym:
                        index.setdefault(sym, []).append(e.id)
            if self._lazy is not None:
                for sym, key in self._lazy.symbols():
                    if key not in self._hidden:
                        ids = index.setdefault(sym, [])
                        if key not in ids:
                            ids.append(key)
            self._symbols = index
        return self._symbols

    def get(self, key: str) -> Entity | None:
        """Entity by id or synonym id; else by ticker, cashtag, Yahoo symbol or listing when that is
        unambiguous."""
        e = self.entity(key)
        if e is not None:
            return e
        if key in self._synonyms:
            return self.entity(self._synonyms[key])
        matches = self._symbol_index().get(key, [])
        return self.entity(matches[0]) if len(set(matches)) == 1 else None

    def by_symbol(self, symbol: str) -> list[Entity]:
        """Every entity trading or having traded under ``symbol`` (ticker, Yahoo symbol, listing, cashtag)."""
        ids = list(dict.fromkeys(self._symbol_index().get(symbol, [])))
        if symbol in self._synonyms and self._synonyms[symbol] not in ids:
            ids.insert(0, self._synonyms[symbol])
        return [e for i in ids if (e := self.entity(i)) is not None]

    def suggest(self, key: str, n: int = 3) -> list[str]:
        """Close ids for a misspelt one, for error messages."""
        ids = [*self._by_id, *self.lazy_ids()]
        return difflib.get_close_matches(key.upper(), [k.upper() for k in ids], n=n, cutoff=0.6)


def _file_keys(extra: Sequence[Path | str]) -> tuple[tuple[str, int], ...]:
    """(path, modification time) of the project's gazetteer and the user's files: the cache key."""
    keys = []
    for path in (gazetteer_path(), *map(Path, extra)):
        try:
            keys.append((str(path), Path(path).stat().st_mtime_ns))
        except OSError as exc:
            raise StudyFileError(f"cannot read gazetteer {path}: {exc.strerror}") from None
    return tuple(keys)


class DeferredGazetteer:
    """Stands for ``Gazetteer.load(extra)`` and loads it the first time it is asked anything."""

    def __init__(self, extra: tuple[Path | str, ...]):
        self._extra, self._loaded = extra, None

    def _gazetteer(self) -> Gazetteer:
        if self._loaded is None:
            self._loaded = Gazetteer.load(self._extra)
        return self._loaded

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self._gazetteer(), name)

    def __contains__(self, key: str) -> bool:
        return key in self._gazetteer()

    def __iter__(self):
        return iter(self._gazetteer())

    def __len__(self) -> int:
        return len(self._gazetteer())


@functools.lru_cache(maxsize=16)
def _load_cached(files: tuple[tuple[str, int], ...], universe: bool) -> Gazetteer:
    from .universe import load_universe

    entities: list[Entity] = []
    synonyms: dict[str, str] = {}
    names = lazy = None
    if universe:
        layer = load_universe()
        entities.extend(layer.entities)
        synonyms.update(layer.synonyms)
        names, lazy = layer.names, layer.lazy
    for i, (path, _) in enumerate(files):
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise StudyFileError(f"cannot read gazetteer {path}: {exc.strerror}") from None
        entities.extend(parse_gazetteer(text, path, layer="gazetteer" if i == 0 else f"user:{Path(path).name}"))
    return Gazetteer(entities, synonyms, names, lazy)
