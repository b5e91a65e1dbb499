"""Where the project's data lives (snapshot, gazetteer, studies) and where downloads are cached.

The embedded data sits in the repository's top-level ``data/`` folder, next to the
``eventstudy`` package (the project is installed in editable mode). ``EVENTSTUDY_DATA``
overrides the location, e.g. for an installed wheel used with a copy of ``data/``.

The download cache follows the platform's conventions (``platformdirs.user_cache_dir``:
``~/.cache/eventstudy`` on Linux, ``~/Library/Caches/eventstudy`` on macOS,
``%LOCALAPPDATA%\\eventstudy\\Cache`` on Windows); ``EVENTSTUDY_CACHE`` or a study's
``[data] cache = "path"`` overrides it.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import DataError

#: Folder of the snapshot for each bar frequency, relative to the data folder.
SNAPSHOT_FOLDERS = {"1d": "prices", "4h": "prices_4h"}


def data_dir() -> Path:
    """Return the project's data folder (``$EVENTSTUDY_DATA`` or ``<repo>/data``)."""
    env = os.environ.get("EVENTSTUDY_DATA")
    if env:
        path = Path(env).expanduser()
        if not path.is_dir():
            raise DataError(f"EVENTSTUDY_DATA={env} is not a folder; point it at the project's data/ folder.")
        return path
    repo_data = Path(__file__).resolve().parent.parent / "data"
    if repo_data.is_dir():
        return repo_data
    raise DataError(
        "cannot find the project's data/ folder next to the eventstudy package; install the project "
        "with `pip install -e .` from its clone, or set EVENTSTUDY_DATA to the data/ folder."
    )


def snapshot_dir(frequency: str = "1d") -> Path:
    """Folder of the embedded price snapshot for a bar frequency ("1d" or "4h")."""
    try:
        folder = SNAPSHOT_FOLDERS[frequency]
    except KeyError:
        raise DataError(
            f"unknown bar frequency {frequency!r}; use one of {', '.join(SNAPSHOT_FOLDERS)}"
        ) from None
    return data_dir() / folder


def gazetteer_path() -> Path:
    """The project's gazetteer of securities and named entities."""
    return data_dir() / "gazetteer.toml"


def reference_dir() -> Path:
    """The securities universe and its curated layers (``data/reference``; see its PROVENANCE.md)."""
    return data_dir() / "reference"


def cache_dir(override: Path | str | None = None) -> Path:
    """Folder of the download cache: ``override``, else ``$EVENTSTUDY_CACHE``, else the platform's.

    The folder is not created here; the cache creates it when it first writes.
    """
    if override is not None:
        return Path(override).expanduser()
    env = os.environ.get("EVENTSTUDY_CACHE")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("eventstudy", appauthor=False))
