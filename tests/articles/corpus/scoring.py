"""Score the article extractor against an annotated corpus (securities, price claims, event dates).

A corpus folder holds pairs ``<slug>.txt`` (the article, optionally starting with a
``published: YYYY-MM-DD`` line) and ``<slug>.toml`` (its annotation; the format is described in
``tests/articles/README.md``). This module loads and checks the annotations, runs the extractor on
each article through the same calls as ``eventstudy extract`` (``read_article`` then
``extract_events``), and counts matches. It is shared by ``tests/benchmarks/score_articles.py``
(prints the figures) and ``tests/test_article_corpus.py`` (well-formedness and floors).

Definitions (all counts are micro-averaged: summed over articles, then divided)
-------------------------------------------------------------------------------
Security key
    An annotated security is identified by its ``yahoo`` symbol and any ``alt`` symbols (other
    listings, an ETF proxy for an index, an old symbol after a rename); comparison ignores case.
    An extracted entity is identified by its ``yahoo`` symbol, or by its ``ticker`` when it has no
    Yahoo symbol. Entities without either (private firms, projects, unmapped names) are not
    securities for this score.
Securities recall
    annotated securities (``optional = false``) found among the extracted keys / annotated
    securities. An unmapped name (``unmapped=True``) never counts as found: it is a miss, and is
    counted apart (``unmapped``), not as a false positive.
Securities precision
    distinct extracted keys that match an annotated security / distinct extracted keys, where keys
    that match an ``optional`` security (a data source, a broker named for its note, a delisted
    name mentioned in passing) are left out of both counts.
Claim match
    an extracted claim matches an annotated claim when its security key is one of the annotated
    security's keys and ``|percent - annotated percent| <= 0.005`` (percentage points). Each
    annotated claim matches at most one extracted claim. Extracted claims repeating the same
    (key, percent) are counted once (a move stated in the summary and in the body is one claim).
Claims recall / precision
    matched annotated claims / annotated claims; matched extracted claims / extracted claims that
    have a security key. Extracted claims without a key (``ticker`` None: unmapped subject or
    sector scope) are counted apart (``null_ticker``) and are in neither ratio.
Horizon agreement
    among matched claims, the share whose horizon equals the annotated one (annotated "unknown"
    agrees with an extracted ``None``). Reported apart; it does not affect claim matching.
Event dates
    articles whose primary extracted event (``Extraction.events[0]``) has ``date`` equal to the
    annotated ``[event] date`` / articles. An article with no extracted event is a miss.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

#: Horizons an annotation may use: the extractor's vocabulary plus "unknown".
ANNOTATION_HORIZONS = ("1d", "24h", "intraday", "premarket", "after_hours", "1w", "1m", "ytd", "1y", "unknown")
#: Asset classes an annotated security may have.
ASSET_CLASSES = ("equity", "etf", "index", "crypto")
#: Event kinds used by the corpus (free vocabulary, checked so that typos show).
KINDS = ("earnings", "m_and_a", "regulatory", "legal", "product_launch", "profit_warning", "crypto_hack",
         "exchange_listing", "crypto_market", "policy_shock", "market_shock", "market_wrap", "ipo", "analyst_note")
#: What a Yahoo Finance symbol looks like: equities (AAPL, BRK-B, MC.PA, 7203.T, NOVO-B.CO),
#: indices (^FCHI, ^GSPC, 000300.SS), crypto pairs (BTC-USD), futures (BZ=F).
YAHOO_SYMBOL = re.compile(r"^(\^[A-Z0-9.\-]{2,12}|[A-Z0-9][A-Z0-9&\-]{0,11}(\.[A-Z]{1,3})?|[A-Z0-9]{1,15}-(USD|EUR|USDT)|[A-Z]{1,3}=F)$")
#: Largest difference, in percentage points, for two percentages to be the same claim.
PERCENT_TOLERANCE = 0.005

_TOP_KEYS = {"url", "language", "published", "published_in_text", "kind", "market", "notes", "event", "security",
             "claim", "non_claim", "sector_claim"}


@dataclass(frozen=True)
class GoldSecurity:
    name: str
    yahoo: str
    asset_class: str
    alt: tuple[str, ...] = ()
    optional: bool = False

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(s.upper() for s in (self.yahoo, *self.alt))


@dataclass(frozen=True)
class GoldClaim:
    yahoo: str
    percent: float
    horizon: str
    approximate: bool
    text: str


@dataclass(frozen=True)
class Annotation:
    """One article's annotation (the parsed ``<slug>.toml``)."""

    slug: str
    path: Path
    url: str
    language: str
    published: dt.date | None
    published_in_text: bool
    kind: str
    market: str
    event_date: dt.date
    event_rule: str
    securities: tuple[GoldSecurity, ...]
    claims: tuple[GoldClaim, ...]
    non_claims: tuple[dict[str, Any], ...] = ()
    sector_claims: tuple[dict[str, Any], ...] = ()
    notes: str = ""

    @property
    def text_path(self) -> Path:
        return self.path.with_suffix(".txt")

    def security_for(self, yahoo: str) -> GoldSecurity | None:
        key = yahoo.upper()
        return next((s for s in self.securities if key in s.keys), None)


class AnnotationError(ValueError):
    """An annotation file that does not follow the corpus format (message names file and key)."""


def _need(d: dict[str, Any], key: str, types: type | tuple[type, ...], where: str) -> Any:
    if key not in d:
        raise AnnotationError(f"{where}: missing key {key!r}")
    if not isinstance(d[key], types):
        raise AnnotationError(f"{where}: {key!r} should be {types}, got {type(d[key]).__name__} {d[key]!r}")
    return d[key]


def load_annotation(path: Path) -> Annotation:
    """Parse and type-check one annotation file; raises :class:`AnnotationError` naming the file and key."""
    where = str(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise AnnotationError(f"{where}: not valid TOML ({exc})") from None
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        raise AnnotationError(f"{where}: unknown keys {sorted(unknown)}")
    event = _need(raw, "event", dict, where)
    securities = []
    for i, s in enumerate(raw.get("security", [])):
        w = f"{where} [[security]] #{i + 1}"
        securities.append(GoldSecurity(name=_need(s, "name", str, w), yahoo=_need(s, "yahoo", str, w),
                                       asset_class=_need(s, "asset_class", str, w), alt=tuple(s.get("alt", ())),
                                       optional=bool(s.get("optional", False))))
    claims = []
    for i, c in enumerate(raw.get("claim", [])):
        w = f"{where} [[claim]] #{i + 1}"
        claims.append(GoldClaim(yahoo=_need(c, "yahoo", str, w), percent=float(_need(c, "percent", (int, float), w)),
                                horizon=_need(c, "horizon", str, w), approximate=_need(c, "approximate", bool, w),
                                text=_need(c, "text", str, w)))
    published = raw.get("published")
    if published is not None and not isinstance(published, dt.date):
        raise AnnotationError(f"{where}: 'published' should be a TOML date (YYYY-MM-DD), got {published!r}")
    return Annotation(
        slug=path.stem, path=path, url=_need(raw, "url", str, where), language=_need(raw, "language", str, where),
        published=published, published_in_text=bool(raw.get("published_in_text", published is not None)),
        kind=_need(raw, "kind", str, where), market=raw.get("market", ""),
        event_date=_need(event, "date", dt.date, f"{where} [event]"), event_rule=_need(event, "rule", str, f"{where} [event]"),
        securities=tuple(securities), claims=tuple(claims), non_claims=tuple(raw.get("non_claim", ())),
        sector_claims=tuple(raw.get("sector_claim", ())), notes=raw.get("notes", ""))


def annotation_paths(folder: Path) -> list[Path]:
    """The annotation files of a corpus folder (``floors.toml`` is not an annotation)."""
    return sorted(p for p in Path(folder).glob("*.toml") if p.name != "floors.toml")


def load_corpus(folder: Path) -> list[Annotation]:
    return [load_annotation(p) for p in annotation_paths(folder)]


def percent_forms(percent: float) -> set[str]:
    """How the magnitude of ``percent`` may be written: '4.5', '4,5', '4,50', '60', '0', '5.6'/'5,60' ..."""
    a = abs(percent)
    forms = set()
    for nd in range(0, 3):
        s = f"{a:.{nd}f}"
        if abs(float(s) - a) < 1e-9:
            forms |= {s, s.replace(".", ",")}
    trimmed = f"{a:.2f}".rstrip("0").rstrip(".")
    forms |= {trimmed, trimmed.replace(".", ",")}
    return forms


def _has_number(text: str, forms: Iterable[str]) -> bool:
    return any(re.search(r"(?<![\d])" + re.escape(f) + r"(?![\d])", text) for f in forms)


def check_annotation(ann: Annotation, text: str) -> list[str]:
    """Problems with one annotation against its article text (empty list when well-formed)."""
    out: list[str] = []
    w = ann.path.name
    if ann.language not in ("fr", "en"):
        out.append(f"{w}: language {ann.language!r} is not 'fr' or 'en'")
    if ann.kind not in KINDS:
        out.append(f"{w}: kind {ann.kind!r} is not one of {KINDS}")
    if not ann.url.startswith(("http://", "https://")):
        out.append(f"{w}: url {ann.url!r} is not a web address")
    first = text.lstrip("\ufeff").split("\n", 1)[0].strip()
    header = re.match(r"published:\s*(\d{4}-\d\d-\d\d)$", first)
    if ann.published_in_text:
        if not header:
            out.append(f"{w}: the article should start with 'published: {ann.published}'")
        elif ann.published is None or header.group(1) != ann.published.isoformat():
            out.append(f"{w}: header {first!r} differs from published = {ann.published}")
    elif header:
        out.append(f"{w}: published_in_text = false but the article has a published line")
    for s in ann.securities:
        for sym in (s.yahoo, *s.alt):
            if not YAHOO_SYMBOL.match(sym):
                out.append(f"{w}: security {s.name!r}: {sym!r} does not look like a Yahoo symbol")
        if s.asset_class not in ASSET_CLASSES:
            out.append(f"{w}: security {s.name!r}: asset_class {s.asset_class!r} not in {ASSET_CLASSES}")
    for i, c in enumerate(ann.claims, 1):
        cw = f"{w} claim #{i} ({c.yahoo} {c.percent})"
        if ann.security_for(c.yahoo) is None:
            out.append(f"{cw}: {c.yahoo!r} is not among the annotated securities")
        if c.horizon not in ANNOTATION_HORIZONS:
            out.append(f"{cw}: horizon {c.horizon!r} not in {ANNOTATION_HORIZONS}")
        if c.text not in text:
            out.append(f"{cw}: text {c.text!r} does not occur in the article")
        elif not _has_number(c.text, percent_forms(c.percent)):
            out.append(f"{cw}: the percent does not appear in its text {c.text!r}")
    for kind, items in (("non_claim", ann.non_claims), ("sector_claim", ann.sector_claims)):
        for i, c in enumerate(items, 1):
            cw = f"{w} {kind} #{i}"
            t, p = c.get("text"), c.get("percent")
            if not isinstance(t, str) or not isinstance(p, (int, float)):
                out.append(f"{cw}: needs 'text' (string) and 'percent' (number)")
            elif t not in text:
                out.append(f"{cw}: text {t!r} does not occur in the article")
            elif not _has_number(t, percent_forms(float(p))):
                out.append(f"{cw}: the percent does not appear in its text {t!r}")
    seen = set()
    for c in ann.claims:
        key = (c.yahoo.upper(), round(c.percent, 3))
        if key in seen:
            out.append(f"{w}: claim ({c.yahoo}, {c.percent}) is annotated twice (one move stated twice is one claim)")
        seen.add(key)
    return out


def check_corpus(folder: Path) -> list[str]:
    """Problems of a whole corpus folder: missing pairs, then each annotation's problems."""
    folder = Path(folder)
    out = []
    texts = {p.stem for p in folder.glob("*.txt")}
    anns = {p.stem for p in annotation_paths(folder)}
    out += [f"{s}.txt has no annotation {s}.toml" for s in sorted(texts - anns)]
    out += [f"{s}.toml has no article {s}.txt" for s in sorted(anns - texts)]
    for slug in sorted(texts & anns):
        path = folder / f"{slug}.toml"
        try:
            ann = load_annotation(path)
        except AnnotationError as exc:
            out.append(str(exc))
            continue
        out += check_annotation(ann, (folder / f"{slug}.txt").read_text(encoding="utf-8"))
    return out


# --- what the extractor gave ------------------------------------------------------------------

@dataclass(frozen=True)
class ExtractedClaim:
    key: str | None
    name: str
    percent: float
    horizon: str | None
    text: str


@dataclass(frozen=True)
class ExtractedView:
    """The parts of an :class:`~eventstudy.article.Extraction` that are scored."""

    keys: dict[str, str]  # security key -> name as extracted
    unmapped: tuple[str, ...]
    claims: tuple[ExtractedClaim, ...]
    primary_date: dt.date | None
    seconds: float = 0.0
    error: str | None = None


def view_of(extraction: Any, seconds: float = 0.0) -> ExtractedView:
    """Reduce an Extraction to security keys, claims (with keys) and the primary event date."""
    keys: dict[str, str] = {}
    by_id: dict[str, str] = {}
    unmapped = []
    for e in extraction.entities:
        if getattr(e, "unmapped", False):
            unmapped.append(e.name)
            continue
        key = (getattr(e, "yahoo", None) or getattr(e, "ticker", None) or "").upper()
        if not key:
            continue
        keys.setdefault(key, e.name)
        for ident in (getattr(e, "gazetteer_id", None), getattr(e, "ticker", None)):
            if ident:
                by_id.setdefault(str(ident).upper(), key)
    claims = []
    for c in extraction.claims:
        ident = getattr(c, "yahoo", None) or getattr(c, "ticker", None)
        key = None if not ident else by_id.get(str(ident).upper(), str(ident).upper())
        if getattr(c, "scope", "security") != "security":
            key = None
        claims.append(ExtractedClaim(key=key, name=c.name, percent=float(c.percent), horizon=c.horizon,
                                     text=getattr(c, "text", "") or ""))
    events = getattr(extraction, "events", ())
    primary = events[0].date if events else None
    return ExtractedView(keys=keys, unmapped=tuple(unmapped), claims=tuple(claims), primary_date=primary, seconds=seconds)


def extract_article(text_path: Path) -> ExtractedView:
    """Run the extractor on one file the way ``eventstudy extract FILE`` does; errors are kept, not raised."""
    from eventstudy.article import extract_events, read_article

    t0 = time.perf_counter()
    try:
        article = read_article(text_path)
        extraction = extract_events(article.text, published=article.published, source=str(text_path))
    except Exception as exc:  # noqa: BLE001 - a crash on one article is a finding, not the end of the run
        return ExtractedView(keys={}, unmapped=(), claims=(), primary_date=None, seconds=time.perf_counter() - t0,
                             error=f"{type(exc).__name__}: {exc}")
    return view_of(extraction, time.perf_counter() - t0)


# --- scores -----------------------------------------------------------------------------------

@dataclass
class ArticleScore:
    slug: str
    language: str
    kind: str
    sec_gold: int = 0
    sec_found: int = 0
    sec_extracted: int = 0
    sec_correct: int = 0
    unmapped: int = 0
    claim_gold: int = 0
    claim_extracted: int = 0
    claim_matched: int = 0
    null_ticker: int = 0
    horizon_agree: int = 0
    date_ok: bool = False
    gold_date: dt.date | None = None
    extracted_date: dt.date | None = None
    seconds: float = 0.0
    error: str | None = None
    missed_securities: list[str] = field(default_factory=list)
    false_securities: list[str] = field(default_factory=list)
    unmapped_names: list[str] = field(default_factory=list)
    missed_claims: list[str] = field(default_factory=list)
    false_claims: list[str] = field(default_factory=list)
    null_claims: list[str] = field(default_factory=list)
    horizon_mismatches: list[str] = field(default_factory=list)


def score_article(ann: Annotation, view: ExtractedView) -> ArticleScore:
    """Compare one extraction with its annotation (definitions in the module docstring)."""
    sc = ArticleScore(slug=ann.slug, language=ann.language, kind=ann.kind, seconds=view.seconds, error=view.error,
                      gold_date=ann.event_date, extracted_date=view.primary_date)
    required = [s for s in ann.securities if not s.optional]
    optional_keys = set().union(*(s.keys for s in ann.securities if s.optional)) if ann.securities else set()
    gold_keys = set().union(*(s.keys for s in required)) if required else set()
    extracted = {k: n for k, n in view.keys.items() if k not in optional_keys or k in gold_keys}
    sc.sec_gold = len(required)
    for s in required:
        if s.keys & set(extracted):
            sc.sec_found += 1
        else:
            sc.missed_securities.append(f"{s.name} ({s.yahoo})")
    sc.sec_extracted = len(extracted)
    sc.sec_correct = sum(1 for k in extracted if k in gold_keys)
    sc.false_securities = [f"{n} ({k})" for k, n in extracted.items() if k not in gold_keys]
    sc.unmapped = len(view.unmapped)
    sc.unmapped_names = list(view.unmapped)

    seen: set[tuple[str, float]] = set()
    keyed: list[ExtractedClaim] = []
    for c in view.claims:
        if c.key is None:
            sc.null_ticker += 1
            sc.null_claims.append(f"{c.name} {c.percent:+g}")
            continue
        k = (c.key, round(c.percent, 3))
        if k not in seen:
            seen.add(k)
            keyed.append(c)
    sc.claim_gold = len(ann.claims)
    sc.claim_extracted = len(keyed)
    used = [False] * len(keyed)
    for g in ann.claims:
        sec = ann.security_for(g.yahoo)
        keys = sec.keys if sec else {g.yahoo.upper()}
        hit = next((i for i, c in enumerate(keyed)
                    if not used[i] and c.key in keys and abs(c.percent - g.percent) <= PERCENT_TOLERANCE), None)
        if hit is None:
            sc.missed_claims.append(f"{g.yahoo} {g.percent:+g} [{g.horizon}] «{g.text}»")
            continue
        used[hit] = True
        sc.claim_matched += 1
        got = keyed[hit].horizon or "unknown"
        if got == g.horizon:
            sc.horizon_agree += 1
        else:
            sc.horizon_mismatches.append(f"{g.yahoo} {g.percent:+g}: annotated {g.horizon}, extracted {got}")
    sc.false_claims = [f"{c.key} {c.percent:+g} ({c.name}) «{c.text}»" for i, c in enumerate(keyed) if not used[i]]
    sc.date_ok = view.primary_date == ann.event_date
    return sc


@dataclass
class Totals:
    """Summed counts of several articles, with the ratios."""

    articles: int = 0
    sec_gold: int = 0
    sec_found: int = 0
    sec_extracted: int = 0
    sec_correct: int = 0
    unmapped: int = 0
    claim_gold: int = 0
    claim_extracted: int = 0
    claim_matched: int = 0
    null_ticker: int = 0
    horizon_agree: int = 0
    dates_ok: int = 0
    seconds: float = 0.0
    errors: int = 0

    @staticmethod
    def _ratio(a: int, b: int) -> float | None:
        return a / b if b else None

    @property
    def securities_recall(self) -> float | None:
        return self._ratio(self.sec_found, self.sec_gold)

    @property
    def securities_precision(self) -> float | None:
        return self._ratio(self.sec_correct, self.sec_extracted)

    @property
    def claims_recall(self) -> float | None:
        return self._ratio(self.claim_matched, self.claim_gold)

    @property
    def claims_precision(self) -> float | None:
        return self._ratio(self.claim_matched, self.claim_extracted)

    @property
    def horizon_agreement(self) -> float | None:
        return self._ratio(self.horizon_agree, self.claim_matched)

    @property
    def event_dates(self) -> float | None:
        return self._ratio(self.dates_ok, self.articles)

    def ratios(self) -> dict[str, float | None]:
        return {"securities_recall": self.securities_recall, "securities_precision": self.securities_precision,
                "claims_recall": self.claims_recall, "claims_precision": self.claims_precision,
                "horizon_agreement": self.horizon_agreement, "event_dates": self.event_dates}

    def to_dict(self) -> dict[str, Any]:
        counts = {k: v for k, v in self.__dict__.items()}
        return {**counts, **self.ratios()}


def total(scores: Iterable[ArticleScore]) -> Totals:
    t = Totals()
    for s in scores:
        t.articles += 1
        for name in ("sec_gold", "sec_found", "sec_extracted", "sec_correct", "unmapped", "claim_gold",
                     "claim_extracted", "claim_matched", "null_ticker", "horizon_agree"):
            setattr(t, name, getattr(t, name) + getattr(s, name))
        t.dates_ok += int(s.date_ok)
        t.seconds += s.seconds
        t.errors += int(s.error is not None)
    return t


def score_corpus(folder: Path) -> tuple[list[ArticleScore], float]:
    """Extract and score every article of ``folder``; returns the scores and the wall time in seconds.

    Annotations must be well-formed (see :func:`check_corpus`); a malformed one raises
    :class:`AnnotationError`.
    """
    t0 = time.perf_counter()
    scores = [score_article(ann, extract_article(ann.text_path)) for ann in load_corpus(Path(folder))]
    return scores, time.perf_counter() - t0
