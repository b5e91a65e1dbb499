"""The analyst's notebook: stored without outputs, parameterised, executed headless for two studies."""

from __future__ import annotations

import re
import shutil

import nbformat
import pytest

from eventstudy.cli import main
from eventstudy.report.notebook import export_html, inject_parameters, run_notebook
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


# -- display in a fresh kernel, and the self-contained HTML export -----------------------------
SMALL = [
    "import eventstudy as es\n"
    f"res = es.run_study(es.load_study({str(STARGATE)!r}).with_data(source='pinned'))",
    "res.plot('caar')",
    "res",
]


@pytest.fixture(scope="module")
def executed_small(tmp_path_factory):
    """A three-cell notebook executed in a fresh kernel (no %matplotlib magic anywhere)."""
    import os

    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in SMALL]
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(ROOT)  # the kernel imports this checkout
    try:
        NotebookClient(nb, timeout=300, kernel_name="python3").execute()
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH")
        else:
            os.environ["PYTHONPATH"] = old
    return nb


@pytest.mark.slow
def test_figures_and_results_display_in_a_fresh_kernel(executed_small):
    plot_out = executed_small.cells[1].outputs
    assert any("image/png" in o.get("data", {}) for o in plot_out), plot_out
    res_out = executed_small.cells[2].outputs
    html = next(o["data"]["text/html"] for o in res_out if "text/html" in o.get("data", {}))
    assert 'id="findings"' in html and "CAAR[0,0]" in html and "kp_bmp_t" in html


REMOTE = re.compile(r"""(?:<script[^>]+src=|<link[^>]+href=|url\(|@import\s+)["']?(?:https?:)?//""", re.I)


@pytest.mark.slow
def test_exported_notebook_html_is_self_contained_and_titled(executed_small, tmp_path):
    body = export_html(executed_small, "Event study: Stargate")
    assert "<title>Event study: Stargate</title>" in body
    assert not REMOTE.search(body), REMOTE.search(body).group(0)
    assert "require.js" not in body and "mathjax" not in body.lower()
    assert body.count("data:image/png;base64,") >= 1


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(not (shutil.which("chromium") and shutil.which("chromedriver")),
                    reason="needs Debian's chromium and chromium-driver")
def test_exported_notebook_and_report_load_offline_in_headless_chromium(executed_small, stargate_results, tmp_path):
    from eventstudy.report import write_outputs
    from tests.browser import load_page

    page = tmp_path / "nb.html"
    page.write_text(export_html(executed_small, "Event study: Stargate"), encoding="utf-8")
    write_outputs(stargate_results, tmp_path / "report")
    for path, title in ((page, "Event study: Stargate"), (tmp_path / "report" / "report.html", "Event study:")):
        seen = load_page(path, tmp_path / "profile", screenshot=path.with_suffix(".png"))
        assert seen.title.startswith(title)
        assert seen.findings, f"{path.name}: no findings block"
        assert seen.errors == [], seen.errors
        assert seen.remote_requests == [], seen.remote_requests
        assert seen.remote_urls_in_dom == [], seen.remote_urls_in_dom
