"""Who a percentage is about: the subject of a price move, found in its own clause.

The rules, tried in order for each percentage of a sentence (the *window* of a percentage is the
text since the previous percentage of the sentence, or since the sentence's start):

1. **Named after it** — "a 7% gain for Oracle", "l'envolée de 24,4 % de Nvidia", "une baisse de
   10 % de la capitalisation des jetons d'IA" (a sector).
2. **Percentages in a row** ("lost 3.3% and 12.8%, respectively", "fell 3%, 2% and 1%") go, in
   order, to as many names listed before them ("Lloyds and merchant bank Close Brothers").
3. **The nearest subject before it in its window**: a security, an index, a sector, a market place
   ("la Bourse de Paris", "Francfort": the market's benchmark index, when the gazetteer has it), or
   a capitalised name the gazetteer does not know that acts as a subject (before a verb of
   movement, or right before the figure in a list: "Honda Motor 0.79%", "Hermès de 1,61 %",
   "Pernod Ricard (-1,27 %)"), which makes an unmapped claim. A name is not a subject when it
   is a compound modifier ("SoftBank-backed Arm"), sits in an aside between commas ("Nvidia,
   which supplies Microsoft, fell 3%") or is a complement introduced by a preposition ("dernière
   du Dax", "Lanterne rouge du CAC 40", "on the FTSE 250") while another subject is in the window.
   A name followed by its symbol ("Ciena (NYSE: CIEN)") is one subject.
4. **Joint subjects** — names coordinated before a single figure ("BNP Paribas et Société Générale
   perdant plus de 10 %", "Toyota and Honda both fell by about 2%", "Dogecoin, XRP et Cardano
   baissent de 28 %") each get the claim.
5. **Words that refer back** — "le titre", "the stock", "the company", "le groupe" refer to the
   security named last (in this sentence or the two paragraphs before); "l'indice", "the index" to
   the index named last; "il", "it" to the previous claim's subject.
6. **A lower-case noun phrase** acting as the subject ("the broader market fell 3.1%") is a subject
   the gazetteer cannot map: an unmapped claim, never the previous security's.
7. **Ellipsis** — with no subject at all in the window ("Microsoft rose 5% on Monday and 3% on
   Tuesday"), the previous claim's subject in the same sentence.

All rules look only inside one sentence (bounded in length by :mod:`.text`) and each name is
looked at a bounded number of times, so the work is linear in the sentence's length.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .entities import _STOP_NAMES, Mention
from .lexicon import BACK_REFERENCE, DIRECTION, INDEX_REFERENCE, INDEX_SAME, PRONOUN
from .numbers import PercentMatch
from .text import Segmented, Sentence


@dataclass(frozen=True)
class Subject:
    """What a claim is about: a mention (mapped or not), a sector, or a lower-case noun phrase."""

    start: int
    end: int
    name: str
    mention: Mention | None = None
    sector: str | None = None
    how: str = "named"  # named | sector | place | unknown | phrase | reference | ellipsis | forward | list
    note: str | None = None
    complement: bool = False
    members: tuple["Subject", ...] = field(default=(), compare=False)


# --- market places: the market's benchmark index ------------------------------------------------
#: A market place named as the subject of a move stands for its benchmark index (Yahoo symbol).
PLACE_INDEX = {
    "paris": "^FCHI", "parisienne": "^FCHI", "francfort": "^GDAXI", "frankfurt": "^GDAXI", "londres": "^FTSE",
    "london": "^FTSE", "tokyo": "^N225", "milan": "FTSEMIB.MI", "madrid": "^IBEX", "zurich": "^SSMI",
    "amsterdam": "^AEX", "bruxelles": "^BFX", "brussels": "^BFX", "hong kong": "^HSI", "séoul": "^KS11",
    "seoul": "^KS11", "shanghai": "000001.SS", "sydney": "^AXJO", "toronto": "^GSPTSE", "bombay": "^BSESN",
    "mumbai": "^BSESN",
}
_CITY = r"Paris|Francfort|Frankfurt|Londres|London|Tokyo|Milan|Madrid|Zurich|Amsterdam|Bruxelles|Brussels|" \
        r"Hong Kong|Séoul|Seoul|Shanghai|Sydney|Toronto|Bombay|Mumbai"
_PLACE = re.compile(
    rf"(?<![\w])(?:(?:la\s+)?[Bb]ourse\s+de\s+(?P<fr>{_CITY})|(?:la\s+)?[Pp]lace\s+(?:de\s+)?(?P<fr2>{_CITY}|parisienne)|"
    rf"(?:la\s+)?cote\s+(?P<fr3>parisienne)|(?P<en>{_CITY})(?:'s)?\s+(?:stock\s+(?:market|exchange)|bourse|market|"
    rf"(?:leading\s+|blue-chip\s+|blue\s+)?(?:shares|stocks|blue\s+chips))|(?P<bare>{_CITY}))(?![\w])")

# --- shapes of text ------------------------------------------------------------------------------
_LIST_GLUE = re.compile(r"\s*(?:,\s*(?:and|et|&)?|and|et|&|ou|or)\s*(?:(?:the|le|la|les|l')\s*)?"
                        r"(?:[a-zà-öø-ÿ][\w-]*\s+){0,2}", re.I)
#: Between two percentages of a row: a price complement ("to 3,269 yen", "à 13,93 euros"), then "and"/",".
_RUN_GLUE = re.compile(r"\s*(?:(?:to|at|à)\s+[\d.,  ]+\s*[\w$€£¥]*\s*)?(?:,\s*(?:and|et)?|and|et|&)\s*"
                       r"(?:(?:was\s+|were\s+)?(?:up|down|off|higher|lower)|de|by)?\s*", re.I)
_CONJUNCTION = re.compile(r"(?<![\w])(?:and|et|&|ou|or)(?![\w])", re.I)
_RESPECTIVELY = re.compile(r"^[\s,]*(?:respectively|respectivement)", re.I)
_ASIDE_OPEN = re.compile(r",\s*(?:which|who|whose|that|a|an|the|its|dont|qui|que|un|une|le|la|les|l'|lui-même|itself|"
                         r"owner|maker|parent|propriétaire|maison mère|numéro|like|unlike|comme|contrairement à|"
                         r"à l'instar de|à l'instar d'|such as|including|notamment|y compris|along with|as did|"
                         r"tout comme)(?![\w])"
                         # ", Biogen's Japanese partner,": an apposition that opens with a possessive name
                         r"|,\s*(?-i:[A-ZÀ-Þ][\w&.-]*(?:\s+[A-ZÀ-Þ][\w&.-]*){0,3})['’]s\s+\w", re.I)
#: A fronted clause that states a move before its subject ("Après une chute de 60 %, Worldline ...").
_FRONTED_MOVE = re.compile(r"^\s*(?:après|after|following|despite|malgré|au lendemain d'|au lendemain de|with|avec|"
                           r"on the back of|fort d'|forte d'|porté par|portée par)\b", re.I)
#: The start of a fronted adverbial ("D'après ...,", "Mercredi,", "In early trade,"), whose comma opens no aside.
_FRONTED = re.compile(
    r"^\s*(?:d'après|selon|according|après|after|avant|before|dans|in|sur|on|au|aux|en|lors|depuis|since|comme|like|"
    r"pour|for|par|by|avec|with|à|at|vers|around|hier|yesterday|aujourd'hui|today|overnight|elsewhere|meanwhile|"
    r"côté|du côté|among|parmi|cette|ce|this|last|la veille|le lendemain|ailleurs|par ailleurs|toujours|"
    r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"le \d|the \d|\d|(?-i:[A-ZÀ-Þ]{2,})[ ,])", re.I)
#: After a name, a noun it modifies that is not its price ("an SMI volatility gauge", "Tesla's chief
#: executive", "Apple bonds", "les obligations Atos" is written the other way): the name is not the subject.
_NON_PRICE_HEAD = re.compile(
    r"(?:'s)?\s+(?:volatility|vol|bonds?|yields?|notes|debt|credit default swaps?|CDS|CEO|CFO|chief|boss|founder|"
    r"co-founder|chairman|chairwoman|president|executives?|spokes(?:man|woman|person)|employees|workers|union|"
    r"board|shareholders|investors|analysts|customers|users|suppliers?|rivals?)(?![\w-])"
    # "Coinbase's Base network token fell 10%": a token named through its issuer is not the issuer's move
    r"|'s\s+(?:[\w$.-]+\s+){0,3}?(?:tokens?|coins?|stablecoins?|memecoins?)(?![\w-])")
#: A capitalised compound adjective ("U.S.-listed", "Paris-based", "SoftBank-owned"): not a name of its own.
_ADJECTIVE_NAME = re.compile(r"-(?:listed|based|owned|backed|made|born|led|run|controlled|headquartered|focused|"
                             r"linked|related|traded|quoted)$")
_CLAUSE_BREAK = re.compile(r"[;:]|,?\s+(?:while|whereas|but|tandis\s+qu(?:e|')|alors\s+qu(?:e|')|mais)(?![\w'])", re.I)
#: Before a name: a preposition that makes it a complement ("du Dax", "on the FTSE 250", "ahead of Hitachi").
_PREP_BEFORE = re.compile(
    r"(?<![\w'])(?:du|des|de\s+la|de\s+l'|de|d'|of|of\s+the|on|on\s+the|in|in\s+the|among|among\s+the|parmi|"
    r"dans|dans\s+le|sur|sur\s+le|sur\s+la|au|aux|à|ahead\s+of|devant|derrière|behind|than|comme|like|"
    r"such\s+as|including|dont|from|par|by|after|après|against|contre|within|au\s+sein\s+du|"
    r"au\s+sein\s+de\s+l')(?:(?<=')|\s+)(?:(?:the|le|la|les|l')\s*)?(?:(?:[a-zà-öø-ÿ]|\d)[\w-]*\s+){0,3}$", re.I)
#: After a price noun and its preposition: another noun, then "de"/"of" right before the name.
_OWNER_OF_NOUN = re.compile(r"^(?:du|de\s+la|de\s+l'|des|of\s+the|of)\s*[a-zà-öø-ÿ][\w-]*(?:\s+[a-zà-öø-ÿ][\w-]*){0,2}"
                            r"\s+(?:de|d'|of)\s*$", re.I)
#: Before such a preposition: a price noun that makes the name the owner of the price ("le cours d'Oracle").
_PRICE_NOUN_BEFORE = re.compile(r"(?<![\w])(?:cours|action|actions|titre|titres|shares|stock|price|prix|valeur|"
                                r"capitalisation|market value|jeton|token)\s*$", re.I)
_UNKNOWN_NAME = re.compile(
    r"(?<![\w'&.-])(?P<name>(?:L'|l'|d')?[A-ZÀ-ÖØ-Þ][\w&.'-]*(?:\s+(?:&\s+)?(?:[A-ZÀ-ÖØ-Þ0-9][\w&.'-]*|i|of|de|du))*)")
#: After a name: what makes it act as a subject (a verb of movement, a figure, "shares", "(-1,27 %").
_ACTS_AFTER = re.compile(
    rf"(?:'s)?\s*(?:\([^)]{{0,30}}\)\s*)?,?\s*(?:(?:shares?|stock|token|coin|titre|action)\s+)?"
    rf"(?:(?:a|ont|has|have|had|was|were|is|are|était|avait|s'est|se|s')\s*)?(?:\w+ly\s+|encore\s+|also\s+)?"
    rf"(?:{DIRECTION.pattern}|\(?\s*[+\-]?\s?\d|de\s+[+\-]?\d|(?:both|each|tous deux|toutes deux|chacun)\b)", re.I)
_NP_SUBJECT = re.compile(
    r"(?<![\w'])(?P<np>(?:[Tt]he|[Ll]e|[Ll]a|[Ll]es|[Ll]')\s*(?:[a-zà-öø-ÿ][\w&'-]*\s+){0,3}?[a-zà-öø-ÿ][\w&-]*)"
    r"(?:'s)?\s+(?:(?i:closed|ended|finished|a\s+clôturé|a\s+terminé|a|ont|has|have|had|was|were|était|avait)\s+)?"
    rf"(?i:{DIRECTION.pattern})")
NAME_STOP = frozenset("Le La Les L Un Une The A An Il Elle Ils Its It Their This Ce Cette Par De Et Mais But And "
                       "Selon After Après Meanwhile Also Côté Dans Sur Toutes Tous Tout Lors Depuis Since Even "
                       "Même Autre Autres Among Parmi Like Comme Other Others Investors Analysts Shares Stocks "
                       "Overnight Yesterday Today Hier Aujourd'hui Vers Aux Au À En Ces Ses Son Sa Leur Shareholders Traders "
                       "Actionnaires Investisseurs Analystes Traders Economists Économistes "
                       "Mercredi Lundi Mardi Jeudi Vendredi Samedi Dimanche Janvier Février Mars Avril Mai Juin "
                       "Juillet Août Septembre Octobre Novembre Décembre GMT EST EDT ET CET UK U.S. U.K. BCE ECB Fed FED "
                      "Si If When Quand Lorsque As While Alors Ensuite Puis Then Or Car Donc So Yet Pourtant Cependant "
                      "However Toutefois Enfin Finally Aussi Ainsi Thus Still Encore Déjà Already Only Seul Seuls "
                      "Sur Over Under Within Despite Malgré Pendant During Avec With Sans Without Cela Ceci That "
                      "There Here Ici Là On Nous We You Vous "
                       "Bourse Wall Street".split()) | _STOP_NAMES


def _is_list_glue(text: str) -> bool:
    return bool(_LIST_GLUE.fullmatch(text))


class SentenceSubjects:
    """The subject candidates of one sentence and the rules that choose among them."""

    def __init__(self, seg: Segmented, sentence: Sentence, mentions: list[Mention], sectors: list[Subject],
                 place_entity: Callable[[str], Mention | None] | None = None):
        self.seg, self.sentence, self.norm = seg, sentence, seg.norm
        named = self._merge_symbols([m for m in mentions if m.is_security])
        places = self._places(place_entity, named) if place_entity is not None else []
        # a candidate inside a longer one ("Paris" in "la Bourse de Paris") is not one: sweep by start
        cands, reach = [], -1
        for c in sorted(named + places + list(sectors), key=lambda c: (c.start, -c.end)):
            if c.end <= reach:
                continue
            cands.append(c)
            reach = max(reach, c.end)
        self.candidates = sorted(cands, key=lambda c: (c.end, c.start))
        self._ends = [c.end for c in self.candidates]
        self._by_start = sorted(self.candidates, key=lambda c: c.start)
        self._starts = [c.start for c in self._by_start]
        self._unknown: dict[tuple[int, int], list[Subject]] = {}

    # -- candidates -------------------------------------------------------------------------------
    def _merge_symbols(self, mentions: list[Mention]) -> list[Subject]:
        """One subject per name, a name and the symbol written after it ("Ciena (NYSE: CIEN)") as one."""
        out: list[Subject] = []
        norm = self.norm
        skip = set()
        for i, m in enumerate(mentions):
            if i in skip:
                continue
            mention, end = m, m.end
            if i + 1 < len(mentions):
                n = mentions[i + 1]
                between = norm[m.end:n.start]
                if re.fullmatch(r"\s*\(\s*(?:[A-Za-z .]{1,20}:\s*)?", between) and re.match(r"\s*\)", norm[n.end:]):
                    skip.add(i + 1)
                    end = n.end + re.match(r"\s*\)", norm[n.end:]).end()
                    if m.entity is None and n.entity is not None:
                        mention = n
            out.append(Subject(m.start, end, m.text, mention, how="named",
                               complement=self._complement(m.start)))
        return out

    def _places(self, place_entity: Callable[[str], Mention | None], named: list[Subject]) -> list[Subject]:
        out = []
        s = self.sentence
        for m in _PLACE.finditer(self.norm, s.start, s.end):
            city = next(g for g in (m.group("fr"), m.group("fr2"), m.group("fr3"), m.group("en"), m.group("bare")) if g)
            if m.group("bare") and not (_ACTS_AFTER.match(self.norm, m.end(), s.end)):
                continue  # a bare city is a market only as the subject of a move ("Paris a cédé 1 %")
            if any(c.start <= m.start() < c.end or m.start() <= c.start < m.end() for c in named):
                continue
            yahoo = PLACE_INDEX.get(city.lower())
            mention = place_entity(yahoo, m.start(), m.end()) if yahoo else None
            if mention is None:
                continue
            text = self.seg.original[m.start():m.end()]
            out.append(Subject(m.start(), m.end(), text, mention, how="place", complement=self._complement(m.start()),
                               note=f"{text!r} read as {mention.entity.name}, the benchmark index of that market"))
        return out

    def _complement(self, start: int) -> bool:
        """True when a name is introduced by a preposition ("du Dax", "on the FTSE 250") and is not
        the owner of a price ("le cours d'Oracle", "shares of Nvidia")."""
        before = self.norm[max(self.sentence.start, start - 50):start]
        prep = _PREP_BEFORE.search(before)
        if prep is None:
            return False
        if _PRICE_NOUN_BEFORE.search(before[:prep.start()]):
            # "le titre du groupe de luxe de François-Henri Pinault": the name is the owner of another
            # noun ("groupe"), not of the price; "le cours d'Oracle", "le titre du constructeur Renault" own it
            return bool(_OWNER_OF_NOUN.search(before[prep.start():]))
        return True

    def _overlaps(self, start: int, end: int) -> bool:
        """True when ``[start, end)`` overlaps a known candidate (bisect on the candidates' starts)."""
        i = bisect.bisect_left(self._starts, end)
        # no candidate lies inside another, so sorted by start they are sorted by end too
        return i > 0 and self._by_start[i - 1].end > start

    def unknown_names(self, lo: int, hi: int, acting: bool = True) -> list[Subject]:
        """Capitalised names in ``[lo, hi)`` that the gazetteer does not know and that act as a subject
        (``acting=False``: all of them, for the members of a list "with Taylor Wimpey and Barratt Redrow")."""
        key = (lo, hi, acting)
        if key in self._unknown:
            return self._unknown[key]
        out = []
        norm = self.norm
        for m in _UNKNOWN_NAME.finditer(norm, lo, hi):
            words = m.group("name").split()
            start = m.start("name")
            while words and (words[0] in NAME_STOP or words[0].rstrip(",.") in NAME_STOP):
                start = norm.index(words[0], start) + len(words[0])
                words.pop(0)
            while words and words[-1] in ("of", "de", "du", "i", "&"):
                words.pop()
            if not words or not re.match(r"(?:L'|l'|d')?[A-ZÀ-ÖØ-Þ]", words[0]):
                continue  # "May 19": a date's day, not a name
            if _ADJECTIVE_NAME.search(words[-1]):
                continue  # "its U.S.-listed shares", "the Paris-based group": an adjective, not a name
            if words[-1].endswith("'s"):
                words[-1] = words[-1][:-2]  # "Yahoo's stock": the possessive is not part of the name
            start = norm.index(words[0], start)
            end = norm.index(words[-1], start) + len(words[-1])
            if self._overlaps(start, end):
                continue
            if acting and not _ACTS_AFTER.match(norm, end, hi + 40):
                continue
            text = self.seg.original[start:end]
            mention = Mention(start, end, text, self.sentence.index, None, unmapped=True,
                              kind_hint="security (from a price claim)",
                              resolution=f"{text!r} is not in the gazetteer; it is named with a price move, so it is "
                                         "reported unmapped; add it to a gazetteer file to map it")
            out.append(Subject(start, end, text, mention, how="unknown", complement=self._complement(start)))
        self._unknown[key] = out
        return out

    def in_window(self, lo: int, hi: int) -> list[Subject]:
        """Known candidates lying inside ``[lo, hi)``, in text order."""
        i = bisect.bisect_right(self._ends, hi)
        out = []
        for c in reversed(self.candidates[:i]):
            if c.start < lo:
                if c.end <= lo:
                    break
                continue
            out.append(c)
        return out[::-1]

    def _aside(self, c: Subject, lo: int, hi: int) -> bool:
        """A compound modifier ("SoftBank-backed Arm") or a name inside an aside between commas."""
        norm = self.norm
        if re.match(r"-[a-zà-ÿ]", norm[c.end:c.end + 2]) or _NON_PRICE_HEAD.match(norm, c.end):
            return True
        head = max(lo, self.sentence.start)
        breaks = list(_CLAUSE_BREAK.finditer(norm, head, c.start))
        since = breaks[-1].end() if breaks else head
        opened = None
        for opened in _ASIDE_OPEN.finditer(norm, since, min(hi, c.end + 4)):
            if opened.start() < c.start:
                break
            opened = None
        if opened is None or "," not in norm[c.end:hi]:
            return False
        # "D'après les données de X du 22 janvier, le secteur ... a bondi": a fronted adverbial, not an aside
        lead = norm[since:opened.start()]
        return bool(lead.strip()) and not _FRONTED.match(lead)

    # -- choosing ---------------------------------------------------------------------------------
    def backward(self, lo: int, hi: int) -> Subject | None:
        """The subject of a percentage at ``hi`` among the names in ``[lo, hi)`` (rule 3)."""
        pool = [c for c in self.in_window(lo, hi) if not self._aside(c, lo, hi)]
        pool += [u for u in self.unknown_names(lo, hi) if not self._aside(u, lo, hi)]
        if not pool:
            return None
        pool.sort(key=lambda c: c.end)
        # "Nvidia a même terminé devant Apple (+0,78 %)": a figure in parentheses right after a name is its,
        # but not after an index it is ranked in ("Deutsche Bank a fermé la marche du Dax (-5,07 %)")
        last = pool[-1]
        ranked_in = (last.complement and last.mention is not None and last.mention.entity is not None
                     and last.mention.entity.asset_class == "index")
        if re.fullmatch(r"\s*\(\s*", self.norm[last.end:hi]) and not ranked_in:
            return last
        # "la Bourse de Francfort cédait du terrain, tandis que Volkswagen perdait 3 %": the figure's own clause
        asides = [(m.start(), m.end()) for m in _ASIDE_IN_WINDOW.finditer(self.norm, lo, hi)]
        breaks = [b for b in _CLAUSE_BREAK.finditer(self.norm, lo, hi) if not any(a <= b.start() < e for a, e in asides)]
        if breaks:
            inside = [c for c in pool if c.start >= breaks[-1].end() and not c.complement]
            pool = inside or pool
        subjects = [c for c in pool if not c.complement]
        if not subjects:
            # "On the FTSE 250, shares in Greggs were on a tear, closing up 11.1%": the figure is about the
            # name after the complement (unknown to the gazetteer), not about the index
            later = [u for u in self.unknown_names(pool[-1].end, hi, acting=False) if not self._aside(u, lo, hi)]
            if later:
                return later[-1]
        return (subjects or pool)[-1]

    def clause_subject(self, lo: int, hi: int) -> Subject | None:
        """The subject of the clause that holds ``hi``: its first name that is not a complement or in an
        aside, from the clause's start (the last break before ``hi``, or ``lo``)."""
        breaks = list(_CLAUSE_BREAK.finditer(self.norm, lo, hi))
        start = breaks[-1].end() if breaks else lo
        pool = [c for c in self.in_window(start, hi) if not c.complement and c.sector is None
                and not self._aside(c, start, hi)]
        return pool[0] if pool else None

    def members(self, subject: Subject, lo: int, hi: int) -> list[Subject]:
        """The names coordinated with ``subject`` before it ("BNP Paribas et Société Générale", "Dogecoin,
        XRP et Cardano"), itself last. A list needs a conjunction before its last name ("Lanterne rouge
        du CAC 40, LVMH a reculé" is no list) and no member may be a complement or in an aside."""
        pool = sorted({(c.start, c.end): c for c in self.in_window(lo, hi) + self.unknown_names(lo, hi, acting=False)
                       + [subject]}.values(), key=lambda c: c.start)
        group = [subject]
        for c in reversed([c for c in pool if c.end <= subject.start]):
            glue = self.norm[c.end:group[0].start]
            if not _is_list_glue(glue) or self._aside(c, lo, hi):
                break
            if c.complement and not _CONJUNCTION.search(glue):
                break  # "In China, the CSI 300 and ...": a fronted complement before a comma is not a member
            group.insert(0, c)
        if len(group) > 1 and not _CONJUNCTION.search(self.norm[group[-2].end:group[-1].start]):
            return [subject]
        if any(c.complement for c in group[:-1]):
            return [subject]  # "parmi Kering et Hermès": the list is a complement, not the subject
        return group

    def forward(self, p: PercentMatch, after: str) -> Subject | None:
        """A name right after the figure ("l'envolée de 24,4 % de Nvidia", "a 7% gain for Oracle")."""
        i = bisect.bisect_left(self._starts, p.end)
        for c in self._by_start[i:i + 4]:
            if c.start - p.end <= 40:
                gap = self.norm[p.end:c.start]
                if re.fullmatch(r"\s*(?:(?:gain|rise|jump|drop|fall|decline|loss|increase)\s+)?(?:pour|for|chez|at|in|"
                                r"de|d'|of)\s*(?:(?:le|la|les|l'|the)\s*)?(?:l'action\s+|le\s+titre\s+|les\s+actions\s+|"
                                r"(?:the\s+)?shares\s+of\s+|le\s+cours\s+)?(?:de\s+|d')?", gap, re.I):
                    return c
        return None

    def fronted(self, p: PercentMatch) -> Subject | None:
        """"Après une chute de près de 60 % mercredi, le spécialiste des paiements Worldline a rebondi": a
        figure in a fronted clause belongs to the subject of the main clause that follows its comma."""
        s = self.sentence
        head = self.norm[s.start:p.start]
        if not _FRONTED_MOVE.match(head) or "," in head:
            return None
        comma = self.norm.find(",", p.end, s.end)
        if comma < 0:
            return None
        after = self._by_start[bisect.bisect_right(self._starts, comma):] + self.unknown_names(comma, s.end)
        after.sort(key=lambda c: (c.complement, c.start))
        return after[0] if after else None


_DETERMINER = r"(?:the|le|la|les|l'|its|their|his|her|ses|son|sa|leur|leurs|this|that|ce|cette|ces|cet)"
_REFERENCE_HEAD = re.compile(
    rf"(?<![\w']){_DETERMINER}\s*(?:[\w'&.-]+\s+){{0,4}}?(?:(?P<index>{INDEX_REFERENCE.pattern})|"
    rf"(?P<security>{BACK_REFERENCE.pattern}))", re.I)
_ASIDE_IN_WINDOW = re.compile(r",\s*(?:which|who|whose|dont|qui|que)(?![\w])(?:[^,;]|,(?=\d))*,(?!\d)", re.I)


def coreference(norm: str, lo: int, hi: int) -> tuple[str, str] | None:
    """Words in ``[lo, hi)`` that refer back to a security: ("index"|"security"|"pronoun", the words), or
    ("other index", the words) for an index qualified as another one ("the banking index").

    The last noun phrase whose head refers back ("the stock", "le titre du chimiste", "The San
    Francisco payments company", "l'indice phare", "the blue-chip index"), else the last subject
    pronoun ("il", "it"); words inside a relative clause between commas do not count."""
    window = _ASIDE_IN_WINDOW.sub(lambda m: " " * len(m.group(0)), norm[lo:hi])
    head = None
    for m in _REFERENCE_HEAD.finditer(window):
        head = m
    pron = None
    for m in PRONOUN.finditer(window):
        pron = m
    if head is not None and (pron is None or pron.start() < head.start()):
        words = head.group(0)
        qualifiers = re.sub(rf"^{_DETERMINER}\s*", "", words[:head.start(head.lastgroup) - head.start()],
                            flags=re.I).strip()
        if head.group("index"):
            rest = INDEX_SAME.sub(" ", qualifiers).strip(" -")
            if rest:
                return "other index", words  # "the banking index", "the wider homebuilders index": a sector index
            return "index", words
        if qualifiers and re.fullmatch(r"(?:stocks|shares|actions|valeurs|titres|equities)", head.group("security"), re.I):
            return "other index", words  # "European auto stocks", "les valeurs bancaires": a sector, not one security
        return "security", words
    if pron is not None:
        return "pronoun", pron.group(0)
    return None


def noun_phrase(seg: Segmented, lo: int, hi: int) -> Subject | None:
    """The last lower-case noun phrase acting as a subject in ``[lo, hi)`` ("the broader market fell"),
    unless it refers back to a security already named (rule 6)."""
    best = None
    for m in _NP_SUBJECT.finditer(seg.norm, lo, hi):
        best = m
    if best is None or BACK_REFERENCE.search(best.group("np")) or INDEX_REFERENCE.search(best.group("np")) \
            or re.match(r"l'on\b", best.group("np"), re.I):
        return None
    start, end = best.start("np"), best.end("np")
    return Subject(start, end, seg.original[start:end], how="phrase")


def run_of(norm: str, percents: list[PercentMatch], k: int) -> int:
    """Index of the last percentage of the row that starts at ``k`` ("3%, 2% and 1%")."""
    j = k
    while j + 1 < len(percents) and _RUN_GLUE.fullmatch(norm[percents[j].end:percents[j + 1].start]):
        j += 1
    return j


def respectively_after(norm: str, end: int) -> bool:
    return bool(_RESPECTIVELY.match(norm[end:end + 30]))
