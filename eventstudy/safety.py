"""One set of rules for where eventstudy reads and writes, and for what it writes into CSVs.

Every file name the package derives from outside input goes through this module:

* **Symbols to file names** (:func:`symbol_file_name`, :func:`symbol_path`). The snapshot
  (``ORCL.csv``), the download cache (``ORCL.parquet``) and a folder of user prices map a ticker
  to one file name inside their folder. Every character outside ``A-Z a-z 0-9 . _ -`` is written
  as ``%XX`` (its UTF-8 bytes), and so is a leading dot, so a ticker can never name a folder
  (``/``, ``\\``), a parent (``..``) or a hidden file: ``"../../tmp/x/ORCL"`` becomes
  ``%2E.%2F%2E.%2Ftmp%2Fx%2FORCL.csv``, a file inside the folder (which does not exist), never a
  file outside it. :func:`symbol_path` also checks the joined path stays inside its folder.
  Ordinary tickers keep their names (``9984.T.csv``, ``BTC.csv``); ``^GSPC`` -> ``%5EGSPC``.
* **Study names to output folders** (:func:`study_name_problem`, :func:`default_output_dir`). A
  study's ``name`` becomes one folder under ``reports/``; a name with a path separator, a leading
  dot, a drive colon or a control character is refused, so no name writes outside ``reports/``.
* **Output folders** (:func:`protected_folders`, :func:`output_target_problem`). An output folder
  may not be, lie inside, or contain the data folder, a snapshot, the download cache or the
  user's prices: a run never writes where its inputs live.
* **Input files** (:func:`file_problem`). Data and article files are checked with ``stat``
  before they are opened: a folder, a FIFO (which would block), a device (``/dev/zero``, which
  never ends) or a socket is refused with what it is.
* **CSV cells** (:func:`spreadsheet_safe`, :func:`csv_text`). A text cell that a spreadsheet would
  evaluate as a formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is
  prefixed with ``'`` (the OWASP "CSV injection" rule). Numbers, and text cells that are plain
  numbers such as ``-0.5``, are never changed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .study.spec import StudySpec

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


# --- symbols to file names ------------------------------------------------------------------------

def symbol_file_name(symbol: str, suffix: str) -> str:
    """The file name that holds ``symbol`` (``suffix`` such as ``".csv"``); see the module docstring.

    Raises :class:`ValueError` for an empty symbol (callers name the source in their message).
    """
    if not isinstance(symbol, str) or not symbol:
        raise ValueError("a symbol must be a non-empty string")
    encoded = _UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode("utf-8")), symbol)
    if encoded.startswith("."):
        encoded = "%2E" + encoded[1:]
    return encoded + suffix


def symbol_from_file_name(name: str, suffix: str) -> str:
    """The symbol a file name holds (inverse of :func:`symbol_file_name`)."""
    stem = name[: -len(suffix)] if suffix and name.endswith(suffix) else name
    return unquote(stem)


def symbol_path(root: Path, symbol: str, suffix: str) -> Path:
    """``root / symbol_file_name(symbol, suffix)``, guaranteed to be a direct child of ``root``."""
    path = Path(root) / symbol_file_name(symbol, suffix)
    if path.parent != Path(root) or os.sep in path.name or (os.altsep and os.altsep in path.name):
        raise ValueError(f"symbol {symbol!r} does not map to a file inside {root}")  # pragma: no cover
    return path


# --- study names and output folders ---------------------------------------------------------------

#: Folder that holds the default output folders (``reports/<study name>/``), relative to the
#: current directory.
REPORTS = Path("reports")


def study_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a folder name under ``reports/`` (None when it can)."""
    if not name or not name.strip():
        return "it is empty"
    bad = sorted({c for c in name if c in "/\\:" or ord(c) < 32 or ord(c) == 127})
    if bad:
        shown = ", ".join(repr(c) for c in bad)
        return f"it holds {shown}: a study name is one folder name, not a path"
    if name.startswith("."):
        return "it starts with a dot (a hidden folder, or a way up out of reports/)"
    return None


def default_output_dir(name: str) -> Path:
    """``reports/<name>``: the folder a run writes to when no ``--out`` is given.

    Raises :class:`~eventstudy.errors.OutputError` when the name cannot be a folder name.
    """
    from .errors import OutputError

    problem = study_name_problem(name)
    if problem:
        raise OutputError(f"the study name {name!r} cannot be used as the output folder reports/<name>: {problem}. "
                          "Give the study a plain `name = \"...\"` (letters, digits, spaces, '-', '_', '.'; the "
                          "`title` can be anything), or choose the folder with --out")
    return REPORTS / name


def protected_folders(spec: "StudySpec | None" = None) -> dict[Path, str]:
    """Folders a run must never write into (resolved path -> what it is, for messages)."""
    from . import paths

    found: dict[Path, str] = {}

    def add(path: Path | None, what: str) -> None:
        if path is not None:
            found.setdefault(Path(path).expanduser().resolve(), what)

    datas = []
    for where in ("data_dir", "shipped_data_dir"):  # $EVENTSTUDY_DATA, and the data shipped with the package
        try:
            datas.append(getattr(paths, where)())
        except Exception:  # noqa: BLE001  (no such folder: nothing of it to protect)
            continue
    for data in datas:
        for folder in paths.SNAPSHOT_FOLDERS.values():
            add(data / folder, "the embedded price snapshot")
    for data in datas:
        add(data, "the project's data folder")
    cache_dir = paths.cache_dir
    add(cache_dir(spec.data.cache if spec is not None else None), "the download cache")
    if spec is not None:
        add(spec.data.snapshot, "the study's snapshot ([data] snapshot)")
        prices = spec.data.prices
        if prices is not None:
            add(prices if Path(prices).is_dir() else None, "the study's prices folder ([data] prices)")
        if spec.data.cache is not None:
            add(spec.data.cache, "the study's download cache ([data] cache)")
    return found


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def output_target_problem(out: Path | str, protected: dict[Path, str]) -> str | None:
    """Why ``out`` cannot be an output folder given the ``protected`` folders (None when it can)."""
    target = Path(out).expanduser().resolve()
    for folder, what in protected.items():
        if target == folder:
            return f"{out} is {what} ({folder}); a run never writes where its prices live"
    for folder, what in protected.items():
        if _inside(target, folder):
            return f"{out} lies inside {what} ({folder}); a run never writes where its prices live"
    for folder, what in protected.items():
        if _inside(folder, target):
            return (f"{out} contains {what} ({folder}); the output folder is replaced as a whole, so it may "
                    "not hold the data")
    cwd = Path.cwd().resolve()
    if _inside(cwd, target):
        return (f"{out} is the current folder or one of its parents; the output folder is replaced as a whole, "
                "so give a folder of its own, e.g. --out reports/my-study")
    return None


# --- input files ----------------------------------------------------------------------------------

def file_problem(path: Path | str) -> str | None:
    """Why ``path`` cannot be read as a data file (None when it is a regular file).

    Checked with ``stat`` before opening, so a FIFO never blocks and a device is never read.
    """
    import stat

    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "no such file"
    except NotADirectoryError:
        return "no such file (a part of the path is a file, not a folder)"
    except OSError as exc:
        from .errors import os_reason

        return f"cannot be read ({os_reason(exc)})"
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "is a FIFO (named pipe), not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a regular file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a regular file"
    if not stat.S_ISREG(mode):
        return "is not a regular file"
    return None


# --- CSV cells ------------------------------------------------------------------------------------

#: First characters that make a spreadsheet evaluate a cell (OWASP, "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?$")


def _neutral(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def spreadsheet_safe(frame: "pd.DataFrame") -> "pd.DataFrame":
    """A copy of ``frame`` whose text cells cannot run as spreadsheet formulas (see module doc).

    Only columns holding text (object or string dtype) are looked at, and in them only ``str``
    cells; numeric columns and numbers stored in object columns are left exactly as they are.
    """
    import pandas as pd

    text_cols = [c for c in frame.columns
                 if pd.api.types.is_object_dtype(frame[c]) or pd.api.types.is_string_dtype(frame[c])]
    if not text_cols:
        return frame
    out = frame.copy()
    for col in text_cols:  # one vectorised pass per text column
        values = out[col]
        as_text = values.astype("string")
        risky = as_text.str.startswith(FORMULA_STARTS).fillna(False).to_numpy(dtype=bool)
        if risky.any():
            risky &= values.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
            risky &= ~as_text.str.fullmatch(_PLAIN_NUMBER).fillna(False).to_numpy(dtype=bool)
        if risky.any():
            cells = values.astype(object).to_numpy(copy=True)
            cells[risky] = ["'" + v for v in cells[risky]]
            out[col] = pd.Series(cells, index=out.index, dtype=object)
    return out


def csv_text(frame: "pd.DataFrame", *, index: bool = False, **kwargs: Any) -> str:
    """``frame`` as CSV text with formula-like text cells neutralised: the one writer of every
    table the package writes (``\\n`` line ends, dates as YYYY-MM-DD unless told otherwise)."""
    kwargs.setdefault("lineterminator", "\n")
    kwargs.setdefault("date_format", "%Y-%m-%d")
    return spreadsheet_safe(frame).to_csv(index=index, **kwargs)


def first_of(items: Iterable[str], limit: int = 5) -> str:
    """Up to ``limit`` names, comma-separated, with the count when there are more (for messages)."""
    items = list(items)
    shown = ", ".join(items[:limit])
    return shown + (f", ... ({len(items)} in all)" if len(items) > limit else "")
