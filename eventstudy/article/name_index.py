"""Every name of every entity, looked up by token n-grams of the article, built once per gazetteer.

Keys (:func:`eventstudy.reference.names.name_key`): a name and the text are both cut into tokens
(letters/digits runs, cashtags, "&"), accents and case folded, "and"/"et"/"und" read as "&". So
"Mercedes Benz" finds "Mercedes-Benz", "Procter and Gamble" finds "Procter & Gamble", "SOCIETE
GENERALE" finds "Société Générale", "McDonalds" finds "McDonald's", and "Nvidia's" or "l'action
d'Airbus" find "Nvidia" and "Airbus" (an apostrophe separates tokens). These are rules of the
look-up, not extra aliases per company.

The text's tokens are read left to right; from each token the n-gram grows while it is a prefix of
some key and the tokens are joined only by spaces or a hyphen, apostrophe, dot or slash inside a
word ("Coca-Cola", "E.ON", "U.S. Steel"): a comma, a full stop before a new word, a parenthesis or
a line break ends a name. Overlapping matches keep the leftmost, then the longest.

Case: forms marked exact (cashtags, ``common_words``, tickers, names of 4 characters or fewer) must
be written with their case (compared with accents folded and separators normalised: "AT&T" =
"AT & T"); other names match in any case (see :mod:`eventstudy.reference.name_table`).

The universe's names table is computed by the build and read with the universe; only the
gazetteer's and the user's entries (and universe entries they replace) are tabulated here. This
replaced an Aho-Corasick automaton (pyahocorasick): with the wider universe (14,000 entities,
60,000 names) building the automaton took 0.6 s of CPU in every process, and a pickled one was
35 MB; a dictionary of n-gram keys is read with the universe and needs no construction.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field

from ..reference.gazetteer import Entity, Gazetteer
from ..reference.name_table import COMMON, EXACT, TAG, entity_forms, hand_written
from ..reference.names import TOKEN, name_key, surface


@dataclass(frozen=True)
class Form:
    entity: Entity
    form: str
    exact_case: bool
    common: bool
    is_tag: bool


@dataclass
class NameIndex:
    """Keys -> forms; ``prefixes``: every proper token prefix of a key (where an n-gram may grow)."""

    gazetteer: Gazetteer
    universe: dict[str, list]                       # the compiled table (rows: [id, form, flags])
    runtime: dict[str, list[Form]] = field(default_factory=dict)
    wide: dict[str, str] = field(default_factory=dict)     # the wider layer's rows, packed as text
    prefixes: frozenset[str] | set[str] = frozenset()
    max_tokens: int = 1
    _cache: dict[str, list[Form]] = field(default_factory=dict)

    def lookup(self, key: str) -> list[Form]:
        """The forms filed under ``key`` (universe rows whose entity is still the universe's)."""
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        forms = list(self.runtime.get(key, ()))
        entity = self.gazetteer.entity
        rows = list(self.universe.get(key, ()))
        packed = self.wide.get(key)
        if packed:
            rows += [(i, t, int(fl)) for i, t, fl in (r.split("\x1e") for r in packed.split("\x1f"))]
        for eid, text, flags in rows:
            e = entity(eid)
            if e is None or hand_written(e):
                continue  # replaced by a gazetteer or user entry (its own names are in `runtime`)
            forms.append(Form(e, text, bool(flags & EXACT), bool(flags & COMMON), bool(flags & TAG)))
        self._cache[key] = forms
        return forms

    def knows(self, text: str) -> bool:
        """True when ``text`` is a name of some entity (any case)."""
        key = name_key(text)
        return bool(key) and (key in self.runtime or key in self.universe or key in self.wide)

    def knows_proper(self, text: str) -> bool:
        """True when ``text`` is a name of some entity that is not an ordinary word of it (not in
        its ``common_words``): "Apple" is, "Asset" (a small company's ordinary-word name) is not."""
        key = name_key(text)
        if not key or not (key in self.runtime or key in self.universe or key in self.wide):
            return False
        return any(not f.common for f in self.lookup(key))

    @property
    def all_forms(self) -> "_Known":
        return _Known(self)


class _Known:
    """``word in index.all_forms``: the older spelling of :meth:`NameIndex.knows`."""

    def __init__(self, index: NameIndex):
        self._index = index

    def __contains__(self, text: str) -> bool:
        return self._index.knows(text)


_INDEXES: "weakref.WeakKeyDictionary[Gazetteer, NameIndex]" = weakref.WeakKeyDictionary()


def name_index(gazetteer: Gazetteer) -> NameIndex:
    """The gazetteer's name index (built on first use, then cached with the gazetteer object)."""
    cached = _INDEXES.get(gazetteer)
    if cached is not None:
        return cached
    compiled = gazetteer.universe_names
    universe = compiled.table if compiled is not None else {}
    wide = compiled.wide if compiled is not None else {}
    runtime: dict[str, list[Form]] = {}
    for entity in (gazetteer.eager() if compiled is not None else gazetteer):
        if compiled is not None and not hand_written(entity) and entity.id in compiled.ids:
            continue  # its names are in the compiled table
        for key, text, flags in entity_forms(entity):
            runtime.setdefault(key, []).append(
                Form(entity, text, bool(flags & EXACT), bool(flags & COMMON), bool(flags & TAG)))
    prefixes = set(compiled.prefixes) if compiled is not None else set()
    longest = compiled.max_tokens if compiled is not None else 1
    for key in runtime:
        parts = key.split(" ")
        longest = max(longest, len(parts))
        for n in range(1, len(parts)):
            prefixes.add(" ".join(parts[:n]))
    index = NameIndex(gazetteer, universe, runtime, wide, prefixes, longest)
    _INDEXES[gazetteer] = index
    return index


def lower_same_length(text: str) -> str:
    """``text.lower()`` when that keeps every offset ("İ" lower-cases to two characters), else
    character by character."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


#: What may join two tokens of one name: spaces or tabs, or one hyphen, apostrophe, dot or slash
#: inside a word; a dot and a space after an initial ("U.S. Steel"); nothing ("S&P", "AT&T").
_AND_WORDS = frozenset({"and", "et", "und"})
_JOIN = re.compile(r"(?:[ \t]{1,3}|[-'’./]|\.[ \t])?")


def _tokens(norm: str) -> list[tuple[int, int, str]]:
    out = []
    for m in TOKEN.finditer(norm):
        t = m.group(0)
        low = t.lower() if t.isascii() else name_key(t)
        out.append((m.start(), m.end(), low))
    return out


#: Legal forms written in capitals that are also ordinary words in lower case ("Airbus se replie": the
#: French reflexive, not Airbus SE; "Orange sa filiale"): such a form matches only in capitals.
_CAPS_LEGAL = frozenset({"SE", "SA", "AG", "NV", "AB", "ASA", "SCA", "AS", "OYJ"})


def _legal_tail_case_differs(form: str, written: str) -> bool:
    """True when a name ends with a capitalised legal form (":data:`_CAPS_LEGAL`") that the text
    writes in lower case."""
    tail = form.rsplit(" ", 1)[-1].rstrip(".")
    if tail not in _CAPS_LEGAL:
        return False
    return not written.rstrip(".").endswith(tail)


def find_names(index: NameIndex, norm: str) -> list[tuple[int, int, str, list[Form]]]:
    """Whole-word matches of the index's names in ``norm``: (start, end, written, fitting forms),
    in text order, without overlaps (leftmost first, then longest)."""
    tokens = _tokens(norm)
    n = len(tokens)
    prefixes = index.prefixes
    universe, runtime, wide = index.universe, index.runtime, index.wide
    found: list[tuple[int, int, str, list[Form]]] = []
    for i in range(n):
        start, end, key = tokens[i]
        if start > 0 and norm[start - 1] == "$" and key[0] != "$":
            continue
        best = None
        j = i
        while True:
            if key in universe or key in runtime or key in wide:
                tok_end = tokens[j][1]
                written = norm[start:tok_end]
                forms = index.lookup(key)
                if forms:
                    shape = surface(written)
                    fits = [f for f in forms if (not f.exact_case or surface(f.form) == shape)
                            and not _legal_tail_case_differs(f.form, written)]
                    if fits:
                        if norm[tok_end:tok_end + 1] == "." and any(f.form.endswith(".") for f in fits):
                            tok_end += 1  # "Alphabet Inc." keeps its abbreviation's dot
                            written = norm[start:tok_end]
                        best = (start, tok_end, written, fits)
            if j + 1 >= n or key not in prefixes or j - i + 1 >= index.max_tokens:
                break
            gap = norm[tokens[j][1]:tokens[j + 1][0]]
            if not _JOIN.fullmatch(gap) or (gap.startswith(".") and gap != "." and len(tokens[j][2]) > 1):
                break
            j += 1
            nxt = tokens[j][2]
            key = f"{key} {'&' if nxt in _AND_WORDS else nxt}"  # inside a name, "and"/"et"/"und" is "&"
        if best is not None:
            found.append(best)
    out: list[tuple[int, int, str, list[Form]]] = []
    last_end = -1
    for m in found:
        if m[0] >= last_end:
            out.append(m)
            last_end = m[1]
    return out
