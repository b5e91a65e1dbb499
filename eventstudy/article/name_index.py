"""Every name of every entity in one Aho-Corasick automaton (pyahocorasick), built once per gazetteer.

Forms indexed for an entity: its aliases in every language, its cashtags and, for hand-written
entries (the project gazetteer or a user file), its ticker. Tickers of the generated universe are
not matched as bare words ("A", "IT", "ON", "ALL" are Agilent, Gartner, onsemi and Allstate);
they count only when written as symbols (see :mod:`eventstudy.article.symbols`).

Case: cashtags, ``common_words``, the ticker and names of 4 characters or fewer match with their
exact case; longer names in any case. A generated name of 2 characters or fewer ("BP", "HP") is
read like an ordinary word: only with context.

Matching runs over the lower-cased text (same length as the original) and keeps whole words only:
no letter, digit or "_" right before or after (nor "$" before), so "l'action d'Airbus" and
"Airbus's" match "Airbus". Overlapping matches keep the leftmost, then the longest.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field

import ahocorasick

from ..reference.gazetteer import Entity, Gazetteer

_TICKER_FORM = re.compile(r"[A-Z][A-Z0-9.]{1,9}")


@dataclass(frozen=True)
class Form:
    entity: Entity
    form: str
    exact_case: bool
    common: bool
    is_tag: bool


@dataclass
class NameIndex:
    automaton: "ahocorasick.Automaton | None"
    forms: dict[str, list[Form]] = field(default_factory=dict)
    all_forms: frozenset[str] = frozenset()


_INDEXES: "weakref.WeakKeyDictionary[Gazetteer, NameIndex]" = weakref.WeakKeyDictionary()


def _hand_written(entity: Entity) -> bool:
    return not entity.source.startswith("universe:")


def name_index(gazetteer: Gazetteer) -> NameIndex:
    """The gazetteer's automaton (built on first use, then cached with the gazetteer object)."""
    cached = _INDEXES.get(gazetteer)
    if cached is not None:
        return cached
    forms: dict[str, list[Form]] = {}
    for entity in gazetteer:
        surface: dict[str, bool] = {}
        for alias in entity.all_aliases():
            surface.setdefault(alias, False)
        if _hand_written(entity) and entity.ticker and _TICKER_FORM.fullmatch(entity.ticker):
            surface.setdefault(entity.ticker, False)
        for tag in entity.cashtags:
            surface[tag] = True
        for text, is_tag in surface.items():
            common = text in entity.common_words or (len(text) <= 2 and not _hand_written(entity) and not is_tag)
            exact = is_tag or common or len(text) <= 4 or text == entity.ticker
            forms.setdefault(text.lower(), []).append(Form(entity, text, exact, common, is_tag))
    automaton = None
    if forms:
        automaton = ahocorasick.Automaton()
        for low in forms:
            automaton.add_word(low, low)
        automaton.make_automaton()
    index = NameIndex(automaton, forms, frozenset(forms))
    _INDEXES[gazetteer] = index
    return index


def lower_same_length(text: str) -> str:
    """``text.lower()`` when that keeps every offset ("İ" lower-cases to two characters), else
    character by character."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


def find_names(index: NameIndex, norm: str) -> list[tuple[int, int, str, list[Form]]]:
    """Whole-word matches of the index's names in ``norm``: (start, end, written, fitting forms),
    in text order, without overlaps (leftmost first, then longest)."""
    if index.automaton is None:
        return []
    low = lower_same_length(norm)
    found: list[tuple[int, int, str, list[Form]]] = []
    n = len(norm)
    for end_idx, key in index.automaton.iter(low):
        start, end = end_idx - len(key) + 1, end_idx + 1
        if start > 0 and (_is_word_char(norm[start - 1]) or norm[start - 1] == "$") and key[0] != "$":
            continue
        if start > 0 and key[0] == "$" and _is_word_char(norm[start - 1]):
            continue
        if end < n and _is_word_char(norm[end]):
            continue
        if key[-1] == "." and end < n and norm[end] == ".":
            continue
        written = norm[start:end]
        fits = [f for f in index.forms[key] if not f.exact_case or f.form == written]
        if fits:
            found.append((start, end, written, fits))
    found.sort(key=lambda m: (m[0], -(m[1] - m[0])))
    out: list[tuple[int, int, str, list[Form]]] = []
    last_end = -1
    for m in found:
        if m[0] >= last_end:
            out.append(m)
            last_end = m[1]
    return out
