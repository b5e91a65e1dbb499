"""Company names: legal forms, the short name an article uses, spelling variants.

Used by the universe builder (to derive the names a security is written under) and by the entity
linker (to read "Peugeot SA", "Alphabet Inc." or "Airbus SE" as the company plus its legal form).
"""

from __future__ import annotations

import re
import unicodedata

#: Legal forms and corporate words that end a company's name ("Orange SA", "Alphabet Inc.",
#: "Shell plc", "Aegon N.V.", "Continental AG", "Atos SE", "Thales Group", "Roche Holding AG").
#: Longest first; compared as whole words, case-sensitively except where written lower case.
LEGAL_FORMS: tuple[str, ...] = (
    "SE & Co. KGaA", "AG & Co. KGaA", "& Co. KGaA", "KGaA", "& Co.", "& Co", "& Company", "S.p.A.", "SpA", "S.A.", "N.V.", "B.V.", "A.G.",
    "Incorporated", "Corporation", "Company", "Limited", "Inc.", "Inc", "Corp.", "Corp", "Co.", "Ltd.", "Ltd",
    "plc", "PLC", "Plc", "SA", "SE", "AG", "NV", "AB", "ASA", "A/S", "Oyj", "OYJ", "SCA", "S.C.A.", "SpA", "LLC",
    "L.P.", "LP", "Holdings", "Holding", "Group", "Groupe", "Gruppe", "Co",
)
#: Words before a French/English company name that are not part of it ("Groupe PSA" keeps it: see
#: :func:`short_names`).
LEADING_WORDS: tuple[str, ...] = ("The ", "Compagnie de ", "Compagnie ")

_LEGAL_RX = re.compile(
    r"(?:,?\s+(?:" + "|".join(re.escape(f) for f in sorted(LEGAL_FORMS, key=len, reverse=True)) + r"))+\s*$"
)
#: A legal form right after a name in an article (", Inc.", " SA", " plc"), for the linker.
LEGAL_SUFFIX_AFTER = re.compile(
    r"(?:,?\s+(?:" + "|".join(re.escape(f) for f in sorted(LEGAL_FORMS, key=len, reverse=True)
                              if f not in ("Company", "Group", "Groupe", "Holding", "Holdings", "Co", "Gruppe"))
    + r"))(?![\w&])"
)
#: Wikipedia-style disambiguators the source keeps in some names ("Puma (brand)", "Metso (2020–present)").
_PAREN = re.compile(r"\s*\([^)]*\)\s*$")


def clean_name(name: str) -> str:
    """The name without a trailing parenthesis, with single spaces ("Rio Tinto (corporation)" -> "Rio Tinto")."""
    name = _PAREN.sub("", name.strip())
    return re.sub(r"\s+", " ", name).strip()


def strip_legal_form(name: str) -> str:
    """"Orange SA" -> "Orange", "Nasdaq, Inc." -> "Nasdaq", "Roche Holding AG" -> "Roche"."""
    stripped = _LEGAL_RX.sub("", name).strip(" ,&")
    return stripped or name


def fold_accents(text: str) -> str:
    """"Société Générale" -> "Societe Generale" (same letters without their diacritics)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def short_names(name: str) -> list[str]:
    """The names an article is likely to write for a company, most specific first.

    "Orange SA" -> ["Orange SA", "Orange"]; "Thales Group" -> ["Thales Group", "Thales"];
    "Compagnie de Saint-Gobain" -> ["Compagnie de Saint-Gobain", "Saint-Gobain"];
    "Société Générale" -> ["Société Générale", "Societe Generale"]; "E.ON" -> ["E.ON", "EON"].
    """
    full = clean_name(name)
    out = [full]
    short = strip_legal_form(full)
    for lead in LEADING_WORDS:
        if short.startswith(lead) and len(short) > len(lead) + 2:
            short = short[len(lead):]
    out.append(short)
    for n in list(out):
        folded = fold_accents(n)
        out.append(folded)
        if re.fullmatch(r"(?:[A-Z]\.)+[A-Z]{1,4}", n):
            out.append(n.replace(".", ""))  # "E.ON" -> "EON"
    seen: dict[str, None] = {}
    for n in out:
        if n and len(n) >= 2:
            seen.setdefault(n, None)
    return list(seen)
