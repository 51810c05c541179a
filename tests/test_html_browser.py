"""The graph page in headless Chromium: data, search, filters, details, escaping, layout at scale.

One browser for the session (``browser`` fixture in browser_fixtures.py). These tests skip
without /usr/bin/chromium on a developer machine and fail when CI is set.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import time
from pathlib import Path

import networkx as nx
import pytest

if importlib.util.find_spec("selenium") is None and not os.environ.get("CI"):
    pytest.skip("selenium is not installed (pip install -e '.[dev]')", allow_module_level=True)

from browser_fixtures import HOSTILE_IMG, HOSTILE_SCRIPT, open_page, page_errors  # noqa: E402
from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

from kg.schema import EntityType, RelationType  # noqa: E402
from kg.sinks.html import write_html  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # starts Chromium: runs after the fast suite

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def sample_page(tmp_path_factory, sample_graph) -> Path:
    path = tmp_path_factory.mktemp("html") / "sample.html"
    write_html(sample_graph, path)
    return path


@pytest.fixture()
def loaded(browser, sample_page):
    """The sample page, freshly loaded, with no errors on load."""
    open_page(browser, sample_page)
    yield browser
    assert page_errors(browser) == []
    assert browser.execute_script("return window.__kgDialogs") == []


def js(driver, script: str, *args):
    return driver.execute_script(script, *args)


def selected(driver) -> list[str]:
    return js(driver, "return kg.network.getSelectedNodes()")


def details_text(driver) -> str:
    return driver.find_element(By.ID, "details-body").text


def test_dataset_counts_equal_graph(loaded, sample_graph):
    assert js(loaded, "return kg.nodes.length") == sample_graph.number_of_nodes()
    assert js(loaded, "return kg.edges.length") == sample_graph.number_of_edges()
    ids = js(loaded, "return kg.nodes.getIds()")
    assert sorted(ids) == sorted(sample_graph.nodes)
    assert js(loaded, "return kg.visibleCounts()") == {"nodes": 12, "edges": 12}
    assert js(loaded, "return kg.network.physics.options.enabled") is False
    assert "12 / 12 entities" in loaded.find_element(By.ID, "status").text


@pytest.mark.parametrize("query", ["讯飞", "科大訊飛", "iflytek"])
def test_search_box_focuses_alias(loaded, query):
    ActionChains(loaded).send_keys("/").perform()  # keyboard shortcut: "/" focuses the search box
    box = loaded.switch_to.active_element
    assert box.get_attribute("id") == "search"
    box.send_keys(query)
    results = loaded.find_elements(By.CSS_SELECTOR, "#search-results li .name")
    assert results and results[0].text == "科大讯飞"
    box.send_keys(Keys.ENTER)
    assert selected(loaded) == ["科大讯飞"]
    assert loaded.find_element(By.CSS_SELECTOR, "#details h2").text == "科大讯飞"


def test_search_finds_node_of_hidden_type(loaded):
    loaded.find_element(By.CSS_SELECTOR, 'input[data-kind="entity"][value="Person"]').click()
    box = loaded.find_element(By.ID, "search")
    box.send_keys("劉慶峰", Keys.ENTER)
    assert selected(loaded) == ["刘庆峰"]
    assert loaded.find_element(By.CSS_SELECTOR, 'input[data-kind="entity"][value="Person"]').is_selected()


def test_type_and_relation_filters(loaded, sample_graph):
    def counts():
        return js(loaded, "return kg.visibleCounts()")

    companies = sum(1 for _, d in sample_graph.nodes(data=True) if d["type"] == "Company")
    company = loaded.find_element(By.CSS_SELECTOR, 'input[data-kind="entity"][value="Company"]')
    company.click()
    after = counts()
    assert after["nodes"] == sample_graph.number_of_nodes() - companies
    assert after["edges"] < sample_graph.number_of_edges()  # their relations go too
    company.click()
    assert counts() == {"nodes": 12, "edges": 12}
    loaded.find_element(By.CSS_SELECTOR, 'input[data-kind="relation"][value="DEVELOPS"]').click()
    assert counts() == {"nodes": 12, "edges": 9}
    loaded.find_element(By.CSS_SELECTOR, '[data-none="relation"]').click()
    assert counts() == {"nodes": 12, "edges": 0}
    loaded.find_element(By.CSS_SELECTOR, '[data-all="relation"]').click()
    assert counts() == {"nodes": 12, "edges": 12}


def test_click_node_shows_details_and_evidence(loaded):
    js(loaded, "kg.focusNode('刘庆峰', false)")
    text = details_text(loaded)
    assert text.startswith("刘庆峰")
    assert "Person" in text and "劉慶峰" in text and "news-001" in text
    assert "CHAIRMAN_OF" in text and "FOUNDER_OF" in text
    assert "科大讯飞董事长刘庆峰表示，公司将继续加大研发投入。" in text
    # the two ends of each relation are marked in its sentence
    marks = js(loaded, "return [...document.querySelectorAll('#details blockquote')].slice(0, 2).map("
                       "q => [...q.querySelectorAll('mark.end')].map(m => m.className + ':' + m.textContent))")
    assert ["end end-tail:科大讯飞", "end end-head:刘庆峰"] in marks and ["end end-head:刘庆峰",
                                                                     "end end-tail:科大讯飞"] in marks
    # Following a relation moves the selection to the other entity.
    loaded.find_element(By.CSS_SELECTOR, "#details a.entity").click()
    assert selected(loaded) == ["科大讯飞"]
    assert "总部位于合肥的科大讯飞发布了新品。" in details_text(loaded)
    loaded.find_element(By.ID, "details-close").click()
    assert not loaded.find_element(By.ID, "details").is_displayed()
    assert selected(loaded) == []


def test_real_click_on_canvas_selects_node(loaded):
    # Click where vis drew the node: DOM offset inside the canvas, made relative to its centre.
    canvas = loaded.find_element(By.CSS_SELECTOR, "#network canvas")
    x, y = js(loaded, "const p = kg.network.canvasToDOM(kg.network.getPositions(['合肥'])['合肥']);"
                      "return [p.x, p.y];")
    size = canvas.size
    ActionChains(loaded).move_to_element_with_offset(
        canvas, int(x - size["width"] / 2), int(y - size["height"] / 2)).click().perform()
    assert selected(loaded) == ["合肥"]
    assert details_text(loaded).startswith("合肥")


def hover(driver, dom_xy) -> str:
    """Move the mouse to a canvas point and return the tooltip vis shows there."""
    canvas = driver.find_element(By.CSS_SELECTOR, "#network canvas")
    size = canvas.size
    ActionChains(driver).move_to_element_with_offset(
        canvas, int(dom_xy[0] - size["width"] / 2), int(dom_xy[1] - size["height"] / 2)).perform()
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        tip = driver.find_elements(By.CSS_SELECTOR, "div.vis-tooltip")
        if tip and tip[0].is_displayed() and tip[0].text:
            return tip[0].text
        time.sleep(0.05)
    return ""


def node_dom(driver, node: str) -> list[float]:
    return js(driver, "const p = kg.network.canvasToDOM(kg.network.getPositions([arguments[0]])[arguments[0]]);"
                      "return [p.x, p.y];", node)


def edge_dom(driver, head: str, tail: str, relation: str) -> list[float]:
    """A point on the drawn edge (sampled along the chord, checked with vis's own hit test)."""
    return js(driver, """const [h, t, rel] = arguments;
        const id = kg.edges.getIds({filter: e => e.from === h && e.to === t && e.label === rel})[0];
        const pos = kg.network.getPositions([h, t]);
        const a = kg.network.canvasToDOM(pos[h]), b = kg.network.canvasToDOM(pos[t]);
        for (let f = 0.5, i = 0; i < 40; i++, f = 0.5 + (i % 2 ? 1 : -1) * Math.ceil(i / 2) * 0.01) {
          const p = {x: a.x + (b.x - a.x) * f, y: a.y + (b.y - a.y) * f};
          if (kg.network.getEdgeAt(p) === id && kg.network.getNodeAt(p) === undefined) return [p.x, p.y];
        }
        return null;""", head, tail, relation)


def test_hover_shows_aliases_and_evidence(loaded):
    tip = hover(loaded, node_dom(loaded, "科大讯飞"))
    assert tip.startswith("科大讯飞 · Company") and "科大訊飛" in tip and "iFlytek" in tip
    point = edge_dom(loaded, "科大讯飞", "合肥", "LOCATED_IN")
    assert point is not None
    hover(loaded, [0, 0])
    tip = hover(loaded, point)
    assert "LOCATED_IN" in tip and "总部位于【合肥】的【科大讯飞】发布了新品。" in tip and "news-001" in tip


def test_size_toggle(loaded, sample_graph):
    loaded.find_element(By.CSS_SELECTOR, 'input[name="size-by"][value="mentions"]').click()
    assert js(loaded, "return kg.nodes.get('科大讯飞').value") == sample_graph.nodes["科大讯飞"]["mentions"]
    loaded.find_element(By.CSS_SELECTOR, 'input[name="size-by"][value="degree"]').click()
    assert js(loaded, "return kg.nodes.get('科大讯飞').value") == sample_graph.degree("科大讯飞")


def test_legend_lists_every_type(loaded):
    entity_rows = loaded.find_elements(By.CSS_SELECTOR, "#entity-legend li")
    relation_rows = loaded.find_elements(By.CSS_SELECTOR, "#relation-legend li")
    # one row per type of the schema, whatever it holds
    assert len(entity_rows) == len(EntityType) and len(relation_rows) == len(RelationType)
    assert entity_rows[0].find_element(By.CSS_SELECTOR, "svg rect") is not None  # Company = square
    assert "Company" in entity_rows[0].text and "4" in entity_rows[0].text


def test_unconnected_entities_are_lined_up_outside(loaded):
    # Entities without relations go in a grid beside or below the graph, not in a ring around it.
    outside = js(loaded, """const p = kg.network.getPositions(); const q = p['阿里巴巴']; delete p['阿里巴巴'];
                            const v = Object.values(p);
                            return q.x > Math.max(...v.map(r => r.x)) || q.y > Math.max(...v.map(r => r.y));""")
    assert outside is True


def test_hostile_document_runs_nothing(loaded):
    driver = loaded
    js(driver, "kg.focusNode(arguments[0], false)", HOSTILE_IMG)
    text = details_text(driver)
    assert text.startswith(HOSTILE_IMG)  # shown literally
    assert HOSTILE_SCRIPT in text and "evil<script>.txt" in text
    assert f"{HOSTILE_SCRIPT}与{HOSTILE_IMG}合作 &amp; <b>bold</b>" in text
    edge = js(driver, "return kg.edges.getIds({filter: e => e.from === arguments[0]})[0]", HOSTILE_IMG)
    js(driver, "kg.network.selectEdges([arguments[0]]); kg.network.emit('click', {nodes: [], edges: [arguments[0]]})",
       edge)
    assert HOSTILE_SCRIPT in details_text(driver)
    box = driver.find_element(By.ID, "search")
    box.send_keys("onerror")
    assert driver.find_element(By.CSS_SELECTOR, "#search-results li .name").text == HOSTILE_IMG
    js(driver, "kg.clearSelection()")
    assert HOSTILE_IMG in hover(driver, node_dom(driver, HOSTILE_IMG))  # tooltip: text, not markup
    time.sleep(0.3)  # give any injected handler (onerror, onload) the chance to fire
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert  # noqa: B018 - the property access is the check
    assert js(driver, "return window.__kgDialogs") == []
    assert js(driver, "return window.__kgViolations") == []
    assert js(driver, "return document.querySelectorAll('img, b, iframe, #details script').length") == 0
    js(driver, "kg.focusNode(arguments[0], false)", HOSTILE_IMG)
    assert js(driver, "return [...document.querySelectorAll('#details mark.end')].map(m => m.textContent)") == [
        HOSTILE_IMG]  # the marked end is text, like the rest of the sentence
    assert js(driver, "return document.querySelectorAll('img, b, iframe, #details script').length") == 0
    assert js(driver, "return document.scripts.length") == 6


def test_focus_page_selects_focus(browser, tmp_path, sample_graph):
    path = tmp_path / "focus.html"
    write_html(sample_graph, path, focus="科大讯飞")
    open_page(browser, path)
    assert selected(browser) == ["科大讯飞"]
    assert browser.find_element(By.ID, "details").is_displayed()
    assert page_errors(browser) == []


def test_truncated_page_says_so(browser, tmp_path, sample_graph):
    path = tmp_path / "top.html"
    write_html(sample_graph, path, max_nodes=4)
    open_page(browser, path)
    assert js(browser, "return kg.nodes.length") == 4
    assert "best-connected of 12 entities" in browser.find_element(By.ID, "status").text


def test_empty_graph_page(browser, tmp_path):
    path = tmp_path / "empty.html"
    write_html(nx.MultiDiGraph(), path)
    open_page(browser, path)
    assert browser.find_element(By.ID, "empty").is_displayed()
    assert js(browser, "return kg.nodes.length") == 0
    assert page_errors(browser) == []


def _bench():
    spec = importlib.util.spec_from_file_location("bench_html", ROOT / "bench" / "bench_html.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_large_graph_settles_and_stops(browser, tmp_path, record_property):
    G = _bench().synthetic_graph(2000, 5000)
    path = tmp_path / "large.html"
    start = time.perf_counter()
    write_html(G, path)
    record_property("html_seconds", round(time.perf_counter() - start, 3))
    layout_ms = open_page(browser, path, timeout=180)
    record_property("layout_ms", round(layout_ms))
    print(f"\n2,000 nodes / 5,000 edges: layout settled in {layout_ms / 1000:.1f} s in the browser")
    assert js(browser, "return [kg.nodes.length, kg.edges.length]") == [2000, 5000]
    assert js(browser, "return kg.network.physics.options.enabled") is False
    before = js(browser, "return kg.network.getPositions()")
    time.sleep(1.0)
    assert js(browser, "return kg.network.getPositions()") == before  # no endless jiggle
    assert not browser.find_element(By.ID, "loading").is_displayed()
    # Still responsive: search and a filter on the big page.
    box = browser.find_element(By.ID, "search")
    hub = js(browser, "return kg.data.nodes.slice().sort((a, b) => b.degree - a.degree)[0].id")
    box.send_keys(hub, Keys.ENTER)
    assert selected(browser) == [hub]
    browser.find_element(By.CSS_SELECTOR, 'input[data-kind="entity"][value="Person"]').click()
    assert js(browser, "return kg.visibleCounts().nodes") < 2000
    assert page_errors(browser) == []


def test_seed_page_and_screenshot(browser, tmp_path, seed_graph):
    path = tmp_path / "seed.html"
    write_html(seed_graph, path)
    open_page(browser, path)
    assert js(browser, "return kg.nodes.length") == seed_graph.number_of_nodes()
    assert js(browser, "return kg.edges.length") == seed_graph.number_of_edges()
    if "科大讯飞" in seed_graph:
        box = browser.find_element(By.ID, "search")
        box.send_keys("讯飞", Keys.ENTER)
        assert selected(browser) == ["科大讯飞"]
        box.send_keys(Keys.ESCAPE)  # clears the box
        js(browser, "kg.clearSelection(); kg.network.fit()")
        time.sleep(0.3)
    shot = tmp_path / "graph.png"
    assert browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 20_000
    assert page_errors(browser) == []
    # KG_UPDATE_SCREENSHOT=1 refreshes the picture in the README.
    if os.environ.get("KG_UPDATE_SCREENSHOT"):
        shutil.copyfile(shot, ROOT / "docs" / "graph.png")
