"""Reading an events file column by column (eventstudy.study.events_file): the same rows from both
parsers, physical line numbers, the first bad row in file order, the rows as a sequence."""

from __future__ import annotations

import datetime as dt

import pytest

from eventstudy import StudyFileError
from eventstudy.study import EventRows, EventRowSpec, read_events_file
from eventstudy.study import events_file

ROWS = [("ORCL", "2025-01-21", "", "", "stargate", "ai", "SPY"),
        ("NVDA", " 2025-01-27 ", "16:30", "America/New_York", "", "", ""),
        ("SOFTBANK", "2025-01-21", "", "Asia/Tokyo", "stargate", "ai", "QQQ")]
HEADER = "Ticker,date,time,timezone,event,group,benchmark"


def _write(tmp_path, text: str, name: str = "ev.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_a_quoted_file_and_a_plain_one_give_the_same_rows(tmp_path, monkeypatch):
    plain = HEADER + "\n" + "\n".join(",".join(r) for r in ROWS) + "\n"
    quoted = HEADER + "\r\n" + "\r\n".join(",".join(f'"{c}"' for c in r) for r in ROWS) + "\r\n"
    arrow = []  # what Arrow's reader returned: the file without quotes is read by it, the other by the csv module
    real = events_file._parse_arrow
    monkeypatch.setattr(events_file, "_parse_arrow", lambda *args: arrow.append(real(*args)) or arrow[-1])
    a, b = read_events_file(_write(tmp_path, plain, "a.csv")), read_events_file(_write(tmp_path, quoted, "b.csv"))
    assert len(arrow) == 1 and arrow[0] is not None
    assert list(a) == list(b)
    assert a[1] == EventRowSpec(event="NVDA 2025-01-27", group="events", security="NVDA", date=dt.date(2025, 1, 27),
                                time=dt.time(16, 30), timezone="America/New_York", benchmark=None, line=3)
    assert [r.benchmark for r in a] == ["SPY", None, "QQQ"] and a[0].timezone == "UTC"


def test_lines_are_the_files_lines_blank_lines_and_quoted_line_breaks_included(tmp_path):
    text = 'security,date,event\n\nORCL,2025-01-21,"two\nlines"\n,,\nNVDA,2025-01-27,x\n'
    rows = read_events_file(_write(tmp_path, text))
    assert [(r.security, r.line) for r in rows] == [("ORCL", 3), ("NVDA", 6)]
    text = "security,date\n\nORCL,2025-01-21\n\nNVDA,2025-02-30\n"
    with pytest.raises(StudyFileError, match=r"ev.csv, line 5: date '2025-02-30' is not YYYY-MM-DD"):
        read_events_file(_write(tmp_path, text))


@pytest.mark.parametrize("rows, message", [
    # the first bad row in file order is the one reported, whatever the check
    (["ORCL,2025-01-21,25:00,", "NVDA,2025-13-01,,"], r"line 2: time '25:00' is not HH:MM"),
    (["ORCL,2025-01-21,,Mars/Base", ",2025-01-21,,"], r"line 2: timezone 'Mars/Base' is not an IANA time zone"),
    (["ORCL,2025-01-21,,", ",2025-01-21,,", "NVDA,2025-13-01,,"], r"line 3: empty security"),
    # within a row: security, then date, then time, then time zone
    (["ORCL,2025-01-21,,", "NVDA,2025-13-01,25:00,Mars/Base"], r"line 3: date '2025-13-01' is not YYYY-MM-DD"),
    (["ORCL,2025-01-21,,", "NVDA,2025-01-22,,", "ORCL, 2025-01-21 ,,UTC"],
     r"lines 2 and 4: ORCL appears twice for the event 'ORCL 2025-01-21'"),
])
def test_the_first_bad_row_is_refused_with_its_line(tmp_path, rows, message):
    path = _write(tmp_path, "security,date,time,timezone\n" + "\n".join(rows) + "\n")
    with pytest.raises(StudyFileError, match=message):
        read_events_file(path)


def test_header_and_shape_problems(tmp_path):
    for text, message in [("security,ticker,date\nA,B,2025-01-21\n", r"line 1: the column security appears twice"),
                          ("security,day\nA,2025-01-21\n", r"line 1: an events file needs the columns security and "
                                                            r"date"),
                          ("security,date,colour\n", r"line 1: unknown column\(s\) \['colour'\]"),
                          ("security,date\n\n ,  \n", r"the events file has no rows"),
                          ('security,date\n"ORCL,2025-01-21\n', r"the events file has no rows|line \d")]:
        with pytest.raises(StudyFileError, match=message):
            read_events_file(_write(tmp_path, text))
    # a short row reads its missing cells as empty; cells beyond the header are ignored
    rows = read_events_file(_write(tmp_path, "security,date,group\nORCL,2025-01-21\nNVDA,2025-01-27,g,extra\n"))
    assert [(r.security, r.group) for r in rows] == [("ORCL", "events"), ("NVDA", "g")]


def test_rows_are_a_sequence_and_a_tuple_given_in_python_becomes_one(tmp_path):
    from eventstudy.study import StudySpec

    rows = read_events_file(_write(tmp_path, HEADER + "\n" + "\n".join(",".join(r) for r in ROWS) + "\n"))
    assert len(rows) == 3 and rows[-1].security == "SOFTBANK" and list(rows[1:])[0] == rows[1]
    assert rows == tuple(rows) and rows == EventRows.of(tuple(rows))
    assert rows.frame["date"].dt.year.tolist() == [2025, 2025, 2025]
    spec = StudySpec(name="x", groups=(), events=tuple(rows))
    assert isinstance(spec.events, EventRows) and spec.events == rows and spec.benchmarks == ["SPY", "QQQ"]
