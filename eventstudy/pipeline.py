"""Assemble a study from its stages: the pipeline, read top to bottom in :func:`run_study`.

    read the article -> resolve the event time -> build the event plan -> load prices ->
    quality checks -> what the prices cover -> estimate (per partition: return panels, engine,
    result tables, battery map) -> combine (battery reduce, dropped, warnings) -> confounding events ->
    claims -> results

Each stage is a function over the :class:`~eventstudy.plan.plan.EventPlan` and arrays that hands a
typed result to the next. This is the only place that does I/O for a run (reading the article and
the prices); everything it calls below the edges is pure. :func:`analyse` is the map of a run (one
partition of the plan: its pairs, their prices) and :func:`combine` the reduce; an in-process run
is one partition. :func:`run_study` returns an :class:`EventStudyResults`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .claims.study import check_article_claims
from .errors import EventStudyError, StudyFileError
from .estimation.blocks import GroupEstimates, estimate_groups
from .estimation.engine import concat_estimates, take_estimates
from .estimation.factors import read_factors
from .estimation.panel import CalendarPanel, SymbolBars, return_panel, symbol_bars
from .plan.calendars import EventTime, get_calendar
from .plan.coverage import Coverage, check_coverage, check_prices
from .plan.plan import DROP_CODES, EventPlan, build_plan, calendar_name, drop
from .prices import PriceSeries, PriceSource, SnapshotSource, Span, load_prices
from .prices.quality import check_series
from .prices.sources import source_has
from .reference.gazetteer import Gazetteer
from .results.frames import StudyFrames, merge_frames, study_frames
from .results.results import Dropped, EventStudyResults
from .stats.battery import TEXTBOOK_TESTS, GroupInput, event_labels, reduced_battery, run_battery
from .stats.confounding_study import assess_confounding
from .stats.diagnostics import drift_warnings, model_diagnostics
from .stats.partials import BatteryContext, BatteryEvents, BatteryPartial, battery_map, battery_reduce
from .stats import extras as extra_tests
from .study.consistency import article_date_findings
from .study.spec import StudySpec
from .timings import NO_TIMER, StageTimer

if TYPE_CHECKING:
    from .article import Extraction


def read_article(*args, **kwargs):
    """:func:`eventstudy.article.read_article`, imported on first use (a study without an article
    never loads the article reader and extractor)."""
    from .article import read_article as read

    return read(*args, **kwargs)


def extract_events(*args, **kwargs):
    """:func:`eventstudy.article.extract_events`, imported on first use."""
    from .article import extract_events as extract

    return extract(*args, **kwargs)

Progress = Callable[[str], None]
#: Above this many (event, security) pairs the statsmodels diagnostics are skipped (they are
#: per-security regressions; call eventstudy.stats.diagnostics.model_diagnostics yourself).
MAX_DIAGNOSTICS = 500
#: Dropped pairs listed in the error raised when nothing can be studied.
MAX_LISTED = 20


# --- typed results handed from stage to stage ------------------------------------------------------

@dataclass(frozen=True)
class EventTiming:
    """When the news came out (None for an events file: every row has its own) and where that came from."""

    event_time: EventTime | None
    source: str


@dataclass(frozen=True)
class StudyPrices:
    """The prices of a run: the series found, why the others are missing, where each came from,
    and the warnings of the sources and of the quality checks."""

    series: dict[str, PriceSeries]
    missing: dict[str, str]
    provenance: dict[str, str]
    warnings: list[dict]


@dataclass(frozen=True)
class Analysis:
    """The map's output for one partition of the plan."""

    plan: EventPlan                     # the partition's rows, with the engine's status
    groups: list[GroupEstimates]
    frames: StudyFrames
    battery: dict[str, BatteryPartial]
    contexts: dict[str, BatteryContext]
    warnings: dict[int, list[tuple[int, dict]]]  # the engine's warnings per group (study order), with their seq
    extras: dict | None = None  # the [tests] extras' partial sums (stats/extras.py: volume, calendar time)


@dataclass(frozen=True)
class Combined:
    """The reduce's output: the run's tables, tests, dropped pairs and warnings."""

    plan: EventPlan
    frames: StudyFrames
    tests: pd.DataFrame
    groups: list[GroupInput]
    dropped: tuple[Dropped, ...]
    warnings: list[dict]


# --- the stages ----------------------------------------------------------------------------------

def run_study(spec: StudySpec, *, sources: Sequence[PriceSource] | None = None,
              progress: Progress | None = None, timer: StageTimer | None = None, dask=None,
              dataset=None, dask_options: dict | None = None) -> EventStudyResults:
    """Run a study end to end and return its results (no files are written).

    ``dask`` runs the map stage on a Dask cluster instead of in this process: ``"local:N"``,
    ``"tcp://HOST:PORT"`` or a ``distributed.Client`` (see :mod:`eventstudy.cluster`); ``dataset``
    is the Parquet price dataset its workers read (default: the study's prices, exported to a
    temporary folder); ``dask_options`` go to :meth:`eventstudy.cluster.run.DaskMap.start`
    (``timeout``, ``partitions``, ``retries``, ``show_progress``). The results are the same.
    """
    if dask is None:
        return _run_study(spec, sources, progress, timer, None)
    from .cluster.run import DaskMap

    with DaskMap.start(dask, dataset=dataset, say=progress or (lambda msg: None), **(dask_options or {})) as mapper:
        return _run_study(spec, sources, progress, timer, mapper)


def _run_study(spec: StudySpec, sources: Sequence[PriceSource] | None, progress: Progress | None,
               timer: StageTimer | None, mapper) -> EventStudyResults:
    say = progress or (lambda msg: None)
    clock = timer or NO_TIMER
    with clock("read the article"):
        extraction = read_article_stage(spec, say)
    with clock("event time and plan"):
        timing = resolve_timing(spec, extraction, say)
        gaz = Gazetteer.deferred(spec.data.gazetteer)  # loaded when a stage needs it
        plan = build_plan(spec, timing.event_time, gaz, timing.source)
    span = price_span(spec, timing.event_time)
    sources = list(sources) if sources is not None else default_sources(spec, span, gaz)
    with clock("load prices"):
        prices = load_study_prices(spec, gaz, (mapper and mapper.driver_sources(spec.data.frequency)) or sources,
                                   span, say)
    with clock("quality checks"):
        prices = quality_checked(spec, gaz, prices)
    if mapper is not None:  # the workers read the same prices from a Parquet dataset
        with clock("prices for the workers"):
            prices = mapper.prepare(spec, prices)
    with clock("coverage"):
        plan = check_prices(plan, prices.series, prices.missing)
        bars = symbol_bars_of(plan, prices)
        coverage = check_coverage(spec, plan, bars)
    factors, factor_notes = load_factors(spec)
    characteristics = extra_tests.read_characteristics(spec.cross_section) if spec.cross_section else None
    with clock("estimate, tables and test map"):
        for g in coverage.plan.groups:
            n = int(((coverage.plan.frame["group"] == g.name) & coverage.plan.pending).sum())
            if n:
                say(f"group {g.name!r}: {n} event-securities vs {g.spec.benchmark or 'their benchmarks'}")
        if mapper is None or not coverage.plan.pending.any():
            analyses, frames = [analyse(spec, coverage.plan, prices, bars, factors)], None
        else:  # the same map, one task per partition of the plan on the Dask cluster
            analyses, frames = mapper.map(spec, coverage.plan, prices.provenance, factors, keep_estimation=(
                int(coverage.plan.pending.sum()) <= MAX_DIAGNOSTICS or spec.model.conventions == "estudy2"))
    with clock("test battery"):
        say("running the test battery")
        study = combine(spec, coverage, analyses, prices, characteristics, frames=frames)
    with clock("diagnostics"):
        warnings = list(study.warnings) + factor_notes
        warnings.extend(article_date_findings(spec, extraction, timing.event_time))  # e.g. event after publication
        n_events = sum(len(g.meta) for g in study.groups)
        diagnostics = (model_diagnostics(study.groups, spec.model.newey_west) if n_events <= MAX_DIAGNOSTICS
                       else pd.DataFrame())
        if not diagnostics.empty:
            warnings.extend(drift_warnings(diagnostics, len(study.groups[0].est.windows.evt_offsets)))
    with clock("confounding events"):
        confounding = confounding_stage(spec, study, prices, extraction, timing, say)
    with clock("claims"):
        claims = claims_stage(spec, extraction, timing, gaz, sources, prices, span, say)
    return EventStudyResults(
        spec=spec, extraction=extraction, event_time=timing.event_time, event_source=timing.source, claims=claims,
        securities=study.frames.securities, abnormal_returns=study.frames.abnormal_returns, cars=study.frames.cars,
        test_table=study.tests, dropped=study.dropped, warnings=tuple(warnings), provenance=prices.provenance,
        diagnostics=diagnostics, plan=study.plan.frame,
        confounding=confounding.frame, confounding_windows=confounding.windows,
        extras={"groups": study.groups, "event_plan": study.plan, "confounding_notes": confounding.notes,
                "confounding_k": confounding.k,
                "provenance_table": {sym: dict(ps.provenance) for sym, ps in prices.series.items()},
                **({"distributed": mapper.summary} if mapper is not None else {})},
    )


def read_article_stage(spec: StudySpec, say: Progress) -> Extraction | None:
    """The article's extraction (None without an article)."""
    if spec.article is None:
        return None
    say(f"reading article {_shown_path(spec.article)}")
    article = read_article(spec.article)
    return extract_events(article.text, published=spec.published or article.published, source=str(spec.article),
                          gazetteer=Gazetteer.load(spec.data.gazetteer))


def _shown_path(path: Path) -> str:
    """A path as a progress line shows it: relative to the working folder when inside it (never the
    machine's absolute layout when it can be helped)."""
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return str(path)


def resolve_timing(spec: StudySpec, extraction: Extraction | None, say: Progress) -> EventTiming:
    """The event time of a one-event study (the events file gives each row its own)."""
    if spec.events:
        n_events = spec.events.frame["event"].nunique()
        return EventTiming(None, f"events file {spec.events_file.name if spec.events_file else ''}: "
                                 f"{n_events} events, {len(spec.events)} rows")
    event_time, source = resolve_event_time(spec, extraction)
    say(f"event: {event_time.describe()} ({source.split(':')[0]})")
    return EventTiming(event_time, source)


def load_study_prices(spec: StudySpec, gaz: Gazetteer, sources: list[PriceSource], span: Span,
                      say: Progress) -> StudyPrices:
    """Every symbol of the study from the chain of sources (unknown tickers refused first)."""
    _check_tickers(spec, gaz, lambda sym: any(source_has(s, sym) for s in sources),
                   online=any(getattr(s, "online", False) for s in sources))
    symbols = list(dict.fromkeys([*spec.securities, *spec.benchmarks]))
    say(f"loading prices for {len(symbols)} symbols ({span.describe()}) from {' -> '.join(s.name for s in sources)}")
    series, missing = load_prices(symbols, sources, span)
    provenance = {sym: ps.source for sym, ps in series.items()}
    return StudyPrices(series, missing, provenance, _source_notes(series))


def quality_checked(spec: StudySpec, gaz: Gazetteer, prices: StudyPrices) -> StudyPrices:
    """The data-quality checks, once per series (findings become warnings; unusable series leave)."""
    series, missing, warnings = dict(prices.series), dict(prices.missing), list(prices.warnings)
    series = _quality_pass(spec, gaz, series, missing, warnings)
    return StudyPrices(series, missing, prices.provenance, warnings)


def symbol_bars_of(plan: EventPlan, prices: StudyPrices) -> dict[str, SymbolBars]:
    """Per calendar of the plan, where the prices of its securities and benchmarks sit."""
    f = plan.frame
    out = {}
    for name, cb in plan.calendars.items():
        syms = _symbols_on(f, name)
        closes = {s: prices.series[s].close for s in syms if s in prices.series}
        out[name] = symbol_bars(cb.calendar, closes)
    return out


def analyse(spec: StudySpec, plan: EventPlan, prices: StudyPrices, bars: dict[str, SymbolBars],
            factors: pd.DataFrame | None) -> Analysis:
    """The map of a run over one partition of the plan: return panels on each calendar's bars,
    the engine per (group, calendar) block, the result tables and the test battery's partial sums."""
    panels = return_panels(spec, plan, bars)
    groups = estimate_groups(spec, plan, panels, factors)
    frames = study_frames(plan, groups, prices.provenance)
    f = plan.frame.copy()
    row_at = pd.Series(np.arange(len(f)), index=f["row"].to_numpy())
    warnings: dict[int, list[dict]] = {}
    partials, contexts = {}, {}
    for g in groups:
        est = g.est
        at = row_at.loc[g.rows].to_numpy()
        f.iloc[at, f.columns.get_loc("status")] = est.status
        dropped = est.status == "dropped"
        if dropped.any():
            mask = np.zeros(len(f), dtype=bool)
            mask[at[dropped]] = True
            drop(f, mask, DROP_CODES["estimation"], [r for r in est.reason[dropped]])
        flagged = np.flatnonzero(np.isin(est.status, ("fallback", "short")))
        labels = f["label"].to_numpy(dtype=object)[at]
        seqs = f["seq"].to_numpy()[at]
        warnings[g.group.order] = [
            (int(seqs[k]), {"ticker": labels[k], "check": "short estimation window", "message": est.reason[k],
                            "action": ("market-adjusted fallback, flagged in every table" if est.status[k] == "fallback"
                                       else "kept, flagged in every table")}) for k in flagged]
        meta = frames.meta[g.group.name]
        ctx = BatteryContext(g.group.name, est.windows, g.group.car_labels, tuple(pd.DatetimeIndex(g.dates[0])),
                             g.model, spec.model.min_estimation)
        contexts[g.group.name] = ctx
        if spec.model.conventions != "estudy2" and (est.status != "dropped").any():
            events = BatteryEvents(est, f["seq"].to_numpy()[at], meta["calendar"].to_numpy(dtype=object),
                                   meta["day0"].to_numpy(dtype="datetime64[ns]"),
                                   meta["benchmark"].to_numpy(dtype=object), event_labels(meta))
            partials[g.group.name] = battery_map(events, ctx)
    extras = None
    if spec.tests.volume or spec.tests.calendar_time:
        extras = extra_tests.extra_partials(spec, plan.with_frame(f), groups, panels, prices.series, frames, factors)
    return Analysis(plan.with_frame(f), groups, frames, partials, contexts, warnings, extras)


def return_panels(spec: StudySpec, plan: EventPlan, bars: dict[str, SymbolBars]) -> dict[str, CalendarPanel]:
    """Per calendar, the returns of the symbols the plan's pending pairs use, on the plan's bars."""
    f = plan.frame[plan.pending]
    out = {}
    for name, cb in plan.calendars.items():
        syms = _symbols_on(f, name)
        if not syms:
            continue
        sb = bars[name]
        out[name] = return_panel(cb.calendar, cb.index, {s: sb.prices[s] for s in syms}, spec.model.returns)
    return out


def _symbols_on(f: pd.DataFrame, calendar: str) -> list[str]:
    """The securities, then the benchmarks, of the pairs on ``calendar`` (first appearance order)."""
    on = f["calendar"].to_numpy(dtype=object) == calendar
    tick = pd.unique(f["ticker"].to_numpy(dtype=object)[on])
    bench = [b for b in pd.unique(f["benchmark"].to_numpy(dtype=object)[on]) if isinstance(b, str)]
    return list(dict.fromkeys([*tick, *bench]))


def combine(spec: StudySpec, coverage: Coverage, analyses: list[Analysis], prices: StudyPrices,
            characteristics: pd.DataFrame | None = None, frames: StudyFrames | None = None) -> Combined:
    """The reduce of a run: the partitions' tables in ``seq`` order, the test battery from their
    partial sums, the dropped pairs and the warnings in study order. ``frames``: the partitions'
    tables already merged (a distributed run places them as they arrive)."""
    plan = coverage.plan
    if len(analyses) == 1 and analyses[0].plan.frame.shape == plan.frame.shape:
        frame = analyses[0].plan.frame
    else:
        frame = plan.frame.copy()
        at = pd.Series(np.arange(len(frame)), index=frame["row"].to_numpy())
        for a in analyses:
            pos = at.loc[a.plan.frame["row"].to_numpy()].to_numpy()
            for col in ("status", "stage", "reason", "drop_code"):
                frame.iloc[pos, frame.columns.get_loc(col)] = a.plan.frame[col].to_numpy()
    plan = plan.with_frame(frame)
    frames = frames if frames is not None else merge_frames([a.frames for a in analyses])
    seq_of = pd.Series(plan.frame["seq"].to_numpy(), index=plan.frame["row"].to_numpy())
    by_group: dict[str, list[GroupEstimates]] = {}
    contexts: dict[str, tuple[int, BatteryContext]] = {}
    for a in analyses:
        for g in a.groups:
            by_group.setdefault(g.group.name, []).append(g)
            first = int(seq_of.loc[g.rows[0]])
            if g.group.name not in contexts or first < contexts[g.group.name][0]:
                contexts[g.group.name] = (first, a.contexts[g.group.name])
    groups: list[GroupInput] = []
    stats = []
    for gp in plan.groups:
        if gp.name not in by_group:
            continue
        parts = by_group[gp.name]
        g0 = parts[0]
        meta = frames.meta[gp.name]
        ctx = contexts[gp.name][1]
        gstats = None
        if spec.model.conventions != "estudy2":
            partials = [a.battery[gp.name] for a in analyses if gp.name in a.battery]
            gstats = battery_reduce(partials, ctx) if partials else None
            if gstats is not None:
                stats.append(gstats)
        if len(parts) == 1:
            est = g0.est
        else:  # the partitions' events back in the group's order
            seq = np.concatenate([seq_of.loc[p.rows].to_numpy() for p in parts])
            est = take_estimates(concat_estimates([p.est for p in parts]), np.argsort(seq, kind="stable"))
        groups.append(GroupInput(gp.name, est, meta, list(gp.car_labels), list(ctx.dates), g0.model,
                                 spec.model.min_estimation, stats=gstats))
    if frames.securities.empty:
        dropped = plan.dropped_rows()
        listed = [f"{r.label} ({r.group}): {r.reason}" for r in dropped.head(MAX_LISTED).itertuples()]
        more = len(dropped) - len(listed)
        reasons = "\n  ".join(listed + ([f"... and {more:,} more (every pair was dropped)"] if more > 0 else [])) \
            or "no securities"
        raise EventStudyError(f"no security could be studied:\n  {reasons}")
    conv = spec.model.conventions
    if conv == "estudy2":
        tests = run_battery(groups, "estudy2")
    elif conv == "eventstudy_r":  # R EventStudy's battery replaces ours (extra_tests.eventstudy_r_battery)
        tests = pd.DataFrame(columns=reduced_battery([]).columns)
    else:
        tests = reduced_battery(stats, TEXTBOOK_TESTS + extra_tests.extra_battery_tests(spec.tests.wild_bootstrap))
    extra = extra_tests.extra_rows(spec, groups, [a.extras for a in analyses if a.extras], plan.frame, characteristics)
    if not extra.empty:
        tests = extra if tests.empty else pd.concat([tests, extra], ignore_index=True)
    tests = extra_tests.finish_table(tests, spec)
    dropped = tuple(Dropped(label, group, reason) for label, group, reason in
                    plan.dropped_rows()[["label", "group", "reason"]].itertuples(index=False))
    warnings = list(prices.warnings)
    for gp in plan.groups:
        warnings.extend(coverage.warnings.get(gp.order, []))
        engine = sorted((w for a in analyses for w in a.warnings.get(gp.order, [])), key=lambda t: t[0])
        warnings.extend(w for _, w in engine)
    warnings.extend(_adjustment_mismatches(spec, prices.series))
    return Combined(plan, frames, tests, groups, dropped, warnings)


def confounding_stage(spec: StudySpec, study: Combined, prices: StudyPrices, extraction: Extraction | None,
                      timing: EventTiming, say: Progress):
    """What else happened in the windows: market-wide shocks, overlapping events of an events file,
    the article's other dates (:mod:`eventstudy.stats.confounding`)."""
    say("looking for confounding events in the windows")
    return assess_confounding(study.groups, series=prices.series, frequency=spec.data.frequency,
                              returns=spec.model.returns,
                              crypto_cutoff=spec.event.crypto_cutoff if spec.event else None, extraction=extraction,
                              event_date=timing.event_time.date if timing.event_time is not None else None,
                              events_file=bool(spec.events))


def claims_stage(spec: StudySpec, extraction: Extraction | None, timing: EventTiming, gaz: Gazetteer,
                 sources: list[PriceSource], prices: StudyPrices, span: Span, say: Progress) -> pd.DataFrame:
    """The article's claims checked against the prices (every claim of the article, also when it
    describes no event of its own: [event] given)."""
    if extraction is None or timing.event_time is None:
        return pd.DataFrame()
    all_claims = list(extraction.claims) or [c for ev in extraction.events for c in ev.claims]
    if not all_claims:
        return pd.DataFrame()
    say(f"checking {len(all_claims)} claims of the article against the prices")
    return _check_article_claims(all_claims, timing.event_time, spec, gaz, sources, prices.series, prices.missing,
                                 span)


# --- helpers of the stages -----------------------------------------------------------------------

def resolve_event_time(spec: StudySpec, extraction: Extraction | None) -> tuple[EventTime, str]:
    """The event's date/time: the study's [event] overrides what the article says."""
    ev = spec.event
    if ev is not None and ev.date is not None:
        src = "study file [event]"
        if extraction is not None and extraction.events and extraction.primary.date not in (None, ev.date):
            src += f" (the article's extracted date {extraction.primary.date} was overridden)"
        return EventTime(ev.date, ev.time, ev.timezone, ev.timing), src
    if extraction is None:
        raise StudyFileError("the study has neither [event] date nor an article to take it from")
    primary = extraction.primary
    if primary.date is None:
        said = primary.timing or primary.date_text
        why = (f" (it says only {said!r}, which needs the publication date, and the article gives none: add a "
               "`published: YYYY-MM-DD` line at the top of the article, or `published = YYYY-MM-DD` in the study file)"
               if said and extraction.published is None else "")
        raise StudyFileError(f"{spec.article}: the article's event has no resolvable date{why}; or give [event] date")
    tz = (ev.timezone if ev is not None else None) or primary.timezone or "UTC"
    timing = primary.timing if primary.timing in ("before_open", "during_session", "after_close") else None
    return (EventTime(primary.date, primary.time, tz, timing),
            f"article {spec.article.name}: \u201c{primary.sentence}\u201d")


def load_factors(spec: StudySpec) -> tuple[pd.DataFrame | None, list[dict]]:
    """The factor returns of a factor model ([model] factors), and the notes of reading them: a named
    preset (ff3, ff5, carhart) checks its columns and units (estimation/factor_presets.py)."""
    from .estimation.factor_presets import PRESETS, read_factor_preset
    from .estimation.models import FACTOR_KINDS

    kinds = {spec.model.kind, *(g.model for g in spec.groups if g.model)}
    if not kinds & set(FACTOR_KINDS):
        return None, []
    if spec.model.kind in PRESETS:
        ff = read_factor_preset(spec.model.factors, spec.model.kind, spec.model.factor_units)
        return ff.frame, [{"ticker": "", "check": "factor file", "message": n, "action": "used as stated"}
                          for n in ff.notes]
    return read_factors(spec.model.factors), []


def default_sources(spec: StudySpec, span: Span | None = None, gazetteer: Gazetteer | None = None) -> list[PriceSource]:
    """The chain of price sources for the study's [data] settings, tried in this order:

    * ``[data] prices = "path"``: the user's own data only (it takes precedence over ``source``);
    * ``source = "pinned"``: the embedded snapshot only (exact reproducibility);
    * ``source = "offline"``: the download cache, then the snapshot; never the network;
    * ``source = "auto"``: the cache, then Yahoo (downloading ``span`` into the cache), then the snapshot.
    """
    from .prices.cache import CacheSource, PriceCache
    from .prices.userdata import UserPricesSource
    from .prices.yahoo import YahooSource

    data = spec.data
    if data.prices is not None:
        return [UserPricesSource(data.prices, data.frequency)]
    snapshot = SnapshotSource(data.frequency, data.snapshot)
    if data.source == "pinned":
        return [snapshot]
    cache = CacheSource(data.frequency, data.adjusted, data.cache)
    if data.source == "offline":
        return [cache, snapshot]
    gaz = gazetteer if gazetteer is not None else Gazetteer.load(data.gazetteer)
    yahoo = YahooSource.from_gazetteer(gaz, frequency=data.frequency, adjusted=data.adjusted, span=span,
                                       cache=PriceCache(data.cache))
    return [cache, yahoo, snapshot]


#: Calendar days per bar used to turn windows (in bars) into dates to fetch, with room for
#: weekends and holidays (252 sessions a year -> 365 days: 1.45; 1.6 leaves a margin).
DAYS_PER_BAR = {"1d": 1.6, "4h": 1.6 / 6}
#: Extra calendar days fetched on each side of the windows.
SPAN_MARGIN_DAYS = 10


def price_span(spec: StudySpec, event_time: EventTime | None) -> Span:
    """The dates a study needs prices for: every group's windows around the event, with a margin.

    Relative windows (in bars) become calendar days with :data:`DAYS_PER_BAR`; the bar before a
    window (for its first return) is included. Dates windows are taken as they are.
    """
    per_bar = DAYS_PER_BAR.get(spec.data.frequency, 1.6)
    if spec.events:
        days = spec.events.frame["date"]
        first_day, last_day = pd.Timestamp(days.min()), pd.Timestamp(days.max())
    else:
        first_day = last_day = pd.Timestamp(event_time.date)
    lo, hi = first_day, last_day
    for group in spec.groups:
        ws = group.windows
        for window in (ws.estimation, ws.event, *ws.car):
            a, b = window
            if isinstance(a, dt.date):
                lo, hi = min(lo, pd.Timestamp(a)), max(hi, pd.Timestamp(b))
            else:
                lo = min(lo, _shift(first_day, float(np.floor((a - 1) * per_bar))))
                hi = max(hi, _shift(last_day, float(np.ceil(b * per_bar))))
    margin = pd.Timedelta(days=SPAN_MARGIN_DAYS)
    return Span((lo - margin).normalize(), (hi + margin).normalize())



#: The dates a span may reach (pandas' range, with room for the margin).
_SPAN_LIMITS = (pd.Timestamp("1678-02-01"), pd.Timestamp("2261-11-30"))


def _shift(ts: pd.Timestamp, days: float) -> pd.Timestamp:
    """``ts`` moved by ``days`` calendar days, held inside :data:`_SPAN_LIMITS` (a window of
    100,000 bars reaches centuries away; the plan reports such windows, this only never overflows)."""
    lo, hi = _SPAN_LIMITS
    try:
        out = ts + pd.Timedelta(days=days)
    except (OverflowError, ValueError):
        out = lo if days < 0 else hi
    return min(max(out, lo), hi)


def _check_tickers(spec: StudySpec, gaz: Gazetteer, available: Callable[[str], bool], online: bool = False) -> None:
    """Refuse tickers that are neither in the gazetteer nor in the price data (likely typos).

    With a network source in the chain, a ticker of a group that names its ``calendar`` may be
    unknown locally: it is looked up online (and dropped with Yahoo's answer if it has none).
    """
    problems = []
    ev = spec.events.frame if spec.events else None
    for g in spec.groups:
        syms = [*g.securities, *([g.benchmark] if g.benchmark else []),
                *([] if ev is None else [b for b in ev.loc[ev["group"] == g.name, "benchmark"] if b])]
        for sym in dict.fromkeys(syms):
            if available(sym) or sym in gaz or (online and g.calendar):
                continue
            hint = gaz.suggest(sym)
            hint_txt = f" Did you mean {', '.join(hint)}?" if hint else ""
            line = _line_of(spec.path, f'"{sym}"')
            where = f"{spec.path}, line {line}: " if line else (f"{spec.path}: " if spec.path else "")
            problems.append(f"{where}unknown ticker {sym!r} in group {g.name!r}: it is not in the gazetteer and has "
                            f"no prices.{hint_txt} Fix the ticker, or add it to a gazetteer file ([data] gazetteer).")
    if problems:
        raise StudyFileError(problems[0] if len(problems) == 1 else "\n  " + "\n  ".join(problems))


def _line_of(path, token: str) -> int | None:
    """First line of the study file holding ``token`` (for messages), or None."""
    if path is None:
        return None
    try:
        for i, line in enumerate(open(path, encoding="utf-8"), start=1):
            if token in line or token.replace('"', "'") in line:
                return i
    except OSError:
        return None
    return None


def _source_notes(series: dict[str, PriceSeries]) -> list[dict]:
    """Notes the sources attached to the series (a failed download, a corrupt cache file, ...),
    as warnings; the same note for several symbols is reported once, naming them all."""
    merged: dict[tuple[str, str, str], list[str]] = {}
    for sym, ps in series.items():
        for note in ps.notes:
            merged.setdefault((note["check"], note["message"], note["action"]), []).append(sym)
    return [{"ticker": ", ".join(syms), "check": check, "message": message, "action": action}
            for (check, message, action), syms in merged.items()]


def _quality_pass(spec: StudySpec, gaz: Gazetteer, series: dict[str, PriceSeries], missing: dict[str, str],
                  warnings: list[dict]) -> dict[str, PriceSeries]:
    """Run the data-quality checks once per series, on the calendar of the first group using it.

    Findings go to ``warnings``; a series that cannot be used leaves ``series`` and its reason
    goes to ``missing`` (the group loop then drops the security with that reason).
    """
    cutoff = spec.event.crypto_cutoff if spec.event else None
    checked: dict[str, PriceSeries] = {}
    for group in spec.groups:
        for sym in (*group.securities, *([group.benchmark] if group.benchmark else [])):
            if sym in checked:
                continue
            try:
                cal_name = calendar_name(sym, group, gaz)
            except StudyFileError:
                if sym not in series:
                    continue  # dropped for lack of prices in the group loop
                raise
            try:  # also for symbols without prices: an equity in a 4h study is a study error
                calendar = get_calendar(cal_name, spec.data.frequency, cutoff)
            except StudyFileError as exc:
                raise StudyFileError(f"group {group.name!r}, {sym}: {exc}") from None
            if sym not in series:
                continue
            report = check_series(series[sym], calendar)
            warnings.extend(f.as_dict() for f in report.findings)
            if report.series is None:
                missing[sym] = report.dropped or "data quality"
                series.pop(sym)
            else:
                checked[sym] = report.series
    return {**series, **checked}


def _adjustment_mismatches(spec: StudySpec, series: dict[str, PriceSeries]) -> list[dict]:
    """Warn when a security and its benchmark are adjusted differently (e.g. splits only against
    splits and dividends): their returns then differ on ex-dividend days by the dividend yield."""
    out, seen = [], set()
    for g in spec.groups:
        bench = g.benchmark
        if bench is None or bench not in series:
            continue
        b_adj = str(series[bench].provenance.get("adjustment", "")).split(" (")[0]
        for sym in g.securities:
            if sym not in series or (sym, bench) in seen:
                continue
            seen.add((sym, bench))
            s_adj = str(series[sym].provenance.get("adjustment", "")).split(" (")[0]
            if s_adj and b_adj and s_adj != b_adj and "none" not in (s_adj, b_adj):
                out.append({"ticker": sym, "check": "adjustment basis",
                            "message": f"{sym} is adjusted for {s_adj!r} but its benchmark {bench} for {b_adj!r}; "
                                       "on ex-dividend days their returns differ by the dividend",
                            "action": "kept; prefer a benchmark with the same adjustment"})
    return out


def _check_article_claims(claims, event_time: EventTime, spec: StudySpec, gaz: Gazetteer,
                          sources: list[PriceSource], series: dict[str, PriceSeries], missing: dict[str, str],
                          span: Span):
    """The claim check (:mod:`eventstudy.claims.study`) with loaders over the study's sources: daily
    bars for what the claims name, and 4-hour bars for 24/7 tokens."""
    def load_daily(symbols):
        return load_prices(symbols, sources, span)

    def load_4h(symbols):
        if spec.data.prices is not None or spec.data.frequency != "1d":
            return {}
        try:
            bars, _ = load_prices(symbols, default_sources(spec.with_data(frequency="4h"), span, gaz), span)
        except EventStudyError:
            return {}
        return {t: ps.bars for t, ps in bars.items()}

    return check_article_claims(claims, event_date=event_time.date, studied=set(spec.securities), gazetteer=gaz,
                                series=series, missing=missing, load_daily=load_daily, load_4h=load_4h)
