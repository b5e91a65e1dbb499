"""The confounding check at scale: overlaps of an events file without per-pair Python (issue #10).

Checked against a brute-force pair list: the pairwise rows below the caps, one row per window
(count and first other event) beyond MAX_OVERLAP_PAIRS, and the same-group relation left to a note
for a group of more than MAX_GROUP_OVERLAP event-securities.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.stats import confounding as cf

DAYS = pd.bdate_range("2020-01-01", periods=300).to_numpy("datetime64[ns]")
WINDOWS = (("estimation", "[-25,-6]", -25, -6, 0), ("car", "[0,0]", 0, 0, 1), ("car", "[-3,3]", -3, 3, 2))


def _inputs(n: int, n_sec: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    pos = rng.integers(30, 290, n)
    rows = pd.DataFrame({"group": "g", "event": [f"e{i}" for i in rng.integers(0, n, n)],
                         "security": [f"S{s}" for s in rng.integers(0, n_sec, n)], "day0_start": DAYS[pos],
                         "day0_end": DAYS[pos] + np.timedelta64(1, "D")})
    rows = rows.drop_duplicates(["group", "event", "security"]).reset_index(drop=True)
    pos = np.searchsorted(DAYS, rows["day0_start"].to_numpy())
    spans = []
    for kind, label, a, b, order in WINDOWS:
        lab = DAYS[pos[:, None] + np.arange(a - 1, b + 1)]
        spans.append(rows[["group", "event", "security"]].assign(
            calendar="X", window_kind=kind, window=label, start=lab[:, 0] + np.timedelta64(1, "D"),
            end=lab[:, -1] + np.timedelta64(1, "D"), labels=list(lab), first_offset=a - 1, order=order))
    return rows, pd.concat(spans, ignore_index=True)


def _brute(rows: pd.DataFrame, spans: pd.DataFrame, group_pairs: bool) -> pd.DataFrame:
    """Every (window, other event) pair, by a plain cross join."""
    other = rows.rename(columns={c: f"{c}_o" for c in rows.columns if c != "group"})
    x = spans.merge(other, on="group")
    inside = (x["day0_start_o"] >= x["start"]) & (x["day0_start_o"] < x["end"]) & (x["event"] != x["event_o"])
    same_sec = inside & (x["security"] == x["security_o"])
    same_grp = inside & (x["security"] != x["security_o"]) & (x["window_kind"] == "car") & group_pairs
    x = x[same_sec | same_grp].assign(rel=np.where(same_sec[same_sec | same_grp], "same security", "same group"))
    return x


@pytest.mark.parametrize("n, n_sec", [(60, 3), (90, 20)])
def test_pairs_below_the_caps_are_the_brute_force_pairs(n, n_sec):
    rows, spans = _inputs(n, n_sec)
    frame, notes = cf.overlapping_events(rows, spans)
    want = _brute(rows, spans, group_pairs=True)
    assert len(frame) == len(want) and not notes
    got = frame.assign(rel=np.where(frame["what"].str.contains("same security"), "same security", "same group"))
    key = ["event", "security", "window", "rel", "date"]
    # the frame's text labels are categoricals (eventstudy.labels): compared as their text
    a = got[key].astype({c: str for c in ("event", "security", "window")}).sort_values(key).reset_index(drop=True)
    b = want.rename(columns={"day0_start_o": "date"})[key].sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_dtype=False)


def test_many_pairs_give_one_row_per_window_with_the_count_and_the_first(monkeypatch):
    rows, spans = _inputs(80, 4, seed=2)
    monkeypatch.setattr(cf, "MAX_OVERLAP_PAIRS", 10)
    frame, _ = cf.overlapping_events(rows, spans)
    want = _brute(rows, spans, group_pairs=True).sort_values("day0_start_o", kind="stable")
    key = ["event", "security", "window", "rel"]
    per = want.groupby(key).agg(n=("event_o", "size"), first=("day0_start_o", "first")).reset_index()
    got = frame.assign(rel=np.where(frame["what"].str.contains("same security"), "same security", "same group"),
                       n=frame["what"].str.extract(r"^(\d+) other")[0].astype(int))
    merged = per.merge(got, on=key, how="outer", indicator=True)
    assert (merged["_merge"] == "both").all()
    assert (merged["n_x"] == merged["n_y"]).all() and (merged["first"] == merged["date"]).all()


def test_a_large_group_leaves_other_securities_to_a_note(monkeypatch):
    rows, spans = _inputs(60, 6, seed=3)
    monkeypatch.setattr(cf, "MAX_GROUP_OVERLAP", 20)
    frame, notes = cf.overlapping_events(rows, spans)
    assert not frame["what"].str.contains("same group").any()
    assert len(frame) == len(_brute(rows, spans, group_pairs=False))
    assert len(notes) == 1 and "event-date clustering" in notes[0] and "[-3,3]:" in notes[0]


def test_clean_windows_lists_each_flagged_date_once_in_order():
    frame = pd.DataFrame({"group": "g", "event": ["a", "a", "a", "b"], "window": ["[0,1]"] * 4,
                          "window_kind": ["car", "car", "car", "estimation"], "contaminates": [True, True, False, True],
                          "date": pd.to_datetime(["2020-01-03", "2020-01-02", "2020-01-01", "2020-01-02"])})
    w = cf.clean_windows(frame, {("g", "a"): ["[0,1]", "[0,0]"], ("g", "b"): ["[0,1]"]})
    assert list(w["clean"]) == [False, True, True]
    assert w["flagged_dates"].iloc[0] == "2020-01-02, 2020-01-03" and w["flagged_dates"].iloc[1] == ""
