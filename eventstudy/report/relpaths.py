"""Paths in what a run writes are relative to the study file, never absolute paths of the machine.

A report or a CSV travels (mailed, committed, opened on another machine); ``/home/alice/...`` in it
is noise and leaks the folder layout. :class:`PathRewriter` knows the absolute paths a study
uses (the study's folder, its article, events file, prices, snapshot, cache, gazetteers, factors,
and the project's data folder) and rewrites every occurrence in a text to the path relative to
the study file's folder (``os.path.relpath``; ``/`` separators). Without a study file the base is
the output folder. :func:`relative_results` applies it to every text of a results object.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

#: A root matches only as a whole path component (followed by a separator, a delimiter or the end).
_END = r"(?=[/\\\s:;,)\]'\"]|$)"


def _study_paths(spec) -> Iterable[Path]:
    """Every path a study file names (whatever the attribute), and the project's data folder."""
    def paths_in(obj) -> Iterable[Path]:
        if obj is None or not dataclasses.is_dataclass(obj):
            return
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name, None)
            items = value if isinstance(value, (list, tuple)) else [value]
            for item in items:
                if isinstance(item, Path):
                    yield item
                elif dataclasses.is_dataclass(item) and not isinstance(item, type) and f.name in ("data", "model"):
                    yield from paths_in(item)

    yield from paths_in(spec)
    try:
        from ..paths import cache_dir, data_dir

        yield data_dir()
        yield cache_dir(getattr(getattr(spec, "data", None), "cache", None))
    except Exception:  # noqa: BLE001 - no data folder (e.g. an installed wheel without data): nothing to rewrite
        return


class PathRewriter:
    """Rewrite the study's absolute paths in texts to paths relative to ``base``."""

    def __init__(self, roots: Iterable[Path | str], base: Path | str):
        self.base = Path(base).resolve()
        mapping: dict[str, str] = {}
        for root in roots:
            root = Path(root)
            if not root.is_absolute():
                continue
            for form in {str(root), str(root.resolve())}:
                if form not in ("/", "") and len(form) > 1:
                    rel = os.path.relpath(Path(form).resolve(), self.base)
                    mapping[form.rstrip("/\\")] = Path(rel).as_posix()
        self.mapping = mapping
        keys = sorted(mapping, key=len, reverse=True)  # longest first: a file before its folder
        self._regex = re.compile("|".join(re.escape(k) + _END for k in keys)) if keys else None

    @classmethod
    def for_study(cls, spec, out_dir: Path | str | None = None) -> "PathRewriter":
        path = getattr(spec, "path", None)
        base = Path(path).resolve().parent if path else Path(out_dir or ".").resolve()
        return cls([*_study_paths(spec), base], base)

    def text(self, s):
        """``s`` with the known absolute paths made relative (non-strings are returned as they are)."""
        if self._regex is None or not isinstance(s, str) or "/" not in s and "\\" not in s:
            return s
        return self._regex.sub(lambda m: self.mapping[m.group(0)], s)

    def series(self, s: pd.Series) -> pd.Series:
        """A text column rewritten once per distinct value (columns repeat the same source a lot)."""
        if self._regex is None:
            return s
        if isinstance(s.dtype, pd.CategoricalDtype):  # a label column (eventstudy.labels): its categories
            cats = pd.Series(s.cat.categories.to_numpy(dtype=object), dtype=object)
            new = self.series(cats)
            if new is cats:
                return s
            if new.is_unique:
                return s.cat.rename_categories(new.to_numpy(dtype=object))
            codes = s.cat.codes.to_numpy()
            return pd.Series(np.where(codes >= 0, new.to_numpy(dtype=object)[np.maximum(codes, 0)], None),
                             index=s.index, name=s.name, dtype=object)
        if not pd.api.types.is_string_dtype(s.dtype) or (s.dtype == object and
                                                          pd.api.types.infer_dtype(s, skipna=True) != "string"):
            return s
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        u = pd.Series(uniques, dtype=object)
        slash = (u.str.contains("/", regex=False) | u.str.contains("\\", regex=False)).fillna(False).to_numpy(bool)
        if not slash.any():  # only a value with a path separator can hold a path
            return s
        new = u.to_numpy(dtype=object).copy()
        new[slash] = [self.text(v) for v in new[slash]]
        if all(a is b or a == b for a, b in zip(new[slash], u.to_numpy(dtype=object)[slash])):
            return s
        out = np.where(codes >= 0, new[np.maximum(codes, 0)], None)
        return pd.Series(out, index=s.index, name=s.name).astype(s.dtype)

    def frame(self, df: pd.DataFrame) -> pd.DataFrame:
        if df is None or df.empty or self._regex is None:
            return df
        out = None
        for col in df.columns:
            new = self.series(df[col])
            if new is not df[col]:
                out = df.copy() if out is None else out
                out[col] = new
        return df if out is None else out

    def value(self, v):
        """Rewrite any value: a string, a frame, a dict/tuple/list of them, a dataclass of strings."""
        if isinstance(v, str):
            return self.text(v)
        if isinstance(v, pd.DataFrame):
            return self.frame(v)
        if isinstance(v, dict):
            return {k: self.value(x) for k, x in v.items()}
        if isinstance(v, (tuple, list)):
            return type(v)(self.value(x) for x in v)
        if dataclasses.is_dataclass(v) and not isinstance(v, type) and all(
                isinstance(getattr(v, f.name), (str, int, float, type(None))) for f in dataclasses.fields(v)):
            return dataclasses.replace(v, **{f.name: self.text(getattr(v, f.name)) for f in dataclasses.fields(v)
                                             if f.init and isinstance(getattr(v, f.name), str)})
        return v


#: Fields of the results object that are not rewritten: the study itself, and the long numeric
#: frames whose text columns are identifiers (event, ticker, group, window, model, test), never paths,
#: and the event plan (not written by the outputs; its drop reasons reach them through ``dropped``).
_KEEP = {"spec", "extraction", "event_time", "abnormal_returns", "cars", "test_table", "diagnostics", "plan"}
#: Set on a rewritten copy, so rewriting it again is free.
_DONE = "_paths_relative_to"


def relative_results(res, rewriter: PathRewriter):
    """A copy of ``res`` whose texts (frames, warnings, dropped reasons, provenance, sources) name
    paths relative to the rewriter's base. Numbers are untouched; frames without paths are shared."""
    if getattr(res, _DONE, None) == str(rewriter.base):
        return res
    copies = res.__dict__.setdefault(_COPIES, {})  # shared by the copies (private attributes are)
    if str(rewriter.base) not in copies:
        copies[str(rewriter.base)] = _relative_copy(res, rewriter)
    return copies[str(rewriter.base)]


#: Attribute of a results object holding its rewritten copies, by base folder (results are immutable).
_COPIES = "_relative_copies"


def _relative_copy(res, rewriter: PathRewriter):
    changes = {}
    for f in dataclasses.fields(res):
        if not f.init or f.name in _KEEP:
            continue
        value = getattr(res, f.name)
        if f.name == "extras":
            table = value.get("provenance_table")
            if table:
                changes["extras"] = {**value, "provenance_table": rewriter.value(table)}
            continue
        new = rewriter.value(value)
        if new is not value:
            changes[f.name] = new
    out = dataclasses.replace(res, **changes)
    names = {f.name for f in dataclasses.fields(res)}
    for key, value in vars(res).items():  # attributes set beside the fields (e.g. by a later stage)
        if key not in names:  # private ones (caches shared by the copies, e.g. the findings) as they are
            object.__setattr__(out, key, value if key.startswith("_") else rewriter.value(value))
    object.__setattr__(out, _DONE, str(rewriter.base))
    return out
