"""Fixtures for the HTML page: hand-built graphs (with a hostile document) and headless Chromium.

``browser`` starts one Debian Chromium per test session through Selenium. Without
/usr/bin/chromium the browser tests are skipped on a developer machine but FAIL when ``CI`` is
set: the CI script installs Chromium, so a missing browser there is a broken setup, not a pass.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from kg.graph.network import build_graph
from kg.models import Entity, Extraction, Relation

CHROMIUM = Path(os.environ.get("KG_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("KG_CHROMEDRIVER", "/usr/bin/chromedriver"))
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"]
VIEWPORT = (1400, 860)

HOSTILE_IMG = "<img src=x onerror=alert(1)>"
HOSTILE_SCRIPT = "<script>alert(1)</script>"

# Runs before any page script: records dialogs and CSP violations instead of showing them.
# A CSP violation means markup from a document was parsed as HTML, i.e. an escaping bug.
_RECORDER = """
window.__kgDialogs = [];
window.__kgViolations = [];
for (const name of ["alert", "confirm", "prompt"]) {
  window[name] = (msg) => { window.__kgDialogs.push(name + ":" + String(msg)); };
}
document.addEventListener("securitypolicyviolation",
  (e) => window.__kgViolations.push(e.violatedDirective + " " + e.blockedURI));
"""


def _sentence(text: str, doc: str, offset: int, head: str, tail: str) -> dict[str, Any]:
    """A relation's evidence fields, with where the sentence names each end (when it does)."""
    out: dict[str, Any] = {"evidence": text, "doc_id": doc, "start": offset, "end": offset + len(text)}
    for role, name in (("head", head), ("tail", tail)):
        if (at := text.find(name)) >= 0:
            out |= {f"{role}_start": offset + at, f"{role}_end": offset + at + len(name)}
    return out


def make_sample_graph() -> nx.MultiDiGraph:
    """A small iFlytek-centred graph in both scripts plus English, and one hostile document."""
    ents = [
        Entity(name="科大讯飞", type="Company", aliases=["科大訊飛", "讯飞", "iFlytek"], english="iFlytek",
               mentions=5),
        Entity(name="刘庆峰", type="Person", aliases=["劉慶峰"], mentions=2),
        Entity(name="合肥", type="Place", mentions=1),
        Entity(name="讯飞星火", type="AIModel", aliases=["星火大模型", "Spark"], mentions=3),
        Entity(name="华为", type="Company", aliases=["華為", "Huawei"], english="Huawei", mentions=2),
        Entity(name="昇腾910B", type="Chip", aliases=["Ascend 910B"], mentions=1),
        Entity(name="深圳证券交易所", type="Organization", aliases=["深交所"], mentions=1),
        Entity(name="世界人工智能大会", type="Event", aliases=["WAIC"], mentions=1),
        Entity(name="讯飞听见", type="Product", mentions=1),
        Entity(name="GPT-4", type="AIModel", mentions=1),
        Entity(name="阿里巴巴", type="Company", aliases=["Alibaba"], mentions=1),  # no relations
    ]
    rels = [
        ("刘庆峰", "CHAIRMAN_OF", "科大讯飞", "科大讯飞董事长刘庆峰表示，公司将继续加大研发投入。", 0.9),
        ("刘庆峰", "FOUNDER_OF", "科大讯飞", "刘庆峰于1999年创立科大讯飞。", 0.8),
        ("科大讯飞", "LOCATED_IN", "合肥", "总部位于合肥的科大讯飞发布了新品。", 0.7),
        ("科大讯飞", "DEVELOPS", "讯飞星火", "科大讯飞发布讯飞星火认知大模型。", 0.95),
        ("科大讯飞", "DEVELOPS", "讯飞听见", "讯飞听见是科大讯飞推出的转写产品。", 0.7),
        ("讯飞星火", "USES", "昇腾910B", "讯飞星火基于华为昇腾910B完成训练。", 0.6),
        ("华为", "DEVELOPS", "昇腾910B", "华为推出昇腾910B芯片。", 0.9),
        ("华为", "PARTNERS_WITH", "科大讯飞", "科大讯飞与华为宣布深度合作。", 0.8),
        ("科大讯飞", "LISTED_ON", "深圳证券交易所", "科大讯飞在深交所上市。", 0.9),
        ("世界人工智能大会", "LOCATED_IN", "合肥", "世界人工智能大会在合肥举行。", 0.3),
        ("讯飞星火", "BENCHMARKED_AGAINST", "GPT-4", "讯飞星火在多项测试中对标GPT-4。", 0.85),
    ]
    offset = 0
    relations = []
    for head, kind, tail, text, conf in rels:
        relations.append(Relation(head=head, relation=kind, tail=tail, confidence=conf,
                                  **_sentence(text, "news-001", offset, head, tail)))
        offset += len(text)
    news = Extraction(doc_id="news-001", entities=ents, relations=relations)
    hostile_doc = "evil<script>.txt"
    hostile = Extraction(doc_id=hostile_doc, entities=[
        Entity(name=HOSTILE_IMG, type="Company", aliases=[HOSTILE_SCRIPT, "</script><b>x</b>"],
               english="'\"><svg onload=alert(2)>", mentions=1),
        Entity(name="科大讯飞", type="Company", aliases=["讯飞"], mentions=1),
    ], relations=[
        Relation(head=HOSTILE_IMG, relation="PARTNERS_WITH", tail="科大讯飞", confidence=0.4,
                 **_sentence(f"{HOSTILE_SCRIPT}与{HOSTILE_IMG}合作 &amp; <b>bold</b>", hostile_doc, 0, HOSTILE_IMG,
                             "科大讯飞")),
    ])
    return build_graph([news, hostile])


@pytest.fixture(scope="session")
def sample_graph() -> nx.MultiDiGraph:
    return make_sample_graph()


def _chromium_missing() -> str | None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        return f"{' and '.join(missing)} not found (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium (Selenium WebDriver) for the whole session."""
    problem = _chromium_missing()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {problem}")
        pytest.skip(f"headless Chromium unavailable: {problem}")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tempfile.TemporaryDirectory(prefix="kg-chromium-")
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={profile.name}",
                 f"--window-size={VIEWPORT[0]},{VIEWPORT[1]}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver path keeps Selenium Manager from trying to download one.
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": VIEWPORT[0], "height": VIEWPORT[1], "deviceScaleFactor": 1, "mobile": False})
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _RECORDER})
        yield driver
    finally:
        driver.quit()
        profile.cleanup()


def open_page(driver: Any, path: Path, timeout: float = 120.0) -> float:
    """Load ``path`` and wait until the layout has settled; returns the page's layout time (ms)."""
    driver.get_log("browser")  # drop messages from earlier pages
    driver.get(path.resolve().as_uri())
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if driver.execute_script("return !!(window.kg && window.kg.state.stabilized)"):
            return float(driver.execute_script("return window.kg.state.layoutMs"))
        time.sleep(0.05)
    raise AssertionError(f"{path.name}: layout did not settle within {timeout:.0f} s")


def page_errors(driver: Any) -> list[str]:
    """Severe console messages (script errors, CSP violations) since the page was opened."""
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
