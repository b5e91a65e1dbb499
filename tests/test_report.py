"""The HTML report: self-contained, escaped, and loading cleanly in a real (headless) browser."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from eventstudy import load_study, run_study
from eventstudy.report import write_outputs
from tests.conftest import STARGATE, write

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory, stargate_results):
    out = tmp_path_factory.mktemp("report")
    write_outputs(stargate_results, out)
    return out


def test_report_is_self_contained(report_dir):
    html = (report_dir / "report.html").read_text()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "the report must not load anything from the network"
    assert html.count("data:image/png;base64,") >= 5
    for section in ("The event", "Securities, calendars and day 0", "Tests across securities", "Method",
                    "Data provenance and quality", "Dropped securities"):
        assert section in html, section
    assert "AI16Z" in html and "PIPPIN" in html  # dropped, with the reason


def test_article_text_is_escaped(tmp_path):
    article = write(tmp_path, "evil.txt",
                    'Le 21 janvier 2025, la société Oracle a annoncé avec les partenaires du projet une hausse de '
                    'ses investissements dans les centres de données <script>alert("x")</script> et dans '
                    'le cloud <img src=x onerror=alert(1)>. Les actions de la société ont progressé pour la journée.\n')
    study = write(tmp_path, "s.toml", f"""name = "evil"
article = "{article.name}"
[[group]]
securities = ["ORCL"]
benchmark = "SPY"
[data]
source = "pinned"
""")
    res = run_study(load_study(study))
    write_outputs(res, tmp_path / "out")
    html = (tmp_path / "out" / "report.html").read_text()
    assert "<script" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.browser
@pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                    reason="headless-browser check needs Debian's chromium and chromium-driver (apt-get install "
                           "chromium chromium-driver; .ci/run installs them)")
def test_report_loads_in_headless_chromium(report_dir, tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    opts = Options()
    opts.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,2000"):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    try:
        driver.get((report_dir / "report.html").resolve().as_uri())
        assert driver.title.startswith("Event study:")
        images = driver.execute_script(
            "return Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.naturalHeight, i.alt]);")
        assert len(images) >= 5
        for complete, width, height, alt in images:
            assert complete and width > 500 and height > 200, (alt, width, height)
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == [], errors
        driver.save_screenshot(str(Path(report_dir) / "screenshot.png"))
    finally:
        driver.quit()
