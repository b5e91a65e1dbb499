"""Benchmark: how long `extract_events` takes on a 10-page article.

Run from the repository root::

    python tests/benchmarks/bench_extract.py [--pages 10] [--repeat 5]

The article is built from the seed and the test articles (French and English), each line tagged
with its section number so that no paragraph repeats (repeated paragraphs are skipped by the
extractor, which would flatter the figure). A page is 3,000 characters (about 500 words). The
first call includes loading lingua's language models and dateparser's locale data; the following
calls show the steady state. Prints the numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from eventstudy.article import extract_events, read_article  # noqa: E402

PAGE_CHARS = 3000


def build_article(pages: int) -> str:
    sources = [ROOT / "seeds" / "stargate-techflow-fr.txt", *sorted((ROOT / "tests" / "articles").glob("*.txt")),
               *sorted((ROOT / "tests" / "articles").glob("*.html"))]
    lines: list[str] = []
    for path in sources:
        lines += [line for line in read_article(path).text.splitlines() if line.strip()]
    out: list[str] = []
    section = 0
    while sum(len(x) + 1 for x in out) < pages * PAGE_CHARS:
        section += 1
        out += [f"{line} (section {section})" for line in lines]
    text = "\n".join(out)
    return text[: pages * PAGE_CHARS].rsplit("\n", 1)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    text = build_article(args.pages)
    t0 = time.perf_counter()
    result = extract_events(text, source="benchmark")
    cold = time.perf_counter() - t0
    warm = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        extract_events(text, source="benchmark")
        warm.append(time.perf_counter() - t0)
    print(f"article: {args.pages} pages, {len(text):,} characters, {len(text.split()):,} words, "
          f"language {result.language}")
    print(f"found: {len(result.events)} events, {len(result.entities)} entities, {len(result.claims)} claims, "
          f"{len(result.amounts)} amounts")
    print(f"first call (loads lingua and dateparser data): {cold * 1000:.0f} ms")
    print(f"steady state over {args.repeat} runs: median {statistics.median(warm) * 1000:.0f} ms, "
          f"max {max(warm) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
