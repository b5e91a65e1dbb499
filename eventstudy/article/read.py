"""Read an article file (plain text or HTML) into clean text plus metadata. This is the I/O edge.

* Bytes: UTF-8 (with or without BOM) and UTF-16 with a BOM are read directly; anything else is
  detected with charset-normalizer (when several Western encodings fit equally well, Windows-1252 is
  chosen, as articles are French or English) or refused with a message saying how to convert it.
* Empty files, binary files (NUL bytes, control characters) and files over :data:`MAX_BYTES` are
  refused with one :class:`~eventstudy.errors.ArticleError`; so is anything but a regular file (a
  folder, a FIFO, a device such as ``/dev/zero``), checked before the file is opened, and no read
  takes more than :data:`MAX_BYTES` + 1 bytes (:func:`read_bytes_bounded`).
* HTML (by suffix or content): trafilatura takes the article body, its title and its publication
  date from the page metadata (never guessed from the body text).
* Plain text: header lines at the top (``published: YYYY-MM-DD``, ``title: ...``, ``source: ...``,
  ``url: ...``, ``language: ...``)
  give metadata and are removed from the text.
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ArticleError, os_reason
from ..safety import file_problem

#: Largest article file read, in bytes.
MAX_BYTES = 10_000_000
_HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}
_HEADER_LINE = re.compile(
    r"^[ \t]*(?P<key>published|publié(?:\s+le)?|publication|date|title|titre|source|url|author|auteur|language|langue)"
    r"[ \t]*:[ \t]*"
    r"(?P<value>[^\n]*?)[ \t]*$", re.I)
_PUBLISHED_KEYS = {"published", "publié", "publié le", "publication", "date"}


@dataclass(frozen=True)
class ArticleText:
    """An article's text and what its file says about it."""

    text: str
    path: Path | None = None
    title: str | None = None
    published: dt.date | None = None
    format: str = "text"
    encoding: str = "utf-8"
    notes: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Header:
    """Metadata lines at the top of a plain-text article, and the text after them."""

    body: str
    published: dt.date | None = None
    title: str | None = None
    source: str | None = None


def split_header(text: str, where: str = "the article") -> Header:
    """Take ``key: value`` header lines (published, title, source, url, author) off the top of ``text``.

    ``published`` must be ``YYYY-MM-DD``; anything else raises :class:`ArticleError` naming the line.
    """
    published = title = source = None
    lines = text.split("\n")
    i, last = 0, None
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.strip():
            continue
        m = _HEADER_LINE.match(line)
        if not m:
            break
        key, value = m.group("key").lower(), m.group("value")
        if key in _PUBLISHED_KEYS:
            if key != "published" and not re.match(r"\d{4}-\d\d-\d\d", value):
                break  # "Date: ..." that is not a date is the article's own text
            try:
                published = dt.date.fromisoformat(value[:10])
            except ValueError:
                raise ArticleError(f"{where}, line {i}: {line.strip()!r} is not a date; write the header as "
                                   "'published: YYYY-MM-DD'") from None
        elif key in ("title", "titre"):
            title = value
        elif key in ("source", "url") or source is None and key not in ("language", "langue"):
            source = value
        last = i
    if last is None:
        return Header(text)
    return Header("\n".join(lines[last:]), published, title, source)


def decode(data: bytes, where: str) -> tuple[str, str]:
    """Text and encoding name of an article's bytes (see the module docstring for the rules)."""
    if not data.strip():
        raise ArticleError(f"{where}: the article is empty; give a text or HTML file with the article in it")
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8", where), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", where), "utf-16"
    if b"\x00" in data[:65536]:
        raise ArticleError(f"{where}: this looks like a binary file (it contains NUL bytes), not an article; "
                           "give a plain-text (UTF-8) or HTML file")
    try:
        text = data.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError as exc:
        text, encoding = _detect(data, where, exc.start)
    controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\n\r\t\f\v")
    if controls > max(8, len(text[:65536]) // 100):
        raise ArticleError(f"{where}: this looks like a binary file ({controls} control characters), not an "
                           "article; give a plain-text (UTF-8) or HTML file")
    return text, encoding


def _strict(data: bytes, encoding: str, where: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ArticleError(f"{where}: starts with a {encoding} byte-order mark but is not valid {encoding} "
                           f"(byte {exc.start}); re-save it as UTF-8") from None


def _detect(data: bytes, where: str, bad_byte: int) -> tuple[str, str]:
    import charset_normalizer

    matches = list(charset_normalizer.from_bytes(data))
    refuse = ArticleError(
        f"{where}: not UTF-8 (invalid byte at offset {bad_byte}) and its encoding could not be detected; "
        "convert it to UTF-8, e.g. `iconv -f WINDOWS-1252 -t UTF-8 FILE > FILE.utf8`")
    if not matches:
        raise refuse
    best_chaos = min(m.chaos for m in matches)
    if best_chaos > 0.2:
        raise refuse
    close = [m for m in matches if m.chaos <= best_chaos + 0.01]
    chosen = next((m for m in close if m.encoding == "cp1252"), close[0])
    return str(chosen), chosen.encoding


def _looks_like_html(path: Path, text: str) -> bool:
    if path.suffix.lower() in _HTML_SUFFIXES:
        return True
    head = text[:2000].lstrip().lower()
    return head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in head)


def html_to_article(html: str, where: str) -> tuple[str, str | None, dt.date | None]:
    """Body text, title and publication date of an HTML page (trafilatura; metadata dates only)."""
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            html, with_metadata=True, include_comments=False, include_tables=True, include_images=False,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as exc:  # trafilatura/lxml can raise many things on broken markup  # noqa: BLE001
        raise ArticleError(f"{where}: the HTML could not be parsed ({type(exc).__name__}); save the article as "
                           "plain text instead") from None
    body = getattr(doc, "text", None) if doc is not None else None
    if not body or not body.strip():
        raise ArticleError(f"{where}: no article body found in this HTML page; save the article text as a .txt file")
    title = (getattr(doc, "title", None) or "").strip() or None
    published = None
    raw_date = getattr(doc, "date", None)
    if raw_date:
        try:
            published = dt.date.fromisoformat(str(raw_date)[:10])
        except ValueError:
            published = None
    if title and not body.lstrip().startswith(title):
        body = f"{title}\n{body}"
    return body, title, published


def read_bytes_bounded(path: Path, limit: int = MAX_BYTES, what: str = "article") -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; raise :class:`ArticleError` otherwise.

    The file is checked with ``stat`` before it is opened (a folder, a FIFO, a device or a socket
    is refused with what it is: a FIFO would block, ``/dev/zero`` never ends), opened without
    blocking, checked again on the open descriptor, and read for at most ``limit + 1`` bytes, so
    no input can make the reader wait or fill the memory.
    """
    where = str(path)
    problem = file_problem(path)
    if problem == "no such file":
        raise ArticleError(f"{where}: no such {what} file")
    if problem:
        raise ArticleError(f"{where}: {problem}; give the {what} as a regular text or HTML file")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise ArticleError(f"{where}: cannot read the {what} ({os_reason(exc)})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):  # swapped between stat and open
            raise ArticleError(f"{where}: is not a regular file; give the {what} as a text or HTML file")
        if info.st_size > limit:
            raise ArticleError(f"{where}: {info.st_size:,} bytes is too large for an {what} (limit {limit:,} bytes); "
                               f"keep only the {what} itself")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise ArticleError(f"{where}: cannot read the {what} ({os_reason(exc)})") from None
    finally:
        os.close(fd)
    if size > limit:  # it grew while being read
        raise ArticleError(f"{where}: more than {limit:,} bytes is too large for an {what}; keep only the {what} itself")
    return b"".join(chunks)


def read_article(path: Path | str) -> ArticleText:
    """Read a text or HTML article file (see the module docstring); raise :class:`ArticleError` on bad input."""
    path = Path(path)
    where = str(path)
    data = read_bytes_bounded(path, MAX_BYTES)
    text, encoding = decode(data, where)
    notes: list[str] = []
    if encoding not in ("utf-8", "utf-8-sig"):
        notes.append(f"{where} is not UTF-8: read as {encoding}")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _looks_like_html(path, text):
        body, title, published = html_to_article(text, where)
        header = split_header(body, where)
        return ArticleText(header.body, path, title or header.title, header.published or published, "html",
                           encoding, tuple(notes))
    header = split_header(text, where)
    if not header.body.strip():
        raise ArticleError(f"{where}: the article has a header but no text")
    title = header.title or next((line.strip() for line in header.body.splitlines() if line.strip()), None)
    return ArticleText(header.body, path, title, header.published, "text", encoding, tuple(notes))
