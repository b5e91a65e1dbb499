"""One exception family for everything a user can act on.

Every message says what was wrong, where (file, line, key, ticker, date) and what to do.
The command line prints the message without a traceback and exits non-zero.
"""

from __future__ import annotations


class EventStudyError(Exception):
    """Base class of every error this package raises on purpose."""


class StudyFileError(EventStudyError):
    """The study file (TOML) is malformed or asks for something impossible."""


class DataError(EventStudyError):
    """Price data is missing, unreadable or inconsistent."""


class WindowError(EventStudyError):
    """A window does not fit the data or is malformed."""


class ArticleError(EventStudyError):
    """An article cannot be read or yields no usable event."""


class NotInSourceError(DataError):
    """A price source does not hold a symbol: the next source in the chain is tried, silently."""


class CacheCorruptError(DataError):
    """A cache file is truncated, unreadable or does not match its recorded checksum."""


class NetworkError(DataError):
    """A download failed (no connection, rate limit, timeout)."""
