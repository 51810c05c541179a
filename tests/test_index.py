"""The lookup index answers exactly what the in-memory graph answers (kg.graph.network), on random graphs
with hubs, for every filter, depth and limit; shortest paths have networkx's length."""

from __future__ import annotations

import random

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.graph.index import GraphIndex, UnknownName, write_index
from kg.graph.network import neighbours, new_graph, shortest_path
from kg.schema import EntityType, RelationType


def random_graph(seed: int, nodes: int = 300, edges: int = 900) -> nx.MultiDiGraph:
    rng = random.Random(seed)
    G = new_graph()
    names = [f"实体{i}" for i in range(nodes)]
    for i, n in enumerate(names):
        G.add_node(n, type=str(list(EntityType)[i % 8]), aliases=[f"别名{i}"] if i % 3 == 0 else [], english=None,
                   mentions=1, docs=[f"d{i}"])
    hubs = names[:5]
    while G.number_of_edges() < edges:
        u = rng.choice(hubs) if rng.random() < 0.3 else rng.choice(names)
        v = rng.choice(names)
        kind = str(rng.choice(list(RelationType)))
        if u != v and not G.has_edge(u, v, key=kind):
            G.add_edge(u, v, key=kind, relation=kind, confidence=0.5,
                       evidence=[{"doc_id": "d", "text": f"{u}{v}", "start": 0, "end": 2, "confidence": 0.5}])
    return G


@pytest.fixture(scope="module", params=[1, 2, 3])
def graphs(request: pytest.FixtureRequest) -> tuple[nx.MultiDiGraph, GraphIndex]:
    G = random_graph(request.param)
    return G, GraphIndex(write_index(G, ":memory:"))


def test_neighbours_agree_for_every_filter_and_depth(graphs: tuple[nx.MultiDiGraph, GraphIndex]) -> None:
    G, index = graphs
    rng = random.Random(0)
    for name in [*list(G.nodes)[:5], *rng.sample(list(G.nodes), 20)]:
        for depth in (1, 2, 3):
            for types, relations in ((None, None), (["Company", "Person"], None), (None, ["USES", "DEVELOPS"])):
                expected = neighbours(G, name, depth=depth, types=types, relations=relations)
                got = index.neighbours(name, depth=depth, types=types, relations=relations)
                assert got.rows == expected and got.omitted == 0, (name, depth, types, relations)
                cut = index.neighbours(name, depth=depth, types=types, relations=relations, limit=7)
                assert cut.rows == expected[:7] and cut.omitted == max(0, len(expected) - 7)


def test_paths_are_shortest_and_made_of_real_edges(graphs: tuple[nx.MultiDiGraph, GraphIndex]) -> None:
    G, index = graphs
    rng = random.Random(1)
    for _ in range(60):
        a, b = rng.choice(list(G.nodes)), rng.choice(list(G.nodes))
        steps = index.shortest_path(a, b)
        assert len(steps) == len(shortest_path(G, a, b))
        if steps:
            assert steps[0]["from"] == a and steps[-1]["to"] == b
        for s in steps:
            u, v = (s["from"], s["to"]) if s["direction"] in ("out", "both") else (s["to"], s["from"])
            assert G.has_edge(u, v, key=s["relation"]) or G.has_edge(v, u, key=s["relation"])


def test_names_resolve_by_any_alias_and_unknown_ones_get_suggestions(
        graphs: tuple[nx.MultiDiGraph, GraphIndex]) -> None:
    _, index = graphs
    assert index.resolve("别名3")[1] == "实体3"
    with pytest.raises(UnknownName, match="did you mean: .*实体1"):
        index.resolve("实体1x")


def test_stats_are_the_graphs(graphs: tuple[nx.MultiDiGraph, GraphIndex]) -> None:
    from kg.graph.network import stats

    G, index = graphs
    assert index.stats() == stats(G)


# -- pages of relations, filters and search (what kg serve and kg.open read) ------------------------


def _all_rows(G: nx.MultiDiGraph, node: str) -> list[tuple[str, str, str, float]]:
    """Every relation of ``node`` as (relation, other, direction, confidence), in the index's order."""
    rows = [(k, v, "out", d["confidence"]) for _, v, k, d in G.out_edges(node, keys=True, data=True)]
    rows += [(k, u, "in", d["confidence"]) for u, _, k, d in G.in_edges(node, keys=True, data=True)]
    return sorted(rows, key=lambda r: (r[0], r[1], r[2] == "out" and 0 or 1))


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 3), pick=st.integers(0, 10_000), offset=st.integers(0, 40), limit=st.integers(1, 30),
       types=st.sets(st.sampled_from([str(t) for t in EntityType]), max_size=3),
       relations=st.sets(st.sampled_from([str(r) for r in RelationType]), max_size=3),
       min_confidence=st.sampled_from([0.0, 0.3, 0.5, 0.8]))
def test_relation_pages_are_slices_of_the_filtered_relations(seed, pick, offset, limit, types, relations,
                                                             min_confidence) -> None:
    G = _confident_graph(seed)
    index = _index_of(seed)
    node = sorted(G.nodes)[pick % G.number_of_nodes()] if pick % 3 else sorted(G.nodes, key=G.degree)[-1]
    expected = [r for r in _all_rows(G, node) if (not relations or r[0] in relations)
                and (not types or G.nodes[r[1]]["type"] in types) and r[3] >= min_confidence]
    page = index.relations(node, relations=relations, types=types, min_confidence=min_confidence, limit=limit,
                           offset=offset)
    assert page["total"] == len(expected)
    got = [(r["relation"], r["other"]["name"], "out" if r["head"] == node else "in", r["confidence"])
           for r in page["rows"]]
    assert got == expected[offset:offset + limit]
    for r in page["rows"]:
        edge = index.edge(r["id"])
        assert (edge["head"], edge["relation"], edge["tail"]) == (r["head"], r["relation"], r["tail"])
        assert edge["evidence"] == G.edges[r["head"], r["tail"], r["relation"]]["evidence"]


_GRAPHS: dict[int, nx.MultiDiGraph] = {}
_INDEXES: dict[int, GraphIndex] = {}


def _confident_graph(seed: int) -> nx.MultiDiGraph:
    """A random graph (hubs included) whose relations have assorted confidences."""
    if seed not in _GRAPHS:
        G = random_graph(seed, nodes=120, edges=500)
        rng = random.Random(seed)
        for _, _, d in G.edges(data=True):
            d["confidence"] = rng.choice([0.2, 0.4, 0.5, 0.7, 0.9, 1.0])
        _GRAPHS[seed] = G
    return _GRAPHS[seed]


def _index_of(seed: int) -> GraphIndex:
    if seed not in _INDEXES:
        _INDEXES[seed] = GraphIndex(write_index(_confident_graph(seed), ":memory:"))
    return _INDEXES[seed]


def test_search_finds_any_alias_in_either_script_whole_start_then_anywhere() -> None:
    from kg.api import build_graph
    from kg.models import Entity, Extraction

    G = build_graph([Extraction(doc_id="d", entities=[
        Entity(name="科大讯飞", type="Company", aliases=["讯飞", "iFlytek"], english="iFlytek"),
        Entity(name="讯飞星火", type="AIModel"), Entity(name="安徽讯飞科技", type="Company"),
        Entity(name="华为", type="Company", aliases=["Huawei"])])])
    index = GraphIndex(write_index(G, ":memory:"))
    hits = index.search("訊飛")  # traditional script: the same key
    assert [(h["name"], h["match"]) for h in hits] == [("科大讯飞", "exact"), ("讯飞星火", "prefix"),
                                                       ("安徽讯飞科技", "substring")]
    assert hits[0]["via"] == "讯飞" and isinstance(hits[0]["id"], int)
    assert index.search("HUAWEI")[0]["name"] == "华为"
    assert index.search("讯飞", limit=1) == hits[:1]
    assert index.search("") == [] and index.search("不存在的名字") == []


def test_node_ids_follow_the_order_of_names(graphs: tuple[nx.MultiDiGraph, GraphIndex]) -> None:
    G, index = graphs
    names = [row[0] for row in index.db.execute("SELECT name FROM nodes ORDER BY id")]
    assert names == sorted(G.nodes)
