"""The ``eventstudy`` command.

Subcommands::

    eventstudy run STUDY [--out DIR] [--offline | --pinned] [--parquet] [--timings]
                     [--dask local:N|tcp://HOST:PORT] [--dataset DIR]
                                                      run a study, write report.html, PNGs, CSVs (+ Parquet)
                                                      (--timings: wall time per stage on stderr)
    eventstudy run --example NAME [--out DIR]         run a study shipped with the package (pinned snapshot)
    eventstudy run --list-examples                    the shipped example studies
    eventstudy notebook STUDY | --example NAME [--out DIR]   execute the analyst's notebook, export HTML
    eventstudy validate STUDY [--file-only]           check a study file and its data; write nothing
    eventstudy extract ARTICLE [--published DATE] [--format yaml] [--gazetteer FILE]
                                                      events, entities, claims, amounts as JSON/YAML
    eventstudy data import FILES...                   add CSVs to the embedded snapshot
    eventstudy data fetch SYMBOLS... --start --end    download from Yahoo into the cache (or the snapshot)
    eventstudy data list [--cache]                    what the snapshot (or the cache) holds
    eventstudy data export-parquet OUT [--study STUDY | SYMBOLS...]   prices as a Parquet dataset (for --dask)

Errors print one message (what, where, what to do) and exit with status 2; never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

# Arrow buffers (pandas' string columns) from the C allocator rather than pyarrow's default mimalloc
# pool, which keeps freed pages: about 50 MB less peak memory at 100,000 events (bench_e2e), no
# slowdown seen. Set before pandas imports pyarrow; a user's own ARROW_DEFAULT_MEMORY_POOL wins.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")

from . import __version__  # noqa: E402
from .errors import EventStudyError  # noqa: E402


def _say(quiet: bool):
    def say(msg: str) -> None:
        if not quiet:
            print(f"  {msg}", file=sys.stderr, flush=True)

    return say


def _study_path(args: argparse.Namespace) -> Path:
    """The study file a command works on: its STUDY argument, or the shipped example ``--example NAME``."""
    if args.example and args.study:
        raise EventStudyError(f"give a study file ({args.study}) or --example {args.example}, not both")
    if args.example:
        from .paths import example_study

        return example_study(args.example)
    if not args.study:
        raise EventStudyError(f"give a study file (`eventstudy {args.command} my_study.toml`) or a shipped example "
                              f"(`eventstudy {args.command} --example stargate`; `eventstudy run --list-examples` "
                              "lists them)")
    return Path(args.study)


def cmd_list_examples() -> int:
    """Print the example studies shipped with the package: name, title, study file."""
    from .paths import examples
    from .study.spec import load_study

    found = examples()
    if not found:
        print("no example studies are shipped with this installation")
        return 0
    print("Example studies shipped with eventstudy (run one with `eventstudy run --example NAME`):")
    for name, path in found.items():
        print(f"  {name:<12} {load_study(path).title or ''}\n  {'':<12} {path}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from .pipeline import run_study
    from .report import write_outputs
    from .report.outdir import check_target
    from .safety import default_output_dir
    from .study.spec import load_study
    from .timings import StageTimer

    if args.list_examples:
        return cmd_list_examples()
    say = _say(args.quiet)
    study = _study_path(args)
    pinned = args.pinned or (args.example and not args.offline)  # an example reproduces its shipped numbers
    spec = load_study(study, source="pinned" if pinned else "offline" if args.offline else None)
    out = Path(args.out) if args.out else default_output_dir(spec.name)
    check_target(out, spec)  # before the work: a folder that cannot be written is refused now
    if not args.quiet:
        shown = f"shipped example {study}, {spec.data.source} prices" if args.example else str(study)
        print(f"eventstudy {__version__}: running study {spec.name!r} ({shown})", file=sys.stderr)
    timer = StageTimer(enabled=args.timings)
    dask = {} if args.dask is None else {  # the map stage on a Dask cluster (eventstudy.cluster)
        "dask": args.dask, "dataset": args.dataset,
        "dask_options": {"timeout": args.dask_timeout, "show_progress": not args.quiet}}
    if args.dataset and args.dask is None:
        raise EventStudyError("--dataset is the price dataset of a distributed run; give --dask local:N or "
                              "--dask tcp://HOST:PORT with it")
    res = run_study(spec, progress=say, timer=timer, **dask)

    def out_say(msg: str) -> None:  # each output step announced is timed until the next one
        timer.mark(f"outputs: {msg}")
        say(msg)

    timer.mark("outputs: CSV tables")
    paths = write_outputs(res, out, progress=out_say, parquet=args.parquet)
    timer.close()
    if not args.quiet:
        with timer("summary"):
            print(res.summary())
    timer.report()
    print(f"\nReport written to {out.resolve()}/")
    for name, path in paths.items():
        print(f"  {name:<24} {path.resolve()}")
    return 0


def cmd_notebook(args: argparse.Namespace) -> int:
    from .report.notebook import run_notebook

    study = _study_path(args)
    out = Path(args.out) if args.out else Path("reports") / f"{study.stem}-notebook"
    source = None if args.source == "study" else args.source
    paths = run_notebook(study, out, notebook=args.notebook, source=source, progress=_say(False))
    print(f"Notebook executed for {study}:")
    for name, path in paths.items():
        print(f"  {name:<10} {path}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from .study.spec import load_study

    from .pipeline import run_study

    spec = load_study(args.study)
    groups = ", ".join(f"{g.name} ({len(g.securities)})" for g in spec.groups)
    print(f"{args.study}: the file itself is valid — study {spec.name!r}, groups: {groups}")
    if args.file_only:
        return 0
    if spec.data.source == "auto" and spec.data.prices is None:
        spec = spec.with_data(source="offline")  # a check never downloads
    print("checking its data (a dry run, nothing is written)...")
    res = run_study(spec)
    print(f"data ({spec.data.source if spec.data.prices is None else 'your prices'}): "
          f"{len(res.securities)} event-securities can be studied, {len(res.dropped)} dropped")
    for r in res.securities.itertuples():
        print(f"  ok       {r.ticker:<10} {r.group}: day 0 {r.day0:%Y-%m-%d} ({r.calendar}), "
              f"{r.n_estimation} estimation bars, model {r.model}")
    for d in res.dropped:
        print(f"  dropped  {d.ticker:<10} {d.group}: {d.reason}")
    for w in res.warnings:
        print(f"  warning  {w['ticker']:<10} {w['check']}: {w['message']}")
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    """Print the article's events, entities, claims and amounts as JSON (default) or YAML."""
    import datetime as dt
    import json

    from .article import extract_events, read_article
    from .errors import ArticleError
    from .reference.gazetteer import Gazetteer

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
    from .paths import writable_snapshot_dir
    from .prices import Snapshot

    root = writable_snapshot_dir(args.frequency, args.snapshot)
    snap = Snapshot(root, args.frequency)
    entries = snap.import_files(args.files, provenance=args.provenance, adjustment=args.adjustment,
                                venue=args.venue, time_convention=args.time_convention, progress=print)
    print(f"imported {len(entries)} file(s) into {root}")
    return 0


def cmd_data_fetch(args: argparse.Namespace) -> int:
    import pandas as pd
    from tqdm import tqdm

    from .reference.gazetteer import Gazetteer
    from .paths import writable_snapshot_dir
    from .prices import PriceCache, Snapshot, YahooSource
    from .prices.bars import PriceSeries

    try:
        start, end = pd.Timestamp(_iso_date(args.start, "--start")), pd.Timestamp(_iso_date(args.end, "--end"))
    except ValueError as exc:
        raise EventStudyError(str(exc)) from None
    if start > end:
        raise EventStudyError(f"--start {args.start} is after --end {args.end}")
    adjusted = not args.unadjusted
    cache = PriceCache(args.cache)
    source = YahooSource.from_gazetteer(Gazetteer.load(args.gazetteer or ()), frequency=args.frequency,
                                        adjusted=adjusted, cache=cache if args.to == "cache" else None)
    symbols = list(dict.fromkeys(args.symbols))
    if args.to == "snapshot":
        snap = Snapshot(writable_snapshot_dir(args.frequency, args.snapshot), args.frequency)
        curated = [s for s in symbols if snap.has(s)
                   and snap.manifest().get("symbols", {}).get(s, {}).get("source") != "yfinance"]
        if curated and not args.replace:
            raise EventStudyError(f"{', '.join(curated)} already in the snapshot {snap.root} from another source; "
                                  "pass --replace to overwrite them with Yahoo data, or fetch into the cache")
    print(f"fetching {len(symbols)} symbol(s) from Yahoo, {args.start} .. {args.end}, {args.frequency} bars, "
          f"{source.adjustment} -> {cache.root if args.to == 'cache' else args.to}", file=sys.stderr)
    with tqdm(total=len(symbols), unit="symbol", desc="yfinance", file=sys.stderr, disable=args.quiet) as bar:
        results = source.refresh(symbols, start, end, progress=bar.update)
    ok = {s: r for s, r in results.items() if isinstance(r, PriceSeries)}
    failed = {s: r for s, r in results.items() if not isinstance(r, PriceSeries)}
    if args.to == "snapshot" and ok:
        extra = {s: {"source": "yfinance", "yahoo": source.yahoo_symbol(s), "downloaded_at": r.provenance.get("downloaded_at")}
                 for s, r in ok.items()}
        snap.import_frames({s: r.bars for s, r in ok.items()}, adjustment=source.adjustment,
                           venue="Yahoo Finance (yfinance)", source="yfinance", extra=extra, progress=print)
        print(f"wrote {len(ok)} symbol(s) into the snapshot {snap.root}")
    else:
        for s, r in ok.items():
            print(f"{s}: {len(r.bars)} bars {r.first:%Y-%m-%d} .. {r.last:%Y-%m-%d} -> {r.source}")
            for note in r.notes:
                print(f"  note: {note['message']} ({note['action']})")
    if failed:
        by_message: dict[str, list[str]] = {}
        for s, exc in failed.items():
            by_message.setdefault(str(exc), []).append(s)
        for message, syms in by_message.items():
            named = message if len(syms) == 1 and message.startswith(syms[0]) else f"{', '.join(syms)}: {message}"
            print(f"eventstudy: error: {named}", file=sys.stderr)
        print(f"eventstudy: {len(failed)} of {len(symbols)} symbol(s) failed; the cache keeps what it had for them",
              file=sys.stderr)
        return 2
    return 0


def _iso_date(text: str, flag: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{flag} {text!r} is not a date; write it as YYYY-MM-DD") from None


def cmd_data_export_parquet(args: argparse.Namespace) -> int:
    """Write prices as a partitioned Parquet dataset (what a distributed run's workers read)."""
    from .prices.parquet import export_dataset
    from .prices.sources import load_prices

    if args.study and args.symbols:
        raise EventStudyError("give --study STUDY or SYMBOLS, not both")
    if args.study:
        from . import pipeline as P
        from .reference.gazetteer import Gazetteer
        from .study.spec import load_study

        spec = load_study(args.study, source="pinned" if args.pinned else "offline" if args.offline else None)
        say = _say(args.quiet)
        timing = P.resolve_timing(spec, P.read_article_stage(spec, say), say)
        span = P.price_span(spec, timing.event_time)
        gaz = Gazetteer.load(spec.data.gazetteer)
        sources = P.default_sources(spec, span, gaz)
        symbols = list(dict.fromkeys([*spec.securities, *spec.benchmarks]))
        frequency = spec.data.frequency
    else:
        from .prices import CacheSource, SnapshotSource, UserPricesSource

        span, frequency = None, args.frequency
        if args.prices:
            sources = [UserPricesSource(Path(args.prices), frequency)]
        else:
            sources = [CacheSource(frequency, not args.unadjusted, args.cache), SnapshotSource(frequency, args.snapshot)]
        symbols = list(dict.fromkeys(args.symbols))
        if not symbols:
            if not args.prices:
                raise EventStudyError("name the symbols to export, or give --study STUDY or --prices FILE (every "
                                      "symbol of your file)")
            symbols = sources[0].symbols()
    series, missing = load_prices(symbols, sources, span)
    for sym, why in missing.items():
        print(f"eventstudy: warning: {sym} not exported: {why}", file=sys.stderr)
    manifest = export_dataset(Path(args.out), series, frequency, by=args.by, replace=args.replace, missing=missing)
    rows = sum(e["rows"] for e in manifest["symbols"].values())
    print(f"wrote {len(series)} symbol(s), {rows:,} {frequency} bars, to {Path(args.out).resolve()}/ "
          f"(Parquet, partitioned by {args.by}; manifest.json lists each symbol and where it came from)")
    return 0


def cmd_data_list(args: argparse.Namespace) -> int:
    from .paths import snapshot_dir
    from .prices import PriceCache, Snapshot

    if args.cache is not None:
        cache = PriceCache(args.cache or None)
        adjusted = not args.unadjusted
        print(f"cache {cache.root} ({args.frequency} bars, {'adjusted' if adjusted else 'unadjusted'})")
        for sym in cache.symbols(args.frequency, adjusted):
            try:
                ps = cache.read(sym, args.frequency, adjusted)
                print(f"  {sym:<10} {len(ps.bars):>5} rows  {ps.provenance.get('first')} .. {ps.provenance.get('last')}  "
                      f"downloaded {ps.provenance.get('downloaded_at')}")
            except EventStudyError as exc:
                print(f"  {sym:<10} CORRUPT: {exc}")
        return 0
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
    p.add_argument("study", nargs="?", help="study file (TOML)")
    p.add_argument("--example", metavar="NAME",
                   help="run a study shipped with the package instead (e.g. stargate; on the embedded snapshot, "
                        "as --pinned, unless --offline is given)")
    p.add_argument("--list-examples", action="store_true", help="list the shipped example studies and exit")
    p.add_argument("--out", help="output folder (default: reports/<study name>)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--offline", action="store_true",
                      help="never touch the network: prices from the download cache, then the embedded snapshot")
    mode.add_argument("--pinned", action="store_true",
                      help="prices from the embedded snapshot only, for exact reproducibility")
    p.add_argument("--quiet", action="store_true", help="print only where the outputs are")
    p.add_argument("--parquet", action="store_true", help="also write every table as Parquet beside its CSV")
    p.add_argument("--timings", action="store_true", help="print the wall time of each stage to stderr")
    p.add_argument("--dask", metavar="local[:N]|tcp://HOST:PORT",
                   help="run the map stage on a Dask cluster: local:N starts N worker processes on this machine, "
                        "tcp://HOST:PORT uses a running `dask scheduler` (needs eventstudy-toolkit[dask])")
    p.add_argument("--dataset", metavar="DIR",
                   help="with --dask: the Parquet price dataset every worker reads (eventstudy data export-parquet); "
                        "default: the study's prices, exported to a temporary folder on this machine")
    p.add_argument("--dask-timeout", type=float, default=10.0, metavar="SECONDS",
                   help="with --dask tcp://...: how long to wait for the scheduler and its workers (default 10)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("notebook", help="execute the analyst's notebook for a study and export it to HTML")
    p.add_argument("study", nargs="?", help="study file (TOML)")
    p.add_argument("--example", metavar="NAME", help="a study shipped with the package instead (e.g. stargate)")
    p.add_argument("--out", help="output folder (default: reports/<study>-notebook)")
    p.add_argument("--notebook", help="notebook to run (default: the shipped notebooks/stargate.ipynb)")
    p.add_argument("--source", choices=("pinned", "offline", "auto", "study"), default="pinned",
                   help="price sources for the run (default pinned: the embedded snapshot; 'study' = as the file says)")
    p.set_defaults(func=cmd_notebook)

    p = sub.add_parser("validate", help="check a study file and its data (a dry run that writes nothing)")
    p.add_argument("study")
    p.add_argument("--file-only", action="store_true", help="check the file only, not the data")
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
    p.add_argument("--snapshot", help="snapshot folder (default: the data folder's prices/ or prices_4h/, in a clone; "
                                      "the snapshot inside an installed package is read-only)")
    p.add_argument("--provenance", type=Path, help="provenance document to keep beside the data")
    p.add_argument("--adjustment", help="how prices are adjusted, e.g. 'splits and dividends'")
    p.add_argument("--venue", help="exchange or venue, e.g. 'Bybit USDT perpetual'")
    p.add_argument("--time-convention", help="what a row's date/time means")
    p.set_defaults(func=cmd_data_import)

    p = data.add_parser("fetch", help="download prices from Yahoo into the cache or the snapshot (online)")
    p.add_argument("symbols", nargs="+", help="tickers (Yahoo symbols come from the gazetteer: BTC -> BTC-USD)")
    p.add_argument("--start", required=True, help="first date YYYY-MM-DD")
    p.add_argument("--end", required=True, help="last date YYYY-MM-DD (inclusive)")
    p.add_argument("--to", choices=("cache", "snapshot"), default="cache", help="where to keep the prices (default: cache)")
    p.add_argument("--unadjusted", action="store_true",
                   help="Yahoo 'Close' (splits only, not dividends) instead of split- and dividend-adjusted prices")
    p.add_argument("--frequency", choices=("1d", "4h"), default="1d", help="4h candles are built from Yahoo 1h bars")
    p.add_argument("--cache", help="cache folder (default: $EVENTSTUDY_CACHE or the platform's user cache folder)")
    p.add_argument("--snapshot", help="snapshot folder for --to snapshot (default: the data folder's prices/, in a "
                                      "clone; the snapshot inside an installed package is read-only)")
    p.add_argument("--replace", action="store_true", help="with --to snapshot: overwrite symbols from other sources")
    p.add_argument("--gazetteer", nargs="*", type=Path, help="extra gazetteer files (Yahoo symbols)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_data_fetch)

    p = data.add_parser("export-parquet", help="write prices as a partitioned Parquet dataset for distributed runs")
    p.add_argument("out", help="dataset folder to write (refused if it holds something else)")
    p.add_argument("symbols", nargs="*", help="symbols to export (default with --prices: all of the file)")
    p.add_argument("--study", help="export every security and benchmark of this study, from its own price sources "
                                   "and over the dates it needs")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--offline", action="store_true", help="with --study: the cache, then the snapshot")
    mode.add_argument("--pinned", action="store_true", help="with --study: the embedded snapshot only")
    p.add_argument("--prices", help="your own prices (a CSV or a folder, as [data] prices reads them)")
    p.add_argument("--cache", help="cache folder (default: $EVENTSTUDY_CACHE or the user cache folder)")
    p.add_argument("--snapshot", help="snapshot folder (default: the embedded snapshot)")
    p.add_argument("--unadjusted", action="store_true", help="the unadjusted part of the cache")
    p.add_argument("--frequency", choices=("1d", "4h"), default="1d")
    p.add_argument("--by", choices=("symbol", "year"), default="symbol",
                   help="partition by symbol (default; a worker reads its symbols' folders) or by calendar year")
    p.add_argument("--replace", action="store_true", help="overwrite an existing dataset in OUT")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_data_export_parquet)

    p = data.add_parser("list", help="list the symbols in the snapshot (or, with --cache, in the download cache)")
    p.add_argument("--frequency", choices=("1d", "4h"), default="1d")
    p.add_argument("--snapshot")
    p.add_argument("--cache", nargs="?", const="", default=None,
                   help="list the download cache instead (optionally its folder)")
    p.add_argument("--unadjusted", action="store_true", help="with --cache: the unadjusted part of the cache")
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
    except OSError as exc:  # the machine refused (disk full, permissions, a path that is a file): not a bug
        from .errors import os_reason

        where = f"{exc.filename}: " if exc.filename else ""
        print(f"eventstudy: error: {where}{os_reason(exc)}; check the path and the disk, or choose another one",
              file=sys.stderr)
        return 2
    except Exception as exc:  # a bug, not a user error: say so, keep the traceback on request
        if os.environ.get("EVENTSTUDY_DEBUG"):
            raise
        print(f"eventstudy: internal error ({type(exc).__name__}: {exc}). This is a bug; rerun with "
              "EVENTSTUDY_DEBUG=1 for the traceback and report it.", file=sys.stderr)
        return 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
