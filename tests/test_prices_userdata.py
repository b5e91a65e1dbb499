"""The user's own prices ([data] prices): wide CSV, long CSV, a folder; missing cells stay missing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy import load_study, run_study
from eventstudy.errors import DataError
from eventstudy.paths import snapshot_dir
from eventstudy.prices import UserPricesSource, read_user_prices
from tests.conftest import ESTUDY2, estudy2_study, write

needs_estudy2 = pytest.mark.skipif(not (ESTUDY2 / "prices.csv").is_file(),
                                   reason=f"shared estudy2 data not found at {ESTUDY2} (../shared is not checked out)")


@needs_estudy2
def test_study_on_the_estudy2_wide_csv(tmp_path):
    rel = "../" * len(tmp_path.parts[1:]) + str(ESTUDY2 / "prices.csv").lstrip("/")
    study = write(tmp_path, "covid.toml", estudy2_study(rel))
    spec = load_study(study)
    assert spec.data.prices == (ESTUDY2 / "prices.csv").resolve()   # relative to the study file
    res = run_study(spec)
    assert set(res.securities["ticker"]) == {"AMZN", "ZM", "UBER", "NFLX", "SHOP", "FB", "UPWK"}
    assert not res.dropped
    assert all(src.startswith(f"user prices {spec.data.prices} (wide CSV; column ") for src in res.provenance.values())
    raw = pd.read_csv(ESTUDY2 / "prices.csv", index_col="date", parse_dates=True)
    amzn = res.abnormal_returns.query("ticker == 'AMZN' and rel_day == 0").iloc[0]
    assert amzn["return"] == pytest.approx(np.log(raw.loc["2020-03-16", "AMZN"] / raw.loc["2020-03-13", "AMZN"]), rel=1e-12)
    n = res.securities.set_index("ticker")["n_estimation"]
    # ZM listed on 2019-04-18 and UBER on 2019-05-10: their leading empty cells are not data
    first_zm = raw["ZM"].first_valid_index()
    assert n["ZM"] == ((raw.index > first_zm) & (raw.index <= "2020-03-13")).sum()
    assert n["AMZN"] == ((raw.index > "2019-04-01") & (raw.index <= "2020-03-13")).sum()
    assert not [w for w in res.warnings if w["check"] == "missing prices"]


def test_wide_csv_missing_cells_are_missing_not_zero(tmp_path):
    path = write(tmp_path, "w.csv", "date,AAA,BBB\n2025-01-03,,5\n2025-01-02,1,4\n2025-01-06,2,\n2025-01-07,3,7\n")
    layout, found = read_user_prices(path)
    assert layout == "wide CSV"
    aaa, bbb = found["AAA"][0], found["BBB"][0]
    assert list(aaa.index.strftime("%m-%d")) == ["01-02", "01-03", "01-06", "01-07"]   # sorted
    assert np.isnan(aaa.loc["2025-01-03", "close"]) and np.isnan(bbb.loc["2025-01-06", "close"])
    assert np.isnan(aaa["volume"]).all()


def test_long_csv(tmp_path):
    path = write(tmp_path, "l.csv", "date,symbol,close,volume\n2025-01-02,AAA,1.5,10\n2025-01-02,BBB,7,\n"
                                    "2025-01-03,AAA,,12\n2025-01-03,BBB,7.5,3\n")
    layout, found = read_user_prices(path)
    assert layout == "long CSV" and set(found) == {"AAA", "BBB"}
    aaa = found["AAA"][0]
    assert np.isnan(aaa.loc["2025-01-03", "close"]) and aaa.loc["2025-01-03", "volume"] == 12
    assert np.isnan(found["BBB"][0].loc["2025-01-02", "volume"])


def test_folder_of_snapshot_csvs(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    for sym in ("ORCL", "SPY"):
        (folder / f"{sym}.csv").write_bytes((snapshot_dir("1d") / f"{sym}.csv").read_bytes())
    (folder / "notes.txt").write_text("ignored")
    src = UserPricesSource(folder)
    assert src.symbols() == ["ORCL", "SPY"]
    assert src.load("ORCL").close.loc["2025-01-21"] == pytest.approx(169.6541)
    assert src.load("ORCL").source.startswith(f"user prices {folder / 'ORCL.csv'} (folder of snapshot-format CSVs")


@pytest.mark.parametrize("text, fragment", [
    ("date,AAA\n2025-01-02,1\n2025-01-03,x\n", "w.csv, line 3: column 'AAA' holds 'x', which is not a number"),
    ("day,AAA\n2025-01-02,1\n", "w.csv, line 1: the first column is 'day'"),
    ("date,AAA,AAA\n2025-01-02,1,2\n", "w.csv, line 1: column 'AAA' appears twice"),
    ("date,AAA,\n2025-01-02,1,2\n", "w.csv, line 1: column 3 has no name"),
    ("date,AAA\n02/01/2025,1\n", "w.csv, line 2: '02/01/2025' is not a date/time in ISO form"),
    ("date,symbol,close\n2025-01-02,,1\n", "w.csv, line 2: the symbol cell is empty"),
    ("date,symbol,close,price\n2025-01-02,A,1,2\n", "w.csv, line 1: unknown column(s) ['price']"),
    ("date,symbol,volume\n2025-01-02,A,1\n", "w.csv, line 1: no 'close' column"),
    ("date\n", "w.csv, line 1: no price columns"),
])
def test_errors_name_file_line_and_column(tmp_path, text, fragment):
    path = write(tmp_path, "w.csv", text)
    with pytest.raises(DataError) as err:
        read_user_prices(path)
    assert fragment in str(err.value)


def test_a_symbol_absent_from_the_user_file_is_dropped_naming_the_file(tmp_path):
    rows = "\n".join(f"{d:%Y-%m-%d},{100 + i},{50 + i * 0.5 + (i % 3)}" for i, d in
                     enumerate(pd.bdate_range("2024-10-01", "2025-02-28")))
    write(tmp_path, "p.csv", "date,ORCL,SPY\n" + rows + "\n")
    study = write(tmp_path, "s.toml", '[event]\ndate = "2025-01-21"\n[[group]]\nsecurities = ["ORCL", "NVDA"]\n'
                                      'benchmark = "SPY"\n[windows]\nestimation = [-40, -6]\nevent = [-2, 2]\n'
                                      'car = [[0, 1]]\n[data]\nprices = "p.csv"\n')
    res = run_study(load_study(study))
    reason = {d.ticker: d.reason for d in res.dropped}["NVDA"]
    assert "not in the user prices" in reason and "p.csv" in reason and "holds ORCL, SPY" in reason


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_cells = st.one_of(st.none(), st.floats(min_value=1e-6, max_value=1e9, allow_nan=False, allow_infinity=False))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_cells, _cells), min_size=1, max_size=30))
def test_wide_csv_round_trip_property(tmp_path_factory, rows):
    """Whatever the numbers and the empty cells, reading gives back exactly the numbers written,
    with NaN for an empty cell inside a symbol's range and nothing outside it."""
    dates = pd.bdate_range("2024-01-01", periods=len(rows))
    text = "date,AAA,BBB\n" + "".join(
        f"{d:%Y-%m-%d},{'' if a is None else repr(a)},{'' if b is None else repr(b)}\n" for d, (a, b) in zip(dates, rows))
    path = tmp_path_factory.mktemp("w") / "w.csv"
    path.write_text(text)
    _, found = read_user_prices(path)
    for k, sym in enumerate(("AAA", "BBB")):
        written = pd.Series([r[k] for r in rows], index=dates, dtype=float)
        valid = written.dropna()
        got = found[sym][0]["close"]
        if valid.empty:
            assert got.empty
            continue
        expected = written.loc[valid.index[0]:valid.index[-1]]
        assert list(got.index) == list(expected.index)
        assert np.array_equal(got.to_numpy(), expected.to_numpy(), equal_nan=True)
