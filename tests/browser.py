"""Load a local HTML page in headless Chromium and report what it did (for the offline-page tests).

Requests come from Chrome's DevTools performance log (``Network.requestWillBeSent``): every URL the
page asked for. A request to a network scheme (http, https, ws, wss, ftp) leaves the machine; the
browser's own pages (``chrome-untrusted:`` new-tab page and the like) are not the page's requests. The DOM is also searched for remote URLs in ``src``/``href`` attributes and in styles.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

NETWORK_SCHEMES = ("http:", "https:", "ws:", "wss:", "ftp:", "//")


@dataclass
class PageVisit:
    title: str
    findings: bool
    errors: list[dict]
    remote_requests: list[str]
    remote_urls_in_dom: list[str]
    images: list[list]


DOM_REMOTE = """
const out = [];
for (const el of document.querySelectorAll('[src],[href]')) {
  for (const a of ['src', 'href']) {
    const v = el.getAttribute(a);
    if (v && /^(https?:)?\\/\\//i.test(v)) out.push(el.tagName + ' ' + a + '=' + v);
  }
}
for (const s of document.styleSheets) {
  let rules = [];
  try { rules = Array.from(s.cssRules); } catch (e) { out.push('unreadable stylesheet ' + s.href); }
  for (const r of rules) {
    const t = r.cssText || '';
    const m = t.match(/url\\(["']?(https?:)?\\/\\/[^)]*\\)|@import[^;]*(https?:)?\\/\\//i);
    if (m) out.push('css ' + m[0]);
  }
}
return out;
"""


def load_page(path: Path, profile: Path, screenshot: Path | None = None, size: str = "1280,2000") -> PageVisit:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    opts = Options()
    opts.binary_location = shutil.which("chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={profile}", f"--window-size={size}"):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=opts)
    try:
        driver.get(Path(path).resolve().as_uri())
        driver.execute_script("return document.readyState")
        title = driver.title
        findings = bool(driver.execute_script("return !!document.getElementById('findings')"))
        images = driver.execute_script(
            "return Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.naturalHeight, i.alt]);")
        dom = driver.execute_script(DOM_REMOTE)
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        requests = []
        for entry in driver.get_log("performance"):
            msg = json.loads(entry["message"])["message"]
            if msg.get("method") == "Network.requestWillBeSent":
                url = msg["params"]["request"]["url"]
                if url.lower().startswith(NETWORK_SCHEMES):
                    requests.append(url)
        if screenshot is not None:
            driver.save_screenshot(str(screenshot))
        return PageVisit(title, findings, errors, requests, dom, images)
    finally:
        driver.quit()
