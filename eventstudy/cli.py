"""The ``eventstudy`` command.

Subcommands::

    eventstudy run STUDY [--out DIR] [--offline]     run a study, write report.html, PNGs, CSVs
    eventstudy validate STUDY                         check a study file and its data, run nothing
    eventstudy extract ARTICLE [--published DATE] [--format yaml] [--gazetteer FILE]
                                                      events, entities, claims, amounts as JSON/YAML
    eventstudy data import FILES...                   add CSVs to the embedded snapshot
    eventstudy data list                              what the snapshot holds

Errors print one message (what, where, what to do) and exit with status 2; never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import __version__
from .errors import EventStudyError


def _say(quiet: bool):
    def say(msg: str) -> None:
        if not quiet:
            print(f"  {msg}", file=sys.stderr, flush=True)

    return say


def cmd_run(args: argparse.Namespace) -> int:
    from .pipeline import run_study
    from .report import write_outputs
    from .study import load_study

    say = _say(args.quiet)
    spec = load_study(args.study)
    if args.offline:
        spec = spec.with_data(source="snapshot")
    print(f"eventstudy {__version__}: running study {spec.name!r} ({args.study})", file=sys.stderr)
    res = run_study(spec, progress=say)
    out = Path(args.out) if args.out else Path("reports") / spec.name
    paths = write_outputs(res, out, progress=say)
    if not args.quiet:
        print(res.summary())
    print(f"\nReport written to {out.resolve()}/")
    for name, path in paths.items():
        print(f"  {name:<24} {path.resolve()}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from .study import load_study

    spec = load_study(args.study)
    groups = ", ".join(f"{g.name} ({len(g.securities)})" for g in spec.groups)
    print(f"{args.study}: OK — study {spec.name!r}, groups: {groups}")
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    """Print the article's events, entities, claims and amounts as JSON (default) or YAML."""
    import datetime as dt
    import json

    from .article import extract_events, read_article
    from .errors import ArticleError
    from .gazetteer import Gazetteer

    published = None
    if args.published:
        try:
            published = dt.date.fromisoformat(args.published)
        except ValueError:
            raise ArticleError(f"--published {args.published!r} is not a date; give it as YYYY-MM-DD") from None
    gazetteer = Gazetteer.load(args.gazetteer) if args.gazetteer else None
    article = read_article(args.article)
    extraction = extract_events(article.text, published=published or article.published, source=str(args.article),
                                gazetteer=gazetteer)
    result = extraction.to_dict()
    if article.title and not result.get("title"):
        result["title"] = article.title
    if article.notes:
        result["notes"] = list(article.notes) + result["notes"]
    if args.format == "yaml":
        import yaml

        print(yaml.safe_dump(result, allow_unicode=True, sort_keys=False), end="")
    else:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


def cmd_data_import(args: argparse.Namespace) -> int:
    from .paths import snapshot_dir
    from .prices import Snapshot

    root = Path(args.snapshot) if args.snapshot else snapshot_dir(args.frequency)
    snap = Snapshot(root, args.frequency)
    entries = snap.import_files(args.files, provenance=args.provenance, adjustment=args.adjustment,
                                venue=args.venue, time_convention=args.time_convention, progress=print)
    print(f"imported {len(entries)} file(s) into {root}")
    return 0


def cmd_data_list(args: argparse.Namespace) -> int:
    from .paths import snapshot_dir
    from .prices import Snapshot

    root = Path(args.snapshot) if args.snapshot else snapshot_dir(args.frequency)
    snap = Snapshot(root, args.frequency)
    info = snap.manifest().get("symbols", {})
    print(f"snapshot {root} ({args.frequency} bars)")
    for sym in snap.symbols():
        e = info.get(sym, {})
        print(f"  {sym:<10} {e.get('rows', '?'):>5} rows  {e.get('first', '?')} .. {e.get('last', '?')}  "
              f"{e.get('adjustment', 'not in manifest')}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="eventstudy", description="From a news article to a rigorous event study.")
    parser.add_argument("--version", action="version", version=f"eventstudy {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("run", help="run a study and write its report folder")
    p.add_argument("study", help="study file (TOML)")
    p.add_argument("--out", help="output folder (default: reports/<study name>)")
    p.add_argument("--offline", action="store_true", help="never touch the network: use the embedded snapshot only")
    p.add_argument("--quiet", action="store_true", help="print only where the outputs are")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("validate", help="check a study file without running it")
    p.add_argument("study")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("extract", help="extract events, entities, claims and amounts from an article")
    p.add_argument("article", help="article file (text or HTML)")
    p.add_argument("--published", help="publication date YYYY-MM-DD (resolves 'yesterday', 'mardi', ...); "
                                       "default: the file's 'published:' header or HTML metadata")
    p.add_argument("--format", choices=("json", "yaml"), default="json", help="output format (default: json)")
    p.add_argument("--gazetteer", action="append", default=[], metavar="FILE",
                   help="extra gazetteer file (TOML) adding or overriding entities; may be repeated")
    p.set_defaults(func=cmd_extract)

    data = sub.add_parser("data", help="manage price data").add_subparsers(dest="data_command", required=True,
                                                                           metavar="ACTION")
    p = data.add_parser("import", help="validate CSVs and add them to the snapshot")
    p.add_argument("files", nargs="+", type=Path, help="CSV files date,open,high,low,close,volume (symbol = file name)")
    p.add_argument("--frequency", choices=("1d", "4h"), default="1d")
    p.add_argument("--snapshot", help="snapshot folder (default: the project's data/prices or data/prices_4h)")
    p.add_argument("--provenance", type=Path, help="provenance document to keep beside the data")
    p.add_argument("--adjustment", help="how prices are adjusted, e.g. 'splits and dividends'")
    p.add_argument("--venue", help="exchange or venue, e.g. 'Bybit USDT perpetual'")
    p.add_argument("--time-convention", help="what a row's date/time means")
    p.set_defaults(func=cmd_data_import)

    p = data.add_parser("list", help="list the symbols in the snapshot")
    p.add_argument("--frequency", choices=("1d", "4h"), default="1d")
    p.add_argument("--snapshot")
    p.set_defaults(func=cmd_data_list)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except EventStudyError as exc:
        print(f"eventstudy: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("eventstudy: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, not a user error: say so, keep the traceback on request
        if os.environ.get("EVENTSTUDY_DEBUG"):
            raise
        print(f"eventstudy: internal error ({type(exc).__name__}: {exc}). This is a bug; rerun with "
              "EVENTSTUDY_DEBUG=1 for the traceback and report it.", file=sys.stderr)
        return 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
