"""Paragraphs and sentences (eventstudy.article.text): hard-wrapped text is read as its one-line version."""

from __future__ import annotations

import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

from eventstudy.article import extract_events, read_article
from eventstudy.article.text import segment
from tests.conftest import ROOT

ARTICLES = ROOT / "tests" / "articles"


def _paragraphs(text: str) -> list[list[str]]:
    seg = segment(text)
    out: dict[int, list[str]] = {}
    for s in seg.sentences:
        out.setdefault(s.paragraph, []).append(seg.original_of(s))
    return list(out.values())


def test_a_line_break_inside_a_sentence_is_a_space():
    text = ("Nvidia closed\ndown nearly 17%, while Arm Holdings fell about\n10% and the ETF dropped 9.9%. Broadcom "
            "lost 17%.")
    assert _paragraphs(text) == [["Nvidia closed down nearly 17%, while Arm Holdings fell about 10% and the ETF "
                                  "dropped 9.9%.", "Broadcom lost 17%."]]


def test_blank_lines_headlines_and_lists_still_separate():
    text = ("DeepSeek rout wipes $589 billion off Nvidia\n"
            "Chip stocks tumbled on Monday.\n\n"
            "Second paragraph.\n"
            "- a list item\n"
            "- another one")
    assert _paragraphs(text) == [["DeepSeek rout wipes $589 billion off Nvidia"], ["Chip stocks tumbled on Monday."],
                                 ["Second paragraph."], ["- a list item"], ["- another one"]]


def test_one_paragraph_per_line_is_kept():
    """The seed article and web pages put each paragraph on one line, some without a final stop."""
    text = ("Trump abandonne officiellement sa politique énergétique\n"
            "Au cours des derniers mois, les PDG ont alerté le gouvernement.\n"
            "Peu après son investiture, Trump a levé les garde-fous.")
    assert len(_paragraphs(text)) == 3


def test_hard_wrapped_block_joins_lines_ending_a_sentence_only_when_the_next_word_would_not_fit():
    # wrapped at 60: "Oracle" would not have fitted after "...rose 2%." (line of 57), so the line goes on;
    # after "...session." (a short last line) a new paragraph starts
    paragraph_one = ("Chip stocks tumbled on Monday after the news from the start-up. Nvidia lost 17% and "
                     "Arm rose 2%. Oracle sank nearly 14% in the session.")
    text = textwrap.fill(paragraph_one, 60) + "\nA new paragraph follows here."
    assert all(len(line) <= 60 for line in text.splitlines())
    paragraphs = _paragraphs(text)
    assert len(paragraphs) == 2 and " ".join(paragraphs[0]) == paragraph_one


def test_windows_line_ends_are_one_line_break():
    assert _paragraphs("Nvidia closed\r\ndown 17%.\r\n\r\nNext.") == [["Nvidia closed down 17%."], ["Next."]]


@settings(max_examples=25, deadline=None, database=None)
@given(st.integers(min_value=40, max_value=160), st.sampled_from([
    "deepseek-selloff-oneline-en.txt", "stargate-en.txt", "oracle-resultats-fr.txt", "deepseek-selloff-fr.txt"]))
def test_wrapping_an_article_at_any_width_changes_nothing(width, name):
    """Each paragraph hard-wrapped at `width` (blank lines between paragraphs; hyphenated words may
    be cut after their hyphen) gives the same extraction. The headline stays on its line: a wrapped
    headline whose next line starts with a capital cannot be told from a headline and a line."""
    article = read_article(ARTICLES / name)
    paragraphs = [p for p in article.text.split("\n") if p.strip()]
    wrapped = "\n\n".join([paragraphs[0]] + [textwrap.fill(p, width, break_long_words=False)
                                             for p in paragraphs[1:]])
    one_line = "\n\n".join(p.strip() for p in paragraphs)
    a = extract_events(one_line, published=article.published).to_dict()
    b = extract_events(wrapped, published=article.published).to_dict()
    for key in ("events", "claims", "amounts", "entities", "notes"):
        assert a[key] == b[key], (key, width)
