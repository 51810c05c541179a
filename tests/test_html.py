"""The graph page without a browser: offline, escaped, consistent data, sensible layout options."""

from __future__ import annotations

import base64
import hashlib
import html
import importlib.util
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest
from browser_fixtures import HOSTILE_IMG, HOSTILE_SCRIPT
from typer.testing import CliRunner

from kg.cli import app
from kg.cli.html import MAX_NODES as CLI_MAX_NODES
from kg.cli.html import select_subgraph
from kg.graph.network import UnknownEntityError, new_graph, save_json
from kg.schema import EntityType, RelationType
from kg.sinks.html import (
    ENTITY_STYLE,
    FONT_STACK,
    MAX_NODES,
    RELATION_STYLE,
    best_connected,
    render_html,
    search_keys,
    vis_options,
    write_html,
)

ROOT = Path(__file__).resolve().parent.parent


def json_block(page: str, block_id: str):
    match = re.search(rf'<script type="application/json" id="{block_id}">(.*?)</script>', page, re.S)
    assert match, block_id
    return json.loads(match.group(1))


def csp(page: str) -> str:
    return html.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1))


class Tags(HTMLParser):
    """Every start tag with its type and id, as a browser's tokenizer would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, tuple[str | None, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.seen.append((tag, (a.get("type"), a.get("id"))))


def inline_scripts(page: str) -> list[str]:
    """Executable inline scripts (JSON data blocks excluded)."""
    return re.findall(r"<script>(.*?)</script>", page, re.S)


@pytest.fixture(scope="module")
def page(sample_graph) -> str:
    return render_html(sample_graph)


def test_page_is_self_contained(page):
    # No tag loads anything: vis-network and our code are inline, so the page works offline.
    assert not re.search(r"<(script|link|img|iframe|embed|object)\b[^>]*\b(src|href)\s*=", page, re.I)
    assert "cdn.jsdelivr" not in page and "cdnjs.cloudflare" not in page
    assert "vis.Network" in page
    assert csp(page).startswith("default-src 'none';")


def test_csp_hashes_match_inline_scripts(page):
    # The page allows exactly its own scripts; a stale hash would leave a blank page.
    policy = csp(page)
    scripts = inline_scripts(page)
    assert len(scripts) == 2
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


def test_hostile_text_is_escaped_but_preserved(page, sample_graph):
    for raw in (HOSTILE_IMG, HOSTILE_SCRIPT, "</script><b>x</b>", "<svg onload=alert(2)>"):
        assert raw not in page
    # Only our own two scripts plus four JSON blocks: nothing from a document opened a tag.
    tags = Tags()
    tags.feed(page)
    assert [t for t in tags.seen if t[0] == "script"] == [
        ("script", ("application/json", "kg-vis-nodes")), ("script", ("application/json", "kg-vis-edges")),
        ("script", ("application/json", "kg-vis-options")), ("script", ("application/json", "kg-data")),
        ("script", (None, None)), ("script", (None, None))]
    assert not {"img", "svg", "b", "iframe"} & {t[0] for t in tags.seen}
    data = json_block(page, "kg-data")
    node = next(n for n in data["nodes"] if n["id"] == HOSTILE_IMG)
    assert HOSTILE_SCRIPT in node["aliases"]
    assert node["docs"] == ["evil<script>.txt"]
    evidence = [e["evidence"][0]["text"] for e in data["edges"] if e["from"] == HOSTILE_IMG]
    assert evidence == [f"{HOSTILE_SCRIPT}与{HOSTILE_IMG}合作 &amp; <b>bold</b>"]
    assert "<title>kg · knowledge graph</title>" in page


def test_title_is_escaped(sample_graph):
    page = render_html(sample_graph, title=HOSTILE_IMG)
    assert HOSTILE_IMG not in page
    assert "<title>&lt;img src=x onerror=alert(1)&gt;</title>" in page


def test_data_matches_graph(page, sample_graph):
    nodes = json_block(page, "kg-vis-nodes")
    edges = json_block(page, "kg-vis-edges")
    assert sorted(n["id"] for n in nodes) == sorted(sample_graph.nodes)
    assert len(edges) == sample_graph.number_of_edges()
    assert len({e["id"] for e in edges}) == len(edges)
    expected = sorted((u, v, k) for u, v, k in sample_graph.edges(keys=True))
    assert sorted((e["from"], e["to"], e["label"]) for e in edges) == expected
    by_id = {n["id"]: n for n in nodes}
    assert by_id["科大讯飞"]["group"] == "Company" and by_id["科大讯飞"]["shape"] == "square"
    assert by_id["刘庆峰"]["shape"] == "dot"
    assert by_id["科大讯飞"]["value"] == sample_graph.degree("科大讯飞")
    assert by_id["阿里巴巴"]["physics"] is False  # unconnected: lined up by the page, not simulated
    chairman = next(e for e in edges if e["label"] == "CHAIRMAN_OF")
    assert "【科大讯飞】董事长【刘庆峰】" in chairman["title"]  # evidence on hover, its two ends bracketed
    partners = next(e for e in edges if e["label"] == "PARTNERS_WITH" and e["from"] == "华为")
    assert partners["arrows"] == {"to": {"enabled": False}}  # symmetric: no arrow head


def test_parallel_edges_fan_out(page):
    edges = json_block(page, "kg-vis-edges")
    pair = [e for e in edges if {e["from"], e["to"]} == {"刘庆峰", "科大讯飞"}]
    assert len(pair) == 2
    assert sorted(e["smooth"]["roundness"] for e in pair) == [0.15, 0.35]


def test_legend_and_search_data(page):
    data = json_block(page, "kg-data")
    assert [t["name"] for t in data["entityTypes"]] == [str(t) for t in EntityType]
    assert sorted(r["name"] for r in data["relationTypes"]) == sorted(str(r) for r in RelationType)
    styles = {(t["color"], t["shape"], t["dashed"]) for t in data["entityTypes"]}
    assert len(styles) == len(EntityType)  # every type looks different
    assert len({r["color"] for r in data["relationTypes"]}) == len(RelationType)
    counts = {t["name"]: t["count"] for t in data["entityTypes"]}
    assert counts["Company"] == 4 and counts["Person"] == 1
    iflytek = next(n for n in data["nodes"] if n["id"] == "科大讯飞")
    keys = {k for k, _ in iflytek["search"]}
    assert {"科大讯飞", "科大訊飛", "讯飞", "訊飛", "iflytek"} <= keys
    assert iflytek["degree"] == 8 and iflytek["mentions"] == 6


def test_search_keys_cover_both_scripts():
    assert search_keys("科大讯飞") == ("科大讯飞", "科大訊飛")
    assert "劉慶峰" in search_keys("劉慶峰")  # as written: OpenCC s2t would give 劉慶峯
    assert search_keys("DeepSeek-R1") == ("deepseekr1",)


def test_fonts_listed_with_fallbacks(page):
    assert "Noto Sans CJK SC" in FONT_STACK and FONT_STACK.endswith("sans-serif")
    assert f"--font: {FONT_STACK}" in page
    assert json_block(page, "kg-vis-options")["nodes"]["font"]["face"] == FONT_STACK


def test_styles_cover_schema():
    assert set(ENTITY_STYLE) == set(EntityType)
    assert set(RELATION_STYLE) == set(RelationType)


def test_layout_options_bounded_for_large_graphs():
    small, large = vis_options(40, 80), vis_options(2000, 5000)
    assert small["layout"]["improvedLayout"] is True
    assert large["layout"]["improvedLayout"] is False  # vis's clustering gives up at this size
    assert large["physics"]["stabilization"]["iterations"] <= 200
    assert large["edges"]["smooth"] is False
    assert large["interaction"]["hideEdgesOnDrag"] is True
    for options in (small, large):
        assert options["physics"]["stabilization"]["enabled"] is True


def test_empty_graph_renders(tmp_path):
    path = tmp_path / "empty.html"
    write_html(new_graph(), path)
    page = path.read_text(encoding="utf-8")
    assert json_block(page, "kg-vis-nodes") == []
    assert 'id="empty"' in page


def test_write_html_keeps_the_build_signature(tmp_path, sample_graph):
    path = tmp_path / "sub" / "graph.html"
    write_html(sample_graph, path)  # what `kg build` calls
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not [p for p in path.parent.iterdir() if p.name != "graph.html"]  # no temp file left


# ----------------------------------------------------------------------------- neighbourhoods


def test_select_subgraph_focus_and_depth(sample_graph):
    one = select_subgraph(sample_graph, "劉慶峰", depth=1)
    assert set(one) == {"刘庆峰", "科大讯飞"}
    assert one.number_of_edges() == 2
    two = select_subgraph(sample_graph, "刘庆峰", depth=2)
    assert {"合肥", "讯飞星火", "华为", HOSTILE_IMG} <= set(two)
    assert "GPT-4" not in two
    assert "阿里巴巴" not in two


def test_select_subgraph_filters_while_walking(sample_graph):
    # Only companies: the focus (a person) stays, and the walk goes through companies only.
    H = select_subgraph(sample_graph, "刘庆峰", depth=3, types={"Company"})
    assert set(H) == {"刘庆峰", "科大讯飞", "华为", HOSTILE_IMG}
    R = select_subgraph(sample_graph, relations={"DEVELOPS"})
    assert {k for _, _, k in R.edges(keys=True)} == {"DEVELOPS"}
    assert R.number_of_nodes() == sample_graph.number_of_nodes()


def test_select_subgraph_unknown_focus(sample_graph):
    with pytest.raises(UnknownEntityError):
        select_subgraph(sample_graph, "不存在的公司")


# ----------------------------------------------------------------------------- CLI


@pytest.fixture()
def graph_dir(tmp_path, sample_graph) -> Path:
    save_json(sample_graph, tmp_path / "graph.json")
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def test_cli_whole_graph(graph_dir):
    result = run("html", "--out", str(graph_dir))
    assert result.exit_code == 0, result.output
    page = (graph_dir / "graph.html").read_text(encoding="utf-8")
    assert len(json_block(page, "kg-vis-nodes")) == 12
    assert "12 entities, 12 relations" in result.output


def test_cli_focus_depth_output_file(graph_dir, tmp_path):
    out = tmp_path / "iflytek.html"
    result = run("html", "--out", str(graph_dir), "--focus", "iFlytek", "--depth", "1", "-o", str(out))
    assert result.exit_code == 0, result.output
    data = json_block(out.read_text(encoding="utf-8"), "kg-data")
    assert data["focus"] == "科大讯飞"
    assert len(data["nodes"]) == 8  # iFlytek and its 7 direct neighbours (8 relations)
    assert "科大讯飞 neighbourhood" in data["title"]


def test_cli_types_and_relations(graph_dir, tmp_path):
    out = tmp_path / "t.html"
    result = run("html", "--out", str(graph_dir), "-t", "company,person", "--types", "Chip",
                 "-r", "DEVELOPS,PARTNERS_WITH", "-o", str(out))
    assert result.exit_code == 0, result.output
    data = json_block(out.read_text(encoding="utf-8"), "kg-data")
    assert {n["type"] for n in data["nodes"]} == {"Company", "Person", "Chip"}
    assert {e["relation"] for e in data["edges"]} == {"DEVELOPS", "PARTNERS_WITH"}


def test_cli_output_directory(graph_dir, tmp_path):
    target = tmp_path / "site"
    target.mkdir()
    result = run("html", "--out", str(graph_dir), "-o", str(target))
    assert result.exit_code == 0, result.output
    assert (target / "graph.html").exists()


@pytest.mark.parametrize(("args", "message"), [
    (["--focus", "不存在的公司"], "no entity named"),
    (["--depth", "2"], "--depth needs --focus"),
    (["-t", "Startup"], "unknown value 'Startup'"),
    (["-r", "OWNS"], "unknown value 'OWNS'"),
])
def test_cli_errors_are_one_line(graph_dir, args, message):
    result = run("html", "--out", str(graph_dir), *args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_cli_max_nodes(graph_dir, tmp_path):
    out = tmp_path / "top.html"
    result = run("html", "--out", str(graph_dir), "--max-nodes", "3", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "drawing the 3 best-connected" in result.output
    data = json_block(out.read_text(encoding="utf-8"), "kg-data")
    assert "科大讯飞" in {n["id"] for n in data["nodes"]}
    assert len(data["nodes"]) == 3 and data["total"] == {"nodes": 12, "edges": 12}
    # the closing line counts what was drawn, not the graph it was drawn from
    drawn = len(data["edges"])
    wrote = [line for line in result.stdout.splitlines() if line.startswith("wrote ")]
    assert wrote == [f"wrote {out} (whole graph: drew 3 of 12 entities, {drawn} of 12 relations)"], wrote


def test_best_connected_keeps_focus(sample_graph):
    assert CLI_MAX_NODES == MAX_NODES
    top = best_connected(sample_graph, 2, keep="GPT-4")
    assert set(top) == {"科大讯飞", "GPT-4"}
    assert best_connected(sample_graph, None) is sample_graph


def test_cli_missing_graph(tmp_path):
    result = run("html", "--out", str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert "run `kg build` first" in result.output


# ----------------------------------------------------------------------------- benchmark


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench_html", ROOT / "bench" / "bench_html.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_run_small():
    result = _bench_module().run(nodes=60, edges=120, repeat=1)
    assert result["nodes"] == 60 and result["edges"] == 120
    assert result["seconds"] > 0 and result["bytes"] > 100_000


def test_synthetic_graph_is_reproducible():
    bench = _bench_module()
    a, b = bench.synthetic_graph(200, 500), bench.synthetic_graph(200, 500)
    assert a.number_of_nodes() == 200 and a.number_of_edges() == 500
    assert nx.utils.graphs_equal(a, b)
