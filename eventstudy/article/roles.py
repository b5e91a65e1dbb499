"""The role the text gives each firm in the event: funder, lead partner, operator, technology partner,
acquirer, target.

Within a clause (a sentence cut at ":", ";", "tandis que", "while", "whereas"), firms named side
by side ("SoftBank, OpenAI, Oracle et MGX", "Oracle, ainsi que Microsoft, Arm et NVIDIA") form a
list. A role phrase goes to the list just before it ("SoftBank et OpenAI en sont les partenaires
principaux"), else to the list just after it ("les bailleurs de fonds de Stargate sont SoftBank,
..."), when no more than :data:`MAX_GAP` characters separate them. Projects are never given a role
(they are what the firms fund or run).
"""

from __future__ import annotations

import re

from .entities import Mention
from .text import Segmented

#: Largest distance (characters) between a role phrase and the list of firms it applies to.
MAX_GAP = 60

ROLE_PHRASES: tuple[tuple[str, re.Pattern[str]], ...] = tuple((role, re.compile(rf"(?<![\w])(?:{rx})(?![\w])", re.I))
                                                              for role, rx in (
    ("funder", r"bailleurs? de fonds|financeurs?|investisseurs? (?:initiaux|principaux|fondateurs)|"
               r"responsabilité financière|puissance financière|equity funders?|initial funders?|funders?|"
               r"financial backers?|backers?|financial responsibility|will fund|to fund"),
    ("lead partner", r"partenaires? principa(?:l|ux)|lead partners?|main partners?|principal partners?|key partners?"),
    ("operator", r"l'exploitation|exploitant|operational responsibility|responsib\w+ for operations|"
                 r"operating partner|as (?:the )?operator|will operate|to operate"),
    ("technology partner", r"partenaires? technolog\w+|partenaires? techniques?|technology partners?|"
                           r"tech(?:nical)? partners?"),
))
#: Phrases that give one role to the firms before them and another to the firms after them.
DIRECTIONAL: tuple[tuple[re.Pattern[str], str, str], ...] = tuple(
    (re.compile(rf"(?<![\w])(?:{rx})(?![\w])", re.I), before, after) for rx, before, after in (
    (r"acquire[s]?|to acquire|agreed to (?:buy|purchase)|agrees to (?:buy|purchase)|will buy|to buy|takes? over|"
     r"rachète|rachètera|va racheter|a racheté|acquiert|a acquis|va acquérir|s'offre|met la main sur",
     "acquirer", "target"),
    (r"(?:acquired|bought|purchased) by|(?:racheté|rachetée|acquis|acquise) par", "target", "acquirer"),
))

_CLAUSE_CUT = re.compile(r"[:;]|,?\s+tandis\s+qu(?:e\s|')|,?\s+alors\s+qu(?:e\s|')|,\s+while\s|,\s+whereas\s", re.I)
_LIST_GLUE = re.compile(r"\s*(?:,\s*ainsi\s+que|ainsi\s+que|,\s*as\s+well\s+as|as\s+well\s+as|,\s*et|,\s*and|,|et|and|&)\s*$",
                        re.I)


def _lists(seg: Segmented, mentions: list[Mention]) -> list[list[Mention]]:
    groups: list[list[Mention]] = []
    for m in mentions:
        if groups and _LIST_GLUE.fullmatch(seg.norm[groups[-1][-1].end:m.start]):
            groups[-1].append(m)
        else:
            groups.append([m])
    return groups


def assign_roles(seg: Segmented, mentions: list[Mention]) -> dict[int, list[str]]:
    """Roles by mention position in ``mentions`` (index into the list), in the order found."""
    roles: dict[int, list[str]] = {}
    position = {id(m): i for i, m in enumerate(mentions)}
    by_sentence: dict[int, list[Mention]] = {}
    for m in mentions:
        if m.entity is not None and m.entity.asset_class == "project":
            continue
        if m.role == "source":
            continue
        by_sentence.setdefault(m.sentence, []).append(m)

    def give(group: list[Mention], role: str) -> None:
        for m in group:
            bucket = roles.setdefault(position[id(m)], [])
            if role not in bucket:
                bucket.append(role)

    for idx, firms in by_sentence.items():
        sentence = seg.sentences[idx]
        cuts = [sentence.start] + [c.end() for c in _CLAUSE_CUT.finditer(seg.norm, sentence.start, sentence.end)]
        bounds = list(zip(cuts, cuts[1:] + [sentence.end]))
        for lo, hi in bounds:
            inside = [m for m in firms if lo <= m.start and m.end <= hi]
            if not inside:
                continue
            groups = _lists(seg, inside)
            for role, pattern in ROLE_PHRASES:
                for k in pattern.finditer(seg.norm, lo, hi):
                    before = [g for g in groups if g[-1].end <= k.start()]
                    after = [g for g in groups if g[0].start >= k.end()]
                    if before and k.start() - before[-1][-1].end <= MAX_GAP:
                        give(before[-1], role)
                    elif after and after[0][0].start - k.end() <= MAX_GAP:
                        give(after[0], role)
            for pattern, role_before, role_after in DIRECTIONAL:
                for k in pattern.finditer(seg.norm, lo, hi):
                    before = [g for g in groups if g[-1].end <= k.start()]
                    after = [g for g in groups if g[0].start >= k.end()]
                    if before and after and k.start() - before[-1][-1].end <= MAX_GAP \
                            and after[0][0].start - k.end() <= MAX_GAP:
                        give(before[-1], role_before)
                        give(after[0], role_after)
    return roles
