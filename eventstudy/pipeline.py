"""Assemble a study from its parts: article -> event time -> prices -> calendars -> engine -> tests.

This is the only place that does I/O for a run (reading the article and the prices); everything
it calls below the edges is pure. :func:`run_study` returns an :class:`EventStudyResults`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .article import Extraction, extract_events, read_article
from .plan.calendars import EventTime, TradingCalendar, get_calendar
from .claims.study import check_article_claims
from .stats.diagnostics import drift_warnings, model_diagnostics
from .estimation.engine import EventEstimates, Windows, estimate_events, gather
from .estimation.factors import read_factors
from .errors import EventStudyError, StudyFileError, WindowError
from .reference.gazetteer import Gazetteer
from .estimation.models import make_model
from .estimation.panel import CalendarPanel, build_panel, window_offsets
from .prices import PriceSeries, PriceSource, SnapshotSource, Span, load_prices
from .prices.quality import check_series
from .prices.sources import source_has
from .results.results import Dropped, EventStudyResults
from .stats.battery import GroupInput, run_battery
from .stats.confounding_study import assess_confounding
from .stats.single import t_and_p
from .study.spec import GroupSpec, StudySpec, WindowSpec

Progress = Callable[[str], None]
#: Above this many (event, security) pairs the statsmodels diagnostics are skipped (they are
#: per-security regressions; call eventstudy.stats.diagnostics.model_diagnostics yourself).
MAX_DIAGNOSTICS = 500


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
        raise StudyFileError(f"{spec.article}: the article's event has no resolvable date; give [event] date")
    tz = (ev.timezone if ev is not None else None) or primary.timezone or "UTC"
    timing = primary.timing if primary.timing in ("before_open", "during_session", "after_close") else None
    return (EventTime(primary.date, primary.time, tz, timing),
            f"article {spec.article.name}: \u201c{primary.sentence}\u201d")


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
    days = [pd.Timestamp(e.date) for e in spec.events] if spec.events else [pd.Timestamp(event_time.date)]
    first_day, last_day = min(days), max(days)
    lo, hi = first_day, last_day
    for group in spec.groups:
        ws = group.windows
        for window in (ws.estimation, ws.event, *ws.car):
            a, b = window
            if isinstance(a, dt.date):
                lo, hi = min(lo, pd.Timestamp(a)), max(hi, pd.Timestamp(b))
            else:
                lo = min(lo, first_day + pd.Timedelta(days=np.floor((a - 1) * per_bar)))
                hi = max(hi, last_day + pd.Timedelta(days=np.ceil(b * per_bar)))
    margin = pd.Timedelta(days=SPAN_MARGIN_DAYS)
    return Span((lo - margin).normalize(), (hi + margin).normalize())


@dataclass
class _Plan:
    """One (event, security) pair to study within a group."""

    ticker: str
    calendar: str
    event_id: str
    event_time: EventTime
    benchmark: str | None
    note: str = ""

    def label(self, many_events: bool) -> str:
        return f"{self.ticker} ({self.event_id})" if many_events else self.ticker


def _check_tickers(spec: StudySpec, gaz: Gazetteer, available: Callable[[str], bool], online: bool = False) -> None:
    """Refuse tickers that are neither in the gazetteer nor in the price data (likely typos).

    With a network source in the chain, a ticker of a group that names its ``calendar`` may be
    unknown locally: it is looked up online (and dropped with Yahoo's answer if it has none).
    """
    problems = []
    for g in spec.groups:
        syms = [*g.securities, *([g.benchmark] if g.benchmark else []),
                *[e.benchmark for e in spec.events if e.group == g.name and e.benchmark]]
        for sym in dict.fromkeys(syms):
            if sym in gaz or available(sym) or (online and g.calendar):
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


def _calendar_name(sym: str, group: GroupSpec, gaz: Gazetteer) -> str:
    if group.calendar:
        return group.calendar
    ent = gaz.get(sym)
    if ent is not None and ent.calendar:
        return ent.calendar
    raise StudyFileError(f"{sym}: no trading calendar known (not in the gazetteer); add `calendar = \"XNYS\"` "
                         f"(or \"24/7\" for crypto) to group {group.name!r}")


def _window_offsets(panel: CalendarPanel, pos0: int, ws: WindowSpec) -> tuple[Windows, list[str]]:
    est = window_offsets(panel, pos0, ws.estimation, "estimation")
    evt = window_offsets(panel, pos0, ws.event, "event")
    cars, labels = [], []
    for c in ws.car:
        off = window_offsets(panel, pos0, c, "CAR")
        cars.append((int(off[0]), int(off[-1])))
        labels.append(f"{c[0]}..{c[1]}" if isinstance(c[0], dt.date) else f"[{c[0]},{c[1]}]")
    return Windows((int(est[0]), int(est[-1])), (int(evt[0]), int(evt[-1])), tuple(cars)), labels


def _plans(spec: StudySpec, group: GroupSpec, event_time: EventTime | None) -> list[_Plan]:
    """The (event, security) pairs of a group, with each pair's benchmark."""
    if spec.events:
        return [_Plan(e.security, "", e.event, EventTime(e.date, e.time, e.timezone), e.benchmark or group.benchmark)
                for e in spec.events if e.group == group.name]
    return [_Plan(sym, "", spec.name, event_time, group.benchmark) for sym in group.securities]


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
                cal_name = _calendar_name(sym, group, gaz)
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


def run_study(spec: StudySpec, *, sources: Sequence[PriceSource] | None = None,
              progress: Progress | None = None) -> EventStudyResults:
    """Run a study end to end and return its results (no files are written)."""
    say = progress or (lambda msg: None)
    extraction = None
    if spec.article is not None:
        say(f"reading article {spec.article}")
        article = read_article(spec.article)
        extraction = extract_events(article.text, published=spec.published or article.published,
                                    source=str(spec.article), gazetteer=Gazetteer.load(spec.data.gazetteer))
    if spec.events:
        event_time = None
        n_events = len({e.event for e in spec.events})
        event_source = f"events file {spec.events_file.name if spec.events_file else ''}: {n_events} events, {len(spec.events)} rows"
    else:
        event_time, event_source = resolve_event_time(spec, extraction)
        say(f"event: {event_time.describe()} ({event_source.split(':')[0]})")

    gaz = Gazetteer.load(spec.data.gazetteer)
    span = price_span(spec, event_time)
    sources = list(sources) if sources is not None else default_sources(spec, span, gaz)
    _check_tickers(spec, gaz, lambda sym: any(source_has(s, sym) for s in sources),
                   online=any(getattr(s, "online", False) for s in sources))

    symbols = list(dict.fromkeys([*spec.securities, *spec.benchmarks]))
    say(f"loading prices for {len(symbols)} symbols ({span.describe()}) from {' -> '.join(s.name for s in sources)}")
    series, missing = load_prices(symbols, sources, span)
    provenance = {sym: ps.source for sym, ps in series.items()}
    factors = read_factors(spec.model.factors) if spec.model.kind == "factor" else None

    dropped: list[Dropped] = []
    warnings: list[dict] = _source_notes(series)
    series = _quality_pass(spec, gaz, series, missing, warnings)
    sec_rows, ar_frames, car_rows = [], [], []
    group_inputs: list[GroupInput] = []
    many = bool(spec.events)
    cutoff = spec.event.crypto_cutoff if spec.event else None

    for group in spec.groups:
        plans_all = _plans(spec, group, event_time)
        say(f"group {group.name!r}: {len(plans_all)} event-securities vs {group.benchmark or 'their benchmarks'}")
        by_cal: dict[str, list[_Plan]] = {}
        for p in plans_all:
            if p.ticker not in series:
                reason = missing.get(p.ticker, "not found")
                dropped.append(Dropped(p.label(many), group.name, reason if reason.startswith("data quality")
                                       else f"no price data: {reason}"))
                continue
            if p.benchmark is not None and p.benchmark not in series:
                dropped.append(Dropped(p.label(many), group.name,
                                       f"benchmark {p.benchmark} has no usable prices ({missing.get(p.benchmark, '')})"))
                continue
            if p.benchmark is None and (group.model or spec.model.kind) in ("market", "market_adjusted"):
                dropped.append(Dropped(p.label(many), group.name, "no benchmark given for this event"))
                continue
            p.calendar = _calendar_name(p.ticker, group, gaz)
            if p.benchmark is not None:
                bcal = _calendar_name(p.benchmark, group, gaz)
                if bcal != p.calendar:
                    dropped.append(Dropped(p.label(many), group.name,
                                           f"{p.ticker} trades on {p.calendar} but the benchmark {p.benchmark} on "
                                           f"{bcal}; put it in a group whose benchmark shares its calendar"))
                    continue
            by_cal.setdefault(p.calendar, []).append(p)
        if not by_cal:
            continue
        if len(by_cal) > 1 and group.windows.uses_dates:
            raise StudyFileError(f"group {group.name!r} mixes calendars ({', '.join(by_cal)}) with windows given as "
                                 "dates; use relative windows or split the group")
        blocks = []
        for cal_name, members in by_cal.items():
            calendar = get_calendar(cal_name, spec.data.frequency, cutoff)
            block = _calendar_block(group, calendar, members, series, factors, spec, dropped, warnings)
            if block is not None:
                blocks.append(block)
        if not blocks:
            continue
        # Relative windows are the same on every calendar, so the blocks' arrays stack.
        windows = blocks[0]["windows"]
        arrays = {k: np.concatenate([b[k] for b in blocks]) for k in ("r_est", "f_est", "r_evt", "f_evt")}
        meta = pd.concat([b["meta"] for b in blocks], ignore_index=True)
        model = make_model(group.model or spec.model.kind, n_factors=arrays["f_est"].shape[2])
        est = estimate_events(arrays["r_est"], arrays["f_est"], arrays["r_evt"], arrays["f_evt"], model, windows,
                              min_estimation=spec.model.min_estimation,
                              short_estimation=spec.model.short_estimation)
        meta = _attach_estimates(meta, est)
        for k, row in meta.iterrows():
            label = f"{row['ticker']} ({row['event']})" if many else row["ticker"]
            if est.status[k] == "dropped":
                dropped.append(Dropped(label, group.name, est.reason[k]))
            elif est.status[k] in ("fallback", "short"):
                action = ("market-adjusted fallback, flagged in every table" if est.status[k] == "fallback"
                          else "kept, flagged in every table")
                warnings.append({"ticker": label, "check": "short estimation window",
                                 "message": est.reason[k], "action": action})
        keep = est.status != "dropped"
        sec_rows.append(meta[keep])
        ar_frames.append(_ar_frame(meta, est, keep))
        car_rows.append(_car_frame(meta, est, keep, blocks[0]["car_labels"]))
        group_inputs.append(GroupInput(group.name, est, meta, blocks[0]["car_labels"], list(meta["_dates"].iloc[0]),
                                       model, spec.model.min_estimation))

    if not sec_rows:
        reasons = "\n  ".join(f"{d.ticker} ({d.group}): {d.reason}" for d in dropped) or "no securities"
        raise EventStudyError(f"no security could be studied:\n  {reasons}")
    warnings.extend(_adjustment_mismatches(spec, series))
    say("running the test battery")
    tests = run_battery(group_inputs, spec.model.conventions)
    n_events = sum(len(g.meta) for g in group_inputs)
    diagnostics = (model_diagnostics(group_inputs, spec.model.newey_west) if n_events <= MAX_DIAGNOSTICS
                   else pd.DataFrame())
    if not diagnostics.empty:
        warnings.extend(drift_warnings(diagnostics, len(group_inputs[0].est.windows.evt_offsets)))
    say("looking for confounding events in the windows")
    confounding = assess_confounding(group_inputs, series=series, frequency=spec.data.frequency,
                                     returns=spec.model.returns, crypto_cutoff=cutoff, extraction=extraction,
                                     event_date=event_time.date if event_time is not None else None,
                                     events_file=bool(spec.events))
    claims = pd.DataFrame()
    if extraction is not None and event_time is not None:
        # every claim of the article, also when it describes no event of its own ([event] given)
        all_claims = list(extraction.claims) or [c for ev in extraction.events for c in ev.claims]
        if all_claims:
            say(f"checking {len(all_claims)} claims of the article against the prices")
            claims = _check_article_claims(all_claims, event_time, spec, gaz, sources, series, missing, span)
    return EventStudyResults(
        spec=spec, extraction=extraction, event_time=event_time, event_source=event_source, claims=claims,
        securities=pd.concat(sec_rows, ignore_index=True), abnormal_returns=pd.concat(ar_frames, ignore_index=True),
        cars=pd.concat(car_rows, ignore_index=True), test_table=tests,
        dropped=tuple(dropped), warnings=tuple(warnings), provenance=provenance, diagnostics=diagnostics,
        confounding=confounding.frame, confounding_windows=confounding.windows,
        extras={"groups": group_inputs, "confounding_notes": confounding.notes, "confounding_k": confounding.k,
                "provenance_table": {sym: dict(ps.provenance) for sym, ps in series.items()}},
    )


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


def _calendar_block(group: GroupSpec, calendar: TradingCalendar, members: list[_Plan],
                    series: dict[str, PriceSeries], factors: pd.DataFrame | None, spec: StudySpec,
                    dropped: list[Dropped], warnings: list[dict]) -> dict | None:
    """Gather the windows of a group's (event, security) pairs that trade on one calendar."""
    many = bool(spec.events)
    symbols = list(dict.fromkeys([p.ticker for p in members] + [p.benchmark for p in members if p.benchmark]))
    panel = build_panel(calendar, {s: series[s].close for s in symbols}, spec.model.returns)
    for sym, off in panel.off_calendar.items():
        if len(off):
            shown = ", ".join(d.strftime("%Y-%m-%d") for d in off[:5])
            warnings.append({"ticker": sym, "check": "rows off the calendar",
                             "message": f"{len(off)} row(s) on days that are not {calendar.name} bars ({shown}"
                                        f"{', ...' if len(off) > 5 else ''})", "action": "rows ignored"})
    rows, kept, positions = [], [], []
    windows, car_labels = None, None
    day0_cache: dict = {}
    for p in members:
        if p.event_time not in day0_cache:
            day0_cache[p.event_time] = calendar.day0(p.event_time)
        d0 = day0_cache[p.event_time]
        pos0 = panel.position(d0.session)
        label = p.label(many)
        if pos0 is None:
            dropped.append(Dropped(label, group.name, f"day 0 ({d0.session.date()}, {calendar.name}) is outside the "
                                                      f"data ({panel.bar_date(0)} .. {panel.bar_date(len(panel.index) - 1)})"))
            continue
        w, labels = _window_offsets(panel, pos0, group.windows)
        if windows is None:
            windows, car_labels = w, labels
        elif w != windows:
            raise StudyFileError(f"group {group.name!r}: windows given as dates give different relative windows for "
                                 "different events; give relative windows")
        est_off, evt_off = windows.est_offsets, windows.evt_offsets
        if p.benchmark is not None:
            problem = _benchmark_problem(panel, p.benchmark, pos0, windows, group.windows.uses_dates)
            if problem:
                msg = (f"{spec.path}: " if spec.path else "") + (
                       f"group {group.name!r}: the windows (estimation {list(windows.estimation)}, event "
                       f"{list(windows.event)} around day 0 = {panel.bar_date(pos0)}) need {calendar.name} prices "
                       f"{problem}. Shorten the windows or add data.")
                if not many:
                    raise WindowError(msg)
                dropped.append(Dropped(label, group.name, msg))
                continue
        first, last = panel.first[p.ticker], panel.last[p.ticker]
        # Day 0 and every CAR window must be covered (the bar before a window gives its first
        # return); the rest of the event window may be partly missing, with a warning.
        car_lo = min([0, *(a for a, _ in windows.cars)])
        car_hi = max([0, *(b for _, b in windows.cars)])
        need_lo, need_hi = pos0 + car_lo - 1, pos0 + car_hi
        have = f"{panel.bar_date(first)} .. {panel.bar_date(last)}" if first >= 0 else "no bars"
        if first < 0 or first > need_lo or last < need_hi:
            dropped.append(Dropped(label, group.name,
                                   f"day 0 and the CAR windows [{car_lo}, {car_hi}] need prices from "
                                   f"{panel.bar_date(need_lo)} to {panel.bar_date(need_hi)} ({calendar.name}); "
                                   f"{p.ticker} has {have}"))
            continue
        evt_lo, evt_hi = pos0 + evt_off[0] - 1, pos0 + evt_off[-1]
        if first > evt_lo or last < evt_hi:
            warnings.append({"ticker": label, "check": "partial event window",
                             "message": f"event window [{evt_off[0]}, {evt_off[-1]}] needs prices from "
                                        f"{panel.bar_date(evt_lo)} to {panel.bar_date(evt_hi)}; {p.ticker} has {have}",
                             "action": "bars outside the data are missing (NaN); CAR windows are complete"})
        # With date windows (estudy2 style) prices that start on the window's first date are
        # complete: that bar simply has no return. With relative windows the bar before counts.
        if first > pos0 + est_off[0] - (0 if group.windows.uses_dates else 1):
            covered = max(0, pos0 + est_off[-1] - first)
            p.note = f"estimation window covers {covered} of {len(est_off)} bars (prices start {panel.bar_date(first)})"
            if covered >= spec.model.min_estimation:  # shorter windows are reported by the engine
                warnings.append({"ticker": label, "check": "partial estimation window", "message": p.note,
                                 "action": "estimated on the bars available"})
        rows.append({"event": p.event_id, "ticker": p.ticker, "group": group.name, "benchmark": p.benchmark,
                     "calendar": calendar.name, "day0": d0.session, "day0_rule": d0.rule, "note": p.note,
                     "source": series[p.ticker].source,
                     "_dates": np.array([panel.label(pos0 + o) for o in evt_off])})
        kept.append(p)
        positions.append(pos0)
    if not kept:
        return None
    rows0 = np.array(positions)
    cols = np.array([panel.col(p.ticker) for p in kept])
    est_off, evt_off = windows.est_offsets, windows.evt_offsets
    r_est = gather(panel.returns, rows0, cols, est_off)
    r_evt = gather(panel.returns, rows0, cols, evt_off)
    if factors is not None:
        fm = factors.reindex(panel.index)
        fcols = [c for c in fm.columns if c != "RF"]
        F = fm[fcols].to_numpy(dtype=float)
        zero = np.zeros(len(kept), dtype=int)
        f_est = np.stack([gather(F[:, [j]], rows0, zero, est_off) for j in range(len(fcols))], axis=2)
        f_evt = np.stack([gather(F[:, [j]], rows0, zero, evt_off) for j in range(len(fcols))], axis=2)
        if "RF" in fm.columns:  # excess returns over the risk-free rate
            rf = fm[["RF"]].to_numpy(dtype=float)
            r_est = r_est - gather(rf, rows0, zero, est_off)
            r_evt = r_evt - gather(rf, rows0, zero, evt_off)
    elif all(p.benchmark is not None for p in kept):
        bcol = np.array([panel.col(p.benchmark) for p in kept])
        f_est = gather(panel.returns, rows0, bcol, est_off)[..., None]
        f_evt = gather(panel.returns, rows0, bcol, evt_off)[..., None]
    else:
        f_est = np.zeros(r_est.shape + (0,))
        f_evt = np.zeros(r_evt.shape + (0,))
    return {"r_est": r_est, "f_est": f_est, "r_evt": r_evt, "f_evt": f_evt, "meta": pd.DataFrame(rows),
            "windows": windows, "car_labels": car_labels}


def _benchmark_problem(panel: CalendarPanel, bench: str, pos0: int, windows: Windows, date_windows: bool) -> str:
    """Why the benchmark's data cannot cover the windows ("" when it can)."""
    first, last = panel.first[bench], panel.last[bench]
    lo, hi = pos0 + windows.estimation[0] - 1, pos0 + windows.event[1]
    if date_windows:
        lo = max(lo, first)  # date windows take what the data holds, as estudy2 does
    if first < 0 or lo < first or hi > last:
        have = f"{panel.bar_date(first)} .. {panel.bar_date(last)}" if first >= 0 else "no bars"
        return f"{panel.bar_date(lo)} .. {panel.bar_date(hi)}, but the benchmark {bench} has {have}"
    return ""


def _attach_estimates(meta: pd.DataFrame, est: EventEstimates) -> pd.DataFrame:
    meta = meta.copy()
    meta["model"] = est.model
    meta["status"] = est.status
    meta["n_estimation"] = est.n.astype(int)
    meta["df"] = np.where(est.df > 0, est.df, np.nan)
    meta["sigma"] = np.sqrt(est.sigma2)
    p = est.coef.shape[1]
    meta["alpha"] = est.coef[:, 0] if p >= 1 else np.nan
    meta["beta"] = est.coef[:, 1] if p >= 2 else np.where(meta["model"] == "market_adjusted", 1.0, np.nan)
    meta["reason"] = est.reason
    return meta


def _ar_frame(meta: pd.DataFrame, est: EventEstimates, keep: np.ndarray) -> pd.DataFrame:
    """Long frame of the event windows; t_ar is AR / sqrt(Var(AR)) with Student-t p (MacKinlay 1997)."""
    offsets = est.windows.evt_offsets
    t_ar, p_ar = t_and_p(est.ar, est.var_ar, est.df[:, None])
    frames = []
    for k in np.flatnonzero(keep):
        row = meta.iloc[k]
        frames.append(pd.DataFrame({
            "event": row["event"], "ticker": row["ticker"], "group": row["group"], "date": row["_dates"],
            "rel_day": offsets, "return": est.r_evt[k],
            "benchmark_return": est.f_evt[k, :, 0] if est.f_evt.shape[2] else np.nan,
            "expected": est.expected[k], "ar": est.ar[k], "car": est.car_path[k], "var_ar": est.var_ar[k],
            "t_ar": t_ar[k], "p_ar": p_ar[k], "model": row["model"],
        }))
    return pd.concat(frames, ignore_index=True)


def _car_frame(meta: pd.DataFrame, est: EventEstimates, keep: np.ndarray, labels: list[str]) -> pd.DataFrame:
    """One row per event-security and CAR window; t = CAR / sqrt(Var(CAR)) (MacKinlay 1997, eq. 4.15)."""
    t, p = t_and_p(est.car, est.var_car, est.df[:, None])
    rows = []
    for k in np.flatnonzero(keep):
        m = meta.iloc[k]
        for c, (a, b) in enumerate(est.windows.cars):
            rows.append({
                "event": m["event"], "ticker": m["ticker"], "group": m["group"], "day0": m["day0"],
                "window": labels[c], "start": a, "end": b, "car": est.car[k, c],
                "se": float(np.sqrt(est.var_car[k, c])), "t_stat": t[k, c], "p_value": p[k, c],
                "df": est.df[k] if est.df[k] > 0 else np.nan, "n_estimation": int(est.n[k]),
                "model": m["model"], "status": m["status"],
            })
    return pd.DataFrame(rows)
