"""Label columns as categoricals (eventstudy.labels): they sort, group, concatenate, write and have
their paths rewritten as the text they stand for."""

from __future__ import annotations

import numpy as np
import pandas as pd

from eventstudy.labels import concat_tables, constant_labels, labels, repeated_labels, tiled_labels
from eventstudy.report.output import write_csv
from eventstudy.report.relpaths import PathRewriter

TEXT = np.array(["e10", "e2", "Zeta", "alpha", "e10", "Été", "e2"], dtype=object)


def test_a_label_column_sorts_and_groups_as_its_text():
    cat, text = pd.Series(labels(TEXT)), pd.Series(TEXT, dtype="str")
    assert isinstance(cat.dtype, pd.CategoricalDtype) and list(cat.cat.categories) == sorted(set(TEXT))
    assert cat.sort_values(kind="stable").index.tolist() == text.sort_values(kind="stable").index.tolist()
    frame = pd.DataFrame({"k": cat, "v": np.arange(len(TEXT))})
    pd.testing.assert_series_equal(frame.groupby("k")["v"].sum(), pd.DataFrame({"k": text, "v": frame["v"]})
                                   .groupby("k")["v"].sum(), check_index_type=False, check_categorical=False)
    assert repeated_labels(TEXT[:2], 3).tolist() == ["e10"] * 3 + ["e2"] * 3
    assert tiled_labels(["[0,0]", "[-1,1]"], 2).tolist() == ["[0,0]", "[-1,1]", "[0,0]", "[-1,1]"]
    assert constant_labels("car", 2).tolist() == ["car", "car"]
    assert repeated_labels(np.array([1, 2], dtype=object), 2).tolist() == [1, 1, 2, 2]  # not text: as it is


def test_parts_with_other_labels_concatenate_onto_the_union():
    a = pd.DataFrame({"k": labels(np.array(["b", "a"], dtype=object)), "x": [1, 2]})
    b = pd.DataFrame({"k": labels(np.array(["c", "b", None], dtype=object)), "x": [3, 4, 5]})
    c = pd.DataFrame({"k": pd.Series(["d"], dtype="str"), "x": [6]})
    out = concat_tables([a, b, c], label_columns=["k"])
    assert isinstance(out["k"].dtype, pd.CategoricalDtype) and list(out["k"].cat.categories) == ["a", "b", "c", "d"]
    assert out["k"].astype(object).where(out["k"].notna(), None).tolist() == ["b", "a", "c", "b", None, "d"]


def test_a_label_column_writes_and_rewrites_as_its_text(tmp_path):
    cells = np.array(["=1+1", "ok", "-3", "=1+1", None, "'=1+1"], dtype=object)
    write_csv(tmp_path / "a.csv", pd.DataFrame({"k": labels(cells)}))
    write_csv(tmp_path / "b.csv", pd.DataFrame({"k": pd.Series(cells, dtype=object)}))
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert (tmp_path / "a.csv").read_text().splitlines()[1:3] == ['"\'=1+1"', '"ok"']
    study = tmp_path / "s.toml"
    rw = PathRewriter([study, tmp_path], tmp_path)
    s = pd.Series(labels(np.array(["x", str(study), None], dtype=object)))
    assert rw.series(s).astype(object).tolist()[:2] == ["x", "s.toml"] and rw.series(s).isna().tolist()[2]
