"""Normalise an article's text for matching and cut it into paragraphs and sentences.

Normalisation maps typographic variants to one character each (curly apostrophes to ``'``,
no-break and thin spaces to a space, the minus sign to ``-``), so the normalised text has the same
length as the original (:attr:`Segmented.original`): every offset found in it also points into the
original, and sentences are reported as the article wrote them.

Paragraphs
    A blank line always ends a paragraph. A single line break ends one too (one paragraph per
    line, as web pages and most pasted articles come), except where the text is hard-wrapped: a
    line break is read as a space when

    * the line does not end a sentence (no final ``.``, ``!``, ``?``, ``…``, ``:``) and the next
      line goes on in lower case or with a number ("... DeepSeek said its R1" / "reasoning model
      ..."), or
    * the text is hard-wrapped (see :func:`_wrap_width`: lines cut mid-sentence show a wrap width
      of :data:`MIN_WRAP_WIDTH` to :data:`MAX_WRAP_WIDTH` characters, and hardly any line is
      longer) and the next line's first word would not have fitted on the line.

    A headline or a short last line of a paragraph is therefore kept apart, and a list item
    ("- ...", "1. ...") always starts a new paragraph. Such soft line breaks become spaces in the
    normalised text and in the sentences reported (a line ending with a hyphen inside a word is
    joined without one: "start-" / "up" is "start-up"), so a hard-wrapped article and its one-line
    version give the same sentences.

Sentences
    A sentence ends at ".", "!", "?" or "…" followed by a capital, a digit or a quote (not after an
    abbreviation such as "Inc." or "janv."). A sentence longer than :data:`MAX_SENTENCE_CHARS` is
    cut at clause marks, so that no rule ever works on more than that many characters at once.
"""

from __future__ import annotations

import bisect
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

#: Narrowest and widest wrap width (characters) read as hard wrapping; text with longer lines is one
#: paragraph a line.
MIN_WRAP_WIDTH, MAX_WRAP_WIDTH = 30, 160
#: A line this close (characters) to the wrap width, stopping mid-sentence, shows the block is wrapped.
WRAP_SLACK = 12
_ENDS_SENTENCE = re.compile(r"[.!?…:](?:\s*[»\"')\]])*\s*$")
_GOES_ON = re.compile(r"\s*(?:[a-zà-öø-ÿ0-9%(]|\$\d)")
_LIST_ITEM = re.compile(r"\s*(?:[-*•–—·]\s|\d{1,3}[.)]\s|#)")


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
    are kept only once).

    ``original`` is the article as written, except that the line breaks of hard-wrapped paragraphs
    are spaces (or nothing after a hyphen ending a line) and Windows line ends are ``\n``; it has the
    length of ``norm``, so every offset is shared.
    """

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


def _paragraphs(norm: str) -> tuple[list[tuple[int, int]], list[int]]:
    """Paragraph spans of the text, and the offsets of the line breaks read as spaces (soft breaks)."""
    lines = []
    pos = 0
    for raw in norm.split("\n"):
        lines.append((pos, pos + len(raw)))
        pos += len(raw) + 1
    blocks: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    for start, end in lines:
        if norm[start:end].strip():
            current.append((start, end))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)

    width = _wrap_width(norm, blocks)
    spans: list[tuple[int, int]] = []
    soft: list[int] = []
    for block in blocks:
        texts = [norm[s:e].rstrip() for s, e in block]
        para_start = block[0][0]
        for k, (start, end) in enumerate(block):
            if k + 1 == len(block):
                spans.append((para_start, end))
                break
            line, nxt = texts[k], texts[k + 1]
            first_word = nxt.split()[0] if nxt.split() else ""
            joins = not _LIST_ITEM.match(nxt) and (
                (not _ENDS_SENTENCE.search(line) and bool(_GOES_ON.match(nxt)))
                or (width is not None and len(line) + 1 + len(first_word) > width))
            if joins:
                soft.append(end)  # the "\n" right after this line
            else:
                spans.append((para_start, end))
                para_start = block[k + 1][0]
    return spans, soft


def _wrap_width(norm: str, blocks: list[list[tuple[int, int]]]) -> int | None:
    """The width the text is hard-wrapped at, or None when it is not hard-wrapped.

    The evidence is the lines cut in the middle of a sentence (no stop at the end, and the next line
    goes on in lower case or with a number): the width is the longest line at most
    :data:`WRAP_SLACK` characters longer than they are; at least two lines with another line after
    them must come within :data:`WRAP_SLACK` characters of it, and hardly any line may be longer (a
    headline alone on its line may).
    """
    lines = [norm[s:e].rstrip() for block in blocks if len(block) > 1 for s, e in block]  # not a lone headline
    followed = [norm[s:e].rstrip() for block in blocks for s, e in block[:-1]]
    cut = [norm[s:e].rstrip() for block in blocks for (s, e), (s2, e2) in zip(block, block[1:])
           if not _ENDS_SENTENCE.search(norm[s:e].rstrip()) and _GOES_ON.match(norm[s2:e2])]
    if not cut:
        return None
    longest_cut = max(len(t) for t in cut)
    # a line ending a sentence may be a little longer than every line cut mid-sentence
    width = max(len(t) for t in lines if len(t) <= longest_cut + WRAP_SLACK)
    near = sum(1 for t in followed if len(t) >= width - WRAP_SLACK)
    longer = sum(1 for t in lines if len(t) > width)
    if MIN_WRAP_WIDTH <= width <= MAX_WRAP_WIDTH and near >= 2 and longer <= max(1, len(lines) // 10):
        return width
    return None


def _unwrap(text: str, norm: str, spans: list[tuple[int, int]],
            soft: list[int]) -> tuple[str, str, list[tuple[int, int]]]:
    """The text and normalised text with their soft line breaks read as spaces, or dropped after a
    hyphen that ends a line ("start-" / "up" is "start-up"), and the paragraph spans moved to match."""
    dropped = [i for i in soft if norm[i - 1:i] == "-" and norm[i - 2:i - 1].isalpha() and norm[i + 1:i + 2].isalpha()]
    shown, chars = list(text), list(norm)
    for i in soft:
        shown[i] = chars[i] = " "
    for i in reversed(dropped):
        del shown[i], chars[i]

    def moved(offset: int) -> int:
        return offset - bisect.bisect_left(dropped, offset)

    return "".join(shown), "".join(chars), [(moved(a), moved(b)) for a, b in spans]


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
    return [piece for a, b in spans for piece in _bounded(norm, a, b)]


#: Longest sentence, in characters; a longer run of text without a full stop (a market wrap listing
#: hundreds of moves, a table pasted as one line) is cut at its last clause mark before the limit.
#: This bounds the work of every per-sentence rule, so extraction stays linear in the article's length.
MAX_SENTENCE_CHARS = 1000
_CLAUSE_MARKS = (";", ":", ",", " ")


def _bounded(norm: str, start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` cut into pieces of at most :data:`MAX_SENTENCE_CHARS` characters, each ending
    after a clause mark (";", ":", ",", else a space) when there is one in its second half."""
    out = []
    while end - start > MAX_SENTENCE_CHARS:
        limit = start + MAX_SENTENCE_CHARS
        cut = limit
        for mark in _CLAUSE_MARKS:
            at = norm.rfind(mark, start + MAX_SENTENCE_CHARS // 2, limit)
            if at >= 0:
                cut = at + 1
                break
        out.append((start, cut))
        start = cut
    out.append((start, end))
    return out


def segment(text: str) -> Segmented:
    """Cut ``text`` into paragraphs and sentences (see the module docstring); the first short
    paragraph is the title."""
    text = text.replace("\r\n", "\n")  # a Windows line end is one line break
    norm = normalise(text)
    spans, soft = _paragraphs(norm)
    if soft:
        text, norm, spans = _unwrap(text, norm, spans, soft)
    sentences: list[Sentence] = []
    seen_paragraphs: set[str] = set()
    title: str | None = None
    paragraph = 0
    for start, end in spans:
        key = " ".join(norm[start:end].split()).lower()
        if not key or key in seen_paragraphs:
            continue
        seen_paragraphs.add(key)
        if title is None and len(key) <= 300:
            title = " ".join(text[start:end].split())
        for s, e in _split_paragraph(norm, start, end):
            # trim surrounding spaces so offsets point at the words
            while s < e and norm[s].isspace():
                s += 1
            while e > s and norm[e - 1].isspace():
                e -= 1
            if e > s:
                sentences.append(Sentence(len(sentences), s, e, paragraph, norm[s:e]))
        paragraph += 1
    return Segmented(original=text, norm=norm, sentences=tuple(sentences), title=title)
