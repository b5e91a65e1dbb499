"""Where the project's data lives (snapshot, gazetteer, studies, seeds, notebook) and where downloads are cached.

The embedded data is part of the package: the repository's top-level ``data/``, ``seeds/`` and
``notebooks/`` folders are mapped into it at build time as ``eventstudy._embedded.data``,
``eventstudy._embedded.seeds`` and ``eventstudy._embedded.notebooks`` (``setup.py``) and read
through :mod:`importlib.resources`. In an installed wheel they sit inside the package folder
(read-only: an upgrade replaces them); in an editable install (``pip install -e .``) the import
system resolves them to the clone's own folders, so there is one copy of every file.
``EVENTSTUDY_DATA`` overrides the data folder (a folder laid out like ``data/``).

The download cache follows the platform's conventions (``platformdirs.user_cache_dir``:
``~/.cache/eventstudy`` on Linux, ``~/Library/Caches/eventstudy`` on macOS,
``%LOCALAPPDATA%\\eventstudy\\Cache`` on Windows); ``EVENTSTUDY_CACHE`` or a study's
``[data] cache = "path"`` overrides it.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

from .errors import DataError

#: Folder of the snapshot for each bar frequency, relative to the data folder.
SNAPSHOT_FOLDERS = {"1d": "prices", "4h": "prices_4h"}


def _embedded(folder: str) -> Path:
    """The shipped folder ``folder`` ("data", "seeds" or "notebooks") on the file system."""
    try:
        root = files(f"eventstudy._embedded.{folder}")
    except ModuleNotFoundError:
        # A source tree imported without being installed (PYTHONPATH=clone): the folder beside the package.
        tree = Path(__file__).resolve().parent.parent
        if (tree / "pyproject.toml").is_file() and (tree / folder).is_dir():
            return tree / folder
        raise DataError(
            f"the eventstudy package has no embedded {folder}/ folder; reinstall it (`pip install "
            "eventstudy-toolkit`, or `pip install -e .` in a clone), or set EVENTSTUDY_DATA to a data/ folder."
        ) from None
    if not isinstance(root, Path):
        raise DataError(f"the eventstudy package is installed in a zip archive ({root}); install it unpacked "
                        "(pip does), or set EVENTSTUDY_DATA to a copy of its data/ folder.")
    return root


def shipped_data_dir() -> Path:
    """The data folder shipped with the package (the clone's ``data/`` in an editable install)."""
    return _embedded("data")


def data_dir() -> Path:
    """Return the data folder: ``$EVENTSTUDY_DATA`` if set, else the one shipped with the package."""
    env = os.environ.get("EVENTSTUDY_DATA")
    if env:
        path = Path(env).expanduser()
        if not path.is_dir():
            raise DataError(f"EVENTSTUDY_DATA={env} is not a folder; point it at a folder laid out like the "
                            "project's data/ (prices/, gazetteer.toml, ...), or unset it.")
        return path
    return shipped_data_dir()


def seeds_dir() -> Path:
    """The shipped seed articles (the repository's ``seeds/``)."""
    return _embedded("seeds")


def notebooks_dir() -> Path:
    """The shipped notebooks (the repository's ``notebooks/``)."""
    return _embedded("notebooks")


def examples() -> dict[str, Path]:
    """The shipped example studies, name (file stem) -> study file (``studies/*.toml`` of the shipped data)."""
    return {p.stem: p for p in sorted((shipped_data_dir() / "studies").glob("*.toml"))}


def example_study(name: str) -> Path:
    """The study file of the shipped example ``name`` (e.g. "stargate")."""
    found = examples()
    if name not in found:
        import difflib

        close = difflib.get_close_matches(name, found, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise DataError(f"no example study named {name!r}; {hint}the examples are: {', '.join(found) or 'none'} "
                        "(`eventstudy run --list-examples`)")
    return found[name]


def is_read_only_data(path: Path | str) -> bool:
    """Whether ``path`` lies in the data installed inside the package (a wheel), not in a clone or user folder.

    Such files belong to the installation (an upgrade replaces them, the folder may not be
    writable): commands that write data must be pointed at a folder of the user's.
    """
    package = Path(__file__).resolve().parent
    try:
        Path(path).resolve().relative_to(package)
    except ValueError:
        return False
    return True


def writable_snapshot_dir(frequency: str = "1d", override: Path | str | None = None) -> Path:
    """The snapshot folder a command may write into: ``override`` or the default, never the installed one.

    Raises
    ------
    DataError
        When the folder is the snapshot shipped inside an installed package.
    """
    root = Path(override).expanduser() if override is not None else snapshot_dir(frequency)
    if is_read_only_data(root):
        raise DataError(
            f"the snapshot {root} is part of the installed eventstudy package (read-only data, replaced on "
            "upgrade); write into a folder of yours with --snapshot DIR and use it with `[data] snapshot = "
            "\"DIR\"` in a study file (or set EVENTSTUDY_DATA to a copy of the data folder)"
        )
    return root


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
    """The securities universe and its curated layers (``data/reference``; see its PROVENANCE.md).

    A data folder given with ``EVENTSTUDY_DATA`` that has no ``reference/`` uses the one shipped
    with the package (the universe is reference data, not the user's)."""
    folder = data_dir() / "reference"
    if not folder.is_dir() and os.environ.get("EVENTSTUDY_DATA"):
        return shipped_data_dir() / "reference"
    return folder


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
