"""The fuzzy fallback of entity linking (rapidfuzz), used only where it is safe.

It runs only on a capitalised name written with a legal form or company word that matched no
alias exactly ("Deutsche Telekon AG"; see :mod:`.entities`), never on a bare word. The name,
without its legal form and accents, is compared with every equity/ETF alias of the gazetteer that
is not an ordinary word and has at least :data:`FUZZY_MIN_LENGTH` characters (``fuzz.ratio``, the
normalised Indel similarity, 0-100). It is mapped when the best ratio is at least
:data:`FUZZY_MIN_SCORE` and no other security scores within :data:`FUZZY_MARGIN` of it; otherwise
it stays unmapped (with the close candidates).
"""

from __future__ import annotations

import weakref

from ..reference.gazetteer import Entity, Gazetteer
from ..reference.names import FUZZY_MIN_LENGTH as _MIN, fold_accents, fuzzy_key, strip_legal_form

#: Smallest rapidfuzz ratio (0-100) for a fuzzy match, shortest name it runs on, and the lead the
#: best match must have over any other security's.
FUZZY_MIN_SCORE, FUZZY_MIN_LENGTH, FUZZY_MARGIN = 90.0, _MIN, 4.0

_FUZZY_CHOICES: "weakref.WeakKeyDictionary[Gazetteer, tuple[list[str], list[Entity]]]" = weakref.WeakKeyDictionary()


def _fuzzy_choices(gazetteer: Gazetteer) -> tuple[list[str], list[str]]:
    """Folded names without legal form and the ids owning them: the universe's as the build
    computed them (``universe.json``), then the gazetteer's and the user's entries."""
    cached = _FUZZY_CHOICES.get(gazetteer)
    if cached is not None:
        return cached
    compiled = gazetteer.universe_names
    names, owners = compiled.fuzzy_choices() if compiled is not None else ([], [])
    for e in gazetteer.eager():
        if compiled is not None and e.source.startswith("universe:"):
            continue  # its names are among the compiled choices
        if e.asset_class in ("equity", "etf"):
            for alias in e.all_aliases():
                key = fuzzy_key(alias) if alias not in e.common_words else None
                if key:
                    names.append(key)
                    owners.append(e.id)
    _FUZZY_CHOICES[gazetteer] = (names, owners)
    return names, owners


_FUZZY_SEEN: "weakref.WeakKeyDictionary[Gazetteer, dict]" = weakref.WeakKeyDictionary()


def fuzzy_security(gazetteer: Gazetteer, name: str) -> tuple[Entity | None, float, tuple[str, ...]]:
    """The security a company name written with a legal form is a near-spelling of, if safe
    (answers kept per gazetteer: the same name is looked up once)."""
    seen = _FUZZY_SEEN.setdefault(gazetteer, {})
    if name not in seen:
        seen[name] = _lookup(gazetteer, name)
    return seen[name]


def _lookup(gazetteer: Gazetteer, name: str) -> tuple[Entity | None, float, tuple[str, ...]]:
    from rapidfuzz import fuzz, process

    key = fold_accents(strip_legal_form(name)).lower()
    if len(key) < FUZZY_MIN_LENGTH:
        return None, 0.0, ()
    names, owners = _fuzzy_choices(gazetteer)
    best = process.extract(key, names, scorer=fuzz.ratio, limit=8, score_cutoff=FUZZY_MIN_SCORE - FUZZY_MARGIN)
    if not best or best[0][1] < FUZZY_MIN_SCORE:
        return None, 0.0, ()
    top = owners[best[0][2]]
    rivals = tuple(dict.fromkeys(owners[i] for _, sc, i in best if owners[i] != top
                                 and sc >= best[0][1] - FUZZY_MARGIN))
    if rivals:
        return None, best[0][1], (top, *rivals)
    return gazetteer.get(top), best[0][1], ()
