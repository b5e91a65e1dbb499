"""The analyst's notebook: stored without outputs, parameterised, executed headless for two studies."""

from __future__ import annotations

import re
import shutil

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


@pytest.fixture(scope="module")
def stargate_notebook(tmp_path_factory):
    """The Stargate notebook executed once in a fresh kernel (no %matplotlib magic in it), exported."""
    import os

    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(ROOT)  # the kernel must import this checkout, not another install
    try:
        return run_notebook(STARGATE, tmp_path_factory.mktemp("nb"))
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH")
        else:
            os.environ["PYTHONPATH"] = old


@pytest.mark.slow
def test_notebook_tells_the_stargate_story(stargate_notebook):
    paths = stargate_notebook
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


# -- display in a fresh kernel, and the self-contained HTML export -----------------------------
@pytest.mark.slow
def test_figures_and_results_display_in_a_fresh_kernel(stargate_notebook):
    nb = nbformat.read(stargate_notebook["notebook"], as_version=4)
    assert not any("%matplotlib" in c.source for c in nb.cells if c.cell_type == "code")
    plot_cells = [c for c in nb.cells if c.cell_type == "code" and c.source.strip().startswith("results.plot(")]
    assert plot_cells
    for cell in plot_cells:
        assert any("image/png" in o.get("data", {}) for o in cell.outputs), cell.source
    lead = next(c for c in nb.cells if c.cell_type == "code" and c.source.strip().endswith("\nresults"))
    html = next(o["data"]["text/html"] for o in lead.outputs if "text/html" in o.get("data", {}))
    assert 'id="findings"' in html and "CAAR[0,0]" in html and "kp_bmp_t" in html
    # the findings come before the article section: the notebook leads with them
    order = [c.source for c in nb.cells]
    assert order.index(lead.source) < next(i for i, src in enumerate(order) if "## 1. The article" in src)


REMOTE = re.compile(r"""(?:<script[^>]+src=|<link[^>]+href=|url\(|@import\s+)["']?(?:https?:)?//""", re.I)


@pytest.mark.slow
def test_exported_notebook_html_is_self_contained_and_titled(stargate_notebook):
    body = stargate_notebook["html"].read_text(encoding="utf-8")
    assert "<title>Event study: Stargate AI-infrastructure announcement, 21 January 2025</title>" in body
    assert not REMOTE.search(body), REMOTE.search(body).group(0)
    assert "require.js" not in body and "mathjax" not in body.lower()
    assert body.count("data:image/png;base64,") >= 6
    assert str(ROOT) not in body  # no absolute path of the machine (parameters, provenance, drop reasons)


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(not (shutil.which("chromium") and shutil.which("chromedriver")),
                    reason="needs Debian's chromium and chromium-driver")
def test_exported_notebook_and_report_load_offline_in_headless_chromium(stargate_notebook, tmp_path):
    from tests.browser import load_page

    for path in (stargate_notebook["html"], stargate_notebook["report"]):
        seen = load_page(path, tmp_path / "profile", screenshot=path.with_suffix(".png"))
        assert seen.title.startswith("Event study: Stargate")
        assert seen.findings, f"{path.name}: no findings block"
        assert seen.errors == [], seen.errors
        assert seen.remote_requests == [], seen.remote_requests
        assert seen.remote_urls_in_dom == [], seen.remote_urls_in_dom
