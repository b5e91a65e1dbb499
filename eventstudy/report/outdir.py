"""A run's output folder: checked before the study runs, written whole, published in one step.

The rules (the messages say which one applies and what to do):

* The folder may not be, lie inside or contain the data folder, a snapshot, the download cache
  or the study's prices folder (:func:`eventstudy.safety.output_target_problem`).
* It must be new, empty, or a folder eventstudy wrote before: such a folder holds a marker file
  (:data:`MARKER`) listing what was written. A folder with anything else in it (a user's
  ``securities.csv``, notes, a ``report.html`` that is a folder) is refused, never overwritten.
* Everything is written into a staging folder beside the target (``.<name>.staging-XXXX``) and
  published at the end: a new folder is renamed into place; a folder written before is moved
  aside, the new one renamed into place, and the old one deleted. A run that fails half-way
  (a full disk, a read-only folder, an interrupt) deletes its staging folder and leaves the
  target as it was; a reused folder never keeps another study's figures. (Publishing a reused
  folder is two renames: a crash between them leaves the previous report in
  ``.<name>.previous-XXXX`` beside the target.)
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import shutil
import stat
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import OutputError, os_reason
from ..safety import first_of, output_target_problem, protected_folders

if TYPE_CHECKING:  # pragma: no cover
    from ..study.spec import StudySpec

#: The file that marks a folder as written by eventstudy (JSON: tool, version, study, files).
MARKER = ".eventstudy-output.json"
_ROOMY = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
_LOCKED = (errno.EROFS, errno.EACCES, errno.EPERM)


def _hint(exc: OSError) -> str:
    if exc.errno in _ROOMY:
        return "free some space, or choose another folder with --out"
    if exc.errno in _LOCKED:
        return "choose a folder you can write, with --out DIR"
    return "choose another folder with --out"


def _read_marker(folder: Path) -> dict | None:
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict) or data.get("written_by") != "eventstudy" or not isinstance(data.get("files"), list):
        return None
    return data


def target_problem(out: Path | str, spec: "StudySpec | None" = None) -> str | None:
    """Why ``out`` cannot receive a run's files (None when it can). Writes nothing."""
    out = Path(out)
    problem = output_target_problem(out, protected_folders(spec))
    if problem:
        return problem
    # every existing part of the path must be a folder (/dev/null/x, report.csv/x)
    for part in [out, *out.parents]:
        try:
            mode = os.lstat(part).st_mode
        except (FileNotFoundError, NotADirectoryError):
            continue  # does not exist (yet): look at its parent
        except OSError as exc:
            return f"{part}: {os_reason(exc)}"
        if stat.S_ISLNK(mode):
            try:
                mode = os.stat(part).st_mode
            except OSError:
                return f"{part} is a broken symbolic link"
            if part == out:
                return f"{out} is a symbolic link; give the folder it points to ({out.resolve()}) instead"
        if not stat.S_ISDIR(mode):
            kind = "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a file"
            return (f"{part} is {kind}, not a folder" + ("" if part == out else f", so {out} cannot be created")
                    + "; choose another output folder with --out")
        if part != out:
            break  # the nearest existing parent is a folder: the rest above it is too
    if not out.exists():
        return None
    try:
        entries = sorted(os.listdir(out))
    except OSError as exc:
        return f"cannot look into {out} ({os_reason(exc)}); {_hint(exc)}"
    if not entries:
        return None
    marker = _read_marker(out)
    if marker is None:
        return (f"{out} already holds files that eventstudy did not write ({first_of(entries)}); eventstudy writes "
                "only into a new or empty folder, or one it wrote before, so that it never overwrites your files. "
                "Choose another folder with --out (if it is a report of an older eventstudy version, delete it)")
    ours = set(marker["files"]) | {MARKER}
    extra = [e for e in entries if e not in ours]
    if extra:
        return (f"{out} was written by eventstudy but now also holds {first_of(extra)}, which eventstudy did not "
                "write; the folder is replaced as a whole, so move those files away or choose another folder")
    folders = [e for e in entries if e != MARKER and (out / e).is_dir() and not (out / e).is_symlink()]
    if folders:
        return (f"{out / folders[0]} is a folder, where eventstudy wrote a file; move it away (the folder is "
                "replaced as a whole) or choose another folder with --out")
    return None


def check_target(out: Path | str, spec: "StudySpec | None" = None, *, probe: bool = True) -> Path:
    """Refuse an output folder that cannot be written, before any work is done.

    With ``probe`` a staging folder is created and removed beside the target, so a read-only or
    missing parent is found now rather than after the study has run. Returns ``out``.
    """
    problem = target_problem(out, spec)
    if problem:
        raise OutputError(problem)
    if probe:  # in the nearest folder that exists (nothing is created before the run succeeds)
        out = Path(out)
        where = next(p for p in out.absolute().parents if p.is_dir())
        try:
            Path(tempfile.mkdtemp(prefix=f".{out.name}.probe-", dir=where)).rmdir()
        except OSError as exc:
            raise OutputError(f"cannot write the output folder {out} ({where}: {os_reason(exc)}); "
                              f"eventstudy writes a new folder beside it and swaps it in; {_hint(exc)}") from None
    return Path(out)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _swap_in(stage: Path, target: Path, spec: "StudySpec | None") -> None:
    """Put the staging folder in the target's place (see the module docstring)."""
    if not os.path.lexists(target):
        try:
            os.rename(stage, target)
            return
        except OSError as exc:
            if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                raise
    check_target(target, spec, probe=False)  # still empty or ours (another run may have published)
    aside = target.parent / f".{target.name}.previous-{uuid.uuid4().hex[:8]}"
    os.rename(target, aside)
    try:
        os.rename(stage, target)
    except BaseException:
        os.rename(aside, target)
        raise
    shutil.rmtree(aside, ignore_errors=True)


def publish_folder(out: Path | str, write: Callable[[Path], dict[str, Path]], *,
                   spec: "StudySpec | None" = None) -> dict[str, Path]:
    """Run ``write(staging_folder)`` and publish what it wrote as the folder ``out``.

    ``write`` returns name -> path of the files it wrote (inside the staging folder); the result
    maps the same names to their published paths. Any failure leaves ``out`` as it was and
    raises :class:`OutputError` for operating-system problems (a full disk, a read-only folder).
    """
    from .. import __version__

    target = check_target(out, spec, probe=False)
    parent = target.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-", dir=parent))
    except OSError as exc:
        raise OutputError(f"cannot write the output folder {target} ({parent}: {os_reason(exc)}); "
                          f"{_hint(exc)}") from None
    try:
        os.chmod(stage, 0o777 & ~_umask())  # mkdtemp makes 0700; a report folder gets the usual mode
        written = write(stage)
        files = sorted(os.listdir(stage))
        marker = {"written_by": "eventstudy", "version": __version__,
                  "study": getattr(spec, "name", None),
                  "written_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
                  "files": files}
        (stage / MARKER).write_text(json.dumps(marker, indent=1) + "\n", encoding="utf-8")
        _swap_in(stage, target, spec)
    except OSError as exc:
        name = str(exc.filename or "").replace(str(stage), str(target))
        raise OutputError(f"cannot write the report into {target}: {os_reason(exc)}"
                          f"{f' ({name})' if name else ''}; nothing was published (the folder is as it was before "
                          f"the run); {_hint(exc)}") from None
    finally:
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)
    return {key: target / Path(path).relative_to(stage) for key, path in written.items()}
