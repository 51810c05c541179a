"""Latency of ``kg.graph.network.neighbours`` on a generated graph with 1M edges.

The graph has the shape ``kg build`` produces (same node and edge attributes, relation-typed
multi-edges, one evidence item per edge) and a skewed degree distribution like news: a few hubs
(the 中国 and 华为 of the corpus) with tens of thousands of edges, most entities with a handful.
Two lookup mixes are timed: uniform over entities (what a random user query looks like) and
degree-weighted (queries about the famous entities, which are the expensive ones: a lookup returns
one row per edge, so a hub with 40k edges costs ~0.3 s however it is implemented in Python).

After the graph is built, ``gc.freeze()`` moves its ~10M objects out of the cyclic collector's
reach, as a long-running process serving queries would do; otherwise a full collection pass over
the whole graph (seconds) lands in a random lookup now and then and dominates the maximum.

    python -m bench.bench_neighbours --edges 1000000
"""

from __future__ import annotations

import argparse
import gc
import itertools
import random
import statistics
import time
from bisect import bisect
from typing import Any

import networkx as nx

from kg.graph.network import alias_index, neighbours, new_graph
from kg.schema import EntityType, RelationType

_CHARS = "".join(chr(c) for c in range(0x4E00, 0x4E00 + 3000))  # common-ish CJK block start


def generate_graph(edges: int, seed: int = 7, nodes: int | None = None) -> nx.MultiDiGraph:
    """A graph with exactly ``edges`` edges over ``nodes`` entities (default: edges / 5)."""
    rng = random.Random(seed)
    n_nodes = nodes or max(10, edges // 5)
    names: dict[str, None] = {}
    while len(names) < n_nodes:
        names["".join(rng.choice(_CHARS) for _ in range(rng.randint(2, 5)))] = None
    node_list = list(names)
    types = list(EntityType)
    G = new_graph()
    for i, name in enumerate(node_list):
        G.add_node(name, type=str(types[i % len(types)]), aliases=[f"{name}{i}"] if i % 4 == 0 else [],
                   english=None, mentions=1, docs=[f"doc{i}"], type_votes={})
    # Zipf-like endpoint choice: node rank r is picked with weight 1/(r+1)^0.9.
    cum = list(itertools.accumulate(1.0 / (r + 1) ** 0.9 for r in range(n_nodes)))
    total = cum[-1]
    relations = [str(r) for r in RelationType]
    added = 0
    while added < edges:
        u = node_list[bisect(cum, rng.random() * total)]
        v = node_list[rng.randrange(n_nodes)]
        kind = relations[rng.randrange(len(relations))]
        if u == v or G.has_edge(u, v, key=kind):
            continue
        G.add_edge(u, v, key=kind, relation=kind, confidence=0.8, evidence=[
            {"doc_id": f"doc{added}", "text": f"{u}与{v}的关系。", "start": 0, "end": 10,
             "confidence": 0.8}])
        added += 1
    return G


def _percentile(sorted_values: list[float], q: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def time_lookups(G: nx.MultiDiGraph, names: list[str]) -> dict[str, float]:
    """p50 / p99 / max latency in milliseconds of ``neighbours(G, name)`` over ``names``."""
    times = []
    for name in names:
        t = time.perf_counter()
        neighbours(G, name)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {"p50_ms": _percentile(times, 0.50), "p99_ms": _percentile(times, 0.99), "max_ms": times[-1],
            "mean_ms": statistics.fmean(times), "lookups": len(times)}


def run(edges: int = 1_000_000, lookups: int = 10_000, seed: int = 7) -> dict[str, Any]:
    t = time.perf_counter()
    G = generate_graph(edges, seed)
    generated = time.perf_counter() - t
    gc.collect()
    gc.freeze()  # see the module docstring
    t = time.perf_counter()
    alias_index(G)  # built once per loaded graph, then cached on it
    index_s = time.perf_counter() - t
    rng = random.Random(seed + 1)
    nodes = list(G.nodes)
    uniform = [rng.choice(nodes) for _ in range(lookups)]
    # degree-weighted: the endpoint of a random edge
    edge_list = list(G.edges(keys=False))
    hubby = [rng.choice(edge_list)[0] for _ in range(min(lookups, 1000))]
    degrees = sorted((d for _, d in G.degree()), reverse=True)
    result = {
        "edges": G.number_of_edges(), "nodes": G.number_of_nodes(),
        "generate_s": generated, "alias_index_s": index_s,
        "max_degree": degrees[0], "median_degree": degrees[len(degrees) // 2],
        "uniform": time_lookups(G, uniform),
        "degree_weighted": time_lookups(G, hubby),
    }
    gc.unfreeze()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edges", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=10_000)
    args = parser.parse_args()
    r = run(args.edges, args.lookups)
    print(f"{r['edges']:,} edges, {r['nodes']:,} nodes (max degree {r['max_degree']:,}, median "
          f"{r['median_degree']}); generated in {r['generate_s']:.1f} s, "
          f"alias index {r['alias_index_s']:.2f} s")
    for mix in ("uniform", "degree_weighted"):
        m = r[mix]
        print(f"{mix:>16}: p50 {m['p50_ms']:.3f} ms  p99 {m['p99_ms']:.3f} ms  max {m['max_ms']:.1f} ms "
              f"({m['lookups']:,} lookups)")


if __name__ == "__main__":
    main()
