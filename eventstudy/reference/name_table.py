"""The names table: every entity's names under their matching keys (see :func:`names.name_key`).

One row per (key, entity, written form): whether the form must match with its exact case, whether
it is an ordinary word or shared name (read only with context: ``common``) and whether it is a
cashtag. The universe's table is computed once by the build (``universe.json``'s ``names``) and
read as it is; entries from the gazetteer and the user's files are tabulated at run time.

Forms of an entity: its aliases in every language, its cashtags and, for hand-written entries (the
project gazetteer or a user file), its ticker. Tickers of the generated universe are not names
("A", "IT", "ON", "ALL" are Agilent, Gartner, onsemi and Allstate): they count only when written as
symbols. Case: cashtags, ``common_words``, the ticker and names of 4 characters or fewer match with
their exact case; longer names in any case. A generated name of 2 characters or fewer ("BP",
"HP") is read like an ordinary word: only with context.
"""

from __future__ import annotations

import re

from .gazetteer import Entity
from .names import camel_split, key_variants, name_key

_TICKER_FORM = re.compile(r"[A-Z][A-Z0-9.]{1,9}")
EXACT, COMMON, TAG = 1, 2, 4


def hand_written(entity: Entity) -> bool:
    return not entity.source.startswith("universe:")


def entity_forms(entity: Entity) -> list[tuple[str, str, int]]:
    """(key, written form, flags) for each name of ``entity``; flags: EXACT | COMMON | TAG."""
    surface: dict[str, bool] = {}
    for alias in entity.all_aliases():
        surface.setdefault(alias, False)
    if hand_written(entity) and entity.ticker and _TICKER_FORM.fullmatch(entity.ticker):
        surface.setdefault(entity.ticker, False)
    for tag in entity.cashtags:
        surface[tag] = True
    out = []
    common_words = set(entity.common_words)
    for text, is_tag in surface.items():
        common = text in common_words or (len(text) <= 2 and not hand_written(entity) and not is_tag)
        exact = is_tag or common or len(text) <= 4 or text == entity.ticker
        flags = (EXACT if exact else 0) | (COMMON if common else 0) | (TAG if is_tag else 0)
        for key in key_variants(text):
            out.append((key, text, flags))
        split = camel_split(text) if not is_tag else None
        if split:
            out.append((name_key(split), split, flags | EXACT))
    return out


def names_table(entities) -> dict[str, list[list]]:
    """key -> [[entity id, written form, flags], ...] for ``entities``."""
    table: dict[str, list[list]] = {}
    for e in entities:
        for key, text, flags in entity_forms(e):
            table.setdefault(key, []).append([e.id, text, flags])
    return table
