"""Benchmark: time ``kg graph.html`` generation for a synthetic graph of a given size.

``run(nodes=2000, edges=5000)`` returns a dict of figures (importable by the bench suite);
``python -m bench.bench_html [NODES EDGES]`` prints them. ``synthetic_graph`` is also used by the
browser test that checks a graph this size lays out and then stops moving.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import networkx as nx

from kg.graph.network import new_graph
from kg.schema import SIGNATURES, SYMMETRIC, EntityType
from kg.sinks.html import render_html, write_html

_SYLLABLES = "华讯星云智达科芯天海联创思源明卓航宇博睿腾新泰恒盛安信通光"
_SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何高林罗"
_SUFFIX = {
    EntityType.COMPANY: "科技", EntityType.ORGANIZATION: "研究院", EntityType.PLACE: "市",
    EntityType.CHIP: "芯片", EntityType.AIMODEL: "大模型", EntityType.PRODUCT: "助手",
    EntityType.EVENT: "大会", EntityType.PERSON: "",
}
#: Rough shares of entity types in tech news.
_TYPE_WEIGHTS = {
    EntityType.COMPANY: 30, EntityType.PERSON: 22, EntityType.PLACE: 10, EntityType.ORGANIZATION: 10,
    EntityType.CHIP: 6, EntityType.AIMODEL: 10, EntityType.PRODUCT: 9, EntityType.EVENT: 3,
}


def _name(rng: random.Random, kind: EntityType, used: set[str]) -> str:
    while True:
        if kind is EntityType.PERSON:
            name = rng.choice(_SURNAMES) + "".join(rng.choices(_SYLLABLES, k=rng.choice((1, 2))))
        else:
            name = "".join(rng.choices(_SYLLABLES, k=2)) + _SUFFIX[kind]
        if name in used:
            name += str(len(used))
        if name not in used:
            used.add(name)
            return name


def synthetic_graph(nodes: int = 2000, edges: int = 5000, seed: int = 7) -> nx.MultiDiGraph:
    """A reproducible graph shaped like ``kg.graph.network.build_graph`` output, with news-like structure.

    Entities belong to small "stories" (about eight entities each) and most relations stay inside
    a story; a few hub entities (the big companies, places and models) are shared across stories,
    as in a real news corpus. Relations respect the schema's type signatures when the story has
    entities of the right types.
    """
    rng = random.Random(seed)
    G = new_graph()
    used: set[str] = set()
    kinds = rng.choices(list(_TYPE_WEIGHTS), weights=list(_TYPE_WEIGHTS.values()), k=nodes)
    n_stories = max(nodes // 8, 1)
    stories: list[list[str]] = [[] for _ in range(n_stories)]
    hubs: list[str] = []
    for i, kind in enumerate(kinds):
        name = _name(rng, kind, used)
        story = rng.randrange(n_stories)
        G.add_node(name, type=str(kind), aliases=[f"{name}{i}号"] if i % 5 == 0 else [],
                   english=f"Entity{i}" if i % 7 == 0 else None, mentions=rng.randint(1, 12),
                   docs=[f"doc{story:05d}"], type_votes={str(kind): 1})
        stories[story].append(name)
        if i % 40 == 0:
            hubs.append(name)
    if nodes < 2:
        return G
    relations = list(SIGNATURES)
    attempts = added = 0  # count edges ourselves: number_of_edges() walks the whole graph
    while added < edges and attempts < edges * 50:
        attempts += 1
        rel = rng.choice(relations)
        heads, tails = SIGNATURES[rel]
        members = stories[rng.randrange(n_stories)]
        u = _pick(rng, G, members, hubs, heads)
        v = _pick(rng, G, members, hubs, tails)
        if u is None or v is None or u == v:
            continue
        if rel in SYMMETRIC and v < u:
            u, v = v, u
        if G.has_edge(u, v, key=str(rel)):
            continue
        doc = G.nodes[u]["docs"][0]
        for n in (u, v):
            if doc not in G.nodes[n]["docs"]:
                G.nodes[n]["docs"].append(doc)
        conf = round(rng.uniform(0.3, 0.99), 2)
        added += 1
        G.add_edge(u, v, key=str(rel), relation=str(rel), confidence=conf,
                   evidence=[{"doc_id": doc, "text": f"据报道，{u}与{v}的关系为{rel}。", "start": 0,
                              "end": 20, "confidence": conf}])
    return G


def _pick(rng: random.Random, G: nx.MultiDiGraph, members: list[str], hubs: list[str],
          types: frozenset[EntityType]) -> str | None:
    """A story member of one of ``types`` (any member if none fits); now and then a shared hub."""
    if hubs and rng.random() < 0.12:
        return rng.choice(hubs)
    fitting = [n for n in members if G.nodes[n]["type"] in types] or members
    return rng.choice(fitting) if fitting else None


def run(nodes: int = 2000, edges: int = 5000, repeat: int = 3) -> dict[str, Any]:
    """Time HTML generation (render + atomic write) for a synthetic graph; best of ``repeat``."""
    G = synthetic_graph(nodes, edges)
    render_html(G)  # warm-up: template compilation and file reads are cached per process
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "graph.html"
        for _ in range(max(repeat, 1)):
            start = time.perf_counter()
            write_html(G, out)
            times.append(time.perf_counter() - start)
        size = out.stat().st_size
    return {"name": "html", "nodes": G.number_of_nodes(), "edges": G.number_of_edges(),
            "seconds": round(min(times), 4), "bytes": size}


def main(argv: list[str]) -> None:
    nodes, edges = (int(argv[0]), int(argv[1])) if len(argv) >= 2 else (2000, 5000)
    r = run(nodes, edges)
    print(f"graph.html for {r['nodes']:,} nodes / {r['edges']:,} edges: {r['seconds'] * 1000:.0f} ms, "
          f"{r['bytes'] / 1e6:.1f} MB")


if __name__ == "__main__":
    main(sys.argv[1:])
