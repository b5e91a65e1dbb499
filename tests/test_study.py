"""The study file: parsing, defaults and the errors a user can act on."""

from __future__ import annotations

import datetime as dt

import pytest

from eventstudy import StudyFileError, load_study, parse_study
from tests.conftest import STARGATE

BASE = """
name = "t"
[event]
date = "2025-01-21"
[[group]]
name = "g"
securities = ["ORCL"]
benchmark = "SPY"
"""


def test_shipped_stargate_study_parses():
    spec = load_study(STARGATE)
    assert spec.name == "stargate"
    assert spec.article is not None and spec.article.name == "stargate-techflow-fr.txt" and spec.article.is_file()
    assert [g.name for g in spec.groups] == ["AI infrastructure equities", "AI agent tokens"]
    tokens = spec.groups[1]
    assert tokens.windows.estimation == (-60, -6)          # group override
    assert tokens.windows.event == spec.windows.event      # inherited
    assert spec.groups[0].windows.estimation == (-120, -11)
    assert spec.windows.car == ((0, 0), (0, 1), (-1, 1), (0, 5))


def test_defaults_and_event():
    spec = parse_study(BASE)
    assert spec.event.date == dt.date(2025, 1, 21) and spec.event.time is None
    assert spec.model.kind == "market" and spec.model.returns == "simple"
    assert spec.securities == ["ORCL"]


@pytest.mark.parametrize("text, fragment", [
    (BASE.replace('benchmark = "SPY"', 'benchmark = "SPY"\nbenchmrk = "QQQ"'), "unknown key 'benchmrk' in [group]; did you mean 'benchmark'?"),
    (BASE + "\n[windows]\nestimaton = [-100, -11]\n", "did you mean 'estimation'"),
    (BASE + "\n[windows]\nestimation = [-11, -100]\n", "starts after it ends"),
    (BASE + "\n[windows]\nestimation = [-100, 0]\n", "must end before the event window"),
    (BASE + "\n[windows]\ncar = [[-20, 0]]\n", "is not inside the event window"),
    (BASE + "\n[windows]\nevent = \"soon\"\n", "event must be a pair"),
    (BASE + "\n[model]\nkind = \"capm\"\n", "kind = 'capm' is not one of"),
    (BASE + "\n[model]\nmin_estimation = \"30\"\n", "min_estimation must be an integer"),
    (BASE.replace('date = "2025-01-21"', 'date = "21/01/2025"'), "is not a date"),
    (BASE.replace('date = "2025-01-21"', 'date = "2025-01-21"\ntimezone = "Mars/Olympus"'), "not an IANA time zone"),
    (BASE.replace('benchmark = "SPY"', ''), "has no benchmark"),
    ("name = 'x'\n[[group]]\nsecurities=['A']\nbenchmark='B'\n", "needs an event date"),
    ("name = [\n", "not valid TOML"),
])
def test_errors_name_the_problem(text, fragment):
    with pytest.raises(StudyFileError) as err:
        parse_study(text, "study.toml")
    assert fragment in str(err.value)
    assert str(err.value).startswith("study.toml")


def test_error_points_at_the_line():
    text = BASE.replace('benchmark = "SPY"', 'benchmark = "SPY"\nbenchmrk = "QQQ"')
    with pytest.raises(StudyFileError) as err:
        parse_study(text, "s.toml")
    line = text.splitlines().index('benchmrk = "QQQ"') + 1
    assert f"s.toml, line {line}:" in str(err.value)


def test_date_windows_are_parsed():
    spec = parse_study(BASE + '\n[windows]\nestimation = ["2019-04-01", "2020-03-13"]\n'
                              'event = ["2020-03-16", "2020-03-20"]\ncar = [["2020-03-16", "2020-03-20"]]\n')
    assert spec.windows.estimation == (dt.date(2019, 4, 1), dt.date(2020, 3, 13))
    assert spec.windows.uses_dates


def test_mixed_window_kinds_refused():
    with pytest.raises(StudyFileError, match="mix relative bars and dates"):
        parse_study(BASE + '\n[windows]\nestimation = ["2019-04-01", "2020-03-13"]\n')


def test_relative_paths_resolve_against_the_study_file(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text("Le 21 janvier 2025, annonce.", encoding="utf-8")
    path = tmp_path / "sub" / "s.toml"
    path.write_text('article = "../a.txt"\n[[group]]\nsecurities = ["ORCL"]\nbenchmark = "SPY"\n', encoding="utf-8")
    assert load_study(path).article == (tmp_path / "a.txt").resolve()


def test_missing_article_is_reported(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('article = "nope.txt"\n[[group]]\nsecurities = ["ORCL"]\nbenchmark = "SPY"\n', encoding="utf-8")
    with pytest.raises(StudyFileError, match="article 'nope.txt' does not exist"):
        load_study(path)
