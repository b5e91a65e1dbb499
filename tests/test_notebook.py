"""The analyst's notebook: stored without outputs, parameterised, executed headless for two studies."""

from __future__ import annotations

import nbformat
import pytest

from eventstudy.cli import main
from eventstudy.report.notebook import inject_parameters, run_notebook
from tests.conftest import ROOT, STARGATE, write

NOTEBOOK = ROOT / "notebooks" / "stargate.ipynb"


def _outputs(nb) -> tuple[str, int]:
    text = "".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
                   for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    images = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    return text, images


def test_notebook_is_stored_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None
    assert sum("parameters" in c.metadata.get("tags", []) for c in nb.cells) == 1


def test_parameters_are_injected_after_the_parameters_cell():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    inject_parameters(nb, {"study_file": "x.toml", "source": None})
    i = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    assert nb.cells[i + 1].source.endswith("study_file = 'x.toml'\nsource = None\n")


@pytest.mark.slow
def test_notebook_tells_the_stargate_story(tmp_path, monkeypatch):
    # The kernel must import this checkout's package, not another installed one.
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    paths = run_notebook(STARGATE, tmp_path / "nb")
    assert paths["report"].is_file() and paths["html"].stat().st_size > 100_000
    nb = nbformat.read(paths["notebook"], as_version=4)
    text, images = _outputs(nb)
    assert images >= 6  # prices, ar, car, caar, tests, claims
    for needle in ("Stargate", "ORCL", "AI agent tokens", "consistent", "cannot be checked", "share day 0"):
        assert needle in text, needle


@pytest.mark.slow
def test_same_notebook_runs_another_study(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    study = write(tmp_path, "deepseek.toml", """name = "deepseek"
[event]
date = "2025-01-27"
[[group]]
name = "chips"
securities = ["NVDA", "ARM", "SMH"]
benchmark = "SPY"
[windows]
estimation = [-120, -11]
event = [-3, 3]
car = [[0, 0], [0, 1]]
""")
    assert main(["notebook", str(study), "--out", str(tmp_path / "out")]) == 0
    nb = nbformat.read(tmp_path / "out" / "deepseek.ipynb", as_version=4)
    text, images = _outputs(nb)
    assert "This study has no article" in text and "NVDA" in text and images >= 5
    assert (tmp_path / "out" / "deepseek.html").is_file()
