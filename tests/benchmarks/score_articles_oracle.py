"""Score claim attribution and event dating independently of name coverage: the corpus scorer with an
*oracle gazetteer* (test-only; never used by the package).

Run from the repository root::

    python tests/benchmarks/score_articles_oracle.py                  # tests/articles/corpus
    python tests/benchmarks/score_articles_oracle.py --corpus DIR     # another folder of .txt + .toml pairs
    python tests/benchmarks/score_articles_oracle.py --verbose        # every miss and false positive

For each article, the gazetteer is the project's (``data/gazetteer.toml``, or the universe when it is
in place) plus one entry for every security its annotation lists (``name`` as written, ``yahoo``
symbol and ``asset_class``); an annotated security the project already knows (same Yahoo symbol)
gets the written name as an extra alias instead. So every annotated name can be found, and the
figures measure what the claim, horizon and date rules do with them. Definitions of the figures:
``tests/articles/corpus/scoring.py``; the printout is that of ``score_articles.py``. Prints; asserts
nothing. These figures are *not* the real pipeline's: ``score_articles.py`` gives those.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "articles" / "corpus"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import scoring  # noqa: E402
from score_articles import DEFAULT_CORPUS, _line  # noqa: E402


def oracle_gazetteer(ann: "scoring.Annotation"):
    """The project's gazetteer plus the annotation's securities (see the module docstring)."""
    from eventstudy.reference.gazetteer import Entity, Gazetteer

    base = Gazetteer.load()
    entities = {e.id: e for e in base}
    by_yahoo = {(e.yahoo or "").upper(): e for e in base if e.yahoo}
    for s in ann.securities:
        # the home symbol first, then the alternatives in their written order (an ETF proxy is another entity)
        known = next((by_yahoo[k.upper()] for k in (s.yahoo, *s.alt) if k.upper() in by_yahoo), None)
        if known is not None:
            if s.name not in known.all_aliases():
                aliases = dict(known.aliases)
                aliases["oracle"] = (*aliases.get("oracle", ()), s.name)
                entities[known.id] = dataclasses.replace(known, aliases=aliases)
            continue
        ident = s.yahoo.upper()
        old = entities.get(ident)
        names = (*(old.aliases.get("oracle", ()) if old else ()), s.name)
        entities[ident] = Entity(id=ident, name=s.name, asset_class=s.asset_class, ticker=s.yahoo, yahoo=s.yahoo,
                                 aliases={"oracle": tuple(dict.fromkeys(names))})
    return Gazetteer(entities.values())


def extract_with(text_path: Path, gazetteer) -> "scoring.ExtractedView":
    from eventstudy.article import extract_events, read_article

    t0 = time.perf_counter()
    try:
        article = read_article(text_path)
        x = extract_events(article.text, published=article.published, source=str(text_path), gazetteer=gazetteer)
    except Exception as exc:  # noqa: BLE001 - a crash on one article is a finding
        return scoring.ExtractedView(keys={}, unmapped=(), claims=(), primary_date=None,
                                     seconds=time.perf_counter() - t0, error=f"{type(exc).__name__}: {exc}")
    return scoring.view_of(x, time.perf_counter() - t0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--only", help="score only slugs containing this text")
    args = parser.parse_args(argv)
    scores = []
    for ann in scoring.load_corpus(args.corpus):
        if args.only and args.only not in ann.slug:
            continue
        s = scoring.score_article(ann, extract_with(ann.text_path, oracle_gazetteer(ann)))
        scores.append(s)
        print(_line(f"{s.slug} [{s.language}]", scoring.total([s])) + (f"  ERROR {s.error}" if s.error else ""))
        if args.verbose:
            if not s.date_ok:
                print(f"    date: annotated {s.gold_date}, extracted {s.extracted_date}")
            for label, items in (("missed claim", s.missed_claims), ("false claim", s.false_claims),
                                 ("null-ticker claim", s.null_claims), ("horizon", s.horizon_mismatches)):
                for item in items:
                    print(f"    {label}: {item}")
    print()
    groups: dict[str, list] = defaultdict(list)
    for s in scores:
        groups[f"language {s.language}"].append(s)
    for name in sorted(groups):
        print(_line(f"ORACLE {name}", scoring.total(groups[name])))
    print(_line("ORACLE OVERALL", scoring.total(scores)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
