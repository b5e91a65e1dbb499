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
    "L.P.", "LP", "Holdings", "Holding", "Group", "Groupe", "Gruppe", "Groep", "Co",
)
#: Words before a French/English company name that are not part of it ("Groupe PSA" keeps it: see
#: :func:`short_names`).
LEADING_WORDS: tuple[str, ...] = ("The ", "Compagnie de ", "Compagnie ", "Koninklijke ")  # Dutch "Royal"

_LEGAL_RX = re.compile(
    r"(?:,?\s+(?:" + "|".join(re.escape(f) for f in sorted(LEGAL_FORMS, key=len, reverse=True)) + r"))+\s*$"
)
#: A legal form right after a name in an article (", Inc.", " SA", " plc"), for the linker.
LEGAL_SUFFIX_AFTER = re.compile(
    r"(?:,?\s+(?:" + "|".join(re.escape(f) for f in sorted(LEGAL_FORMS, key=len, reverse=True)
                              if f not in ("Company", "Group", "Groupe", "Holding", "Holdings", "Co", "Gruppe", "Groep"))
    + r"))(?![\w&])"
)
#: Wikipedia-style disambiguators the source keeps in some names ("Puma (brand)", "Metso (2020–present)").
_PAREN = re.compile(r"\s*\([^)]*\)\s*$")


def clean_name(name: str) -> str:
    """The name without a trailing parenthesis, with single spaces ("Rio Tinto (corporation)" -> "Rio Tinto")."""
    name = _PAREN.sub("", name.strip())
    return re.sub(r"\s+", " ", name).strip()


def strip_legal_form(name: str) -> str:
    """"Orange SA" -> "Orange", "Nasdaq, Inc." -> "Nasdaq", "Roche Holding AG" -> "Roche", "Eli Lilly and
    Company" -> "Eli Lilly" (a conjunction left at the end goes too)."""
    stripped = _LEGAL_RX.sub("", name).strip(" ,&")
    stripped = re.sub(r"\s+(?:and|et|und)$", "", stripped).strip(" ,&")
    return stripped or name


def fold_accents(text: str) -> str:
    """"Société Générale" -> "Societe Generale" (same letters without their diacritics)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


#: A name cut after a joining word ("Eli Lilly and" from "Eli Lilly and Company", "S &" from "S & U"
#: once its class letter is read off): a fragment, never a name ("S&P" must not be read as "S &").
_DANGLING = re.compile(r"(?:^|\s)(?:&|\+|and|et|und)$|^(?:&|\+)")


def short_names(name: str) -> list[str]:
    """The names an article is likely to write for a company, most specific first.

    "Orange SA" -> ["Orange SA", "Orange"]; "Thales Group" -> ["Thales Group", "Thales"];
    "Compagnie de Saint-Gobain" -> ["Compagnie de Saint-Gobain", "Saint-Gobain"];
    "Société Générale" -> ["Société Générale", "Societe Generale"]; "E.ON" -> ["E.ON", "EON"];
    "Swiss Reinsurance Company" -> [..., "Swiss Reinsurance", "Swiss Re"].
    """
    full = clean_name(name)
    out = [full]
    short = strip_legal_form(full)
    for lead in LEADING_WORDS:
        if short.startswith(lead) and len(short) > len(lead) + 2:
            short = short[len(lead):]
    out.append(short)
    if "Reinsurance" in short:
        out.append(re.sub(r"\bReinsurance\b", "Re", short))  # "Swiss Reinsurance" -> "Swiss Re"
    for n in list(out):
        folded = fold_accents(n)
        out.append(folded)
        if re.fullmatch(r"(?:[A-Z]\.)+[A-Z]{1,4}", n):
            out.append(n.replace(".", ""))  # "E.ON" -> "EON"
    seen: dict[str, None] = {}
    for n in out:
        if n and len(n) >= 2 and not _DANGLING.search(n):
            seen.setdefault(n, None)
    return list(seen)


# --- the matching key of a name (shared by the universe build and the linker) ---------------------

#: A token of a name or of an article: a run of letters/digits, a cashtag ("$AAPL") or "&".
TOKEN = re.compile(r"\$[^\W_][\w]*|[^\W_]+|&|\+")
#: Words that stand for "&" inside a name ("Procter and Gamble", "Johnson et Johnson", "Müller und Söhne").
_AND_WORDS = frozenset({"and", "et", "und"})


def _fold_token(token: str) -> str:
    return fold_accents(token).lower() if not token.isascii() else token.lower()


def name_key(text: str) -> str:
    """The key a name is matched under: tokens folded (accents, case), "and"/"et"/"und" as "&",
    joined by single spaces. Hyphens, apostrophes, dots and spaces all separate tokens, so
    "Mercedes-Benz" and "Mercedes Benz", "Société Générale" and "SOCIETE GENERALE", "Procter &
    Gamble" and "Procter and Gamble", "McDonald's" and "McDonald s" have one key each; "L'Oréal"
    is "l oreal"."""
    out = []
    for t in TOKEN.findall(text):
        low = _fold_token(t)
        out.append("&" if out and low in _AND_WORDS else low)  # a name's first word stays itself ("AND")
    return " ".join(out)


def surface(text: str) -> str:
    """The case-keeping form of a name used for exact-case comparisons: accents folded, tokens as
    in :func:`name_key` ("Mercedes-Benz" -> "Mercedes Benz", "AT&T" -> "AT & T")."""
    out = []
    for t in TOKEN.findall(text):
        folded = fold_accents(t) if not t.isascii() else t
        out.append("&" if out and folded.lower() in _AND_WORDS else folded)
    return " ".join(out)


def key_variants(text: str) -> list[str]:
    """The keys a name is indexed under: its key and, for a name with a possessive-looking "'s"
    ("McDonald's"), the key with the "s" joined ("mcdonalds": articles write both)."""
    key = name_key(text)
    out = [key]
    if re.search(r"\w['’]s\b", text):
        out.append(name_key(re.sub(r"(\w)['’]s\b", r"\1s", text)))
    # initials written apart or together: "J D Wetherspoon" / "JD Wetherspoon", "U.S. Steel" / "US Steel"
    joined = re.sub(r"(?<![^ ])([a-z0-9])((?: [a-z0-9](?![^ ]))+)", lambda m: m.group(0).replace(" ", ""), key)
    if joined != key:
        out.append(joined)
    return [k for k in dict.fromkeys(out) if k]


def camel_split(text: str) -> str | None:
    """A name with a word in two capitalised parts, written as two words ("ExxonMobil" ->
    "Exxon Mobil", "JPMorgan Chase" -> "JP Morgan Chase"), or None. Matched with its case only
    ("a soft bank" is not SoftBank)."""
    split = re.sub(r"(?<=[a-z]{2})(?=[A-Z][a-z]{2,})|(?<=[A-Z])(?=[A-Z][a-z]{3,})", " ", text)
    return split if split != text and len(text) > 5 else None


#: Shortest name (folded, legal form removed) the fuzzy fallback compares (eventstudy.article.fuzzy).
FUZZY_MIN_LENGTH = 6


def fuzzy_key(alias: str) -> str | None:
    """The form the fuzzy fallback compares a name under (accents folded, legal form removed,
    lower case), or None when it is shorter than :data:`FUZZY_MIN_LENGTH`."""
    if len(alias) < FUZZY_MIN_LENGTH:
        return None
    key = fold_accents(strip_legal_form(alias)).lower()
    return key if len(key) >= FUZZY_MIN_LENGTH else None
