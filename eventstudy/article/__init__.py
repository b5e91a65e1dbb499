"""Articles: read a news text and extract the market events it describes."""

from .extract import Amount, Claim, EntityMention, Extraction, ExtractedEvent, extract_events
from .read import ArticleText, read_article

__all__ = [
    "Amount", "ArticleText", "Claim", "EntityMention", "ExtractedEvent", "Extraction",
    "extract_events", "read_article",
]
