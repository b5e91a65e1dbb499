"""The wider equity layer kept compact: one text line per company, made an Entity when it is used.

The wider layer holds about 12,000 small companies (:func:`eventstudy.reference.build.build_wide`);
reading them as JSON objects and making 12,000 entities took most of a second in every process,
while an article names a handful of them. ``universe.json`` therefore stores them as tab-separated
lines (lists joined by "|") and their names as lines of the names table; :class:`LazyEntities`
makes the :class:`~eventstudy.reference.gazetteer.Entity` of a line on first use and keeps it.
"""

from __future__ import annotations

from collections.abc import Iterator

from .gazetteer import Entity

#: The fields of a line, in order (the others keep their defaults; yahoo = id).
FIELDS = ("id", "name", "ticker", "isin", "exchange", "calendar", "currency", "aliases", "common_words",
          "listings", "cashtags", "note", "former_names", "source")
_LISTS = {"aliases", "common_words", "listings", "cashtags", "former_names"}


def _clean(text: str) -> str:
    return text.replace("\t", " ").replace("\n", " ")


def encode(e: Entity) -> str:
    """The line of an entity of the wider layer."""
    values = []
    for f in FIELDS:
        v = e.all_aliases() if f == "aliases" else getattr(e, f)
        if f in _LISTS:
            values.append("|".join(_clean(x) for x in v))
        else:
            values.append(_clean(v or ""))
    return "\t".join(values)


def decode(line: str) -> Entity:
    """The entity of a line (yahoo = id, prices not checked on Yahoo: ``yahoo_verified`` False)."""
    parts = line.split("\t")
    d = dict(zip(FIELDS, parts))
    lists = {f: tuple(x for x in d[f].split("|") if x) for f in _LISTS}
    return Entity(
        id=d["id"], name=d["name"], asset_class="equity", ticker=d["ticker"] or None, exchange=d["exchange"] or None,
        calendar=d["calendar"] or None, currency=d["currency"] or None, yahoo=d["id"], yahoo_verified=False,
        aliases={"any": lists["aliases"]}, cashtags=lists["cashtags"], common_words=lists["common_words"],
        isin=d["isin"] or None, listings=lists["listings"], source=d["source"], note=d["note"] or None,
        former_names=lists["former_names"],
    )


class LazyEntities:
    """id -> line of the wider layer; the Entity is made on first access."""

    def __init__(self, lines: dict[str, str]):
        self._lines = lines
        self._made: dict[str, Entity] = {}

    def __contains__(self, key: str) -> bool:
        return key in self._lines

    def __len__(self) -> int:
        return len(self._lines)

    def ids(self) -> Iterator[str]:
        return iter(self._lines)

    def get(self, key: str) -> Entity | None:
        e = self._made.get(key)
        if e is None:
            line = self._lines.get(key)
            if line is None:
                return None
            e = self._made[key] = decode(line)
        return e

    def pop(self, key: str) -> Entity | None:
        e = self.get(key)
        self._lines.pop(key, None)
        self._made.pop(key, None)
        return e

    def values(self) -> Iterator[Entity]:
        for key in list(self._lines):
            yield self.get(key)

    def symbols(self) -> Iterator[tuple[str, str]]:
        """(symbol, id) for the id, ticker, listings and cashtags of every line (no Entity made)."""
        i_t, i_l, i_c = FIELDS.index("ticker"), FIELDS.index("listings"), FIELDS.index("cashtags")
        for key, line in self._lines.items():
            parts = line.split("\t")
            yield key, key
            if parts[i_t]:
                yield parts[i_t], key
            for s in parts[i_l].split("|"):
                if s:
                    yield s, key
            for s in parts[i_c].split("|"):
                if s:
                    yield s, key
