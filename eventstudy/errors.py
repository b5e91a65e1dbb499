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


class SourceError(DataError):
    """A price source as a whole cannot be used (an unreadable user price file, a snapshot without
    its manifest): reported once for the study, not once per security."""


class OutputError(EventStudyError):
    """The output folder cannot be written (where it is, what it holds, or the disk refuses)."""


def os_reason(exc: OSError) -> str:
    """An operating-system error in plain words, with what usually fixes it (for messages)."""
    import errno

    code = getattr(exc, "errno", None)
    words = {
        errno.ENOSPC: "no space left on the device",
        errno.EDQUOT: "the disk quota is exhausted",
        errno.EFBIG: "a file would exceed the allowed file size (disk full or `ulimit -f`)",
        errno.EROFS: "the file system is read-only",
        errno.EACCES: "permission denied",
        errno.EPERM: "the operation is not permitted (permissions, or an immutable file)",
        errno.ENOTDIR: "a part of the path is a file, not a folder",
        errno.EISDIR: "it is a folder, not a file",
        errno.ENOENT: "it does not exist",
        errno.EEXIST: "it already exists",
        errno.ENOTEMPTY: "the folder is not empty",
        errno.ENAMETOOLONG: "the path is too long",
        errno.ELOOP: "the path loops through symbolic links",
    }
    return words.get(code, exc.strerror or type(exc).__name__)
