"""Normalise an article's text for matching and cut it into paragraphs and sentences.

Normalisation maps typographic variants to one character each (curly apostrophes to ``'``,
no-break and thin spaces to a space, the minus sign to ``-``), so the normalised text has the same
length as the original: every offset found in it also points into the original, and sentences are
reported as the article wrote them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ONE_TO_ONE = str.maketrans({
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'", "\u00b4": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"',
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ", "\u2002": " ", "\u2003": " ", "\u200a": " ",
    "\u200b": " ", "\ufeff": " ", "\t": " ", "\r": "\n",
    "\u2212": "-", "\u2011": "-", "\u2010": "-",
})

#: Words whose final period does not end a sentence (compared lower-case, without the period).
_ABBREVIATIONS = frozenset(
    "inc corp co ltd plc jr sr mr mrs ms dr st no vs etc e.g i.e p.m a.m u.s u.k u.s.a mm mme mlle "
    "jan feb mar apr jun jul aug sep sept oct nov dec janv févr fév avr juil déc env cf fig approx".split()
)
_BOUNDARY = re.compile(r"[.!?…](?:\s*[»\"')\]])*\s+(?=[«\"(\[]?\s?[A-ZÀ-ÖØ-Þ0-9$])")
_WORD_BEFORE = re.compile(r"([\w.]+)$")


@dataclass(frozen=True)
class Sentence:
    """A sentence as offsets into the article text (``start``/``end``), with its normalised text."""

    index: int
    start: int
    end: int
    paragraph: int
    text: str

    def __len__(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class Segmented:
    """The normalised text and its sentences (repeated paragraphs, such as a headline printed twice,
    are kept only once)."""

    original: str
    norm: str
    sentences: tuple[Sentence, ...]
    title: str | None

    def original_of(self, sentence: Sentence) -> str:
        """The sentence as the article wrote it."""
        return self.original[sentence.start:sentence.end]

    def sentence_at(self, offset: int) -> Sentence | None:
        """The sentence containing a text offset (binary search)."""
        lo, hi = 0, len(self.sentences) - 1
        while lo <= hi:
            mid = (lo + hi) // 2
            s = self.sentences[mid]
            if offset < s.start:
                hi = mid - 1
            elif offset >= s.end:
                lo = mid + 1
            else:
                return s
        return None


def normalise(text: str) -> str:
    """Same-length normalisation used for all matching (see the module docstring)."""
    return text.translate(_ONE_TO_ONE)


def _split_paragraph(norm: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    cursor = start
    for m in _BOUNDARY.finditer(norm, start, end):
        before = _WORD_BEFORE.search(norm, cursor, m.start() + 1)
        word = before.group(1).rstrip(".").lower() if before else ""
        if norm[m.start()] == "." and (word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())):
            continue
        spans.append((cursor, m.start() + 1))
        cursor = m.end()
    if cursor < end:
        spans.append((cursor, end))
    return spans


def segment(text: str) -> Segmented:
    """Cut ``text`` into paragraphs (lines) and sentences; the first short line is the title."""
    norm = normalise(text)
    sentences: list[Sentence] = []
    seen_paragraphs: set[str] = set()
    title: str | None = None
    paragraph = 0
    for m in re.finditer(r"[^\n]+", norm):
        line = m.group(0)
        key = " ".join(line.split()).lower()
        if not key or key in seen_paragraphs:
            continue
        seen_paragraphs.add(key)
        if title is None and len(key) <= 300:
            title = " ".join(text[m.start():m.end()].split())
        for s, e in _split_paragraph(norm, m.start(), m.end()):
            # trim surrounding spaces so offsets point at the words
            while s < e and norm[s].isspace():
                s += 1
            while e > s and norm[e - 1].isspace():
                e -= 1
            if e > s:
                sentences.append(Sentence(len(sentences), s, e, paragraph, norm[s:e]))
        paragraph += 1
    return Segmented(original=text, norm=norm, sentences=tuple(sentences), title=title)
