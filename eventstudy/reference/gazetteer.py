"""The gazetteer: which securities and named entities exist, and how to find their prices.

It is a TOML file (``data/gazetteer.toml``) of ``[[entity]]`` tables; see that file's header for
the fields. Users add or override entries with their own file; entries with the same ``id``
replace the project's.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import StudyFileError
from ..paths import gazetteer_path

ASSET_CLASSES = ("equity", "etf", "index", "crypto", "private", "project")
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

    @property
    def is_listed(self) -> bool:
        """True when the entity has prices somewhere (not a private firm or a project)."""
        return self.asset_class not in ("private", "project")

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
    "common_words": list, "context": list,
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
    for key in ("cashtags", "common_words", "context"):
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
    )


def parse_gazetteer(text: str, source: str = "<gazetteer>") -> list[Entity]:
    """Parse gazetteer TOML text into entities (no merging)."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StudyFileError(f"{source}: not valid TOML: {exc}") from None
    unknown = set(doc) - {"entity"}
    if unknown:
        raise StudyFileError(f"{source}: unknown top-level key(s) {sorted(unknown)}; use [[entity]] tables")
    return [_parse_entity(raw, f"{source}, entity #{i + 1}") for i, raw in enumerate(doc.get("entity", []))]


class Gazetteer:
    """Look-up of entities by id, ticker or cashtag."""

    def __init__(self, entities: Iterable[Entity]):
        self._by_id: dict[str, Entity] = {}
        for entity in entities:
            self._by_id[entity.id] = entity  # later files override earlier ones

    @classmethod
    def load(cls, extra: Sequence[Path | str] = ()) -> "Gazetteer":
        """The project's gazetteer, extended/overridden by the user's files in ``extra``."""
        entities: list[Entity] = []
        for path in (gazetteer_path(), *map(Path, extra)):
            try:
                text = Path(path).read_text(encoding="utf-8")
            except OSError as exc:
                raise StudyFileError(f"cannot read gazetteer {path}: {exc.strerror}") from None
            entities.extend(parse_gazetteer(text, str(path)))
        return cls(entities)

    def __contains__(self, key: str) -> bool:
        return key in self._by_id

    def __iter__(self):
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, key: str) -> Entity | None:
        """Entity by id; else by ticker or cashtag when that is unambiguous."""
        if key in self._by_id:
            return self._by_id[key]
        matches = [e for e in self._by_id.values() if key in (e.ticker, *e.cashtags)]
        return matches[0] if len(matches) == 1 else None

    def suggest(self, key: str, n: int = 3) -> list[str]:
        """Close ids for a misspelt one, for error messages."""
        return difflib.get_close_matches(key.upper(), [k.upper() for k in self._by_id], n=n, cutoff=0.6)
