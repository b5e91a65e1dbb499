"""Score the article extractor on an annotated corpus: securities, price claims, event dates.

Run from the repository root::

    python tests/benchmarks/score_articles.py                      # tests/articles/corpus
    python tests/benchmarks/score_articles.py --corpus DIR         # another folder of .txt + .toml pairs
    python tests/benchmarks/score_articles.py --verbose            # every miss and false positive
    python tests/benchmarks/score_articles.py --json scores.json   # the figures as JSON

Each article is read and extracted the way ``eventstudy extract FILE`` does it (``read_article``
then ``extract_events`` with the file's ``published:`` date). The definitions of recall, precision,
horizon agreement and event dates are in ``tests/articles/corpus/scoring.py``. Prints the figures;
asserts nothing (the floors are in ``tests/test_article_corpus.py``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "articles" / "corpus"))

import scoring  # noqa: E402

DEFAULT_CORPUS = ROOT / "tests" / "articles" / "corpus"


def _pct(x: float | None) -> str:
    return "   -  " if x is None else f"{100 * x:5.1f}%"


def _line(label: str, t: scoring.Totals) -> str:
    return (f"{label:<38} {t.articles:>3}  sec R {_pct(t.securities_recall)} ({t.sec_found}/{t.sec_gold}) "
            f"P {_pct(t.securities_precision)} ({t.sec_correct}/{t.sec_extracted})  "
            f"claims R {_pct(t.claims_recall)} ({t.claim_matched}/{t.claim_gold}) "
            f"P {_pct(t.claims_precision)} ({t.claim_matched}/{t.claim_extracted})  "
            f"horizon {_pct(t.horizon_agreement)}  dates {_pct(t.event_dates)} ({t.dates_ok}/{t.articles})  "
            f"unmapped {t.unmapped}  null-ticker claims {t.null_ticker}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of <slug>.txt + <slug>.toml")
    parser.add_argument("--verbose", action="store_true", help="list every miss and false positive")
    parser.add_argument("--json", type=Path, help="write per-article and overall figures to this file")
    args = parser.parse_args(argv)

    problems = scoring.check_corpus(args.corpus)
    if problems:
        print(f"{len(problems)} annotation problem(s) in {args.corpus}:", file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
        return 2

    t0 = time.perf_counter()
    import eventstudy.article  # noqa: F401  (import time reported apart from extraction time)
    import_seconds = time.perf_counter() - t0
    scores, wall = scoring.score_corpus(args.corpus)

    print(f"corpus {args.corpus}  ({len(scores)} articles)\n")
    for s in scores:
        t = scoring.total([s])
        print(_line(f"{s.slug} [{s.language}]", t) + f"  {1000 * s.seconds:6.0f} ms"
              + (f"  ERROR {s.error}" if s.error else ""))
        if args.verbose:
            if not s.date_ok:
                print(f"    date: annotated {s.gold_date}, extracted {s.extracted_date}")
            for label, items in (("missed security", s.missed_securities), ("false security", s.false_securities),
                                 ("unmapped name", s.unmapped_names), ("missed claim", s.missed_claims),
                                 ("false claim", s.false_claims), ("null-ticker claim", s.null_claims),
                                 ("horizon", s.horizon_mismatches)):
                for item in items:
                    print(f"    {label}: {item}")

    print()
    groups: dict[str, list[scoring.ArticleScore]] = defaultdict(list)
    for s in scores:
        groups[f"language {s.language}"].append(s)
    for name in sorted(groups):
        print(_line(name, scoring.total(groups[name])))
    overall = scoring.total(scores)
    print(_line("OVERALL", overall))
    print(f"\ntime: import {import_seconds:.2f} s, extraction {overall.seconds:.2f} s "
          f"({1000 * overall.seconds / max(1, len(scores)):.0f} ms per article, first one includes model loading), "
          f"wall {wall:.2f} s; errors {overall.errors}")

    if args.json:
        payload = {
            "corpus": str(args.corpus),
            "overall": overall.to_dict(),
            "by_language": {k.split()[-1]: scoring.total(v).to_dict() for k, v in groups.items()},
            "articles": [{**scoring.total([s]).to_dict(), "slug": s.slug, "language": s.language, "kind": s.kind,
                          "gold_date": str(s.gold_date), "extracted_date": str(s.extracted_date), "error": s.error,
                          "missed_securities": s.missed_securities, "false_securities": s.false_securities,
                          "unmapped_names": s.unmapped_names, "missed_claims": s.missed_claims,
                          "false_claims": s.false_claims, "null_claims": s.null_claims,
                          "horizon_mismatches": s.horizon_mismatches} for s in scores],
            "seconds": {"import": import_seconds, "extraction": overall.seconds, "wall": wall},
        }
        args.json.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
