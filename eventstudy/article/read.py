"""Read an article file (plain text or HTML) into clean text plus metadata."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import ArticleError

MAX_BYTES = 5_000_000


@dataclass(frozen=True)
class ArticleText:
    """An article's text and what its file says about it."""

    text: str
    path: Path | None = None
    title: str | None = None
    published: dt.date | None = None
    format: str = "text"


_PUBLISHED = re.compile(r"^\s*(?:published|publié(?:\s+le)?|date)\s*:\s*(\d{4}-\d{2}-\d{2})\s*$", re.I | re.M)


def read_article(path: Path | str) -> ArticleText:
    """Read a UTF-8 text file; a ``published: YYYY-MM-DD`` header line gives the publication date."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ArticleError(f"{path}: no such article file") from None
    except OSError as exc:
        raise ArticleError(f"{path}: cannot read ({exc.strerror})") from None
    if len(data) > MAX_BYTES:
        raise ArticleError(f"{path}: {len(data):,} bytes is too large for an article (limit {MAX_BYTES:,})")
    if b"\x00" in data[:4096]:
        raise ArticleError(f"{path}: looks like a binary file, not an article; give a text or HTML file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError(f"{path}: not UTF-8 text (byte {exc.start}); convert it to UTF-8") from None
    if not text.strip():
        raise ArticleError(f"{path}: the article is empty")
    published = None
    m = _PUBLISHED.search(text[:2000])
    if m:
        published = dt.date.fromisoformat(m.group(1))
    title = next((line.strip() for line in text.splitlines() if line.strip()), None)
    return ArticleText(text=text, path=path, title=title, published=published)
