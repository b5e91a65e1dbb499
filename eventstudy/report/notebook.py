"""Run the analyst's notebook on any study, headless, and export it to HTML.

The notebook (``notebooks/stargate.ipynb``) has a cell tagged ``parameters`` (papermill style).
:func:`run_notebook` injects the study file, output folder and price-source mode in a cell
tagged ``injected-parameters`` right after it, executes every cell with nbclient, and writes the
executed notebook and its HTML export into the output folder.

The HTML export (:func:`export_html`) is self-contained: nbconvert's lab template without the
scripts it would load from CDNs (``templates/notebook.html.j2``), the figures embedded, and the
study's title as the page title.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from ..errors import EventStudyError

PARAMETERS_TAG = "parameters"
TEMPLATES = Path(__file__).resolve().parent / "templates"


def default_notebook() -> Path:
    """The project's walkthrough notebook (``notebooks/stargate.ipynb``, shipped with the package)."""
    from ..paths import notebooks_dir

    return notebooks_dir() / "stargate.ipynb"


def inject_parameters(nb, params: dict) -> None:
    """Insert a cell assigning ``params`` after the cell tagged ``parameters``."""
    import nbformat

    idx = next((i for i, c in enumerate(nb.cells) if PARAMETERS_TAG in c.get("metadata", {}).get("tags", [])), None)
    if idx is None:
        raise EventStudyError("the notebook has no cell tagged 'parameters'; tag the cell that sets study_file")
    source = "# Injected parameters\n" + "".join(f"{k} = {v!r}\n" for k, v in params.items())
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})
    nb.cells.insert(idx + 1, cell)


def export_html(nb, title: str) -> str:
    """The executed notebook as one self-contained HTML page titled ``title`` (nothing loaded
    from the network: no require.js, MathJax, mermaid or widget scripts)."""
    from nbconvert import HTMLExporter

    nb = nb.copy()
    nb.metadata = {**nb.metadata, "title": title}
    exporter = HTMLExporter(template_name="lab", extra_template_paths=[str(TEMPLATES)],
                            template_file="notebook.html.j2")
    body, _ = exporter.from_notebook_node(nb)
    return body


def _study_title(study: Path) -> str:
    """The study's title (or name) for the page title; the file name if the file cannot be read."""
    try:
        from ..study.spec import load_study

        spec = load_study(study)
        return f"Event study: {spec.title or spec.name}"
    except Exception:  # noqa: BLE001 - the notebook ran; a title is not worth failing the export for
        return f"Event study: {study.stem}"


def _relative(path: Path, base: str) -> str:
    """``path`` relative to ``base`` with ``/`` separators (absolute when no relative path exists,
    e.g. another drive on Windows)."""
    try:
        return Path(os.path.relpath(path, base)).as_posix()
    except ValueError:
        return str(path)


def run_notebook(study: Path | str, out_dir: Path | str, *, notebook: Path | str | None = None,
                 source: str | None = "pinned", timeout: int = 600,
                 progress: Callable[[str], None] | None = None) -> dict[str, Path]:
    """Execute the notebook for ``study``; write ``<name>.ipynb`` and ``<name>.html`` into ``out_dir``.

    ``source`` is the price-source mode the notebook uses ("pinned", "offline", "auto"; None =
    as the study file says). Returns name -> path of the files written.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    say = progress or (lambda msg: None)
    study, out = Path(study).resolve(), Path(out_dir).resolve()
    template = Path(notebook) if notebook else default_notebook()
    if not template.is_file():
        raise EventStudyError(f"notebook {template} does not exist; give --notebook PATH")
    if not study.is_file():
        raise EventStudyError(f"{study}: no such study file")
    out.mkdir(parents=True, exist_ok=True)
    nb = nbformat.read(template, as_version=4)
    env_path = str(template.parent.resolve())
    # relative to the kernel's folder (the notebook's): the exported page names no absolute path of the machine
    inject_parameters(nb, {"study_file": _relative(study, env_path), "out_dir": _relative(out / "report", env_path),
                           "source": source})
    say(f"executing {template.name} for {study.name} ({sum(c.cell_type == 'code' for c in nb.cells)} code cells)")
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": env_path}}).execute()
    except CellExecutionError as exc:
        first = str(exc).strip().splitlines()
        raise EventStudyError(f"the notebook failed in a cell: {first[-1] if first else exc}") from None
    stem = study.stem
    ipynb, html = out / f"{stem}.ipynb", out / f"{stem}.html"
    nbformat.write(nb, ipynb)
    say("exporting to HTML")
    html.write_text(export_html(nb, _study_title(study)), encoding="utf-8")
    os.utime(html)
    return {"notebook": ipynb, "html": html, "report": out / "report" / "report.html"}
