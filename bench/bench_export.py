"""Time and size of each ``kg export`` format on a generated graph with 1M edges.

The graph is ``bench.bench_neighbours.generate_graph`` (the attributes ``kg build`` produces, one
evidence sentence per edge, news-like skew), saved as ``graph.json``. Each format is measured twice:

* the writer alone (``kg.export.to_graphml`` ...) on the graph in memory, best of ``--repeat``;
* the command, ``kg export --format F``, in a fresh process: reading graph.json, writing, and the
  process tree's peak memory (``bench.procmem``).

    python -m bench.bench_export --edges 1000000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import procmem
from bench.bench_neighbours import generate_graph
from kg.export import FORMATS, WRITERS
from kg.graph import load_json, save_json

KG = [sys.executable, "-c", "from kg.cli import main; main()"]
TARGETS = {"graphml": "graph.graphml", "gexf": "graph.gexf", "csv": "neo4j-import", "jsonl": "graph.jsonl"}


def _bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.iterdir()) if path.is_dir() else path.stat().st_size


def run(edges: int = 1_000_000, repeat: int = 1, formats: tuple[str, ...] = FORMATS) -> dict[str, Any]:
    """Figures per format: writer seconds (wall and CPU), command seconds (wall and CPU of the
    process tree), peak RSS (MB), output bytes. CPU time is the figure to trust on a busy machine."""
    t = time.perf_counter()
    G = generate_graph(edges)
    result: dict[str, Any] = {"edges": G.number_of_edges(), "nodes": G.number_of_nodes(),
                              "generate_s": time.perf_counter() - t, "formats": {}}
    with tempfile.TemporaryDirectory(prefix="kg-bench-export-") as tmp:
        out = Path(tmp) / "kg-out"
        t = time.perf_counter()
        save_json(G, out / "graph.json")
        result["save_json_s"] = time.perf_counter() - t
        result["graph_json_bytes"] = (out / "graph.json").stat().st_size
        t, c = time.perf_counter(), time.process_time()
        load_json(out / "graph.json")
        result["load_json_s"], result["load_json_cpu_s"] = time.perf_counter() - t, time.process_time() - c
        for fmt in formats:
            target = Path(tmp) / TARGETS[fmt]
            times, cpu = [], []
            for _ in range(max(repeat, 1)):
                t, c = time.perf_counter(), time.process_time()
                WRITERS[fmt](G, target)
                times.append(time.perf_counter() - t)
                cpu.append(time.process_time() - c)
            size = _bytes(target)
            cmd = procmem.run([*KG, "export", "--format", fmt, "--out", str(out), "-o", str(target)])
            result["formats"][fmt] = {
                "writer_s": min(times), "writer_cpu_s": min(cpu), "bytes": size, "command_s": cmd.seconds,
                "command_cpu_s": cmd.cpu_seconds,
                "command_returncode": cmd.returncode, "peak_rss_mb": cmd.peak_rss_mb,
                "command_bytes": _bytes(target),
            }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edges", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each writer (best of)")
    parser.add_argument("--format", action="append", choices=FORMATS, help="only these formats")
    args = parser.parse_args()
    r = run(args.edges, args.repeat, tuple(args.format or FORMATS))
    print(f"{r['edges']:,} edges, {r['nodes']:,} nodes; graph.json {r['graph_json_bytes'] / 1e6:,.0f} MB, "
          f"loaded in {r['load_json_s']:.1f} s ({r['load_json_cpu_s']:.1f} CPU-s)")
    print(f"{'format':<8} {'writer (CPU)':>17} {'kg export (CPU)':>19} {'peak RSS':>10} {'size':>9}")
    for fmt, f in r["formats"].items():
        rss = f"{f['peak_rss_mb']:,.0f} MB" if f["peak_rss_mb"] else "n/a"
        ok = "" if f["command_returncode"] == 0 else f"  (exit {f['command_returncode']})"
        print(f"{fmt:<8} {f['writer_s']:>6.1f} s ({f['writer_cpu_s']:>5.1f} s) {f['command_s']:>7.1f} s "
              f"({f['command_cpu_s']:>6.1f} s) {rss:>10} {f['bytes'] / 1e6:>6,.0f} MB{ok}")


if __name__ == "__main__":
    main()
