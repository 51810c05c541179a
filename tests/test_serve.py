"""``kg serve``'s JSON API and page, from a real server process: answers agree with the index, pages and
filters, evidence and paths, one-line errors, the hosts it answers and the headers it sends, and the
command's own errors."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_fixtures import HOSTILE_IMG, HOSTILE_SCRIPT
from serve_fixtures import Served, serving

import kg


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory, sample_graph) -> Path:
    return kg.save(sample_graph, tmp_path_factory.mktemp("served") / "out<b>")


@pytest.fixture(scope="module")
def server(folder: Path) -> Iterator[Served]:
    with serving(folder) as served:
        yield served


def ids(server: Served) -> dict[str, int]:
    """Every entity's id, by name (from the API's own searches)."""
    found = {}
    for name in ("科大讯飞", "刘庆峰", "华为", "合肥", "讯飞星火", "昇腾910B", HOSTILE_IMG, "阿里巴巴"):
        hit = server.json("api/search", q=name, limit=1)["hits"][0]
        assert hit["name"] == name
        found[name] = hit["id"]
    return found


def test_it_says_where_it_serves(server: Served, folder: Path, sample_graph) -> None:
    assert server.first_line.startswith(f"serving {folder} ({sample_graph.number_of_nodes()} entities")
    assert server.url.startswith("http://127.0.0.1:")


def test_stats_are_the_graphs(server: Served, sample_graph) -> None:
    from kg.graph.network import stats

    s = server.json("api/stats")
    expected = stats(sample_graph)
    assert (s["nodes"], s["edges"], s["documents"]) == (expected["nodes"], expected["edges"], expected["documents"])
    assert {t["name"]: t["count"] for t in s["entityTypes"] if t["count"]} == expected["entity_types"]
    assert {r["name"]: r["count"] for r in s["relationTypes"] if r["count"]} == expected["relation_types"]
    assert s["top"][0]["name"] == expected["top_degree"][0]["name"]


@pytest.mark.parametrize(("query", "name", "via"), [
    ("訊飛", "科大讯飞", "讯飞"), ("IFLYTEK", "科大讯飞", "iFlytek"), ("劉慶峰", "刘庆峰", "刘庆峰"),
    ("ascend", "昇腾910B", "Ascend 910B")])
def test_search_by_any_alias_in_either_script(server: Served, query: str, name: str, via: str) -> None:
    hit = server.json("api/search", q=query)["hits"][0]
    assert (hit["name"], hit["via"]) == (name, via)


def test_a_neighbourhood_is_the_relations_a_page_at_a_time(server: Served, sample_graph) -> None:
    centre = ids(server)["科大讯飞"]
    whole = server.json(f"api/neighbourhood/{centre}", limit=200)
    assert whole["total"] == sample_graph.degree("科大讯飞") == len(whole["edges"])
    names = {n["id"]: n["name"] for n in [whole["centre"], *whole["nodes"]]}
    got = {(names[e["from"]], e["relation"], names[e["to"]]) for e in whole["edges"]}
    assert got == {(u, k, v) for u, v, k in sample_graph.edges(keys=True) if "科大讯飞" in (u, v)}
    pages = []
    for offset in range(0, whole["total"], 3):
        pages += server.json(f"api/neighbourhood/{centre}", offset=offset, limit=3)["edges"]
    assert [e["id"] for e in pages] == [e["id"] for e in whole["edges"]]
    for e in whole["edges"]:  # each with its vis edge and evidence cut at both ends
        assert e["vis"]["from"] == e["from"] and e["vis"]["to"] == e["to"] and e["vis"]["id"] == e["id"]
        assert {role for ev in e["evidence"] for _, role in ev["parts"] if role} <= {"head", "tail", "both"}


def test_filters_apply_before_paging(server: Served, sample_graph) -> None:
    centre = ids(server)["科大讯飞"]
    people = server.json(f"api/neighbourhood/{centre}", type="Person")
    assert people["total"] == 2 and [n["name"] for n in people["nodes"]] == ["刘庆峰"]  # chairman and founder
    sure = server.json(f"api/neighbourhood/{centre}", min_confidence=0.85)
    assert all(e["confidence"] >= 0.85 for e in sure["edges"]) and sure["total"] == len(sure["edges"])
    develops = server.json(f"api/neighbourhood/{centre}", relation=["DEVELOPS", "LISTED_ON"])
    assert {e["relation"] for e in develops["edges"]} == {"DEVELOPS", "LISTED_ON"} and develops["total"] == 3


def test_evidence_pages_and_paths(server: Served) -> None:
    found = ids(server)
    edge = server.json(f"api/neighbourhood/{found['刘庆峰']}", relation="CHAIRMAN_OF")["edges"][0]
    whole = server.json(f"api/edge/{edge['id'][1:]}")
    assert whole["evidence_total"] == 1
    assert whole["evidence"][0]["text"] == "科大讯飞董事长刘庆峰表示，公司将继续加大研发投入。"
    assert [role for _, role in whole["evidence"][0]["parts"]] == ["tail", None, "head", None]
    path = server.json("api/path", a="劉慶峰", b="Huawei")
    assert [n["name"] for n in path["nodes"]] == ["刘庆峰", "科大讯飞", "华为"]
    assert [e["relation"] for e in path["edges"]] in (["CHAIRMAN_OF", "PARTNERS_WITH"], ["FOUNDER_OF", "PARTNERS_WITH"])
    alone = server.json("api/path", a="阿里巴巴", b="华为")
    assert alone["edges"] == [] and not alone["same"] and len(alone["nodes"]) == 2


@pytest.mark.parametrize(("path", "params", "status", "message"), [
    ("api/neighbourhood/x", {}, 400, "not an id: 'x'"),
    ("api/neighbourhood/999999", {}, 404, "no entity with id 999999"),
    ("api/edge/999999", {}, 404, "no relation with id 999999"),
    ("api/neighbourhood/1", {"limit": "ten"}, 400, "limit must be a whole number, not 'ten'"),
    ("api/neighbourhood/1", {"offset": "-1"}, 400, "offset must be at least 0"),
    ("api/neighbourhood/1", {"type": "Robot"}, 400, "type: unknown value 'Robot'; choose from Company"),
    ("api/neighbourhood/1", {"min_confidence": "nan"}, 400, "min_confidence must be between 0 and 1"),
    ("api/path", {"a": "刘庆峰"}, 400, "give both ends"),
    ("api/path", {"a": "刘庆峰", "b": "没有这个"}, 404, "no entity named '没有这个' in the graph"),
    ("api/search", {"q": "x" * 201}, 400, "q is longer than 200 characters"),
])
def test_errors_are_one_line(server: Served, path: str, params: dict, status: int, message: str) -> None:
    got, headers, body = server.get(path, **params)
    assert got == status and headers["content-type"] == "application/json"
    assert body["error"].startswith(message) and "\n" not in body["error"]


def test_limits_are_bounded(server: Served) -> None:
    assert len(server.json("api/search", q="讯", limit=1000)["hits"]) <= 50
    centre = ids(server)["科大讯飞"]
    assert server.json(f"api/neighbourhood/{centre}", limit=100000)["edges"]


def test_only_its_own_host_names_are_answered(server: Served) -> None:
    status, _, body = server.get("api/stats", headers={"Host": "attacker.example"})
    assert status == 400 and "Invalid host header" in body
    assert server.get("api/stats", headers={"Host": "localhost"})[0] == 200


def test_the_page_is_graph_html_with_its_policy(server: Served, folder: Path) -> None:
    status, headers, html = server.get("")
    assert status == 200 and headers["content-type"].startswith("text/html")
    policy = headers["content-security-policy"]
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"] == "no-referrer"
    assert '<meta http-equiv="Content-Security-Policy"' in html and 'id="search"' in html
    assert "<b>" not in html.split("<body>")[1].split("<script>")[0]  # the folder's name, escaped in the title
    assert HOSTILE_IMG not in html and HOSTILE_SCRIPT not in html


def test_hostile_text_is_data_in_the_answers(server: Served) -> None:
    found = ids(server)
    bad = server.json(f"api/entity/{found[HOSTILE_IMG]}")
    assert bad["name"] == HOSTILE_IMG and HOSTILE_SCRIPT in bad["aliases"]
    _, headers, _ = server.get(f"api/entity/{found[HOSTILE_IMG]}")
    assert headers["content-type"] == "application/json"


def test_focus_picks_the_first_entity(server: Served) -> None:
    found = ids(server)
    _, _, html = server.get("", focus="劉慶峰")
    assert f'"focus":{found["刘庆峰"]}' in html
    _, _, html = server.get("", focus="没有这个")
    assert '"focus":null' in html


def _kg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, timeout=60)


def test_a_folder_without_a_graph_is_one_line(tmp_path: Path) -> None:
    done = _kg("serve", "--out", str(tmp_path))
    assert done.returncode == 2
    assert done.stderr == f"error: {tmp_path / 'graph.json'}: no such graph file (run `kg build` first)\n"


def test_a_taken_port_is_one_line(folder: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = _kg("serve", "--out", str(folder), "--port", str(port))
    assert done.returncode == 2
    assert done.stderr == f"error: port {port} on 127.0.0.1 is taken: choose another with --port (0: any free port)\n"


def test_a_wider_host_is_warned_about_and_ctrl_c_stops(folder: Path) -> None:
    with serving(folder, "--host", "0.0.0.0") as served:
        assert served.get("api/stats", headers={"Host": "some-machine.lan"})[0] == 200  # any name then
        served.proc.send_signal(signal.SIGINT)
        out, err = served.proc.communicate(timeout=30)
    assert served.proc.returncode == 0 and out.strip() == "stopped"
    assert err.startswith("warning: serving on 0.0.0.0, beyond this machine: anyone who can reach it can read")
