"""``kg neighbours``, ``kg path`` and ``kg stats`` as whole processes on a 1M-edge graph: what a user
waits for (interpreter start, imports, opening the index, the answer), and the memory it takes.

The graph is the one :mod:`bench.bench_neighbours` generates (news-like skew, hubs with tens of
thousands of edges), saved as a ``kg build`` output folder (graph.json + index.sqlite) under
bench/out/lookups-<edges>/ and reused. Entities are drawn uniformly (a random query) and by degree
(the famous ones); paths between random pairs. Each command runs as a process of its own, started
from ``bench.launch`` (a small process, so that Linux does not count the benchmark's own pages into
the child's peak RSS); wall time, CPU time and peak RSS (``wait4``) per run. The hub lookups keep
their output, to check the count of what ``--limit`` left out against the hub's degree.

    python -m bench.bench_lookups --edges 1000000 --runs 20
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.bench_neighbours import generate_graph
from bench.corpus import ROOT

KG = [sys.executable, "-c", "from kg.cli import main; main()"]
#: The --limit of the hub lookups (kg neighbours' default), and the line that counts the rest.
LIMIT = 100
OMITTED = re.compile(r"… and ([\d,]+) more \(--limit")


def folder(edges: int) -> Path:
    return ROOT / "bench" / "out" / f"lookups-{edges}"


def prepare(edges: int, seed: int = 7) -> None:
    """Generate the graph and write its output folder (run in a child process, see ensure_folder)."""
    from kg.graph.index import INDEX_FILE, write_index
    from kg.graph.network import save_json

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
    """The output folder of the generated graph (made by a child process, so the caller, e.g. the
    whole of run_all, does not keep the graph's memory); returns it with the node names and the 50
    best-connected names."""
    from kg.graph.index import INDEX_FILE, GraphIndex

    out = folder(edges)
    if not (out / INDEX_FILE).exists():
        subprocess.run([sys.executable, "-m", "bench.bench_lookups", "--prepare", "--edges", str(edges),
                        "--seed", str(seed)], check=True, cwd=ROOT)
    db = GraphIndex.open(out / INDEX_FILE).db
    nodes = [r[0] for r in db.execute("SELECT name FROM nodes ORDER BY id")]
    hubs = [r[0] for r in db.execute("SELECT name FROM nodes ORDER BY degree DESC, id LIMIT 50")]
    db.close()
    return out, nodes, hubs


@dataclass
class Timed:
    """One kg process: wall and CPU seconds, peak RSS, exit code, and what it printed if asked."""

    seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    returncode: int
    output: str = ""


def timed_all(commands: list[list[str]], capture: bool = False, prefix: list[str] = KG,
              env: dict[str, str] | None = None) -> tuple[list[Timed], float]:
    """Run each kg command (``prefix`` + its arguments) in turn from ``bench.launch`` (a small process of
    its own, so that the peak RSS of each is not inflated by this one's pages); also returns the
    launcher's own RSS, the floor of those figures."""
    done = subprocess.run([sys.executable, "-m", "bench.launch"], cwd=ROOT, check=True, capture_output=True, env=env,
                          input=json.dumps([{"args": [*prefix, *a], "capture": capture} for a in commands]), text=True)
    answer = json.loads(done.stdout)
    return [Timed(**r) for r in answer["runs"]], answer["launcher_rss_mb"]


def omitted(output: str) -> int:
    """The count ``kg neighbours`` printed for what --limit left out (``… and N more``; no such
    line when nothing was)."""
    found = OMITTED.search(output)
    return int(found[1].replace(",", "")) if found else 0


def _summary(runs: list[Timed]) -> dict[str, Any]:
    walls = sorted(r.seconds for r in runs)
    cpu = sorted(r.cpu_seconds for r in runs)
    summary = {"p50_s": statistics.median(walls), "p90_s": walls[int(0.9 * (len(walls) - 1))], "max_s": walls[-1],
               "cpu_p50_s": statistics.median(cpu), "peak_rss_mb": max(r.peak_rss_mb for r in runs),
               "runs": len(runs), "failed": sum(1 for r in runs if r.returncode not in (0, 1))}
    return summary


def run(edges: int = 1_000_000, runs: int = 20, seed: int = 7) -> dict[str, Any]:
    out, nodes, hubs = ensure_folder(edges, seed)
    rng = random.Random(seed)
    where = ["--out", str(out)]
    hub = f"neighbours, hub (--limit {LIMIT})"
    mixes = {
        "neighbours, random entity": [["neighbours", rng.choice(nodes), *where] for _ in range(runs)],
        hub: [["neighbours", rng.choice(hubs), "--limit", str(LIMIT), *where] for _ in range(runs)],
        "neighbours --depth 2, random entity": [["neighbours", rng.choice(nodes), "--depth", "2", *where]
                                                for _ in range(runs)],
        "path, random pair": [["path", rng.choice(nodes), rng.choice(nodes), *where] for _ in range(runs)],
        "path, hub to random entity": [["path", rng.choice(hubs), rng.choice(nodes), *where] for _ in range(runs)],
        "stats": [["stats", *where] for _ in range(runs)],
        "--help (start-up and the list of commands)": [["--help"] for _ in range(runs)],
        "--version (start-up alone)": [["--version"] for _ in range(runs)],
    }
    timed_all([["stats", *where]])  # warm the page cache once
    result: dict[str, Any] = {"edges": edges, "folder": str(out)}
    for name, commands in mixes.items():
        runs_of, floor = timed_all(commands, capture=name == hub)
        result[name] = _summary(runs_of) | {"launcher_rss_mb": floor}
        if name == hub:  # what --limit left out, as the command printed it, against the hub's degree
            degrees = _degrees(out, [a[1] for a in commands])
            result[name]["limited"] = [{"degree": d, "shown": min(d, LIMIT), "omitted": omitted(r.output)}
                                       for d, r in zip(degrees, runs_of, strict=True)]
    return result


def _degrees(out: Path, names: list[str]) -> list[int]:
    """Each entity's number of neighbourhood rows (its edges, both directions) from the index."""
    from kg.graph.index import INDEX_FILE, GraphIndex

    db = GraphIndex.open(out / INDEX_FILE).db
    degrees = [db.execute("SELECT degree FROM nodes WHERE name = ?", (n,)).fetchone()[0] for n in names]
    db.close()
    return degrees


def _range(values: list[int]) -> str:
    return f"{min(values):,}" if min(values) == max(values) else f"{min(values):,} to {max(values):,}"


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
    print(f"{'command':40s} {'p50 s':>7s} {'p90 s':>7s} {'max s':>7s} {'CPU p50':>8s} {'peak RSS MB':>12s}")
    for name, m in r.items():
        if isinstance(m, dict):
            print(f"{name:40s} {m['p50_s']:7.3f} {m['p90_s']:7.3f} {m['max_s']:7.3f} {m['cpu_p50_s']:8.3f} "
                  f"{m['peak_rss_mb']:12.0f}" + (f"  ({m['failed']} failed)" if m["failed"] else "")
                  + (f"  printed '… and N more' for N = {_range([x['omitted'] for x in m['limited']])}"
                     if m.get("limited") else ""))


if __name__ == "__main__":
    main()
