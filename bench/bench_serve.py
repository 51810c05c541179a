"""``kg serve`` on the 1M-edge bench graph: the latency of its JSON API, request by request, and the
server's memory.

The graph is :mod:`bench.bench_lookups`'s (news-like skew: hubs of tens of thousands of relations). The
server runs as a process of its own (``python -m kg serve``); one client sends the requests one after
another over a kept-alive connection, as the page does, in a fixed mix drawn with a fixed seed:

* search: a name, an alias, or the first one or two characters of a name (prefix and substring scans);
* neighbourhood: the first page of a random entity's relations, a page at a random offset of a hub's,
  and pages filtered by entity type, relation type or confidence (of random entities and of hubs);
* evidence: a relation met in an earlier answer, with its evidence sentences;
* path: a shortest path between two random entities.

Latency is the client's wall time from sending to the last byte (p50, p95, p99, max, per kind and in
all); memory is the server's resident set (VmRSS) and its peak (VmHWM) from /proc after the run, and
the page itself (GET /) is timed too.

    python -m bench.bench_serve --requests 2000
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

from bench.bench_lookups import ensure_folder
from bench.corpus import ROOT
from kg.schema import EntityType, RelationType

TARGET_P95_MS = 50.0
MIX = (("search", 0.2), ("neighbourhood, random entity", 0.25), ("neighbourhood, hub at a random offset", 0.15),
       ("neighbourhood, filtered", 0.15), ("evidence of a relation", 0.1), ("path, random pair", 0.15))


def _memory(pid: int) -> dict[str, float]:
    status = Path(f"/proc/{pid}/status").read_text()
    return {k: int(re.search(rf"^{k}:\s+(\d+)", status, re.M)[1]) / 1024 for k in ("VmRSS", "VmHWM")}


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _stats(ms: list[float]) -> dict[str, Any]:
    return {"requests": len(ms), "p50_ms": statistics.median(ms), "p95_ms": _percentile(ms, 0.95),
            "p99_ms": _percentile(ms, 0.99), "max_ms": max(ms)}


class Client:
    def __init__(self, host: str, port: int) -> None:
        self.conn = http.client.HTTPConnection(host, port, timeout=120)

    def get(self, path: str, **params: Any) -> tuple[float, int, Any]:
        url = "/" + path + ("?" + urllib.parse.urlencode(params, doseq=True) if params else "")
        t = time.perf_counter()
        self.conn.request("GET", url)
        response = self.conn.getresponse()
        body = response.read()
        ms = (time.perf_counter() - t) * 1000
        is_json = response.getheader("content-type", "").startswith("application/json")
        return ms, response.status, json.loads(body) if is_json else body


def run(requests: int = 2000, edges: int = 1_000_000, seed: int = 11) -> dict[str, Any]:
    folder, nodes, hubs = ensure_folder(edges)
    rng = random.Random(seed)
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--out", str(folder), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    started = time.perf_counter()
    first = proc.stdout.readline()
    found = re.search(r"at http://([\d.]+):(\d+)/", first)
    if not found:
        proc.kill()
        raise RuntimeError(f"kg serve did not start: {first!r} {proc.communicate()[1]!r}")
    ready_s = time.perf_counter() - started
    try:
        client = Client(found[1], int(found[2]))
        page_ms, status, html = client.get("")
        assert status == 200
        ids: dict[str, int] = {}

        def entity_id(name: str) -> int:
            if name not in ids:
                ids[name] = client.get("api/search", q=name, limit=1)[2]["hits"][0]["id"]
            return ids[name]

        hub_ids = [entity_id(h) for h in hubs[:20]]
        degrees = {h: client.get(f"api/entity/{h}")[2]["degree"] for h in hub_ids}
        sample = [entity_id(n) for n in rng.sample(nodes, 200)]
        edge_ids: list[str] = []
        kinds = [k for k, _ in MIX]
        weights = [w for _, w in MIX]
        times: dict[str, list[float]] = {k: [] for k in kinds}
        errors = 0
        for _ in range(requests):
            kind = rng.choices(kinds, weights)[0]
            if kind == "search":
                name = rng.choice(nodes)
                query = rng.choice([name, name[:1], name[:2], name[1:]])
                ms, status, body = client.get("api/search", q=query)
            elif kind == "neighbourhood, random entity":
                ms, status, body = client.get(f"api/neighbourhood/{rng.choice(sample)}")
            elif kind == "neighbourhood, hub at a random offset":
                hub = rng.choice(hub_ids)
                ms, status, body = client.get(f"api/neighbourhood/{hub}", offset=rng.randrange(degrees[hub]))
            elif kind == "neighbourhood, filtered":
                node = rng.choice(hub_ids if rng.random() < 0.5 else sample)
                params = rng.choice([{"type": rng.sample([str(t) for t in EntityType], 2)},
                                     {"relation": rng.sample([str(r) for r in RelationType], 3)},
                                     {"min_confidence": rng.choice([0.5, 0.9])}])
                ms, status, body = client.get(f"api/neighbourhood/{node}", **params)
            elif kind == "evidence of a relation":
                if not edge_ids:
                    continue
                ms, status, body = client.get(f"api/edge/{rng.choice(edge_ids)[1:]}")
            else:
                ms, status, body = client.get("api/path", a=rng.choice(nodes), b=rng.choice(nodes))
            if status != 200:
                errors += 1
            elif kind.startswith("neighbourhood") and body["edges"]:
                edge_ids.extend(e["id"] for e in body["edges"][:3])
                del edge_ids[:-500]
            times[kind].append(ms)
        memory = _memory(proc.pid)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    every = [t for ts in times.values() for t in ts]
    return {"edges": edges, "folder": str(folder), "ready_s": ready_s, "page_ms": page_ms, "page_bytes": len(html),
            "all": _stats(every), "by_kind": {k: _stats(v) for k, v in times.items() if v}, "errors": errors,
            "server_rss_mb": memory["VmRSS"], "server_peak_rss_mb": memory["VmHWM"], "target_p95_ms": TARGET_P95_MS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--edges", type=int, default=1_000_000)
    args = parser.parse_args()
    r = run(args.requests, args.edges)
    print(f"kg serve on {r['edges']:,} edges ({r['folder']}): ready in {r['ready_s']:.2f} s; the page "
          f"{r['page_bytes'] / 1e3:.0f} kB in {r['page_ms']:.0f} ms; server memory {r['server_rss_mb']:.0f} MB "
          f"(peak {r['server_peak_rss_mb']:.0f} MB); {r['errors']} errors")
    print(f"{'request':44s} {'n':>6s} {'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s} {'max ms':>8s}")
    for name, m in [*r["by_kind"].items(), ("all", r["all"])]:
        print(f"{name:44s} {m['requests']:6d} {m['p50_ms']:8.1f} {m['p95_ms']:8.1f} {m['p99_ms']:8.1f} "
              f"{m['max_ms']:8.1f}")
    met = "yes" if r["all"]["p95_ms"] <= TARGET_P95_MS else "NO"
    print(f"target: p95 <= {r['target_p95_ms']:.0f} ms in all: {met}")


if __name__ == "__main__":
    main()
