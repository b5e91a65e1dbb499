"""Named factor models over a user's factor file: FF3, FF5, Carhart, with the columns checked.

=========  =========================================  ==========================================
preset     factors (in this order)                    source
=========  =========================================  ==========================================
ff3        Mkt-RF, SMB, HML                           Fama & French (1993), JFE 33(1), eq. 1
ff5        Mkt-RF, SMB, HML, RMW, CMA                 Fama & French (2015), JFE 116(1), eq. 1
carhart    Mkt-RF, SMB, HML, MOM                      Carhart (1997), JF 52(1), eq. 2
=========  =========================================  ==========================================

The model is R_it - RF_t = a_i + sum_j b_ij F_jt + e_it, fitted by OLS on the estimation window
(:class:`eventstudy.estimation.models.FactorModel`, whose variance machinery applies unchanged).
The file is a CSV: a date column (``date``, or the unnamed first column of a Kenneth French
file) with YYYY-MM-DD or YYYYMMDD dates, then one column per factor. Column names are matched
case-insensitively with the usual aliases (``Mkt-RF`` = ``MKT_RF`` = ``mktrf`` = ``Rm-Rf`` ...,
``MOM`` = ``UMD`` = ``WML``, ``RF`` = ``risk_free``); a missing factor is refused with the
columns found and the closest name. ``RF``, when present, is returned for the excess returns.

Units: factors must be fractions (0.01 = 1 %); Kenneth French's library publishes percent.
``units = "auto"`` detects a percent file (the median |factor| over every factor cell above
0.05: about 0.5 for daily percent, 0.005 for daily fractions, 0.03 for monthly fractions)
and converts it, saying so; ``units = "fraction"`` refuses a file that looks like percent,
``units = "percent"`` divides by 100 (and refuses a file that already looks like fractions).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError, StudyFileError
from .factors import read_factor_cells

PRESETS: dict[str, tuple[str, ...]] = {
    "ff3": ("Mkt-RF", "SMB", "HML"),
    "ff5": ("Mkt-RF", "SMB", "HML", "RMW", "CMA"),
    "carhart": ("Mkt-RF", "SMB", "HML", "MOM"),
}
#: Canonical name -> accepted spellings (compared after lower-casing and dropping " -_.").
ALIASES: dict[str, tuple[str, ...]] = {
    "Mkt-RF": ("mktrf", "mkt", "rmrf", "market", "marketexcess", "mktexcess", "excessmarket", "mer"),
    "SMB": ("smb",),
    "HML": ("hml",),
    "RMW": ("rmw",),
    "CMA": ("cma",),
    "MOM": ("mom", "umd", "wml", "momentum"),
    "RF": ("rf", "riskfree", "rfr"),
}
UNITS = ("auto", "fraction", "percent")
PERCENT_MEDIAN = 0.05


def _key(name: str) -> str:
    return re.sub(r"[\s\-_.]", "", name.strip().lower())


_LOOKUP = {alias: canon for canon, names in ALIASES.items() for alias in names}


@dataclass(frozen=True)
class FactorFile:
    """Factor returns for a preset: ``frame`` (date index; preset factors in order, then RF if
    present), the file's column behind each factor (``columns``), and ``notes`` (what was
    converted or ignored, in sentences the report can print)."""

    preset: str
    frame: pd.DataFrame
    columns: dict[str, str]
    notes: tuple[str, ...] = field(default=())

    @property
    def factors(self) -> tuple[str, ...]:
        return PRESETS[self.preset]


def _dates(cells: pd.Series, path: Path) -> pd.DatetimeIndex:
    s = cells.str.strip()
    eight = s.str.fullmatch(r"\d{8}")
    out = pd.to_datetime(s.where(~eight), errors="coerce", format="ISO8601")
    if eight.any():
        out[eight] = pd.to_datetime(s[eight], format="%Y%m%d", errors="coerce")
    if out.isna().any():
        i = int(np.argmax(out.isna().to_numpy()))
        raise DataError(f"{path}, line {i + 2}: {cells.iloc[i]!r} is not a date (YYYY-MM-DD or YYYYMMDD)")
    return pd.DatetimeIndex(out.to_numpy(), name="date")


def detect_percent(values: np.ndarray) -> tuple[bool, float]:
    """(looks like percent, median |value|) over the finite factor cells (RF excluded)."""
    a = np.abs(values[np.isfinite(values)])
    if a.size == 0:
        return False, float("nan")
    med = float(np.median(a))
    return med > PERCENT_MEDIAN, med


def read_factor_preset(path: Path | str, preset: str, units: str = "auto") -> FactorFile:
    """Read and check a factor file for ``preset`` (see the module docstring)."""
    path = Path(path)
    if preset not in PRESETS:
        close = difflib.get_close_matches(preset, PRESETS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise StudyFileError(f"factor preset {preset!r} is not one of {', '.join(PRESETS)}{hint}")
    if units not in UNITS:
        raise StudyFileError(f"factor units {units!r} is not one of {', '.join(UNITS)}")
    raw = read_factor_cells(path)
    cols = list(raw.columns)
    first = cols[0] if cols else ""
    if not cols or not (_key(first) in ("date", "") or first.lower().startswith("unnamed")):
        raise DataError(f"{path}, line 1: the first column must be the date (named `date`, or unnamed as in "
                        f"Kenneth French's files); found {cols[:6]}")
    index = _dates(raw[first], path)
    found: dict[str, str] = {}
    for c in cols[1:]:
        canon = _LOOKUP.get(_key(c))
        if canon is None:
            continue
        if canon in found:
            raise DataError(f"{path}, line 1: columns {found[canon]!r} and {c!r} both look like {canon}; keep one")
        found[canon] = c
    need = PRESETS[preset]
    missing = [f for f in need if f not in found]
    if missing:
        others = [c for c in cols[1:] if c not in found.values()]
        hints = []
        for f in missing:
            close = difflib.get_close_matches(_key(f), [_key(o) for o in others], n=1, cutoff=0.5)
            if close:
                hints.append(f"{f}: did you mean {others[[_key(o) for o in others].index(close[0])]!r}?")
        raise DataError(f"{path}, line 1: preset {preset!r} needs the factors {', '.join(need)}; "
                        f"{', '.join(missing)} not found among the columns {cols[1:]}"
                        + (f" ({'; '.join(hints)})" if hints else "")
                        + ". Accepted spellings: " + "; ".join(f"{f} = {'/'.join(ALIASES[f])}" for f in missing))
    keep = list(need) + (["RF"] if "RF" in found else [])
    data = {}
    for f in keep:
        c = found[f]
        cells = raw[c].str.strip()
        values = pd.to_numeric(cells, errors="coerce")
        bad = (values.isna() & (cells != "")).to_numpy()
        if bad.any():
            i = int(np.argmax(bad))
            raise DataError(f"{path}, line {i + 2}: column {c!r} holds {raw[c].iloc[i]!r}, not a number")
        data[f] = values.to_numpy(dtype=float)
    frame = pd.DataFrame(data, index=index)
    if frame.index.duplicated().any():
        d = frame.index[frame.index.duplicated()][0]
        raise DataError(f"{path}: date {d:%Y-%m-%d} appears twice")
    frame = frame.sort_index()
    notes = []
    ignored = [c for c in cols[1:] if c not in [found[f] for f in keep]]
    if ignored:
        notes.append(f"{path.name}: columns not used by {preset}: {', '.join(ignored)}")
    percent, med = detect_percent(frame[list(need)].to_numpy())
    if units == "fraction" and percent:
        raise DataError(f"{path}: the factors look like percent (median |factor| = {med:.3g}, above {PERCENT_MEDIAN}); "
                        "they must be fractions: divide by 100, or set units = \"percent\" (or \"auto\") to convert")
    if units == "percent" and not percent:
        raise DataError(f"{path}: units = \"percent\" but the factors look like fractions already "
                        f"(median |factor| = {med:.3g}); set units = \"fraction\" (or \"auto\")")
    if units == "percent" or (units == "auto" and percent):
        frame = frame / 100.0
        notes.append(f"{path.name}: factors read as percent and divided by 100"
                     + (f" (detected: median |factor| = {med:.3g})" if units == "auto" else ""))
    return FactorFile(preset, frame, {f: found[f] for f in keep}, tuple(notes))
