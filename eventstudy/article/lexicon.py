"""Words of price moves in English and French: verbs and nouns of movement, what is not a price,
horizons and session cues. Shared by :mod:`.claims`, :mod:`.subjects` and :mod:`.moves`.

Every pattern is compiled once and matched on the normalised text (see :mod:`.text`).
"""

from __future__ import annotations

import re

_UP = (r"hausses?|grimp\w*|augment\w*|progress\w*|bondi\w*|bondit|bond|(?:re)?gagn\w*|envol\w*|flamb\w*|rebond\w*|"
       r"mont(?:e|é|ée|ent|ait|a|er)|remont\w*|appréci\w*|s'apprécie|avanc(?:e|é|ée|ait|ent|er|ant)|avancée|"
       r"pris|prend|prenait|prennent|s'adjug\w*|décoll\w*|s'envole|s'envolait|redress\w*|"
       r"up(?!\s+to\b)|rose|rises?|rising|risen|gain(?:s|ed|ing)?|firm(?:s|ed|ing)|"
       r"jump(?:s|ed|ing)?|climb(?:s|ed|ing)?|soar(?:s|ed|ing)?|surg(?:e|es|ed|ing)|rall(?:y|ied|ies|ying)|"
       r"advanc(?:e|es|ed|ing)|added|adds|adding|higher|increas(?:e|es|ed|ing)|spik(?:e|es|ed)|pop(?:s|ped)|"
       r"skyrocket\w*|rocket(?:s|ed)?|rebound(?:s|ed|ing)?|edg(?:ed|es|ing) up|tick(?:ed|s) up|recover(?:s|ed|ing)?|"
       r"(?:more than )?(?:doubl|tripl|quadrupl)(?:e|es|ed|ing|é|ée|ait)|s'est redressé\w*|"
       r"avanç(?:ait|aient|ant)|engrang\w*|octroy\w*|s'octroi\w*|s'arrog\w*|repren(?:d|ds|nent|ait|aient|ant)|"
       r"repris|grappill\w*|caracol\w*|leap(?:s|t|ed|ing)?|zoom(?:s|ed|ing)|perk(?:s|ed|ing) up|"
       r"outperform(?:s|ed|ing)?")
_DOWN = (r"baiss(?:e|es|ent|ait|aient|é|ée|ant|er)|chut\w*|recul\w*|perd\w*|perte|plong\w*|dégringol\w*|céd(?:é|ait|ant|aient|er)|cède|cèdent|"
         r"gliss\w*|repli\w*|se replie|effondr\w*|écroul\w*|décroch\w*|lâch\w*|abandonn\w*|fond(?:u|ait|ent|re|ant)?|"
         r"déviss\w*|trébuch\w*|flanch\w*|sombr\w*|dérap\w*|pâti\w*|laiss(?:e|ait|aient|ant|é|ent) sur le terrain|"
         r"laiss(?:e|ait|aient|ant|é|ent)(?=\s+(?:encore\s+|plus de\s+|près de\s+|environ\s+)?[+\-]?\d)|"
         r"down|fell|falls?|falling|fallen|drop(?:s|ped|ping)?|slid(?:e|es|ing)?|plummet(?:s|ed|ing)?|"
         r"slipp(?:ed|ing)|slips?|plung(?:e|es|ed|ing)|tumbl(?:e|es|ed|ing)|sank|sinks?|sinking|sunk|lost|"
         r"los(?:e|es|ing)|declin(?:e|es|ed|ing)|lower|decreas(?:e|es|ed|ing)|shed|sheds|shedding|crash(?:ed|es)?|"
         r"slump(?:s|ed|ing)?|retreat(?:s|ed|ing)?|dipp(?:ed|ing)|dips?|tank(?:s|ed)?|eas(?:e|ed|es|ing)|"
         r"off|gave up|giv(?:es|ing) up|gave back|div(?:e|ed|es|ing)|dove|collaps(?:e|ed|es|ing)|sagg(?:ed|ing)|sags?|skid(?:ded|s)?|"
         r"edg(?:ed|es|ing) (?:down|lower)|tick(?:ed|s) down|nose-?div(?:e|es|ed|ing)|crater(?:s|ed|ing)?|"
         r"stumbl(?:e|es|ed|ing)|surrender(?:s|ed|ing)?|s'effrit\w*|effrit\w*|s'enfon[cç]\w*|se tass\w*|"
         r"s'est tass\w*|s'érod\w*|fléchi\w*|rechut\w*|piqu(?:e|é|ait|ent) du nez|underperform(?:s|ed|ing)?")
#: A verb or noun of movement, with group ``up`` or ``down`` ("grimpé", "fell", "hausse").
DIRECTION = re.compile(rf"(?<![\w-])(?:(?P<up>{_UP})|(?P<down>{_DOWN}))(?![\w-])", re.I)
#: Right after a percentage, a word that gives its direction ("7 % de hausse", "3% lower", "4%, lower").
DIRECTION_AFTER = re.compile(
    r"^\s*,?\s*(?:(?:de|d'|of)\s+)?(?:(?P<up>hausse|higher|up|gain|rise|jump|plus haut)|"
    r"(?P<down>baisse|lower|down|drop|fall|decline|loss|repli|recul|plus bas|chute))(?![\w])", re.I)
#: Right after a percentage, where a price stands against a level ("45 percent above the offering
#: price", "3,5 % sous les 125 000 dollars"): a direction only for a trading verb (see :data:`TRADING_VERB`).
LEVEL_AFTER = re.compile(r"^\s*(?:(?P<up>above|over|au-dessus|au-delà|plus haut que)|"
                         r"(?P<down>below|under|beneath|sous|en dessous|au-dessous))(?![\w])", re.I)
#: Verbs that say where a price stood or ended ("ended", "closed", "traded", "a terminé", "cotait").
TRADING_VERB = re.compile(
    r"(?<![\w])(?:ended|closed|closing|finished|traded|trading|opened|stood|settled|a terminé|a clôturé|a fini|"
    r"termin\w+|clôtur\w+|finit|cot(?:e|ait|é)|s'échang\w+|se trait\w+|valait)(?![\w])", re.I)

#: A noun of something that is not a price (revenue, volumes, tariffs, a stake ...): a percentage of it
#: is not a price move. Checked between the subject and the percentage, and right after it.
METRIC = re.compile(
    r"(?<![\w])(?:revenus?|revenues?|chiffres? d'affaires|ventes|sales|bénéfices?|profits?|earnings|résultats?|"
    r"résultat net|net income|income|turnover|billings|bookings|volumes?|emplois|jobs|dépenses|spending|"
    r"marges?|margins?|utilisateurs|users|clients|customers|subscribers|abonnés|inflation|taux|rates?|PIB|GDP|"
    r"production|output|parts? de marché|part restante|part du capital|parts? détenues?|market share|"
    r"participations?|dividendes?|dividends?|capex|effectifs|workforce|"
    r"headcount|hashrate|TVL|frais|fees|probabilit\w+|probable|chances?|salaires?|wages?|participation|stake|"
    r"détient|détenait|détenu\w*|holds|held|owns|owned|intérêts?|interest|rendements?|yields?|"
    r"prévisions?|forecasts?|guidance|outlook|perspectives?|objectifs?|targets?|expectations?|attentes|"
    r"estimates?|estimations?|consensus|croissance|growth|économie|economy|demande|demand|consommation|"
    r"consumption|population|carnet de commandes|commandes|backlog|orders|emploi|employment|chômage|"
    r"unemployment|immatriculations|registrations|livraisons|deliveries|shipments|exportations|exports|"
    r"importations|imports|droits de douane|tarifs? douaniers?|tariffs?|levies|levy|duties|duty|taxes?|"
    r"primes?|premium|décote|discount|remise|rabais|coupon|pondération|weighting|weight|"
    r"deferred revenue|adjusted|ajusté|EBITDA|EBIT|EPS|BPA|BNPA|cash flow|"
    r"prévoit|prévoient|prévoyait|prévoyaient|anticipe|anticipent|anticipait|table sur|tablent sur|s'attend\w*|"
    r"expects|expected|forecasts|forecast|projects|projected|guided|trésorerie|debt|dette|"
    r"like-for-like|comparable|same-store|prix à la consommation|consumer prices|salariés|employees|"
    r"budget|déficit|deficit|excédent|surplus|oversubscribed|sursouscri\w*)(?![\w])", re.I)
#: Verbs of a share or a weight, not of a move ("pesant 11 % de la capitalisation", "represents 40%").
SHARE_VERB = re.compile(
    r"(?<![\w])(?:pes(?:e|ent|ait|ant|aient|er)|représent\w*|account(?:s|ed|ing)? for|make(?:s)? up|made up|weigh(?:s|ed|ing)?|"
    r"compt(?:e|ent|ait) pour|détien\w*|détenai\w*|hold(?:s|ing)?|own(?:s|ed|ing)?|contrôl\w+|control(?:s|led)?|"
    r"equal(?:s|led)? to|soit un rendement)(?![\w])", re.I)
#: After "X% of" / "X % de": the nouns that still make a price move ("lost 21.5% of its value").
VALUE_OF = re.compile(
    r"^\s*(?:of|de|d'|du|des)\s*(?:(?:its|their|his|her|the|sa|son|ses|leur|leurs|la|le|l')\s*)?"
    r"(?:value|valeur|capitali[sz]ation|market (?:value|cap\w*)|worth|gains?|pertes?|losses|cours|prix|price)(?![\w])",
    re.I)
SHARE_OF = re.compile(r"^\s*(?:of|de|d'|du|des)\s", re.I)
#: Words that may follow a percentage in a price move ("fell 3% on Tuesday", "cède 4 % ce lundi");
#: any other lower-case word right after it makes the percentage an attribute of a noun ("25% tariffs").
MOVE_FOLLOWERS = frozenset("""
to at in on of from for by after before since and or but while whereas with this that these those last the a an
its their his her over during through higher lower up down off above below under apiece each respectively so as
year years yesterday today tonight overnight intraday early late versus vs against compared according than
year-to-date year-on-year week weeks month months day days session sessions trading trade premarket pre-market
after-hours afterhours earlier later again only just about nearly almost roughly more less or, then when
amid following despite because led driven following which who where what its; in, to, it he she they we
à au aux sur en de du des d et ou mais alors tandis ce cette cet ces hier aujourd'hui environ seulement contre par
pour après avant depuis dès dans soit respectivement chacun chacune vers encore déjà lors pendant durant jusqu
la le les l un une son sa ses leur leurs sous au-dessus plus moins quand lorsque puis tout toute avec ainsi
dont qui que cela ceci mardi lundi mercredi jeudi vendredi samedi dimanche matin soir séance journée semaine
mois an année ans années points point pts
gain gains rise rises jump drop drops fall falls decline declines loss losses plunge slide rally surge increase
decrease hausse baisse repli recul chute progression bond envolée plongeon
""".split())

#: Words that refer back to a security already named ("the stock", "le titre", "the company").
BACK_REFERENCE = re.compile(
    r"(?<![\w])(?:stocks?|shares?|company|group|firm|chipmaker|chip designer|carmaker|automaker|maker|bank|lender|"
    r"insurer|retailer|miner|airline|conglomerate|giant|token|coin|cryptocurrency|crypto|titre|titres|actions?|"
    r"groupe|entreprise|société|valeur|cours|jeton|cryptomonnaie|banque|constructeur|chimiste|laboratoire|labo|"
    r"assureur|géant|leader|numéro (?:un|deux|1|2)|spécialiste|fabricant|énergéticien|conglomérat|équipementier|"
    r"distributeur|opérateur|prix|price|price tag|nouveau venu|newcomer|reine des cryptos|première des cryptos|"
    r"première cryptomonnaie|crypto-monnaie|cryptoactif|actif|asset|plateforme|exchange|pièce|"
    r"monnaie numérique|devise numérique)(?![\w])", re.I)
#: Words that refer back to an index ("l'indice", "the index", "the blue-chip index", "l'indice phare").
INDEX_REFERENCE = re.compile(r"(?<![\w])(?:indices?|index|indexes|benchmark|baromètre)(?![\w])", re.I)
#: Qualifiers of an index that still refer back to the market's index ("the blue-chip index", "l'indice
#: phare"); any other ("the banking index", "l'indice technologique") names another, sector index.
INDEX_SAME = re.compile(r"(?<![\w])(?:blue-chip|blue chip|main|benchmark|broader|broad|wider|leading|flagship|headline|"
                        r"phare|vedette|principal|parisien|large|whole|composite|overall|star|share|stock|"
                        r"des trente|des 30|des quarante|des 40|de référence)(?![\w])", re.I)
#: Pronoun subjects ("il a perdu 2,5 %", "it fell 3%", "elle cède 1 %").
PRONOUN = re.compile(r"(?<![\w'])(?:il|elle|it|they|ils|elles)(?![\w'])", re.I)

HORIZON_PHRASES: tuple[tuple[str, re.Pattern[str]], ...] = tuple((h, re.compile(rf"(?<![\w])(?:{rx})(?![\w])", re.I))
                                                                  for h, rx in (
    ("24h", r"(?:sur|en|au cours des|over(?: the)?(?: past| last)?|in(?: the)?(?: past| last)?|during the past|"
            r"dans les|sur les dernières|en moins de|within)\s+24\s?(?:h|heures|hours|hrs)|24\s?h|24-hour|24 heures|"
            r"24 hours|vingt-quatre heures"),
    ("premarket", r"pre-?market|pré-?ouverture|avant l'ouverture|before the (?:opening )?bell|before the open"),
    ("after_hours", r"after-? ?hours|extended trading|(?:les |des )?échanges électroniques|après-Bourse|après Bourse|"
                    r"post-séance|after-market|après la clôture|after the (?:closing )?bell|after the close|"
                    r"post-?market|hors séance|late trading"),
    ("intraday", r"intraday|at one point|à un moment|en cours de séance|in early (?:trading|trade|deals)|"
                 r"in (?:morning|afternoon|mid-?afternoon|midday|late|early) (?:trading|trade|deals)|midday|mid-day|"
                 r"en début de séance|en séance|à la mi-séance|à la mi-journée|en fin de matinée|en matinée|"
                 r"as much as|jusqu'à|up to|in under an hour|dès l'ouverture|à l'ouverture|en ouverture|"
                 r"at the open(?:ing)?|in opening (?:trade|trading|deals)|shortly after the open(?:ing)?|(?:early|initial)(?=\s+[+\-]?\d)|"
                 r"(?:gains?|hausses?|progression) initiale?s?|(?:early|initial) (?:gains?|rise|losses|loss|drop)|"
                 r"en (?:à peine )?une heure(?: et demie)?|"
                 r"by (?:\d{1,2}(?::\d\d)?\s?[ap]\.?m\.?|midday|noon|the afternoon|mid-?afternoon|\w+ morning)"),
    ("1w", r"(?:sur|en)\s+(?:la|une)\s+semaine|cette semaine|this week|over the (?:past |last )?week|"
           r"(?:sur|en)\s+(?:7|sept) jours|(?:over|in) (?:the )?(?:past |last )?(?:7|seven) days|weekly|hebdomadaire|"
           r"sur l'ensemble de la semaine|sur la semaine|depuis lundi|since Monday|for the week|on the week"),
    ("1m", r"(?:sur|en)\s+un mois|ce mois-ci|this month|over the (?:past |last )?month|(?:sur|en)\s+30 jours|"
           r"(?:over|in) (?:the )?(?:past |last )?30 days|monthly|mensuel\w*"),
    ("ytd", r"depuis le début de l'année|year[- ]to[- ]date|YTD|this year|cette année|depuis janvier|"
            r"since the start of the year|so far this year"),
    ("1y", r"(?:sur|en)\s+(?:un an|une année|douze mois|12 mois)|over the (?:past |last )?(?:year|12 months)|"
           r"in the (?:past |last )?(?:year|12 months)|annual|sur un an"),
    ("1d", r"sur la journée|en une journée|on the day|in the session|lors de la séance|à la clôture|at the close|"
           r"closed (?:up|down|higher|lower)|a clôturé|a terminé|ended the day|finished the day|daily|en une séance|"
           r"in a single session|in one session|on (?:its|their) first day|in (?:its|their) debut|"
           r"first day of trading|pour sa première séance|one-day|the session|la séance|to close at|pour clôturer|"
           r"pour finir|la veille|la séance précédente|the previous session|the prior session|the previous day|"
           r"the day before"),
))

#: Within a sentence, words that place a move inside the session (a clock time, the morning, a
#: live snapshot) or at its close: the horizon of the sentence's claims that state none.
INTRADAY_CUE = re.compile(
    r"(?<![\w])(?:(?:vers|à|aux alentours de|autour de|by|at|around|as of)\s+\d{1,2}\s?(?:h|H|:)\s?\d{0,2}|"
    r"(?:by|at|around)\s+\d{4}\s+GMT|\d{1,2}(?::\d\d)?\s?[ap]\.?m\.?|matin|matinée|mi-séance|mi-journée|"
    r"à la mi-|morning|midday|mid-?afternoon|early trade|early trading|in early|early (?:monday|tuesday|wednesday|"
    r"thursday|friday)|à l'heure du déjeuner|à l'heure où nous écrivons|en ce moment|at the time of writing|"
    r"currently|en cours de séance|en séance|during the session|intraday|this morning|ce matin)(?![\w])", re.I)
CLOSE_CUE = re.compile(
    r"(?<![\w])(?:clos(?:ed|ing|e)|ended|finished|settled|a clôturé|ont clôturé|a terminé|ont terminé|a fini|ont fini|"
    r"finit|finissent|termine|terminé|clôture|clôturé|la séance de|the session|on the day|sur la journée)(?![\w])",
    re.I)
#: A verb in a tense that reports a live snapshot: French present or imperfect ("cède", "reculait"),
#: English progressive or a state ("was down", "is up", "were trading").
LIVE_VERB_FR = re.compile(
    r"(?<![\w'])(?:cède|cèdent|cédait|recule|reculent|reculait|perd|perdent|perdait|abandonne|abandonnent|abandonnait|"
    r"lâche|lâchent|lâchait|chute|chutent|chutait|plonge|plongent|plongeait|dévisse|dévissait|fond|fondait|"
    r"s'effondre|s'effondrait|dégringole|dégringolait|gagne|gagnent|gagnait|grimpe|grimpent|grimpait|monte|montait|"
    r"progresse|progressent|progressait|s'envole|s'envolait|bondit|bondissait|avance|avançait|se replie|"
    r"se repliait|glisse|glissait|baissent|baissait|recule|s'apprécie|s'appréciait|se traite|se traitait|"
    r"affiche|affichait|cédant|reculant|perdant|abandonnant|gagnant|progressant|chutant|s'effrite|s'effritait|"
    r"s'enfonce|s'enfonçait|se tasse|se tassait|fléchit|fléchissait|sombre|sombrait|décroche|décrochait|"
    r"flambe|flambait|rebondit|rebondissait|reprend|reprenait|s'adjuge|s'adjugeait|avançant|prend|prenait)(?![\w])",
    re.I)
LIVE_VERB_EN = re.compile(r"(?<![\w])(?:was|were|is|are|was trading|were trading|is trading)\s+(?:[\w.,%]+\s+){0,3}?"
                          r"(?:up|down|higher|lower|off|trading)(?![\w])", re.I)
#: A verb in a tense that reports a completed day ("a perdu", "avait cédé", "closed", "ended").
DONE_VERB_FR = re.compile(r"(?<![\w'])(?:a|ont|avait|avaient|s'est|se sont|s'était)\s+(?:\w+\s+){0,2}?"
                          r"(?:perdu|cédé|reculé|abandonné|lâché|chuté|plongé|dévissé|gagné|grimpé|progressé|"
                          r"bondi|avancé|pris|fini|terminé|clôturé|regagné|envolée?|effondrée?|replié|apprécié|"
                          r"enregistré|affiché)(?![\w])", re.I)
