"""The lookup index answers exactly what the in-memory graph answers (kg.graph), on random graphs
with hubs, for every filter, depth and limit; shortest paths have networkx's length."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from kg.graph import neighbours, new_graph, shortest_path
from kg.index import GraphIndex, UnknownName, write_index
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
    from kg.graph import stats

    G, index = graphs
    assert index.stats() == stats(G)
