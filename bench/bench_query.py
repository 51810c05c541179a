"""``kg query`` with a saved query as whole processes, wall and CPU seconds: with the embedded database
kept running (``kg db start``, what ``kg query`` leaves up for the next ones) and without
(``KG_DB_IDLE=0``: each command starts and stops its own server, the way kg worked before).

The graph is the shipped seeds' (``kg build`` into bench/out/query-seeds), or with ``--edges N`` the
generated graph of :mod:`bench.bench_lookups` loaded into its folder's database (bench/out/lookups-N):
there a server of one's own must first read the whole graph back from disk.

    python -m bench.bench_query --runs 20
    python -m bench.bench_query --runs 10 --edges 1000000
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.bench_lookups import KG, Timed, timed_all
from bench.corpus import ROOT

TARGET_S = 0.5  # issue 22: a saved query with the server up


def seeds_folder() -> Path:
    out = ROOT / "bench" / "out" / "query-seeds"
    if not (out / "db" / "graph.rdb").exists():
        subprocess.run([*KG, "build", "-q", "--no-html", "--out", str(out)], check=True, cwd=ROOT,
                       env={**os.environ, "KG_DB_IDLE": "0"})
    return out


def generated_folder(edges: int) -> Path:
    from bench.bench_lookups import ensure_folder

    out = ensure_folder(edges)[0]
    if not (out / "db" / "graph.rdb").exists():
        subprocess.run([*KG, "load", "-q", "--out", str(out)], check=True, cwd=ROOT,
                       env={**os.environ, "KG_DB_IDLE": "0"})
    return out


def _summary(runs: list[Timed]) -> dict[str, Any]:
    walls = sorted(r.seconds for r in runs)
    return {"p50_s": statistics.median(walls), "min_s": walls[0], "max_s": walls[-1],
            "cpu_p50_s": statistics.median(r.cpu_seconds for r in runs),
            "peak_rss_mb": max(r.peak_rss_mb for r in runs), "runs": len(runs),
            "failed": sum(1 for r in runs if r.returncode != 0)}


def _top_entity(out: Path) -> str:
    import kg

    with kg.open(out) as graph:
        return graph.stats()["top_degree"][0]["name"]


def run(runs: int = 20, edges: int | None = None) -> dict[str, Any]:
    out = generated_folder(edges) if edges else seeds_folder()
    where = ["--out", str(out)]
    queries = {"entity-types": ["query", "entity-types", *where],
               "people-of (the best-connected entity)": ["query", "people-of", "--param", f"name={_top_entity(out)}",
                                                         *where]}
    result: dict[str, Any] = {"graph": "seeds" if not edges else f"{edges:,} edges", "folder": str(out)}
    cold_env = {**os.environ, "KG_DB_IDLE": "0"}
    subprocess.run([*KG, "db", "stop", *where], check=True, cwd=ROOT, capture_output=True)
    for name, args in queries.items():
        result[f"{name}, a server of its own"] = _summary(timed_all([args] * runs, env=cold_env)[0])
    subprocess.run([*KG, "db", "start", *where], check=True, cwd=ROOT, capture_output=True)
    try:
        for name, args in queries.items():
            timed_all([args])  # the first connection of a kept server (the page cache, FalkorDB's own warm-up)
            result[f"{name}, the server kept running"] = _summary(timed_all([args] * runs)[0]) | {
                "target_s": TARGET_S}
    finally:
        subprocess.run([*KG, "db", "stop", *where], check=True, cwd=ROOT, capture_output=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--edges", type=int, default=None, help="the generated graph of this many edges")
    args = parser.parse_args()
    r = run(args.runs, args.edges)
    print(f"kg query as processes on the {r['graph']} graph ({r['folder']})", file=sys.stdout)
    print(f"{'saved query':62s} {'p50 s':>7s} {'min s':>7s} {'max s':>7s} {'CPU p50':>8s} {'target':>8s}")
    for name, m in r.items():
        if isinstance(m, dict):
            target = f"<= {m['target_s']}" if m.get("target_s") else ""
            print(f"{name:62s} {m['p50_s']:7.3f} {m['min_s']:7.3f} {m['max_s']:7.3f} {m['cpu_p50_s']:8.3f} "
                  f"{target:>8s}" + (f"  ({m['failed']} failed)" if m["failed"] else ""))


if __name__ == "__main__":
    main()
