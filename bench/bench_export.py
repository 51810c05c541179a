"""Time and size of each ``kg export`` format on a generated graph with 1M edges.

The graph is ``bench.bench_neighbours.generate_graph`` (the attributes ``kg build`` produces, one
evidence sentence per edge, news-like skew), saved as ``graph.json``. Each format is measured twice:

* the writer alone (``kg.sinks.graphml.to_graphml`` ...) on the graph in memory, best of ``--repeat``;
* the command, ``kg export --format F``, in a fresh process: reading graph.json, writing, and the
  process tree's peak memory (``bench.procmem``).

``--round-trip`` instead writes each format with ``kg export`` at a moderate size (20k edges by
default: the check is of content, not of speed) and reads it back by the other tool's rules
(``kg.sinks.export_check``, which the tests use too): GraphML and GEXF with networkx, CSV against
neo4j-admin's header grammar, JSON Lines with a JSON parser per line; every record and attribute
must be the graph's.

    python -m bench.bench_export --edges 1000000
    python -m bench.bench_export --round-trip --edges 20000
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import networkx as nx

from bench import procmem
from bench.bench_neighbours import generate_graph
from kg.graph.network import load_json, save_json, to_json_dict
from kg.registry import SINKS
from kg.sinks.export_check import ExportCheckError, canonical, expected_csv, read_csv_file, sort_csv, xml_records
from kg.sinks.neo4j_csv import DEFAULT_ARRAY_DELIMITER, NODES_FILE, RELATIONSHIPS_FILE

KG = [sys.executable, "-c", "from kg.cli import main; main()"]
TARGETS = {"graphml": "graph.graphml", "gexf": "graph.gexf", "csv": "neo4j-import", "jsonl": "graph.jsonl"}
FORMATS = tuple(TARGETS)


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
                sink = SINKS.get(fmt)
                sink.write(G, target, sink.Settings())
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


def _read_back(fmt: str, target: Path, delimiter: str) -> tuple[Any, int, int]:
    """What another tool reads from ``target``, comparable with :func:`_expected`, and the node and
    edge counts it read: networkx for GraphML and GEXF, neo4j-admin's header grammar for CSV, a
    JSON parser per line for JSON Lines."""
    if fmt in ("graphml", "gexf"):
        H = nx.read_graphml(target, force_multigraph=True) if fmt == "graphml" else nx.read_gexf(target)
        return canonical(xml_records(H)), H.number_of_nodes(), H.number_of_edges()
    if fmt == "csv":
        nodes = read_csv_file(target / NODES_FILE, "nodes", delimiter)
        relationships = read_csv_file(target / RELATIONSHIPS_FILE, "relationships", delimiter)
        return sort_csv(nodes, relationships), len(nodes), len(relationships)
    with open(target, encoding="utf-8", newline="\n") as fh:
        records = [json.loads(line) for line in fh]
    kinds = [r.pop("kind") for r in records]
    nodes = [r for r, k in zip(records, kinds, strict=True) if k == "node"]
    edges = [r for r, k in zip(records, kinds, strict=True) if k == "relation"]
    return {"nodes": nodes, "edges": edges}, len(nodes), len(edges)


def _expected(fmt: str, G: nx.MultiDiGraph) -> Any:
    """What the other tool should read from an export of ``G`` (whose text needs no escapes)."""
    if fmt == "csv":
        return expected_csv(G)  # the properties kg load stores
    data = to_json_dict(G)
    return canonical(data) if fmt in ("graphml", "gexf") else {"nodes": data["nodes"], "edges": data["edges"]}


def round_trip(edges: int = 20_000, formats: tuple[str, ...] = FORMATS) -> dict[str, Any]:
    """Each format written by ``kg export`` (a fresh process, as a user runs it) from graph.json of a
    generated graph, then read back by another tool's rules and compared, record by record and
    attribute by attribute (types included), with the graph export read. Seconds: the command
    (wall, CPU of the process tree) and the read-back and comparison."""
    G = generate_graph(edges)
    result: dict[str, Any] = {"edges": G.number_of_edges(), "nodes": G.number_of_nodes(), "formats": {}}
    with tempfile.TemporaryDirectory(prefix="kg-bench-roundtrip-") as tmp:
        out = Path(tmp) / "kg-out"
        save_json(G, out / "graph.json")
        G = load_json(out / "graph.json")  # what kg export reads
        for fmt in formats:
            target = Path(tmp) / TARGETS[fmt]
            cmd = procmem.run([*KG, "export", "--format", fmt, "--out", str(out), "-o", str(target)])
            r: dict[str, Any] = {"export_s": cmd.seconds, "export_cpu_s": cmd.cpu_seconds,
                                 "returncode": cmd.returncode, "identical": False}
            t = time.perf_counter()
            try:
                if cmd.returncode != 0:
                    raise ExportCheckError(f"kg export exited {cmd.returncode}: {cmd.output.strip()[-200:]}")
                got, r["nodes"], r["edges"] = _read_back(fmt, target, _array_delimiter(cmd.output))
                r["identical"] = got == _expected(fmt, G)
                r["same_counts"] = (r["nodes"], r["edges"]) == (len(G), G.number_of_edges())
            except (ExportCheckError, ValueError, KeyError, OSError) as exc:  # a broken file is a result
                r["problem"] = f"{type(exc).__name__}: {exc}"
            r["read_s"] = time.perf_counter() - t
            result["formats"][fmt] = r
    return result


def _array_delimiter(output: str) -> str:
    """The array delimiter of a CSV export, from the neo4j-admin command ``kg export`` printed."""
    found = re.search(r"--array-delimiter=U\+([0-9A-Fa-f]{4,6})", output)
    return chr(int(found[1], 16)) if found else DEFAULT_ARRAY_DELIMITER


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edges", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each writer (best of)")
    parser.add_argument("--format", action="append", choices=FORMATS, help="only these formats")
    parser.add_argument("--round-trip", action="store_true", help="write each format and read it back")
    args = parser.parse_args()
    if args.round_trip:
        rt = round_trip(args.edges, tuple(args.format or FORMATS))
        print(f"{rt['edges']:,} edges, {rt['nodes']:,} nodes")
        for fmt, f in rt["formats"].items():
            verdict = "identical" if f["identical"] else f"DIFFERENT {f.get('problem', '')}"
            print(f"{fmt:<8} {verdict}; kg export {f['export_s']:.1f} s ({f['export_cpu_s']:.1f} CPU-s), "
                  f"read back and compared {f['read_s']:.1f} s")
        return
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
