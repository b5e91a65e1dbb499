"""The files of a run with many events: capped report tables, tables in one pass, Parquet on request."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy import load_study, run_study
from eventstudy.cli import main
from eventstudy.plots import MANY_EVENTS
from eventstudy.report import write_outputs
from eventstudy.report.output import write_csv
from eventstudy.results.views import TABLE_ROWS

N_EVENTS = 4 * MANY_EVENTS


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    from tests.synthetic import write_study

    folder = tmp_path_factory.mktemp("many")
    study = write_study(folder / "study", N_EVENTS, n_sec=30, n_days=600)
    res = run_study(load_study(study))
    paths = write_outputs(res, folder / "out", parquet=True)
    return res, paths, folder / "out"


def test_many_event_report_caps_its_tables_and_points_to_the_csvs(many):
    res, paths, out = many
    html = (out / "report.html").read_text()
    assert "the full table is in securities.csv" in html
    assert "every security and window is in results.csv" in html
    # each event-security appears in the capped tables at most a few times, not once per row of results
    assert html.count("<tr") < 20 * TABLE_ROWS + 600
    assert len(html) < 3_000_000
    assert "Per-security t at 5% on CAR[-10,10]" in html  # the findings speak of counts, not names


def test_user_prices_path_is_relative_to_the_study(many):
    res, paths, out = many
    root = str(out.parent)
    for name in ("securities.csv", "report.html", "warnings.csv", "dropped.csv"):
        assert root not in (out / name).read_text(), name
    assert '"user prices prices.csv (wide CSV' in (out / "securities.csv").read_text()


def test_results_and_ar_csvs_identify_the_event_and_round_trip(many):
    res, paths, out = many
    cars = pd.read_csv(out / "results.csv")
    assert list(cars.columns[:2]) == ["event", "ticker"] and len(cars) == len(res.cars)
    np.testing.assert_allclose(cars["car"], res.cars["car"], rtol=0, atol=0)
    ar = pd.read_csv(out / "abnormal_returns.csv")
    assert len(ar) == len(res.abnormal_returns) and ar["date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert (pd.to_datetime(ar["date"]) == res.abnormal_returns["date"].to_numpy()).all()


def test_parquet_tables_beside_the_csvs_keep_types(many):
    res, paths, out = many
    assert {"results.parquet", "abnormal_returns.parquet", "tests.parquet"} <= set(paths)
    ar = pd.read_parquet(out / "abnormal_returns.parquet")
    assert pd.api.types.is_datetime64_any_dtype(ar["date"])
    np.testing.assert_array_equal(ar["ar"].to_numpy(), res.abnormal_returns["ar"].to_numpy())


def test_summary_lists_the_extremes_not_every_row(many):
    res, _, _ = many
    text = res.summary()
    assert f"the {TABLE_ROWS} largest and {TABLE_ROWS} smallest" in text
    assert len(text.splitlines()) < 200


def test_csv_dates_are_formatted_as_whole_columns(tmp_path):
    f = pd.DataFrame({"d": pd.to_datetime(["2025-01-21", None]),
                      "h": pd.to_datetime(["2025-01-21 04:00", "2025-01-21 08:00"]),
                      "x": [1.5, np.nan], "s": ["a, \"b\"", None], "b": [True, False]})
    write_csv(tmp_path / "f.csv", f)
    lines = (tmp_path / "f.csv").read_text().splitlines()
    assert lines[0] == "d,h,x,s,b"
    assert lines[1] == '2025-01-21,"2025-01-21T04:00",1.5,"a, ""b""",true'  # 4-hour bars keep their time
    assert lines[2] == ',"2025-01-21T08:00",,,false'  # missing values are empty
    back = pd.read_csv(tmp_path / "f.csv")
    assert back["s"].iloc[0] == 'a, "b"' and back["b"].tolist() == [True, False]


def test_cli_parquet_flag(tmp_path):
    from tests.synthetic import write_study

    study = write_study(tmp_path / "s", 3, n_sec=3, n_days=320)
    assert main(["run", str(study), "--quiet", "--parquet", "--out", str(tmp_path / "o")]) == 0
    assert (tmp_path / "o" / "results.parquet").is_file() and (tmp_path / "o" / "results.csv").is_file()
