"""Benchmark: how long `extract_events` takes on a 10-page article.

Run from the repository root::

    python tests/benchmarks/bench_extract.py [--pages 10] [--repeat 5]

The article is built from the seed and the test articles (French and English), each line tagged
with its section number so that no paragraph repeats (repeated paragraphs are skipped by the
extractor, which would flatter the figure). A page is 3,000 characters (about 500 words). The
first call includes loading lingua's language models and dateparser's locale data; the following
calls show the steady state. It also times the securities universe apart: reading
``data/reference/`` into entities (once per process), building the name index (once per
gazetteer), and a new process's load + extract (a fresh interpreter, imports excluded), and prints
the size the universe's files add to the package. Prints the numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import subprocess  # noqa: E402

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


def universe_figures(text: str) -> None:
    """Universe load and name index build (this process, first use), and the files' size."""
    from eventstudy.article.name_index import name_index
    from eventstudy.paths import reference_dir
    from eventstudy.reference.gazetteer import Gazetteer
    from eventstudy.reference.universe import load_universe

    c0 = time.process_time()
    t0 = time.perf_counter()
    layer = load_universe()
    t_universe = time.perf_counter() - t0
    t0 = time.perf_counter()
    gaz = Gazetteer.load()
    t_gaz = time.perf_counter() - t0
    t0 = time.perf_counter()
    name_index(gaz)
    t_index = time.perf_counter() - t0
    c_all = time.process_time() - c0
    ref = reference_dir()
    size = sum(p.stat().st_size for p in ref.rglob("*") if p.is_file())
    print(f"universe: {len(gaz):,} entities ({', '.join(f'{k} {v}' for k, v in layer.counts.items())})")
    print(f"universe load (read data/reference, first call): {t_universe * 1000:.0f} ms; gazetteer merge "
          f"{t_gaz * 1000:.0f} ms; name index {t_index * 1000:.0f} ms (CPU time of the three: {c_all * 1000:.0f} ms)")
    print(f"universe files: {size / 1e6:.2f} MB in {ref} (what it adds to the package)")


def fresh_process(text_path: Path) -> None:
    """A new interpreter: models warmed on the same text without the universe, then the universe's
    load + a 10-page extraction, then a second extraction (the universe cached)."""
    code = (
        "import time, sys\n"
        "from eventstudy.article import extract_events\n"
        "from eventstudy.reference.gazetteer import Gazetteer\n"
        "text = open(sys.argv[1], encoding='utf-8').read()\n"
        "extract_events(text, gazetteer=Gazetteer([]))\n"  # lingua and dateparser models, no universe
        "t0 = time.perf_counter(); extract_events(text); t1 = time.perf_counter(); extract_events(text); "
        "t2 = time.perf_counter()\n"
        "print(f'{(t1 - t0) * 1000:.0f} {(t2 - t1) * 1000:.0f}')\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(text_path)], capture_output=True, text=True, check=True,
                         cwd=ROOT).stdout.split()
    print(f"fresh process, models warm: universe load + 10-page extraction {out[0]} ms; "
          f"the next extraction (universe cached) {out[1]} ms")
    print(f"machine load average (1 min): {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    text = build_article(args.pages)
    universe_figures(text)
    t0 = time.perf_counter()
    result = extract_events(text, source="benchmark")
    cold = time.perf_counter() - t0
    warm, cpu = [], []
    for _ in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        extract_events(text, source="benchmark")
        warm.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    print(f"article: {args.pages} pages, {len(text):,} characters, {len(text.split()):,} words, "
          f"language {result.language}")
    print(f"found: {len(result.events)} events, {len(result.entities)} entities, {len(result.claims)} claims, "
          f"{len(result.amounts)} amounts")
    print(f"first call (loads lingua and dateparser data): {cold * 1000:.0f} ms")
    print(f"steady state over {args.repeat} runs: median {statistics.median(warm) * 1000:.0f} ms, "
          f"max {max(warm) * 1000:.0f} ms; CPU time median {statistics.median(cpu) * 1000:.0f} ms "
          "(less sensitive to other processes on a shared machine)")
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as fh:
        fh.write(text)
    fresh_process(Path(fh.name))
    Path(fh.name).unlink()


if __name__ == "__main__":
    main()
