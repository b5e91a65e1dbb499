"""Text label columns of long tables as pandas categoricals (integer codes into sorted distinct labels).

A long table repeats a few distinct labels (event ids, tickers, groups, window labels) on every
row: as a ``str`` column each row holds its own copy of the text (about 15 bytes a row with
Arrow strings, 60 as Python objects); as a categorical each row holds a 1- to 4-byte code into one
copy of each distinct label. The categories are kept *sorted*, so sorting or grouping by such a
column gives the order of its text, as it did for the strings. Used by the result tables
(:mod:`eventstudy.results.frames`) and the confounding check (:mod:`eventstudy.stats.confounding`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def label_categories(values) -> pd.Index | None:
    """The sorted distinct text labels of ``values`` (missing values left out), as the categories
    of a long table's label column; None when a label is not text (such a column stays as it is)."""
    uniq = pd.unique(pd.Series(np.asarray(values, dtype=object), dtype=object).dropna())
    if not all(isinstance(v, str) for v in uniq):
        return None
    return pd.Index(sorted(uniq), dtype="str")


def repeated_labels(values: np.ndarray, times: int, categories: pd.Index | None = None):
    """Each of ``values`` (text labels, one per pair) repeated ``times`` times, as a pandas
    categorical over ``categories`` (default: the sorted distinct ``values``): integer codes per
    row, one string per distinct label. Categories in sorted order keep sorting and grouping
    by the column as they are on its text; a label outside ``categories`` or not text falls back
    to an object column."""
    values = np.asarray(values, dtype=object)
    cats = label_categories(values) if categories is None else categories
    if cats is None:
        return np.repeat(values, times)
    codes = cats.get_indexer(values)
    missing = pd.isna(values)
    if (codes[~missing] < 0).any():
        return np.repeat(values, times)
    return pd.Categorical.from_codes(np.repeat(codes.astype(np.int32), times), categories=cats, validate=False)


def labels(values, categories: pd.Index | None = None):
    """``values`` (text labels, one per row) as a categorical (see :func:`repeated_labels`)."""
    return repeated_labels(values, 1, categories)


def constant_labels(value: str, n: int):
    """``n`` rows of one text label, as a categorical (one code byte a row)."""
    return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=pd.Index([value], dtype="str"),
                                     validate=False)


def tiled_labels(values: list[str], times: int, categories: pd.Index | None = None):
    """``values`` tiled ``times`` times, as a categorical over ``categories`` (default: the sorted
    ``values``); a label outside them gives a ``str`` column."""
    cats = label_categories(values) if categories is None else categories
    codes = cats.get_indexer(values) if cats is not None else np.array([-1])
    if cats is None or (codes < 0).any():
        return pd.array(np.tile(np.array(values, dtype=object), times), dtype="str")
    return pd.Categorical.from_codes(np.tile(codes.astype(np.int32), times), categories=cats, validate=False)


def concat_tables(frames: list[pd.DataFrame], label_columns=()) -> pd.DataFrame:
    """``pd.concat`` of parts of one table (groups, partitions, pieces), categorical columns kept
    categorical: parts with different categories are recoded onto their sorted union. The
    ``label_columns`` become categoricals in every part first (a part's text column is coded)."""
    frames = [f for f in frames if len(f.columns)]
    if not frames:
        return pd.DataFrame()
    parts = [f.copy(deep=False) for f in frames]
    for f in parts:
        for c in label_columns:
            if c in f and not isinstance(f[c].dtype, pd.CategoricalDtype):
                coded = labels(f[c].to_numpy(dtype=object))
                if isinstance(coded, pd.Categorical):
                    f[c] = coded
    if len(parts) == 1:
        return parts[0].reset_index(drop=True)
    for c in parts[0].columns:
        cols = [f[c] for f in parts if c in f]
        if len(cols) != len(parts) or not all(isinstance(x.dtype, pd.CategoricalDtype) for x in cols):
            continue
        cats = [x.cat.categories for x in cols]
        if all(cats[0].equals(k) for k in cats[1:]):
            continue
        union = label_categories(np.concatenate([k.to_numpy(dtype=object) for k in cats]))
        if union is None:
            continue
        for f, x in zip(parts, cols):
            codes = x.cat.codes.to_numpy()
            remap = union.get_indexer(x.cat.categories)
            f[c] = pd.Categorical.from_codes(np.where(codes >= 0, remap[np.maximum(codes, 0)], -1).astype(np.int32),
                                             categories=union, validate=False)
    return pd.concat(parts, ignore_index=True)
