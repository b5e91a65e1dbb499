"""Articles: read a news text and extract the market events it describes.

``read_article(path)`` reads a text or HTML file (the I/O edge); ``extract_events(text, ...)`` returns
an :class:`Extraction`: events (main one first) with their date, timing and source sentence, the
entities named (gazetteer tickers, unmapped names, roles), the price moves claimed and the money
amounts. Modules: read, text, language, dates, timing, numbers, amounts, entities, roles, claims,
moves, events, model, extract.
"""

from .extract import extract_events
from .model import HORIZONS, Amount, Claim, EntityMention, ExtractedEvent, Extraction
from .read import ArticleText, read_article

__all__ = [
    "HORIZONS", "Amount", "ArticleText", "Claim", "EntityMention", "ExtractedEvent", "Extraction",
    "extract_events", "read_article",
]
