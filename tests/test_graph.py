from __future__ import annotations

import json

import pytest

from kg.graph.network import (
    GraphFormatError,
    UnknownEntityError,
    add_extraction,
    build_graph,
    load_json,
    neighbours,
    save_json,
    shortest_path,
)
from kg.models import Entity, Extraction, Relation


def ex(doc_id: str, rels: list[tuple[str, str, str]], types: dict[str, str]) -> Extraction:
    return Extraction(
        doc_id=doc_id,
        entities=[Entity(name=n, type=t, aliases=[n.lower() + "-alias"]) for n, t in types.items()],
        relations=[Relation(head=h, relation=r, tail=t, evidence=f"{h}{r}{t}", doc_id=doc_id, start=0, end=3)
                   for h, r, t in rels],
    )


TYPES = {"A": "Company", "B": "Company", "P": "Person", "X": "AIModel", "C": "Place"}


def small_graph():
    return build_graph([
        ex("d1", [("P", "CHAIRMAN_OF", "A"), ("A", "PARTNERS_WITH", "B")], TYPES),
        ex("d2", [("A", "DEVELOPS", "X"), ("B", "LOCATED_IN", "C")], TYPES),
    ])


def test_merging_the_same_document_twice_changes_nothing():
    G = small_graph()
    before = json.dumps(__import__("kg.graph.network").graph.network.to_json_dict(G), sort_keys=True)
    add_extraction(G, ex("d1", [("P", "CHAIRMAN_OF", "A"), ("A", "PARTNERS_WITH", "B")], TYPES))
    assert json.dumps(__import__("kg.graph.network").graph.network.to_json_dict(G), sort_keys=True) == before


def test_incremental_merge_adds_evidence_and_docs():
    G = small_graph()
    add_extraction(G, ex("d3", [("P", "CHAIRMAN_OF", "A")], TYPES))
    assert {e["doc_id"] for e in G.edges["P", "A", "CHAIRMAN_OF"]["evidence"]} == {"d1", "d3"}
    assert G.nodes["A"]["docs"] == ["d1", "d2", "d3"]


def test_symmetric_relation_stored_once_in_canonical_order():
    G = build_graph([ex("d", [("B", "PARTNERS_WITH", "A")], TYPES)])
    assert G.has_edge("A", "B", key="PARTNERS_WITH") and not G.has_edge("B", "A")


def test_neighbours_depth_and_filters():
    G = small_graph()
    assert {r["name"] for r in neighbours(G, "A")} == {"P", "B", "X"}
    assert {r["name"] for r in neighbours(G, "A", depth=2)} == {"P", "B", "X", "C"}
    assert {r["name"] for r in neighbours(G, "A", depth=2, types=["Place"])} == {"C"}
    assert {r["name"] for r in neighbours(G, "A", relations=["DEVELOPS"])} == {"X"}
    directions = {r["name"]: r["direction"] for r in neighbours(G, "a-alias")}
    assert directions == {"P": "in", "B": "both", "X": "out"}


def test_shortest_path_ignores_direction():
    steps = shortest_path(small_graph(), "P", "C")
    assert [(s["from"], s["relation"], s["to"]) for s in steps] == [
        ("P", "CHAIRMAN_OF", "A"), ("A", "PARTNERS_WITH", "B"), ("B", "LOCATED_IN", "C")]


def test_unknown_name_suggests_close_names():
    with pytest.raises(UnknownEntityError) as err:
        neighbours(small_graph(), "a-alia")
    assert "A" in err.value.suggestions


def test_json_round_trip(tmp_path):
    G = small_graph()
    save_json(G, tmp_path / "g.json")
    H = load_json(tmp_path / "g.json")
    assert sorted(G.edges(keys=True)) == sorted(H.edges(keys=True))
    assert dict(G.nodes(data="aliases")) == dict(H.nodes(data="aliases"))


@pytest.mark.parametrize("content", ["not json", "[]", '{"format": "other"}', '{"format": "kg-graph", "version": 1}'])
def test_bad_graph_files_raise_a_named_error(tmp_path, content):
    path = tmp_path / "graph.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(GraphFormatError, match="graph.json"):
        load_json(path)
