"""A study that names an article instead of an event date: the extraction flows into results and report."""

from __future__ import annotations

import datetime as dt

from eventstudy.report.html import render_report


def test_event_and_claims_flow_into_the_results(stargate_results):
    extraction = stargate_results.extraction
    assert extraction.primary.date == dt.date(2025, 1, 21)
    assert stargate_results.event_time.date == dt.date(2025, 1, 21)
    assert "21 janvier" in stargate_results.event_source and extraction.date_rule  # the rule is shown beside it
    assert {c.ticker for c in extraction.primary.claims} >= {"ORCL", "NVDA", "ARM", "PIPPIN", "ARC", "AI16Z", "VIRTUAL"}


def test_report_shows_the_claims_and_entities(stargate_results):
    html = render_report(stargate_results, {})
    assert "claimed move" in html
    assert "<td class=\"l\">PIPPIN</td><td class=\"num\">+104.82%</td>" in html.replace("\n", "")
    assert "+7.00% (approx.)" in html and "SoSoValue" in html
    flat = html.replace("\n", "")
    assert '<td class="l">MGX</td><td class="l">–</td><td class="l">private</td>' in flat
    assert "funder" in flat
    assert '<td class="l">MELANIA</td><td class="l">–</td><td class="l">unmapped</td>' in flat  # TRUMP is in the crypto layer


def test_claims_are_checked_even_when_the_article_yields_no_event(tmp_path, monkeypatch):
    """[event] gives the date; the article only supplies claims: they must still be checked."""
    from eventstudy import load_study, pipeline, run_study
    from eventstudy.article import Claim, Extraction

    article = tmp_path / "a.txt"
    article.write_text("Oracle rose 7.2%.", encoding="utf-8")
    study = tmp_path / "s.toml"
    study.write_text('article = "a.txt"\n[event]\ndate = "2025-01-21"\n[[group]]\nsecurities = ["ORCL"]\n'
                     'benchmark = "SPY"\n[data]\nsource = "pinned"\n', encoding="utf-8")
    claim = Claim(ticker="ORCL", name="Oracle", percent=7.2, horizon=None, date=None, sentence="Oracle rose 7.2%.")
    monkeypatch.setattr(pipeline, "extract_events", lambda *a, **k: Extraction(
        language="en", published=None, date_rule="test", events=(), claims=(claim,)))
    res = run_study(load_study(study))
    row = res.claims.iloc[0]
    assert row["ticker"] == "ORCL" and row["verdict"] == "consistent" and "2025-01-21 session" in row["matched"]


def test_mixed_adjustment_basis_is_flagged(tmp_path):
    from eventstudy import parse_study, run_study

    res = run_study(parse_study('[event]\ndate = "2025-01-27"\n[[group]]\nsecurities = ["NVDA", "SMH"]\n'
                                'benchmark = "SPY"\n[data]\nsource = "pinned"\n'))
    flagged = [w for w in res.warnings if w["check"] == "adjustment basis"]
    assert [w["ticker"] for w in flagged] == ["SMH"] and "splits only" in flagged[0]["message"]
