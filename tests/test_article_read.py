"""Reading article files and the `eventstudy extract` command: clear errors, never a traceback."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest
import yaml

from eventstudy.article import extract_events, read_article
from eventstudy.article import read as read_module
from eventstudy.article.extract import MAX_CHARS
from eventstudy.cli import main
from eventstudy.errors import ArticleError
from tests.conftest import ROOT, write

ARTICLES = ROOT / "tests" / "articles"
SEED = ROOT / "seeds" / "stargate-techflow-fr.txt"


def test_header_lines_give_metadata_and_are_removed(tmp_path):
    path = write(tmp_path, "a.txt", "published: 2025-01-23\ntitle: Oracle jumps\n\nOracle jumped 7% yesterday.\n")
    article = read_article(path)
    assert article.published == dt.date(2025, 1, 23) and article.title == "Oracle jumps"
    assert article.text.strip() == "Oracle jumped 7% yesterday." and article.format == "text"
    # extract_events reads the same header when given raw text
    x = extract_events(path.read_text(encoding="utf-8"))
    assert x.published == dt.date(2025, 1, 23) and x.claims[0].date == dt.date(2025, 1, 22)


def test_bad_published_header_names_the_line(tmp_path):
    path = write(tmp_path, "a.txt", "published: 23/01/2025\nText.\n")
    with pytest.raises(ArticleError, match=r"line 1: 'published: 23/01/2025' is not a date"):
        read_article(path)


def test_html_body_title_and_date_from_metadata():
    article = read_article(ARTICLES / "ai-agent-tokens-en.html")
    assert article.format == "html" and article.published == dt.date(2025, 1, 22)
    assert article.title == "AI-agent tokens rally after Stargate"
    assert "CoinGecko" in article.text
    assert "tracker" not in article.text and "Cookie" not in article.text and "Newsletter" not in article.text


def test_html_without_a_body_is_refused(tmp_path):
    path = write(tmp_path, "empty.html", "<html><head><title>x</title></head><body><script>var a = 1;</script></body></html>")
    with pytest.raises(ArticleError, match="no article body found"):
        read_article(path)


def test_utf8_bom_and_utf16_are_read(tmp_path):
    (tmp_path / "bom.txt").write_bytes("\ufeffOracle a grimpé de 7 %.".encode("utf-8"))
    assert read_article(tmp_path / "bom.txt").text == "Oracle a grimpé de 7 %."
    (tmp_path / "u16.txt").write_bytes("Oracle a grimpé de 7 %.".encode("utf-16"))
    assert read_article(tmp_path / "u16.txt").text == "Oracle a grimpé de 7 %."


@pytest.mark.parametrize("name, data, fragment", [
    ("empty.txt", b"", "the article is empty"),
    ("blank.txt", b"  \n\n \t\n", "the article is empty"),
    ("nul.bin", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50, "binary file"),
    ("controls.txt", bytes(range(1, 9)) * 200, "binary file"),
    ("header-only.txt", b"published: 2025-01-01\n", "has a header but no text"),
])
def test_bad_inputs_give_one_clear_error(tmp_path, name, data, fragment):
    (tmp_path / name).write_bytes(data)
    with pytest.raises(ArticleError, match=fragment):
        read_article(tmp_path / name)


def test_undetectable_encoding_is_refused_with_what_to_do(tmp_path, monkeypatch):
    import charset_normalizer

    monkeypatch.setattr(charset_normalizer, "from_bytes", lambda data: [])
    (tmp_path / "odd.txt").write_bytes("Société générale".encode("cp1252"))
    with pytest.raises(ArticleError, match="not UTF-8.*convert it to UTF-8.*iconv"):
        read_article(tmp_path / "odd.txt")


def test_huge_file_and_huge_text_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(read_module, "MAX_BYTES", 1000)
    path = write(tmp_path, "big.txt", "Oracle a grimpé. " * 100)
    with pytest.raises(ArticleError, match="too large for an article"):
        read_article(path)
    with pytest.raises(ArticleError, match="too long for one article"):
        extract_events("a" * (MAX_CHARS + 1))


@pytest.mark.parametrize("text", ["", "   \n", None, b"bytes"])
def test_extract_events_refuses_non_text(text):
    with pytest.raises(ArticleError):
        extract_events(text)  # type: ignore[arg-type]


def test_missing_file_and_folder():
    with pytest.raises(ArticleError, match="no such article file"):
        read_article(ROOT / "nope.txt")
    with pytest.raises(ArticleError, match="is a folder"):
        read_article(ARTICLES)


def test_primary_raises_when_there_is_no_event():
    x = extract_events("Markets were quiet. Nothing happened.")
    assert x.events == ()
    with pytest.raises(ArticleError, match="no market event found"):
        x.primary


def test_cli_extract_json(capsys):
    assert main(["extract", str(SEED)]) == 0
    data = json.loads(capsys.readouterr().out)
    ev = data["events"][0]
    assert ev["date"] == "2025-01-21" and "21 janvier" in ev["sentence"]
    assert {c["ticker"] for c in ev["claims"]} >= {"ORCL", "NVDA", "ARM", "PIPPIN", "ARC", "AI16Z", "VIRTUAL"}


def test_cli_extract_yaml_published_and_user_gazetteer(capsys):
    args = ["extract", str(ARTICLES / "northwind-acquisition-en.txt"), "--format", "yaml",
            "--published", "2025-02-04", "--gazetteer", str(ARTICLES / "user-gazetteer.toml")]
    assert main(args) == 0
    data = yaml.safe_load(capsys.readouterr().out)
    assert data["published"] == "2025-02-04"  # the option wins over the header
    assert data["events"][0]["date"] == "2025-02-03"  # "on Monday" before Tuesday 4 February
    assert data["events"][0]["entities"][0]["gazetteer_id"] == "NWRB"


@pytest.mark.parametrize("args, fragment", [
    (["extract", "nope.txt"], "no such article file"),
    (["extract", str(SEED), "--published", "2025-13-01"], "--published '2025-13-01' is not a date"),
])
def test_cli_extract_errors_exit_2_without_traceback(capsys, args, fragment):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err


@pytest.mark.parametrize("data", [b"", b"\x00\x01\x02binary" * 100])
def test_cli_extract_bad_files(tmp_path, capsys, data):
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    assert main(["extract", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("eventstudy: error: ") and "Traceback" not in captured.err


def test_cli_extract_bad_file_in_a_real_process(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"\x00\x01\x02binary" * 100)
    proc = subprocess.run([sys.executable, "-m", "eventstudy", "extract", str(path)], capture_output=True,
                          text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("eventstudy: error: ") and "Traceback" not in proc.stderr
