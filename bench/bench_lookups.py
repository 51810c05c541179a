"""``kg neighbours``, ``kg path`` and ``kg stats`` as whole processes on a 1M-edge graph: what a user
waits for (interpreter start, imports, opening the index, the answer), and the memory it takes.

The graph is the one :mod:`bench.bench_neighbours` generates (news-like skew, hubs with tens of
thousands of edges), saved as a ``kg build`` output folder (graph.json + index.sqlite) under
bench/out/lookups-<edges>/ and reused. Entities are drawn uniformly (a random query) and by degree
(the famous ones); paths between random pairs. Each command runs as ``python -m`` style process;
wall time and peak RSS (``wait4``) per run.

    python -m bench.bench_lookups --edges 1000000 --runs 20
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.bench_neighbours import generate_graph
from bench.corpus import ROOT

KG = [sys.executable, "-c", "from kg.cli import main; main()"]


def folder(edges: int) -> Path:
    return ROOT / "bench" / "out" / f"lookups-{edges}"


def prepare(edges: int, seed: int = 7) -> None:
    """Generate the graph and write its output folder (run in a child process, see ensure_folder)."""
    from kg.graph import save_json
    from kg.index import INDEX_FILE, write_index

    out = folder(edges)
    out.mkdir(parents=True, exist_ok=True)
    G = generate_graph(edges, seed)
    t = time.perf_counter()
    save_json(G, out / "graph.json")
    saved = time.perf_counter() - t
    t = time.perf_counter()
    write_index(G, out / INDEX_FILE, source=out / "graph.json").close()
    print(f"wrote graph.json in {saved:.1f} s and the index in {time.perf_counter() - t:.1f} s "
          f"({(out / INDEX_FILE).stat().st_size / 1e6:.0f} MB)", file=sys.stderr)


def ensure_folder(edges: int, seed: int = 7) -> tuple[Path, list[str], list[str]]:
    """The output folder of the generated graph (made by a child process, so this one stays small:
    the kg processes it starts would otherwise count its pages in their peak RSS); returns it with
    the node names and the 50 best-connected names."""
    from kg.index import INDEX_FILE, GraphIndex

    out = folder(edges)
    if not (out / INDEX_FILE).exists():
        subprocess.run([sys.executable, "-m", "bench.bench_lookups", "--prepare", "--edges", str(edges),
                        "--seed", str(seed)], check=True, cwd=ROOT)
    db = GraphIndex.open(out / INDEX_FILE).db
    nodes = [r[0] for r in db.execute("SELECT name FROM nodes ORDER BY id")]
    hubs = [r[0] for r in db.execute("SELECT name FROM nodes ORDER BY degree DESC, id LIMIT 50")]
    db.close()
    return out, nodes, hubs


def timed(args: list[str]) -> tuple[float, float, int]:
    """(wall seconds, peak RSS MB, exit code) of one kg process."""
    t = time.perf_counter()
    proc = subprocess.Popen([*KG, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - t, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def _summary(runs: list[tuple[float, float, int]]) -> dict[str, Any]:
    walls = sorted(r[0] for r in runs)
    return {"p50_s": statistics.median(walls), "p90_s": walls[int(0.9 * (len(walls) - 1))], "max_s": walls[-1],
            "peak_rss_mb": max(r[1] for r in runs), "runs": len(runs),
            "failed": sum(1 for r in runs if r[2] not in (0, 1))}


def run(edges: int = 1_000_000, runs: int = 20, seed: int = 7) -> dict[str, Any]:
    out, nodes, hubs = ensure_folder(edges, seed)
    rng = random.Random(seed)
    where = ["--out", str(out)]
    mixes = {
        "neighbours, random entity": [["neighbours", rng.choice(nodes), *where] for _ in range(runs)],
        "neighbours, hub (--limit 100)": [["neighbours", rng.choice(hubs), *where] for _ in range(runs)],
        "neighbours --depth 2, random entity": [["neighbours", rng.choice(nodes), "--depth", "2", *where]
                                                for _ in range(runs)],
        "path, random pair": [["path", rng.choice(nodes), rng.choice(nodes), *where] for _ in range(runs)],
        "path, hub to random entity": [["path", rng.choice(hubs), rng.choice(nodes), *where] for _ in range(runs)],
        "stats": [["stats", *where] for _ in range(runs)],
        "--help (start-up alone)": [["--help"] for _ in range(runs)],
    }
    timed(["stats", *where])  # warm the page cache once
    return {"edges": edges, "folder": str(out), **{name: _summary([timed(a) for a in args])
                                                   for name, args in mixes.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edges", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        prepare(args.edges, args.seed)
        return
    r = run(args.edges, args.runs, args.seed)
    print(f"kg lookups as processes, {r['edges']:,} edges ({r['folder']})")
    print(f"{'command':40s} {'p50 s':>7s} {'p90 s':>7s} {'max s':>7s} {'peak RSS MB':>12s}")
    for name, m in r.items():
        if isinstance(m, dict):
            print(f"{name:40s} {m['p50_s']:7.3f} {m['p90_s']:7.3f} {m['max_s']:7.3f} {m['peak_rss_mb']:12.0f}"
                  + (f"  ({m['failed']} failed)" if m["failed"] else ""))


if __name__ == "__main__":
    main()
