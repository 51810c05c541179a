"""Why ``kg neighbours`` reads an SQLite file and not the graph database: both measured on one graph.

The graph is the one :mod:`bench.bench_lookups` writes (1M edges by default, with its index.sqlite).
It is loaded into a fresh embedded FalkorDB with ``kg load`` (a process, as a user would), then
the same neighbourhood (depth 1, at most 100 rows, ordered by relation and name) is asked of both:

* as commands: ``kg neighbours NAME`` against ``kg query "MATCH …" -p name=NAME``, each a fresh
  process; wall time, CPU time and the peak memory of the whole process tree, the database server
  included (``bench.procmem``, sampled every 50 ms);
* in one process: ``GraphIndex.neighbours`` against ``Store.run`` on a server already started,
  per lookup, for random entities and for hubs.

    python -m bench.bench_index_vs_db --edges 1000000 --runs 5
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import procmem
from bench.bench_lookups import KG, LIMIT, ensure_folder
from bench.launch import resident_mb

#: kg neighbours NAME --limit 100 (depth 1), as Cypher: both directions, the rows it shows.
NEIGHBOURS = ("MATCH (n:Entity {name: $name})-[r]-(m:Entity) "
              "RETURN type(r) AS relation, m.name AS name, m.type AS type, r.evidence AS evidence "
              f"ORDER BY relation, name LIMIT {LIMIT}")


def _tree_mb() -> float | None:
    """Resident memory of this process's children (the embedded server), in MB."""
    tree = procmem.tree_memory_kib(os.getpid())[0] / 1024
    own = resident_mb()
    return tree - own if own is not None and tree else None


def _ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p50_ms": 1000 * statistics.median(ordered), "p90_ms": 1000 * ordered[int(0.9 * (len(ordered) - 1))],
            "max_ms": 1000 * ordered[-1]}


def _commands(out: Path, db_out: Path, names: list[str], runs: int) -> dict[str, Any]:
    """Each lookup as a fresh process, runs times each, alternating so load spikes hit both."""
    stats: dict[str, list[procmem.RunStats]] = {"kg neighbours (SQLite index)": [],
                                                "kg query (embedded FalkorDB)": []}
    for name in names[:runs]:
        stats["kg neighbours (SQLite index)"].append(procmem.run([*KG, "neighbours", name, "--out", str(out)]))
        stats["kg query (embedded FalkorDB)"].append(procmem.run(
            [*KG, "query", NEIGHBOURS, "-p", f"name={name}", "--out", str(db_out)]))
    return {label: {"p50_s": statistics.median(r.seconds for r in rs),
                    "cpu_p50_s": statistics.median(r.cpu_seconds for r in rs),
                    "peak_rss_mb": max(r.peak_rss_mb or 0 for r in rs), "failed": sum(r.returncode != 0 for r in rs),
                    "runs": len(rs)}
            for label, rs in stats.items()}


def _in_process(out: Path, db_out: Path, names: list[str], hubs: list[str]) -> dict[str, Any]:
    """Per-lookup latency on an open index and on a started server."""
    from kg.graph.index import INDEX_FILE, GraphIndex
    from kg.sinks.store import DB_DIR
    from kg.sinks.store.connect import open_store

    index = GraphIndex.open(out / INDEX_FILE)
    result: dict[str, Any] = {}
    t = time.perf_counter()
    with open_store(data_dir=db_out / DB_DIR) as store:
        result["server_start_s"] = time.perf_counter() - t
        result["server_rss_mb"] = _tree_mb()
        for label, sample in (("random entity", names), ("hub", hubs)):
            sqlite_s, db_s = [], []
            for name in sample:
                t = time.perf_counter()
                rows = len(index.neighbours(name, limit=LIMIT).rows)
                sqlite_s.append(time.perf_counter() - t)
                t = time.perf_counter()
                got = len(store.run(NEIGHBOURS, {"name": name}, write=False).records)
                db_s.append(time.perf_counter() - t)
                if got != rows:  # the two must answer the same question
                    raise RuntimeError(f"{name}: the index gave {rows} rows, the database {got}")
            result[label] = {"lookups": len(sample), "sqlite": _ms(sqlite_s), "falkordb": _ms(db_s)}
    index.db.close()
    return result


def run(edges: int = 1_000_000, runs: int = 5, lookups: int = 200, seed: int = 7) -> dict[str, Any]:
    out, nodes, hubs = ensure_folder(edges, seed)
    rng = random.Random(seed)
    names = [rng.choice(nodes) for _ in range(max(lookups, runs))]
    with tempfile.TemporaryDirectory(prefix="kg-bench-db-") as tmp:
        db_out = Path(tmp)
        load = procmem.run([*KG, "load", str(out / "graph.json"), "--out", str(db_out), "-q"])
        if load.returncode != 0:
            raise RuntimeError(f"kg load failed: {load.output.strip()[-300:]}")
        db_bytes = sum(p.stat().st_size for p in (db_out / "db").iterdir() if p.is_file())
        result: dict[str, Any] = {
            "edges": edges, "load_s": load.seconds, "load_cpu_s": load.cpu_seconds,
            "load_peak_rss_mb": load.peak_rss_mb,
            "index_bytes": (out / "index.sqlite").stat().st_size, "db_bytes": db_bytes,
            "commands": _commands(out, db_out, names, runs),
            "in_process": _in_process(out, db_out, names[:lookups], hubs[:20]),
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edges", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5, help="processes of each command")
    parser.add_argument("--lookups", type=int, default=200, help="in-process lookups of random entities")
    args = parser.parse_args()
    r = run(args.edges, args.runs, args.lookups)
    print(f"{r['edges']:,} edges: index.sqlite {r['index_bytes'] / 1e6:,.0f} MB; kg load into embedded FalkorDB "
          f"{r['load_s']:.0f} s ({r['load_cpu_s']:.0f} CPU-s of kg), database files {r['db_bytes'] / 1e6:,.0f} MB")
    for label, c in r["commands"].items():
        print(f"{label:30s} p50 {c['p50_s']:6.2f} s ({c['cpu_p50_s']:.2f} CPU-s of kg), "
              f"peak {c['peak_rss_mb']:,.0f} MB (process tree)" + (f", {c['failed']} failed" if c["failed"] else ""))
    p = r["in_process"]
    print(f"in one process: server start {p['server_start_s']:.1f} s, server RSS {p['server_rss_mb'] or 0:,.0f} MB")
    for label in ("random entity", "hub"):
        m = p[label]
        print(f"  {label:14s} ({m['lookups']} lookups) SQLite p50 {m['sqlite']['p50_ms']:.2f} ms "
              f"p90 {m['sqlite']['p90_ms']:.2f} ms; FalkorDB p50 {m['falkordb']['p50_ms']:.2f} ms "
              f"p90 {m['falkordb']['p90_ms']:.2f} ms")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
