"""The study file: one TOML file that describes one study, shared by the CLI, the API and notebooks.

See the README ("The study file") for every key. Validation is strict: an unknown key, a value of
the wrong type or a malformed window is refused with the file, the line and what to do.
Relative paths in the file resolve against the study file's folder.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import StudyFileError, os_reason
from ..safety import file_problem, study_name_problem
from ..estimation.models import BENCHMARK_KINDS, FACTOR_KINDS, MODEL_KINDS
from ..estimation.returns import RETURN_KINDS
from .events_file import EVENT_COLUMNS, EventRows, EventRowSpec, read_events_file  # noqa: F401 (re-exported)

CONVENTIONS = ("textbook", "estudy2", "eventstudy_r")
#: Where prices come from ([data] source): auto = cache, then Yahoo (network), then the snapshot;
#: offline = cache, then the snapshot, never the network; pinned = the embedded snapshot only.
SOURCES = ("auto", "offline", "pinned")
#: Former names, refused with a hint.
_OLD_SOURCES = {"snapshot": "pinned", "cache": "offline", "online": "auto"}
FREQUENCIES = ("1d", "4h")

Window = tuple[int, int] | tuple[dt.date, dt.date]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _shown(value: Any) -> str:
    """A value as a study file writes it: numbers bare, text quoted, windows as [a, b]."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (dt.date, dt.time)):
        return f'"{value.isoformat()}"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    if isinstance(value, str):
        return repr(value)
    return f"{type(value).__name__} {value!r}"


def choice_problem(key: str, value: Any, allowed: tuple[str, ...]) -> str | None:
    """Why ``value`` is not one of ``allowed`` for ``key`` (with the nearest choice), or None."""
    if isinstance(value, str) and value in allowed:
        return None
    close = difflib.get_close_matches(value, allowed, n=1) if isinstance(value, str) else []
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{key} = {_shown(value)} is not one of {', '.join(allowed)}{hint}"


def source_problem(source: Any) -> str | None:
    """Why ``source`` is not a price-source mode (what each mode does, and the nearest), or None."""
    if isinstance(source, str) and source in SOURCES:
        return None
    if isinstance(source, str) and source in _OLD_SOURCES:
        hint = f" (did you mean {_OLD_SOURCES[source]!r}?)"
    else:
        close = difflib.get_close_matches(source, SOURCES, n=1) if isinstance(source, str) else []
        hint = f" (did you mean {close[0]!r}?)" if close else ""
    return (f"source = {_shown(source)} is not one of {', '.join(SOURCES)}{hint}: auto = cache, then Yahoo, then the "
            "snapshot; offline = cache, then the snapshot; pinned = the snapshot only")


@dataclass(frozen=True)
class EventSpec:
    """When the news came out. ``time`` is local to ``timezone``; None = date only."""

    date: dt.date | None = None
    time: dt.time | None = None
    timezone: str = "UTC"
    name: str | None = None
    #: 24/7 calendars: news at or after this UTC time of day counts for the next UTC day.
    crypto_cutoff: dt.time | None = None
    #: Without a clock time: "before_open", "during_session" or "after_close".
    timing: str | None = None


@dataclass(frozen=True)
class WindowSpec:
    """Windows relative to day 0 in bars of each security's calendar (or as calendar dates)."""

    estimation: Window = (-120, -11)
    event: Window = (-5, 10)
    car: tuple[Window, ...] = ((0, 0), (0, 1), (-1, 1), (0, 5))

    @property
    def uses_dates(self) -> bool:
        return isinstance(self.estimation[0], dt.date)


@dataclass(frozen=True)
class GroupSpec:
    name: str
    securities: tuple[str, ...]
    benchmark: str | None
    windows: WindowSpec
    calendar: str | None = None
    #: Model kind for this group only (None = the study's [model] kind).
    model: str | None = None

    def __post_init__(self) -> None:
        """The study file's [[group]] rules, for a group built or changed in Python."""
        twice = [t for k, t in enumerate(self.securities) if t in self.securities[:k]]
        if twice:
            raise StudyFileError(f"group {self.name!r} lists {twice[0]!r} twice; each security is studied once")
        if self.benchmark is not None and self.benchmark in self.securities:
            raise StudyFileError(f"group {self.name!r}: the benchmark {self.benchmark!r} is also one of its securities; "
                                 "a security regressed on itself has no abnormal return. Remove it from the "
                                 "securities, or pick another benchmark")


@dataclass(frozen=True)
class ModelSpec:
    kind: str = "market"
    returns: str = "simple"
    min_estimation: int = 30
    short_estimation: str = "fallback"
    conventions: str = "textbook"
    #: CSV of factor returns (date + one column per factor, fractions) for kind = "factor".
    factors: Path | None = None
    #: Lags of Newey-West (HAC) standard errors in the regression diagnostics; None = OLS errors.
    newey_west: int | None = None
    #: kind = "rolling_market": bars of the estimation window the fit uses, counted back from its end.
    rolling_window: int = 60
    #: Factor kinds: units of the factor file ("auto" detects and converts percent files).
    factor_units: str = "auto"

    def __post_init__(self) -> None:
        """The study file's [model] rules, for a spec built or changed in Python."""
        problem = (choice_problem("kind", self.kind, MODEL_KINDS) or choice_problem("returns", self.returns, RETURN_KINDS)
                   or choice_problem("short_estimation", self.short_estimation, ("fallback", "drop"))
                   or choice_problem("conventions", self.conventions, CONVENTIONS)
                   or (None if _is_int(self.min_estimation) and self.min_estimation >= 3 else
                       f"min_estimation must be an integer of at least 3 bars, not {_shown(self.min_estimation)}"))
        if problem:
            raise StudyFileError(f"[model] {problem}")


@dataclass(frozen=True)
class TestsSpec:
    """The [tests] table: tests beyond the battery of the study's conventions (issue 12).

    ``grank`` defaults to on with the textbook conventions and off with the others, whose
    batteries reproduce a peer exactly; every other test is off unless asked for.
    """

    grank: bool | None = None                 # None: on with conventions = "textbook"
    wild_bootstrap: str = "none"              # none | rademacher | mammen
    bhar: bool = False
    bhar_benchmark: str = "model"             # model (the expected returns) | benchmark (the market)
    volume: bool = False
    volume_model: str = "market"              # market | constant_mean
    volatility: bool = False
    multiple_testing: str = "none"            # none | holm | bh
    calendar_time: bool = False
    calendar_time_hac: int | None = None      # Newey-West lags of the calendar-time regression

    def grank_on(self, conventions: str) -> bool:
        return self.grank if self.grank is not None else conventions == "textbook"


@dataclass(frozen=True)
class CrossSectionSpec:
    """The [cross_section] table: a regression of each event's CAR on the characteristics of ``file``.

    ``keys``: the file's columns that name an event (``security``, plus ``event`` or ``date``);
    ``columns``: the characteristics regressed on; ``cluster``: "none" (HC3), "date", "firm" or
    "both" (two-way).
    """

    file: Path
    keys: tuple[str, ...]
    columns: tuple[str, ...]
    cluster: str = "none"

@dataclass(frozen=True)
class DataSpec:
    """The [data] table: where prices come from and at which bar frequency.

    ``source`` picks the chain of price sources (see :data:`SOURCES`); ``prices`` (the user's own
    file or folder) replaces that chain. ``adjusted`` chooses split- and dividend-adjusted
    downloads (True) or split-adjusted only (False); it applies to Yahoo and the cache, while
    the snapshot's and the user's prices are as supplied (the report states each series'
    adjustment). ``cache`` overrides the download cache folder.
    """

    source: str = "auto"
    prices: Path | None = None
    frequency: str = "1d"
    gazetteer: tuple[Path, ...] = ()
    snapshot: Path | None = None
    cache: Path | None = None
    adjusted: bool = True

    def __post_init__(self) -> None:
        """The same rules as the study file's [data] table, for a spec built or changed in Python
        (``spec.with_data(source="pinnned")`` is refused, not run as ``auto``)."""
        problem = (source_problem(self.source) or choice_problem("frequency", self.frequency, FREQUENCIES)
                   or (None if isinstance(self.adjusted, bool) else
                       f"adjusted must be true or false, not {_shown(self.adjusted)}"))
        if problem:
            raise StudyFileError(f"[data] {problem}")


@dataclass(frozen=True)
class StudySpec:
    name: str
    groups: tuple[GroupSpec, ...]
    windows: WindowSpec = field(default_factory=WindowSpec)
    model: ModelSpec = field(default_factory=ModelSpec)
    data: DataSpec = field(default_factory=DataSpec)
    event: EventSpec | None = None
    article: Path | None = None
    published: dt.date | None = None
    title: str | None = None
    path: Path | None = None
    #: Rows of an events file (many events with their own dates), held as columns
    #: (:class:`~eventstudy.study.events_file.EventRows`, a sequence of EventRowSpec; a tuple of
    #: EventRowSpec given in Python becomes one); empty for a one-event study.
    events: EventRows | tuple[EventRowSpec, ...] = ()
    events_file: Path | None = None
    tests: TestsSpec = field(default_factory=TestsSpec)
    cross_section: CrossSectionSpec | None = None

    def __post_init__(self) -> None:
        if self.events and not isinstance(self.events, EventRows):
            object.__setattr__(self, "events", EventRows.of(self.events))

    @property
    def securities(self) -> list[str]:
        return list(dict.fromkeys(s for g in self.groups for s in g.securities))

    @property
    def benchmarks(self) -> list[str]:
        found = [g.benchmark for g in self.groups if g.benchmark]
        if self.events:
            found += [b for b in self.events.frame["benchmark"].drop_duplicates() if b]
        return list(dict.fromkeys(found))

    def with_data(self, **changes: Any) -> "StudySpec":
        """A copy with some [data] settings changed (e.g. ``source="pinned"``), validated as the
        study file's [data] table is: an unknown key or value raises :class:`StudyFileError`."""
        unknown = [k for k in changes if k not in _DATA_FIELDS]
        if unknown:
            close = difflib.get_close_matches(unknown[0], sorted(_DATA_FIELDS), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; the settings are {', '.join(sorted(_DATA_FIELDS))}"
            raise StudyFileError(f"with_data: unknown [data] setting {unknown[0]!r}{hint}")
        for key in ("prices", "snapshot", "cache"):
            if isinstance(changes.get(key), str):
                changes[key] = Path(changes[key]).expanduser().resolve()
        return replace(self, data=replace(self.data, **changes))

    def with_model(self, **changes: Any) -> "StudySpec":
        """A copy with some [model] settings changed (e.g. ``kind="market_adjusted"``), validated."""
        unknown = [k for k in changes if k not in _MODEL_FIELDS]
        if unknown:
            raise StudyFileError(f"with_model: unknown [model] setting {unknown[0]!r}; the settings are "
                                 f"{', '.join(sorted(_MODEL_FIELDS))}")
        return replace(self, model=replace(self.model, **changes))


# --- parsing -----------------------------------------------------------------------------------

_TOP_KEYS = {"name", "title", "article", "published", "event", "events", "group", "windows", "model", "data", "tests",
             "cross_section"}
_EVENT_KEYS = {"date", "time", "timezone", "name", "crypto_cutoff", "timing"}
TIMINGS = ("before_open", "during_session", "after_close")
_GROUP_KEYS = {"name", "securities", "benchmark", "windows", "calendar", "model"}
_WINDOW_KEYS = {"estimation", "event", "car"}
_MODEL_KEYS = {"kind", "returns", "min_estimation", "short_estimation", "conventions", "factors", "newey_west",
               "rolling_window", "factor_units"}
_TESTS_KEYS = {"grank", "wild_bootstrap", "bhar", "bhar_benchmark", "volume", "volume_model", "volatility",
               "multiple_testing", "calendar_time", "calendar_time_hac"}
_CROSS_SECTION_KEYS = {"file", "columns", "cluster"}
#: [tests] keys that take one of a few words, and those words.
_TESTS_CHOICES = {"wild_bootstrap": ("none", "rademacher", "mammen"), "bhar_benchmark": ("model", "benchmark"),
                  "volume_model": ("market", "constant_mean"), "multiple_testing": ("none", "holm", "bh")}
CLUSTERS = ("none", "date", "firm", "both")
FACTOR_UNITS = ("auto", "fraction", "percent")
_DATA_KEYS = {"source", "prices", "frequency", "gazetteer", "snapshot", "cache", "adjusted"}
_DATA_FIELDS = _DATA_KEYS
_MODEL_FIELDS = _MODEL_KEYS


class _Ctx:
    """Source text and path, to point error messages at a line."""

    def __init__(self, text: str, path: str):
        self.lines = text.splitlines()
        self.path = path

    def line_of(self, key: str, table: str | None = None) -> int | None:
        in_table = table is None
        header = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\-]+)\s*\]\]?")
        keyre = re.compile(rf"^\s*{re.escape(key)}\s*=|[{{,]\s*{re.escape(key)}\s*=")
        for i, line in enumerate(self.lines, start=1):
            m = header.match(line)
            if m:
                in_table = table is None or m.group(1) == table
                continue
            if in_table and keyre.search(line):
                return i
        return None

    def line_in_group(self, index: int, token: str, occurrence: int = 1) -> int | None:
        """Line of the ``occurrence``-th appearance of ``token`` (a ticker, quoted, or a key) in the
        ``index``-th ``[[group]]`` table (1-based), for messages."""
        header = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\-]+)\s*\]\]?")
        pattern = re.compile(rf"(['\"]){re.escape(token)}\1|^\s*{re.escape(token)}\s*=")
        count, current, seen = 0, 0, 0
        for i, line in enumerate(self.lines, start=1):
            m = header.match(line)
            if m:
                if m.group(1) == "group" and line.lstrip().startswith("[["):
                    count += 1
                    current = count
                else:
                    current = 0  # another table
                continue
            if current == index:
                seen += len(pattern.findall(line))
                if seen >= occurrence:
                    return i
        return None

    def error(self, message: str, key: str | None = None, table: str | None = None) -> StudyFileError:
        line = self.line_of(key, table) if key else None
        where = f"{self.path}, line {line}" if line else self.path
        return StudyFileError(f"{where}: {message}")


def _check_keys(ctx: _Ctx, raw: dict, allowed: set[str], table: str | None) -> None:
    for key in raw:
        if key not in allowed:
            close = difflib.get_close_matches(key, sorted(allowed), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; allowed keys: {', '.join(sorted(allowed))}"
            label = f"[{table}]" if table else "the top level"
            raise ctx.error(f"unknown key {key!r} in {label}{hint}", key, table)


def _expect(ctx: _Ctx, value: Any, types: type | tuple[type, ...], key: str, table: str | None, what: str) -> Any:
    if isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
        raise ctx.error(f"{key} must be {what}, not a boolean", key, table)
    if not isinstance(value, types):
        raise ctx.error(f"{key} must be {what}, not {_type_name(value)} {_shown(value)}", key, table)
    return value


def _type_name(value: Any) -> str:
    """The TOML name of a value's type, for messages."""
    names = {str: "the text", int: "the integer", float: "the number", list: "the list", dict: "the table",
             dt.date: "the date", dt.datetime: "the date-time", dt.time: "the time"}
    return names.get(type(value), type(value).__name__)


def _parse_date(ctx: _Ctx, value: Any, key: str, table: str | None) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ctx.error(f"{key} = {_shown(value)} is not a date; write it as YYYY-MM-DD", key, table)


def _parse_time(ctx: _Ctx, value: Any, key: str, table: str | None) -> dt.time:
    if isinstance(value, dt.time):
        return value
    if isinstance(value, str):
        try:
            return dt.time.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ctx.error(f"{key} = {_shown(value)} is not a time of day; write it as HH:MM (24-hour clock)", key, table)


def _parse_window(ctx: _Ctx, value: Any, key: str, table: str | None) -> Window:
    what = "a pair [first, last] of relative bars (integers) or of dates"
    if not isinstance(value, list) or len(value) != 2:
        raise ctx.error(f"{key} must be {what}, not {_shown(value)}", key, table)
    a, b = value
    if all(_is_int(v) for v in value):
        if a > b:
            raise ctx.error(f"{key} = [{a}, {b}] starts after it ends; write [first, last] with first <= last", key, table)
        return (a, b)
    try:
        da, db = _parse_date(ctx, a, key, table), _parse_date(ctx, b, key, table)
    except StudyFileError:
        raise ctx.error(f"{key} must be {what}, not {_shown(value)}", key, table) from None
    if da > db:
        raise ctx.error(f"{key} = {_shown([da, db])} starts after it ends", key, table)
    return (da, db)


def _parse_windows(ctx: _Ctx, raw: dict, base: WindowSpec, table: str) -> WindowSpec:
    _check_keys(ctx, raw, _WINDOW_KEYS, table)
    est = _parse_window(ctx, raw["estimation"], "estimation", table) if "estimation" in raw else base.estimation
    evt = _parse_window(ctx, raw["event"], "event", table) if "event" in raw else base.event
    dates = isinstance(est[0], dt.date) and isinstance(evt[0], dt.date)
    if "car" in raw:
        cars_raw = _expect(ctx, raw["car"], list, "car", table, "a list of windows, e.g. [[0, 0], [0, 1]]")
        if not cars_raw:
            raise ctx.error("car must list at least one window, e.g. [[0, 0]]", "car", table)
        if len(cars_raw) == 2 and not any(isinstance(c, list) for c in cars_raw):
            raise ctx.error(f"car is a list of windows, each [first, last]: for the one window {_shown(cars_raw)} "
                            f"write car = [{_shown(cars_raw)}]", "car", table)
        cars = tuple(_parse_window(ctx, c, "car", table) for c in cars_raw)
    elif dates and not (all(isinstance(c[0], dt.date) for c in base.car)
                        and all(evt[0] <= c[0] and c[1] <= evt[1] for c in base.car)):
        cars = (evt,)  # date windows and no car given: the CAR over the whole event window
    else:
        cars = base.car
    kinds = {isinstance(w[0], dt.date) for w in (est, evt, *cars)}
    if len(kinds) > 1:
        raise ctx.error("windows mix relative bars and dates; give all of estimation, event and car the same way",
                        "estimation", table)
    if est[1] >= evt[0]:
        raise ctx.error(
            f"the estimation window {_shown(est)} must end before the event window {_shown(evt)} starts",
            "estimation", table)
    for c in cars:
        if c[0] < evt[0] or c[1] > evt[1]:
            raise ctx.error(f"CAR window {_shown(c)} is not inside the event window {_shown(evt)}", "car", table)
    return WindowSpec(est, evt, cars)


def _must_be_file(ctx: _Ctx, path: Path, written: str, what: str, key: str, table: str | None) -> None:
    """Refuse a path that is not a regular file, saying what it is (missing, a folder, a device)."""
    problem = file_problem(path)
    if problem == "no such file":
        raise ctx.error(f"{what} {written!r} does not exist (looked for {path})", key, table)
    if problem:
        raise ctx.error(f"{what} {written!r} {problem} ({path}); give a regular file", key, table)


def _resolve(base: Path, value: str) -> Path:
    path = Path(value).expanduser()
    return (path if path.is_absolute() else base / path).resolve()


def parse_study(text: str, path: Path | str | None = None) -> StudySpec:
    """Parse and validate study TOML text. ``path`` (the file) anchors relative paths and messages."""
    where = str(path) if path else "<study>"
    ctx = _Ctx(text, where)
    base = Path(path).resolve().parent if path else Path.cwd()
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StudyFileError(f"{where}: not valid TOML: {exc}. Is this a study file? (see the README's "
                             "'The study file'; an article goes in `article = \"...\"`)") from None
    _check_keys(ctx, doc, _TOP_KEYS, None)

    name = _expect(ctx, doc.get("name", Path(where).stem), str, "name", None, "a string")
    problem = study_name_problem(name)
    if problem:
        raise ctx.error(f"name = {_shown(name)} cannot be the report folder's name (reports/<name>): {problem}. Give "
                        "a plain name (letters, digits, spaces, '-', '_', '.'); the title can hold anything",
                        "name" if "name" in doc else None)
    title = doc.get("title")
    if title is not None:
        _expect(ctx, title, str, "title", None, "a string")
    article = None
    if "article" in doc:
        article = _resolve(base, _expect(ctx, doc["article"], str, "article", None, "a path to a text or HTML file"))
        problem = file_problem(article)
        if problem == "no such file":
            raise ctx.error(f"article {doc['article']!r} does not exist (looked for {article})", "article")
        if problem:
            raise ctx.error(f"article {doc['article']!r} {problem} ({article}); give the article as a text or HTML "
                            "file", "article")
    published = _parse_date(ctx, doc["published"], "published", None) if "published" in doc else None

    event = None
    if "event" in doc:
        raw = _expect(ctx, doc["event"], dict, "event", None, "a table [event]")
        _check_keys(ctx, raw, _EVENT_KEYS, "event")
        tz = _expect(ctx, raw.get("timezone", "UTC"), str, "timezone", "event", "an IANA time zone such as America/New_York")
        try:
            import zoneinfo

            zoneinfo.ZoneInfo(tz)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ctx.error(f"timezone {tz!r} is not an IANA time zone (e.g. America/New_York, Europe/Paris, UTC)",
                            "timezone", "event") from None
        event = EventSpec(
            date=_parse_date(ctx, raw["date"], "date", "event") if "date" in raw else None,
            time=_parse_time(ctx, raw["time"], "time", "event") if "time" in raw else None,
            timezone=tz,
            name=_expect(ctx, raw["name"], str, "name", "event", "a string") if "name" in raw else None,
            crypto_cutoff=_parse_time(ctx, raw["crypto_cutoff"], "crypto_cutoff", "event") if "crypto_cutoff" in raw else None,
            timing=raw.get("timing"),
        )
        if event.timing is not None and event.timing not in TIMINGS:
            raise ctx.error(f"timing = {event.timing!r} is not one of {', '.join(TIMINGS)}", "timing", "event")
        if event.time is not None and event.date is None:
            raise ctx.error("[event] gives a time but no date", "time", "event")
    events_file = None
    if "events" in doc:
        events_file = _resolve(base, _expect(ctx, doc["events"], str, "events", None, "a path to a CSV file"))
        _must_be_file(ctx, events_file, doc["events"], "events file", "events", None)
    if article is None and events_file is None and (event is None or event.date is None):
        raise ctx.error("the study needs an event date: give `article = \"...\"` to take it from an article, "
                        "`[event] date = YYYY-MM-DD`, or `events = \"events.csv\"` for many events")

    windows = WindowSpec()
    if "windows" in doc:
        windows = _parse_windows(ctx, _expect(ctx, doc["windows"], dict, "windows", None, "a table [windows]"),
                                 windows, "windows")

    model = ModelSpec()
    if "model" in doc:
        raw = _expect(ctx, doc["model"], dict, "model", None, "a table [model]")
        _check_keys(ctx, raw, _MODEL_KEYS, "model")
        kind = _expect(ctx, raw.get("kind", model.kind), str, "kind", "model", f"one of {', '.join(MODEL_KINDS)}")
        if kind not in MODEL_KINDS:
            raise ctx.error(f"kind = {kind!r} is not one of {', '.join(MODEL_KINDS)}", "kind", "model")
        rk = _expect(ctx, raw.get("returns", model.returns), str, "returns", "model", "simple or log")
        if rk not in RETURN_KINDS:
            raise ctx.error(f"returns = {rk!r} is not one of {', '.join(RETURN_KINDS)}", "returns", "model")
        me = _expect(ctx, raw.get("min_estimation", model.min_estimation), int, "min_estimation", "model", "an integer")
        if me < 3:
            raise ctx.error("min_estimation must be at least 3 bars", "min_estimation", "model")
        se = _expect(ctx, raw.get("short_estimation", model.short_estimation), str, "short_estimation", "model",
                     "fallback or drop")
        if se not in ("fallback", "drop"):
            raise ctx.error(f"short_estimation = {se!r} must be 'fallback' or 'drop'", "short_estimation", "model")
        conv = _expect(ctx, raw.get("conventions", model.conventions), str, "conventions", "model",
                       "textbook, estudy2 or eventstudy_r")
        if conv not in CONVENTIONS:
            raise ctx.error(f"conventions = {conv!r} is not one of {', '.join(CONVENTIONS)}", "conventions", "model")
        factors = None
        if "factors" in raw:
            factors = _resolve(base, _expect(ctx, raw["factors"], str, "factors", "model", "a path to a CSV"))
            _must_be_file(ctx, factors, raw["factors"], "factors file", "factors", "model")
        if kind in FACTOR_KINDS and factors is None:
            raise ctx.error(f"kind = {kind!r} needs `factors = \"path/to/factors.csv\"` in [model]", "kind", "model")
        rw = _expect(ctx, raw.get("rolling_window", model.rolling_window), int, "rolling_window", "model",
                     "a number of bars (an integer)")
        if "rolling_window" in raw and kind != "rolling_market":
            raise ctx.error(f"rolling_window applies to kind = \"rolling_market\", not {kind!r}", "rolling_window", "model")
        if rw < 3:
            raise ctx.error("rolling_window must be at least 3 bars (alpha, beta and sigma)", "rolling_window", "model")
        units = _expect(ctx, raw.get("factor_units", model.factor_units), str, "factor_units", "model",
                        f"one of {', '.join(FACTOR_UNITS)}")
        if units not in FACTOR_UNITS:
            raise ctx.error(f"factor_units = {units!r} is not one of {', '.join(FACTOR_UNITS)}{_hint(units, FACTOR_UNITS)}",
                            "factor_units", "model")
        if "factor_units" in raw and kind not in FACTOR_KINDS:
            raise ctx.error(f"factor_units applies to the factor kinds ({', '.join(FACTOR_KINDS)}), not {kind!r}",
                            "factor_units", "model")
        nw = raw.get("newey_west")
        if nw is not None:
            _expect(ctx, nw, int, "newey_west", "model", "a number of lags (an integer)")
            if nw < 1:
                raise ctx.error("newey_west must be at least 1 lag (leave it out for OLS errors)", "newey_west", "model")
        model = ModelSpec(kind, rk, me, se, conv, factors, nw, rw, units)

    tests = _parse_tests(ctx, doc["tests"]) if "tests" in doc else TestsSpec()
    cross_section = _parse_cross_section(ctx, doc["cross_section"], base) if "cross_section" in doc else None

    data = DataSpec()
    if "data" in doc:
        raw = _expect(ctx, doc["data"], dict, "data", None, "a table [data]")
        _check_keys(ctx, raw, _DATA_KEYS, "data")
        source = _expect(ctx, raw.get("source", data.source), str, "source", "data", f"one of {', '.join(SOURCES)}")
        if source_problem(source):
            raise ctx.error(source_problem(source), "source", "data")
        freq = _expect(ctx, raw.get("frequency", data.frequency), str, "frequency", "data", "1d or 4h")
        if freq not in FREQUENCIES:
            raise ctx.error(f"frequency = {freq!r} is not one of {', '.join(FREQUENCIES)}", "frequency", "data")
        prices = None
        if "prices" in raw:
            prices = _resolve(base, _expect(ctx, raw["prices"], str, "prices", "data", "a path"))
            if not prices.exists():
                raise ctx.error(f"prices {raw['prices']!r} does not exist (looked for {prices})", "prices", "data")
        snapshot = None
        if "snapshot" in raw:
            snapshot = _resolve(base, _expect(ctx, raw["snapshot"], str, "snapshot", "data", "a path"))
        gaz = raw.get("gazetteer", [])
        gaz = [gaz] if isinstance(gaz, str) else _expect(ctx, gaz, list, "gazetteer", "data", "a path or list of paths")
        for g in gaz:
            _expect(ctx, g, str, "gazetteer", "data", "a path or list of paths")
        gaz_paths = tuple(_resolve(base, g) for g in gaz)
        for g, gp in zip(gaz, gaz_paths):
            _must_be_file(ctx, gp, g, "gazetteer", "gazetteer", "data")
        cache = None
        if "cache" in raw:
            cache = _resolve(base, _expect(ctx, raw["cache"], str, "cache", "data", "a path to a folder"))
            if cache.exists() and not cache.is_dir():
                raise ctx.error(f"cache {raw['cache']!r} is a file, not a folder (looked at {cache})", "cache", "data")
        adjusted = _expect(ctx, raw.get("adjusted", data.adjusted), bool, "adjusted", "data",
                           "true (splits and dividends) or false (splits only)")
        data = DataSpec(source, prices, freq, gaz_paths, snapshot, cache, adjusted)

    raw_groups = doc.get("group")
    if raw_groups is None and events_file is None:
        raise ctx.error("the study lists no securities: add a [[group]] with `securities = [...]`")
    if raw_groups is None:
        raw_groups = []
    if isinstance(raw_groups, dict):
        raw_groups = [raw_groups]
    _expect(ctx, raw_groups, list, "group", None, "an array of tables [[group]]")
    groups = []
    seen_names = set()
    for i, raw in enumerate(raw_groups, start=1):
        _expect(ctx, raw, dict, "group", None, "an array of tables [[group]]")
        _check_keys(ctx, raw, _GROUP_KEYS, "group")
        gname = _expect(ctx, raw.get("name", f"group {i}"), str, "name", "group", "a string")
        if gname in seen_names:
            raise ctx.error(f"two groups are named {gname!r}; give each group its own name", "name", "group")
        seen_names.add(gname)
        secs = raw.get("securities", [] if events_file else None)
        _expect(ctx, secs, list, "securities", "group", "a list of tickers")
        if (not secs and events_file is None) or not all(isinstance(s, str) and s.strip() for s in secs):
            raise ctx.error(f"group {gname!r}: securities must be a non-empty list of tickers", "securities", "group")
        stripped = [s.strip() for s in secs]
        twice = [t for k, t in enumerate(stripped) if t in stripped[:k]]
        if twice:
            line = ctx.line_in_group(i, twice[0], occurrence=2) or ctx.line_in_group(i, "securities")
            where = f"{ctx.path}, line {line}" if line else ctx.path
            raise StudyFileError(f"{where}: group {gname!r} lists {twice[0]!r} twice; each security is studied once "
                                 "(twice would weigh it double in every average and test): remove the repeat")
        bench = raw.get("benchmark")
        if bench is not None:
            _expect(ctx, bench, str, "benchmark", "group", "a ticker")
            if bench.strip() in stripped:
                line = ctx.line_in_group(i, "benchmark")
                where = f"{ctx.path}, line {line}" if line else ctx.path
                raise StudyFileError(f"{where}: group {gname!r}: the benchmark {bench!r} is also one of its "
                                     "securities; a security regressed on itself has no abnormal return (CAR 0, "
                                     "and t statistics from rounding noise). Remove it from securities, or pick "
                                     "another benchmark")
        cal = raw.get("calendar")
        if cal is not None:
            _expect(ctx, cal, str, "calendar", "group", "a calendar code (XNYS, XTKS, 24/7, ...)")
        gmodel = raw.get("model")
        if gmodel is not None:
            _expect(ctx, gmodel, str, "model", "group", f"one of {', '.join(MODEL_KINDS)}")
            if gmodel not in MODEL_KINDS or gmodel in FACTOR_KINDS:
                allowed = [k for k in MODEL_KINDS if k not in FACTOR_KINDS]
                raise ctx.error(f"group {gname!r}: model = {gmodel!r} must be one of {', '.join(allowed)}"
                                f"{_hint(gmodel, allowed)}", "model", "group")
        gwin = windows
        if "windows" in raw:
            gwin = _parse_windows(ctx, _expect(ctx, raw["windows"], dict, "windows", "group", "a table"), windows, "group")
        groups.append(GroupSpec(gname, tuple(s.strip() for s in secs), bench, gwin, cal, gmodel))
    events: EventRows | tuple[EventRowSpec, ...] = ()
    benched: set[str] = set()  # groups with a benchmark on some row of the events file
    if events_file is not None:
        if event is not None and event.date is not None:
            raise ctx.error("give either [event] date or an events file, not both", "events")
        events = read_events_file(events_file)
        groups = _groups_with_events(groups, events, windows)
        ef = events.frame
        if any(isinstance(w[0], dt.date) for g in groups for w in (g.windows.estimation,)) and \
                len(ef[["date", "time", "timezone"]].astype(object).drop_duplicates()) > 1:
            raise ctx.error("windows given as dates need one common event date; the events file has several. "
                            "Give windows in relative bars.", "events")
        benched = set(ef.loc[ef["benchmark"].notna(), "group"])
    for g in groups:
        kind = g.model or model.kind
        if g.name in benched:
            continue
        if kind in BENCHMARK_KINDS and g.benchmark is None:
            raise ctx.error(f"group {g.name!r} has no benchmark, which the {kind} model needs; "
                            "add `benchmark = \"SPY\"` (or use kind = \"constant_mean\")", "securities", "group")
    return StudySpec(name=name, groups=tuple(groups), windows=windows, model=model, data=data, event=event,
                     article=article, published=published, title=title, path=Path(path).resolve() if path else None,
                     events=events, events_file=events_file, tests=tests, cross_section=cross_section)


def _hint(value: str, choices) -> str:
    close = difflib.get_close_matches(value, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _parse_tests(ctx: _Ctx, raw: Any) -> TestsSpec:
    """The [tests] table (see :class:`TestsSpec`)."""
    raw = _expect(ctx, raw, dict, "tests", None, "a table [tests]")
    _check_keys(ctx, raw, _TESTS_KEYS, "tests")
    out: dict[str, Any] = {}
    for key in ("grank", "bhar", "volume", "volatility", "calendar_time"):
        if key in raw:
            out[key] = _expect(ctx, raw[key], bool, key, "tests", "true or false")
    for key, choices in _TESTS_CHOICES.items():
        if key in raw:
            v = _expect(ctx, raw[key], str, key, "tests", f"one of {', '.join(choices)}")
            if v not in choices:
                raise ctx.error(f"{key} = {v!r} is not one of {', '.join(choices)}{_hint(v, choices)}", key, "tests")
            out[key] = v
    if "calendar_time_hac" in raw:
        lags = _expect(ctx, raw["calendar_time_hac"], int, "calendar_time_hac", "tests", "a number of lags (an integer)")
        if lags < 1:
            raise ctx.error("calendar_time_hac must be at least 1 lag (leave it out for OLS errors)",
                            "calendar_time_hac", "tests")
        out["calendar_time_hac"] = lags
    spec = TestsSpec(**out)
    for flag, needs in (("bhar_benchmark", "bhar"), ("volume_model", "volume"), ("calendar_time_hac", "calendar_time")):
        if flag in raw and not getattr(spec, needs):
            raise ctx.error(f"{flag} is set but {needs} is not: add `{needs} = true`", flag, "tests")
    return spec


def _parse_cross_section(ctx: _Ctx, raw: Any, base: Path) -> CrossSectionSpec:
    """The [cross_section] table; the file's header is checked here, its cells when the study runs."""
    import csv

    raw = _expect(ctx, raw, dict, "cross_section", None, "a table [cross_section]")
    _check_keys(ctx, raw, _CROSS_SECTION_KEYS, "cross_section")
    if "file" not in raw:
        raise ctx.error("[cross_section] needs `file = \"characteristics.csv\"` (columns security, date or event, "
                        "then one column per characteristic)", "cross_section")
    path = _resolve(base, _expect(ctx, raw["file"], str, "file", "cross_section", "a path to a CSV file"))
    _must_be_file(ctx, path, raw["file"], "characteristics file", "file", "cross_section")
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            header = [h.strip() for h in next(csv.reader(fh), [])]
    except (OSError, UnicodeDecodeError) as exc:
        raise ctx.error(f"cannot read the characteristics file {path} ({exc})", "file", "cross_section") from None
    low = [h.lower() for h in header]
    if "security" not in low:
        raise StudyFileError(f"{path}, line 1: a characteristics file needs a `security` column (and `date` or "
                             f"`event` when a security has several events); found {header}")
    keys = tuple(header[low.index(k)] for k in ("security", "event", "date") if k in low)
    others = [h for h in header if h.lower() not in ("security", "event", "date")]
    if "columns" in raw:
        cols = _expect(ctx, raw["columns"], list, "columns", "cross_section", "a list of column names")
        if not cols or not all(isinstance(c, str) for c in cols):
            raise ctx.error("columns must list at least one characteristic (column names)", "columns", "cross_section")
        for c in cols:
            if c not in others:
                raise ctx.error(f"column {c!r} is not in {path.name} (its characteristics: {', '.join(others)})"
                                f"{_hint(c, others)}", "columns", "cross_section")
    else:
        cols = others
    if not cols:
        raise StudyFileError(f"{path}, line 1: no characteristic column besides {', '.join(keys)}")
    cluster = _expect(ctx, raw.get("cluster", "none"), str, "cluster", "cross_section", f"one of {', '.join(CLUSTERS)}")
    if cluster not in CLUSTERS:
        raise ctx.error(f"cluster = {cluster!r} is not one of {', '.join(CLUSTERS)}{_hint(cluster, CLUSTERS)}",
                        "cluster", "cross_section")
    return CrossSectionSpec(path, keys, tuple(cols), cluster)


def _groups_with_events(groups: list[GroupSpec], events: EventRows, windows: WindowSpec) -> list[GroupSpec]:
    """Groups of an events study: the [[group]] tables (benchmark, windows, model) named in the file,
    in the order the file first names them; each group's securities in the order of their first row."""
    by_name = {g.name: g for g in groups}
    f = events.frame
    out = []
    for name, rows in f.groupby("group", sort=False):
        secs = tuple(rows["security"].drop_duplicates())
        base = by_name.pop(name, None)
        if base is not None:
            bench_rows = rows[(rows["security"] == base.benchmark) & rows["benchmark"].isna()]
            if len(bench_rows):
                first = bench_rows.iloc[0]
                raise StudyFileError(f"line {first['line']} of the events file: {first['security']} is the "
                                     f"benchmark of group {name!r}; a security regressed on itself has no abnormal "
                                     "return. Give that row another benchmark, or leave it out")
        if base is None:
            benches = set(rows["benchmark"].astype(object).where(rows["benchmark"].notna(), None))
            out.append(GroupSpec(name, secs, next(iter(benches)) if len(benches) == 1 else None, windows))
        else:
            out.append(replace(base, securities=secs))
    if by_name:
        raise StudyFileError(f"[[group]] {', '.join(repr(n) for n in by_name)} has no rows in the events file; "
                             "name groups in its `group` column")
    return out


#: Largest study file read, in bytes (a study file is a few kilobytes of TOML).
MAX_STUDY_BYTES = 1_000_000


def load_study(path: Path | str, *, source: str | None = None) -> StudySpec:
    """Read and validate a study file.

    ``source`` overrides the file's ``[data] source`` the way the command line's ``--pinned`` and
    ``--offline`` do: ``load_study(path, source="pinned")`` runs on the embedded snapshot only,
    never touching the network, so a script reproduces the command's main job exactly.
    """
    path = Path(path)
    problem = file_problem(path)
    if problem == "no such file":
        raise StudyFileError(f"{path}: no such study file")
    if problem == "is a folder, not a file":
        raise StudyFileError(f"{path}: is a folder; give the study file (a .toml file) inside it")
    if problem:
        raise StudyFileError(f"{path}: {problem}; give the study file (a .toml file)")
    try:
        if path.stat().st_size > MAX_STUDY_BYTES:
            raise StudyFileError(f"{path}: {path.stat().st_size:,} bytes is too large for a study file "
                                 f"(limit {MAX_STUDY_BYTES:,}); is it a study file?")
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise StudyFileError(f"{path}: not a UTF-8 text file; a study file is TOML text") from None
    except OSError as exc:
        raise StudyFileError(f"{path}: cannot read the study file ({os_reason(exc)})") from None
    spec = parse_study(text, path)
    if source is not None:
        problem = source_problem(source)
        if problem:
            raise StudyFileError(f"load_study(..., source=...): {problem}")
        spec = spec.with_data(source=source)
    return spec
