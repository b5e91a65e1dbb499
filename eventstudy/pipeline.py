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
from .calendars import EventTime, TradingCalendar, get_calendar
from .engine import EventEstimates, Windows, estimate_events, gather
from .errors import EventStudyError, StudyFileError, WindowError
from .gazetteer import Gazetteer
from .models import make_model
from .panel import CalendarPanel, build_panel, window_offsets
from .prices import PriceSeries, PriceSource, SnapshotSource, Span, load_prices
from .prices.quality import check_series
from .prices.sources import source_has
from .results import Dropped, EventStudyResults
from .stats.single import t_and_p
from .study import GroupSpec, StudySpec, WindowSpec

Progress = Callable[[str], None]


def resolve_event_time(spec: StudySpec, extraction: Extraction | None) -> tuple[EventTime, str]:
    """The event's date/time: the study's [event] overrides what the article says."""
    ev = spec.event
    if ev is not None and ev.date is not None:
        src = "study file [event]"
        if extraction is not None and extraction.events and extraction.primary.date not in (None, ev.date):
            src += f" (the article's extracted date {extraction.primary.date} was overridden)"
        return EventTime(ev.date, ev.time, ev.timezone), src
    if extraction is None:
        raise StudyFileError("the study has neither [event] date nor an article to take it from")
    primary = extraction.primary
    if primary.date is None:
        raise StudyFileError(f"{spec.article}: the article's event has no resolvable date; give [event] date")
    tz = (ev.timezone if ev is not None else None) or primary.timezone or "UTC"
    return (EventTime(primary.date, primary.time, tz),
            f"article {spec.article.name}: \u201c{primary.sentence[:160]}\u201d ({extraction.date_rule})")


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


def price_span(spec: StudySpec, event_time: EventTime) -> Span:
    """The dates a study needs prices for: every group's windows around the event, with a margin.

    Relative windows (in bars) become calendar days with :data:`DAYS_PER_BAR`; the bar before a
    window (for its first return) is included. Dates windows are taken as they are.
    """
    per_bar = DAYS_PER_BAR.get(spec.data.frequency, 1.6)
    day = pd.Timestamp(event_time.date)
    lo, hi = day, day
    for group in spec.groups:
        ws = group.windows
        for window in (ws.estimation, ws.event, *ws.car):
            a, b = window
            if isinstance(a, dt.date):
                lo, hi = min(lo, pd.Timestamp(a)), max(hi, pd.Timestamp(b))
            else:
                lo = min(lo, day + pd.Timedelta(days=np.floor((a - 1) * per_bar)))
                hi = max(hi, day + pd.Timedelta(days=np.ceil(b * per_bar)))
    margin = pd.Timedelta(days=SPAN_MARGIN_DAYS)
    return Span((lo - margin).normalize(), (hi + margin).normalize())


@dataclass
class _Plan:
    """One security to study within a group."""

    ticker: str
    calendar: str
    note: str = ""


def _check_tickers(spec: StudySpec, gaz: Gazetteer, available: Callable[[str], bool], online: bool = False) -> None:
    """Refuse tickers that are neither in the gazetteer nor in the price data (likely typos).

    With a network source in the chain, a ticker of a group that names its ``calendar`` may be
    unknown locally: it is looked up online (and dropped with Yahoo's answer if it has none).
    """
    problems = []
    for g in spec.groups:
        for sym in (*g.securities, *([g.benchmark] if g.benchmark else [])):
            if sym in gaz or available(sym) or (online and g.calendar):
                continue
            hint = gaz.suggest(sym)
            hint_txt = f" Did you mean {', '.join(hint)}?" if hint else ""
            problems.append(f"unknown ticker {sym!r} in group {g.name!r}: it is not in the gazetteer and has no "
                            f"prices.{hint_txt} Fix the ticker, or add it to a gazetteer file ([data] gazetteer).")
    if problems:
        where = f"{spec.path}: " if spec.path else ""
        raise StudyFileError(where + ("\n  ".join(problems) if len(problems) == 1 else "\n  " + "\n  ".join(problems)))


def _calendar_name(sym: str, group: GroupSpec, gaz: Gazetteer) -> str:
    if group.calendar:
        return group.calendar
    ent = gaz.get(sym)
    if ent is not None and ent.calendar:
        return ent.calendar
    raise StudyFileError(f"{sym}: no trading calendar known (not in the gazetteer); add `calendar = \"XNYS\"` "
                         f"(or \"24/7\" for crypto) to group {group.name!r}")


def _windows_for(ws: WindowSpec, offsets_est: np.ndarray, offsets_evt: np.ndarray,
                 car_offsets: list[tuple[int, int]]) -> Windows:
    return Windows((int(offsets_est[0]), int(offsets_est[-1])), (int(offsets_evt[0]), int(offsets_evt[-1])),
                   tuple(car_offsets))


def _group_windows(panel: CalendarPanel, pos0: int, ws: WindowSpec) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int]], list[str]]:
    est = window_offsets(panel, pos0, ws.estimation, "estimation")
    evt = window_offsets(panel, pos0, ws.event, "event")
    if est[-1] - est[0] + 1 != len(est) or evt[-1] - evt[0] + 1 != len(evt):
        raise WindowError("internal: non-contiguous window")
    cars, labels = [], []
    for c in ws.car:
        off = window_offsets(panel, pos0, c, "CAR")
        cars.append((int(off[0]), int(off[-1])))
        labels.append(_window_label(c, off))
    return est, evt, cars, labels


def _window_label(window, off) -> str:
    if isinstance(window[0], dt.date):
        return f"{window[0]}..{window[1]}"
    return f"[{window[0]},{window[1]}]"


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
                                    source=str(spec.article))
    event_time, event_source = resolve_event_time(spec, extraction)
    say(f"event: {event_time.describe()} ({event_source.split(':')[0]})")

    gaz = Gazetteer.load(spec.data.gazetteer)
    span = price_span(spec, event_time)
    sources = list(sources) if sources is not None else default_sources(spec, span, gaz)
    _check_tickers(spec, gaz, lambda sym: any(source_has(s, sym) for s in sources),
                   online=any(getattr(s, "online", False) for s in sources))

    symbols = list(dict.fromkeys([*spec.securities, *[g.benchmark for g in spec.groups if g.benchmark]]))
    say(f"loading prices for {len(symbols)} symbols ({span.describe()}) from {' -> '.join(s.name for s in sources)}")
    series, missing = load_prices(symbols, sources, span)
    provenance = {sym: ps.source for sym, ps in series.items()}

    dropped: list[Dropped] = []
    warnings: list[dict] = _source_notes(series)
    series = _quality_pass(spec, gaz, series, missing, warnings)
    sec_rows, ar_frames, car_rows = [], [], []
    group_estimates: dict[str, tuple[EventEstimates, pd.DataFrame]] = {}

    for group in spec.groups:
        say(f"group {group.name!r}: {len(group.securities)} securities vs {group.benchmark or 'no benchmark'}")
        bench = group.benchmark
        if bench is not None and bench not in series:
            for sym in group.securities:
                dropped.append(Dropped(sym, group.name, f"benchmark {bench} has no usable prices ({missing.get(bench, '')})"))
            continue
        plans: dict[str, list[_Plan]] = {}
        for sym in group.securities:
            if sym not in series:
                reason = missing.get(sym, "not found")
                dropped.append(Dropped(sym, group.name, reason if reason.startswith("data quality")
                                       else f"no price data: {reason}"))
                continue
            cal = _calendar_name(sym, group, gaz)
            if bench is not None:
                bcal = _calendar_name(bench, group, gaz)
                if bcal != cal:
                    dropped.append(Dropped(sym, group.name, f"{sym} trades on {cal} but the benchmark {bench} on {bcal}; "
                                                            f"put it in a group whose benchmark shares its calendar"))
                    continue
            plans.setdefault(cal, []).append(_Plan(sym, cal))
        if not plans:
            continue
        if len(plans) > 1 and group.windows.uses_dates:
            raise StudyFileError(f"group {group.name!r} mixes calendars ({', '.join(plans)}) with windows given as dates; "
                                 "use relative windows or split the group")
        blocks = []
        for cal_name, members in plans.items():
            calendar = get_calendar(cal_name, spec.data.frequency, spec.event.crypto_cutoff if spec.event else None)
            block = _calendar_block(group, calendar, members, bench, series, event_time, spec, dropped, warnings)
            if block is not None:
                blocks.append(block)
        if not blocks:
            continue
        # All blocks of a group share relative windows, so their arrays stack.
        windows = blocks[0]["windows"]
        arrays = {k: np.concatenate([b[k] for b in blocks]) for k in ("r_est", "f_est", "r_evt", "f_evt")}
        meta = pd.concat([b["meta"] for b in blocks], ignore_index=True)
        model = make_model(group.model or spec.model.kind)
        est = estimate_events(arrays["r_est"], arrays["f_est"], arrays["r_evt"], arrays["f_evt"], model, windows,
                              min_estimation=spec.model.min_estimation,
                              short_estimation=spec.model.short_estimation)
        meta = _attach_estimates(meta, est, group)
        for k, row in meta.iterrows():
            if est.status[k] == "dropped":
                dropped.append(Dropped(row["ticker"], group.name, est.reason[k]))
            elif est.status[k] in ("fallback", "short"):
                action = ("market-adjusted fallback, flagged in every table" if est.status[k] == "fallback"
                          else "kept, flagged in every table")
                warnings.append({"ticker": row["ticker"], "check": "short estimation window",
                                 "message": est.reason[k], "action": action})
        keep = est.status != "dropped"
        sec_rows.append(meta[keep])
        ar_frames.append(_ar_frame(meta, est, keep))
        car_rows.append(_car_frame(meta, est, keep, blocks[0]["car_labels"]))
        group_estimates[group.name] = (est, meta)

    if not sec_rows:
        reasons = "\n  ".join(f"{d.ticker} ({d.group}): {d.reason}" for d in dropped) or "no securities"
        raise EventStudyError(f"no security could be studied:\n  {reasons}")
    securities = pd.concat(sec_rows, ignore_index=True)
    abnormal = pd.concat(ar_frames, ignore_index=True)
    cars = pd.concat(car_rows, ignore_index=True)
    from .stats.battery import run_battery

    tests = run_battery(group_estimates, spec)
    return EventStudyResults(
        spec=spec, extraction=extraction, event_time=event_time, event_source=event_source,
        securities=securities, abnormal_returns=abnormal, cars=cars, test_table=tests,
        dropped=tuple(dropped), warnings=tuple(warnings), provenance=provenance,
        extras={"estimates": group_estimates},
    )


def _calendar_block(group: GroupSpec, calendar: TradingCalendar, members: list[_Plan], bench: str | None,
                    series: dict[str, PriceSeries], event_time: EventTime, spec: StudySpec,
                    dropped: list[Dropped], warnings: list[dict]) -> dict | None:
    """Gather the windows of the group's securities that trade on one calendar."""
    closes = {p.ticker: series[p.ticker].close for p in members}
    if bench is not None:
        closes[bench] = series[bench].close
    panel = build_panel(calendar, closes, spec.model.returns)
    for sym, off in panel.off_calendar.items():
        if len(off):
            shown = ", ".join(d.strftime("%Y-%m-%d") for d in off[:5])
            warnings.append({"ticker": sym, "check": "rows off the calendar",
                             "message": f"{len(off)} row(s) on days that are not {calendar.name} bars ({shown}"
                                        f"{', ...' if len(off) > 5 else ''})", "action": "rows ignored"})
    d0 = calendar.day0(event_time)
    pos0 = panel.position(d0.session)
    if pos0 is None:
        for p in members:
            dropped.append(Dropped(p.ticker, group.name, f"day 0 ({d0.session.date()}, {calendar.name}) is outside "
                                                         f"the data ({panel.bar_date(0)} .. {panel.bar_date(len(panel.index) - 1)})"))
        return None
    ws = group.windows
    est_off, evt_off, car_off, car_labels = _group_windows(panel, pos0, ws)
    windows = _windows_for(ws, est_off, evt_off, car_off)
    if bench is not None:
        _check_benchmark_covers(panel, bench, pos0, est_off, evt_off, group, calendar)
    rows, keep = [], []
    for p in members:
        first, last = panel.first[p.ticker], panel.last[p.ticker]
        # Day 0 and every CAR window must be covered (the bar before a window gives its first
        # return); the rest of the event window may be partly missing, with a warning.
        car_lo = min([0, *(a for a, _ in car_off)])
        car_hi = max([0, *(b for _, b in car_off)])
        need_lo, need_hi = pos0 + car_lo - 1, pos0 + car_hi
        have = (f"{panel.bar_date(first)} .. {panel.bar_date(last)}" if first >= 0 else "no bars")
        if first < 0 or first > need_lo or last < need_hi:
            dropped.append(Dropped(p.ticker, group.name,
                                   f"day 0 and the CAR windows [{car_lo}, {car_hi}] need prices from "
                                   f"{panel.bar_date(need_lo)} to {panel.bar_date(need_hi)} ({calendar.name}); "
                                   f"{p.ticker} has {have}"))
            continue
        evt_lo, evt_hi = pos0 + evt_off[0] - 1, pos0 + evt_off[-1]
        if first > evt_lo or last < evt_hi:
            warnings.append({"ticker": p.ticker, "check": "partial event window",
                             "message": f"event window [{evt_off[0]}, {evt_off[-1]}] needs prices from "
                                        f"{panel.bar_date(evt_lo)} to {panel.bar_date(evt_hi)}; {p.ticker} has {have}",
                             "action": "bars outside the data are missing (NaN); CAR windows are complete"})
        est_lo = pos0 + est_off[0] - 1
        if first > est_lo:
            covered = max(0, pos0 + est_off[-1] - first)
            p.note = (f"estimation window covers {covered} of {len(est_off)} bars "
                      f"(prices start {panel.bar_date(first)})")
            if covered >= spec.model.min_estimation:  # shorter windows are reported by the engine
                warnings.append({"ticker": p.ticker, "check": "partial estimation window", "message": p.note,
                                 "action": "estimated on the bars available"})
        rows.append({"ticker": p.ticker, "group": group.name, "benchmark": bench, "calendar": calendar.name,
                     "day0": d0.session, "day0_rule": d0.rule, "note": p.note,
                     "source": series[p.ticker].source})
        keep.append(p.ticker)
    if not keep:
        return None
    cols = np.array([panel.col(s) for s in keep])
    rows0 = np.full(len(keep), pos0)
    r_est = gather(panel.returns, rows0, cols, est_off)
    r_evt = gather(panel.returns, rows0, cols, evt_off)
    if bench is not None:
        bcol = np.full(len(keep), panel.col(bench))
        f_est = gather(panel.returns, rows0, bcol, est_off)[..., None]
        f_evt = gather(panel.returns, rows0, bcol, evt_off)[..., None]
    else:
        f_est = np.zeros(r_est.shape + (0,))
        f_evt = np.zeros(r_evt.shape + (0,))
    dates = np.array([panel.label(pos0 + o) for o in evt_off])
    meta = pd.DataFrame(rows)
    meta["_dates"] = [dates] * len(meta)
    return {"r_est": r_est, "f_est": f_est, "r_evt": r_evt, "f_evt": f_evt, "meta": meta,
            "windows": windows, "car_labels": car_labels}


def _check_benchmark_covers(panel: CalendarPanel, bench: str, pos0: int, est_off: np.ndarray, evt_off: np.ndarray,
                            group: GroupSpec, calendar: TradingCalendar) -> None:
    """A window longer than the benchmark's data is a study error: no security could use it."""
    first, last = panel.first[bench], panel.last[bench]
    lo, hi = pos0 + est_off[0] - 1, pos0 + evt_off[-1]
    if isinstance(group.windows.estimation[0], dt.date):
        lo = max(lo, first)  # date windows take what the data holds, as estudy2 does
    if first < 0 or lo < first or hi > last:
        need = f"{panel.bar_date(lo)} .. {panel.bar_date(hi)}"
        have = f"{panel.bar_date(first)} .. {panel.bar_date(last)}" if first >= 0 else "no bars"
        raise WindowError(
            f"group {group.name!r}: the windows (estimation [{est_off[0]}, {est_off[-1]}], event [{evt_off[0]}, "
            f"{evt_off[-1]}] around day 0 = {panel.bar_date(pos0)}) need {calendar.name} prices {need}, but the "
            f"benchmark {bench} has {have}. Shorten the windows or add data.")


def _attach_estimates(meta: pd.DataFrame, est: EventEstimates, group: GroupSpec) -> pd.DataFrame:
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
    offsets = est.windows.evt_offsets
    frames = []
    for k in np.flatnonzero(keep):
        row = meta.iloc[k]
        frames.append(pd.DataFrame({
            "ticker": row["ticker"], "group": row["group"], "date": row["_dates"], "rel_day": offsets,
            "return": est.r_evt[k], "benchmark_return": est.f_evt[k, :, 0] if est.f_evt.shape[2] else np.nan,
            "expected": est.expected[k], "ar": est.ar[k], "car": est.car_path[k], "var_ar": est.var_ar[k],
            "model": row["model"],
        }))
    return pd.concat(frames, ignore_index=True)


def _car_frame(meta: pd.DataFrame, est: EventEstimates, keep: np.ndarray, labels: list[str]) -> pd.DataFrame:
    t, p = t_and_p(est.car, est.var_car, est.df[:, None])
    rows = []
    for k in np.flatnonzero(keep):
        m = meta.iloc[k]
        for c, (a, b) in enumerate(est.windows.cars):
            rows.append({
                "ticker": m["ticker"], "group": m["group"], "day0": m["day0"], "window": labels[c],
                "start": a, "end": b, "car": est.car[k, c], "se": float(np.sqrt(est.var_car[k, c])),
                "t_stat": t[k, c], "p_value": p[k, c], "df": est.df[k] if est.df[k] > 0 else np.nan, "n_estimation": int(est.n[k]),
                "model": m["model"], "status": m["status"],
            })
    return pd.DataFrame(rows)
