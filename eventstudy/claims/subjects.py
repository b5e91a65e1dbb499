"""Which prices measure a claim: its subject's, an unmapped subject read from the gazetteer, or
an index's ETF proxy.

Rules (pure look-ups in the gazetteer, no I/O):

* A claim with a ticker is measured on that ticker's prices.
* A security-level claim whose subject the extractor left unmapped (``ticker = None``, ``scope =
  "security"``) names a security: the subject of a price move is not an ordinary word. When its
  name is the name, an alias, the ticker or a cashtag of exactly one *listed* gazetteer entry
  (not a private firm or a project), it is measured on that entry, and the note says so. Several
  entries leave it unmapped, with the candidates in the note; none leaves it unmapped.
* An index (``asset_class = "index"``) is measured on its own series when the data have one,
  else on its ETF ``proxy`` (a field of the gazetteer's index entries), and the note says which,
  with the entry's ``proxy_note`` when the ETF tracks a related index.
* Sector-level claims (``scope = "sector"``) have no prices to measure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_SPACES = re.compile(r"\s+")
#: French elided articles and "the" in front of a name ("l'Oracle", "the Oracle") are not part of it.
_LEADING = re.compile(r"^(?:l['’]|d['’]|the\s+|le\s+|la\s+)", re.IGNORECASE)


def _key(name: str) -> str:
    return _LEADING.sub("", _SPACES.sub(" ", name.strip())).casefold()


def name_index(gazetteer: Iterable[Any]) -> dict[str, list[str]]:
    """Normalised name -> ids of the listed entries carrying it (name, aliases, ticker, cashtags)."""
    out: dict[str, list[str]] = {}
    for ent in gazetteer:
        if not getattr(ent, "is_listed", True):
            continue
        names = [ent.name, *ent.all_aliases(), *(n for n in (ent.ticker,) if n), *ent.cashtags]
        for n in dict.fromkeys(_key(n) for n in names if n):
            ids = out.setdefault(n, [])
            if ent.id not in ids:
                ids.append(ent.id)
    return out


def claim_subject(claim: Any, gazetteer: Any, index: dict[str, list[str]] | None = None) -> tuple[str | None, str]:
    """The gazetteer id whose security the claim is about, and a note when it was read here."""
    if claim.ticker is not None:
        return claim.ticker, ""
    if getattr(claim, "scope", "security") == "sector" or getattr(claim, "sector", None):
        return None, ""
    index = index if index is not None else name_index(gazetteer)
    ids = index.get(_key(claim.name), [])
    if len(ids) == 1:
        ent = gazetteer.get(ids[0])
        return ids[0], (f"the extractor left {claim.name!r} unmapped; as the subject of a price move it is read as "
                        f"{ids[0]} ({ent.name}), the only listed gazetteer entry with that name")
    if len(ids) > 1:
        return None, f"{claim.name!r} names several listed entries ({', '.join(ids)}): left unmapped"
    return None, ""


def measurement_symbols(ticker: str, gazetteer: Any) -> list[tuple[str, str]]:
    """Symbols to try, in order, for a claim on ``ticker``: the ticker itself, then, for an index
    with an ETF ``proxy``, that ETF (with the note the check prints when it is used)."""
    out = [(ticker, "")]
    ent = gazetteer.get(ticker) if gazetteer is not None else None
    proxy = getattr(ent, "proxy", None) if ent is not None else None
    if ent is not None and ent.asset_class == "index" and proxy:
        pid = _gazetteer_id(proxy, gazetteer)
        pent = gazetteer.get(pid)
        what = f"{pid} ({pent.name})" if pent is not None else pid
        note = (f"{ent.name} has no prices here: checked on its ETF proxy {what}, which tracks it with a small "
                "error (fees, dividends, its own closing price)")
        extra = getattr(ent, "proxy_note", None)
        if extra:
            note += f"; {extra}"
        if pent is not None and pent.currency and ent.currency and pent.currency != ent.currency:
            note += f"; the ETF is quoted in {pent.currency}, the index in {ent.currency}: currency moves are included"
        out.append((pid, note))
    return out


def _gazetteer_id(symbol: str, gazetteer: Any) -> str:
    """The gazetteer id of a symbol given as an id, a ticker or a Yahoo symbol (else the symbol)."""
    if gazetteer.get(symbol) is not None:
        ent = gazetteer.get(symbol)
        return ent.id
    for ent in gazetteer:
        if getattr(ent, "yahoo", None) == symbol:
            return ent.id
    return symbol
