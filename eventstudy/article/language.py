"""Detect an article's language with lingua, among a small set of European languages.

The detector is built lazily on first use and cached (building it and loading its models is the
slow part). Only English and French have full extraction rules; the other languages are detected
so that the extraction can say its results may be incomplete instead of misreading the text.
"""

from __future__ import annotations

import functools

#: Languages the extractor has rules for (ISO 639-1).
SUPPORTED = ("en", "fr")
#: Languages the detector chooses among.
DETECTED = ("en", "fr", "de", "es", "it", "pt")
#: Characters of text the detector reads (the start of an article is enough and keeps it fast).
SAMPLE_CHARS = 4000


@functools.lru_cache(maxsize=1)
def _detector():
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    languages = [Language.from_iso_code_639_1(IsoCode639_1.from_str(code)) for code in DETECTED]
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


def detect_language(text: str, default: str = "en") -> tuple[str, float]:
    """The article's language as an ISO 639-1 code, and the detector's confidence (0..1).

    Returns ``(default, 0.0)`` when the text has too few letters to tell.
    """
    sample = text[:SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < 3:
        return default, 0.0
    values = _detector().compute_language_confidence_values(sample)
    if not values:
        return default, 0.0
    best = values[0]
    if best.value <= 0.0:
        return default, 0.0
    return best.language.iso_code_639_1.name.lower(), float(best.value)
