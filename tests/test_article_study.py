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
    assert '<td class="l">TRUMP</td><td class="l">–</td><td class="l">unmapped</td>' in flat
