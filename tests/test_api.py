"""The Python API (kg.api, on the package): what it extracts, builds, saves and opens, and that
``import kg`` stays cheap. The examples in kg/api.py's docstring run as doctests too."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kg
from kg.graph.network import neighbours as graph_neighbours
from kg.graph.network import shortest_path, stats

TEXT = "科大讯飞董事长刘庆峰表示，公司与华为合作。"


def test_extract_takes_a_text_a_document_or_a_mapping() -> None:
    from_text = kg.extract(TEXT)
    assert from_text.doc_id == "doc-1"
    assert {e.name for e in from_text.entities} >= {"科大讯飞", "刘庆峰", "华为"}
    from_doc = kg.extract(kg.Document(id="a", text=TEXT))
    assert from_doc.doc_id == "a"
    assert [r.model_copy(update={"doc_id": "a"}) for r in from_text.relations] == from_doc.relations
    assert kg.extract({"id": "m", "text": TEXT}).doc_id == "m"
    with pytest.raises(TypeError, match="document 1: expected a text"):
        kg.extract(42)  # type: ignore[arg-type]


def test_extract_is_also_the_module_it_is_named_after() -> None:
    from kg.extraction.extractor import Extractor

    assert kg.extract.Extractor is Extractor and callable(kg.extract)
    config = kg.ExtractorConfig(min_confidence=0.99)
    assert all(r.confidence >= 0.99 for r in kg.extract(TEXT, config).relations)


def test_extract_many_keeps_the_order_and_numbers_texts_by_position() -> None:
    items = [TEXT, kg.Document(id="b", text="华为发布了昇腾910B芯片。"), {"text": "刘庆峰在合肥。"}]
    one = list(kg.extract_many(items, workers=1))
    assert [e.doc_id for e in one] == ["doc-1", "b", "doc-3"]
    two = list(kg.extract_many(items, workers=2))
    assert [e.model_dump() for e in two] == [e.model_dump() for e in one]


def test_extract_many_is_lazy() -> None:
    def endless():
        i = 0
        while True:
            i += 1
            yield f"华为第{i}次发布芯片。"

    stream = kg.extract_many(endless())
    assert [next(stream).doc_id for _ in range(3)] == ["doc-1", "doc-2", "doc-3"]
    stream.close()


def test_save_and_open_answer_as_the_graph_does(tmp_path: Path, seed_graph) -> None:
    folder = kg.save(seed_graph, tmp_path / "out")
    assert sorted(p.name for p in folder.iterdir()) == ["graph.json", "index.sqlite"]
    with kg.open(folder) as graph:
        assert graph.stats() == stats(seed_graph)
        hub = max(seed_graph.nodes, key=seed_graph.degree)
        assert graph.neighbours(hub, depth=2).rows == graph_neighbours(seed_graph, hub, depth=2)
        others = sorted(seed_graph.nodes)
        for a, b in zip(others[::7], others[3::7], strict=False):
            assert len(graph.path(a, b)) == len(shortest_path(seed_graph, a, b))
        assert graph.entity(hub)["degree"] == seed_graph.degree(hub)
        with pytest.raises(kg.UnknownName, match="no entity named"):
            graph.neighbours("没有这个实体")


def test_open_rebuilds_a_missing_or_stale_index(tmp_path: Path, seed_graph) -> None:
    folder = kg.save(seed_graph, tmp_path)
    (folder / "index.sqlite").unlink()
    with kg.open(folder) as graph:
        assert graph.stats()["nodes"] == seed_graph.number_of_nodes()
    assert (folder / "index.sqlite").exists()


def test_open_a_folder_without_a_graph_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(kg.GraphUnavailable) as caught:
        kg.open(tmp_path)
    assert str(caught.value) == f"{tmp_path / 'graph.json'}: no such graph file (run `kg build` first)"
    (tmp_path / "graph.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(kg.GraphUnavailable, match="not valid JSON") as caught:
        kg.open(tmp_path)
    assert "\n" not in str(caught.value)


@settings(max_examples=25, deadline=None)
@given(texts=st.lists(st.sampled_from([TEXT, "华为发布了昇腾910B芯片。", "", "刘庆峰在合肥表示。", "abc"]),
                      max_size=5))
def test_build_graph_of_extract_many_is_build_graph_of_each(texts: list[str]) -> None:
    extractions = list(kg.extract_many(texts))
    assert len(extractions) == len(texts)
    G = kg.build_graph(extractions)
    names = {e.name for ex in extractions for e in ex.entities}
    assert set(G.nodes) <= names | {a for ex in extractions for e in ex.entities for a in e.aliases}
    stated = {(r.head, str(r.relation), r.tail) for ex in extractions for r in ex.relations}
    assert G.number_of_edges() <= len(stated)
    ids = {ex.doc_id for ex in extractions}
    assert all(item["doc_id"] in ids for _, _, d in G.edges(data=True) for item in d["evidence"])


def _python(code: str) -> dict:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_import_kg_is_cheap() -> None:
    loaded = _python("import json, sys, kg; print(json.dumps(sorted(m for m in sys.modules "
                     "if m.split('.')[0] in ('kg', 'networkx', 'pydantic', 'numpy', 'jieba', 'typer'))))")
    assert loaded == ["kg", "kg.extraction", "kg.extraction.postags"]


def test_python_dash_m_kg_is_the_command() -> None:
    done = subprocess.run([sys.executable, "-m", "kg", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == f"kg {kg.__version__}"
    done = subprocess.run([sys.executable, "-m", "kg", "stats", "-o", "/nonexistent/kg-out"], capture_output=True,
                          text=True)
    assert done.returncode == 2
    assert done.stderr.strip() == "error: /nonexistent/kg-out/graph.json: no such graph file (run `kg build` first)"
