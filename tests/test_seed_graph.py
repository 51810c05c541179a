"""The graph of the shipped seed articles holds the entities and facts the articles state."""

from __future__ import annotations

import pytest

from kg.graph.network import neighbours, resolve
from kg.io.readers import iter_documents
from kg.resources import seeds_dir

EXPECTED_TYPES = {
    "科大讯飞": "Company", "华为": "Company", "DeepSeek": "Company", "寒武纪": "Company",
    "刘庆峰": "Person", "任正非": "Person", "合肥": "Place", "杭州": "Place", "昇腾910B": "Chip",
    "讯飞星火": "AIModel", "讯飞星火X1": "AIModel",
}


@pytest.mark.parametrize("name,etype", sorted(EXPECTED_TYPES.items()))
def test_design_card_entities_have_the_right_type(seed_graph, name, etype):
    assert seed_graph.nodes[name]["type"] == etype


@pytest.mark.parametrize("head,rel,tail", [
    ("刘庆峰", "CHAIRMAN_OF", "科大讯飞"),
    ("梁文锋", "FOUNDER_OF", "DeepSeek"),
    ("科大讯飞", "USES", "昇腾910B"),
    ("讯飞医疗", "LISTED_ON", "港交所"),
    ("讯飞星火V3.0", "BENCHMARKED_AGAINST", "GPT-4"),
    ("科大讯飞", "LOCATED_IN", "安徽"),
])
def test_directed_relations_with_evidence(seed_graph, head, rel, tail):
    edge = seed_graph.get_edge_data(head, tail, key=rel)
    assert edge is not None, f"missing {head} -{rel}-> {tail}"
    assert edge["evidence"] and all(e["text"] and e["doc_id"] for e in edge["evidence"])


def test_partners_is_stored_once_and_has_evidence_from_several_documents(seed_graph):
    a, b = sorted(["科大讯飞", "华为"])
    edge = seed_graph.get_edge_data(a, b, key="PARTNERS_WITH")
    assert edge is not None and not seed_graph.has_edge(b, a, key="PARTNERS_WITH")
    assert len({e["doc_id"] for e in edge["evidence"]}) >= 3


def test_evidence_quotes_the_source_document(seed_extractions):
    texts = {p.stem: p.read_text(encoding="utf-8") for p in seeds_dir().glob("*.txt")}
    for ex in seed_extractions:
        for r in ex.relations:
            assert texts[ex.doc_id][r.start:r.end] == r.evidence


def test_traditional_seed_merges_with_simplified_ones(seed_graph):
    # seed 000 is written in traditional characters; its iFlytek is the same node as everyone else's
    trad_doc = "000_26b5e33c79e3b1ac"
    node = seed_graph.nodes["科大讯飞"]
    assert trad_doc in node["docs"] and len(node["docs"]) == 5
    assert "科大訊飛" in node["aliases"] and "iFlytek" in node["aliases"]
    assert "劉慶峰" in seed_graph.nodes["刘庆峰"]["aliases"]


@pytest.mark.parametrize("alias", ["讯飞", "科大訊飛", "iFlytek", "IFLYTEK", "訊飛"])
def test_any_alias_resolves_to_one_node(seed_graph, alias):
    assert resolve(seed_graph, alias) == "科大讯飞"


def test_neighbourhood_is_the_same_whatever_the_alias(seed_graph):
    assert neighbours(seed_graph, "讯飞") == neighbours(seed_graph, "iFlytek") == neighbours(seed_graph, "科大訊飛")


def test_mentions_point_at_their_surface_text(seed_extractions):
    texts = {d.id: d.text for d in iter_documents([seeds_dir()])}
    for ex in seed_extractions:
        assert ex.mentions
        # offsets index the original text (normalisation keeps the length), not the normalised one:
        # the traditional seed's mentions read back in traditional characters
        for m in ex.mentions:
            assert m.end > m.start and texts[ex.doc_id][m.start:m.end] == m.text, (ex.doc_id, m)
