"""Start-up as whole processes, wall and CPU seconds: ``kg --version``, ``import kg``, the first extraction
of one sentence in a new process (through the Python API and through ``kg extract``), and where that
first extraction's time goes (imports, loading the models, the extraction itself), measured inside a
fresh process. The lookups (``kg neighbours``/``path``/``stats`` on the 1M-edge graph) are
:mod:`bench.bench_lookups`'s; ``--lookups`` runs them here too, so one command gives every start-up figure.

Each command runs from :mod:`bench.launch` (wall time, user + system CPU time and peak RSS from
``wait4``); the median of the runs is reported with the spread.

    python -m bench.bench_startup --runs 20
    python -m bench.bench_startup --runs 20 --lookups --edges 1000000
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.bench_lookups import Timed, timed_all
from bench.corpus import ROOT

SENTENCE = "科大讯飞董事长刘庆峰在合肥表示，讯飞星火将与华为昇腾合作。"
PYTHON = [sys.executable, "-c"]
KG = [sys.executable, "-c", "from kg.cli import main; main()"]

#: Targets of issue 22 (seconds, median wall time of a process).
TARGETS = {"kg --version": 0.25, "first extraction of one sentence, kg.extract": 1.5,
           "first extraction of one sentence, kg extract -w 1": 1.5}

# Inside a fresh process: what the first extraction spends its time on.
_PHASES = f"""
import json, resource, sys, time
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
t0, c0 = time.perf_counter(), cpu()
import kg
from kg.extraction.extractor import Extractor
from kg.models import Document
t1, c1 = time.perf_counter(), cpu()
ex = Extractor()
ex.components
t2, c2 = time.perf_counter(), cpu()
ex.extract(Document(id="d", text={SENTENCE!r}))
t3, c3 = time.perf_counter(), cpu()
import jieba, jieba.posseg as p
print(json.dumps({{"imports": [t1 - t0, c1 - c0], "models": [t2 - t1, c2 - c1], "extraction": [t3 - t2, c3 - c2],
                  "jieba_dictionary_loaded": bool(jieba.dt.initialized),
                  "tag_table_loaded": "word_tag_tab" in vars(p.dt)}}))
"""


def summary(runs: list[Timed]) -> dict[str, Any]:
    walls = sorted(r.seconds for r in runs)
    cpus = sorted(r.cpu_seconds for r in runs)
    return {"p50_s": statistics.median(walls), "min_s": walls[0], "max_s": walls[-1],
            "cpu_p50_s": statistics.median(cpus), "peak_rss_mb": max(r.peak_rss_mb for r in runs), "runs": len(runs),
            "failed": sum(1 for r in runs if r.returncode != 0)}


def phases(runs: int) -> dict[str, Any]:
    """The first extraction's phases, median over ``runs`` fresh processes (wall and CPU seconds each)."""
    found: list[dict[str, Any]] = []
    for _ in range(runs):
        done = subprocess.run([*PYTHON, _PHASES], capture_output=True, text=True, check=True, cwd=ROOT)
        found.append(json.loads(done.stdout.strip().splitlines()[-1]))
    out: dict[str, Any] = {}
    for phase in ("imports", "models", "extraction"):
        out[phase] = {"wall_s": statistics.median(f[phase][0] for f in found),
                      "cpu_s": statistics.median(f[phase][1] for f in found)}
    out["jieba_dictionary_loaded"] = found[-1]["jieba_dictionary_loaded"]
    out["tag_table_loaded"] = found[-1]["tag_table_loaded"]
    return out


def run(runs: int = 20, lookups: bool = False, edges: int = 1_000_000) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="kg-startup-") as tmp:
        one = Path(tmp) / "one.txt"
        one.write_text(SENTENCE + "\n", encoding="utf-8")
        out = Path(tmp) / "one.jsonl"
        commands = {
            "kg --version": [*KG, "--version"],
            "import kg": [*PYTHON, "import kg"],
            "first extraction of one sentence, kg.extract": [*PYTHON, f"import kg; kg.extract({SENTENCE!r})"],
            "first extraction of one sentence, kg extract -w 1": [*KG, "extract", str(one), "-o", str(out), "-q",
                                                                   "-w", "1"],
        }
        timed_all([commands["first extraction of one sentence, kg.extract"]], prefix=[])  # warm the page cache
        result: dict[str, Any] = {}
        for name, args in commands.items():
            runs_of, floor = timed_all([args] * runs, prefix=[])
            result[name] = summary(runs_of) | {"launcher_rss_mb": floor, "target_s": TARGETS.get(name)}
    result["first extraction, inside the process"] = phases(max(3, runs // 4))
    if lookups:
        from bench import bench_lookups

        result["lookups"] = bench_lookups.run(edges, runs)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--lookups", action="store_true", help="also kg neighbours/path/stats (bench.bench_lookups)")
    parser.add_argument("--edges", type=int, default=1_000_000)
    args = parser.parse_args()
    r = run(args.runs, args.lookups, args.edges)
    print(f"{'command (whole process)':52s} {'p50 s':>7s} {'min s':>7s} {'max s':>7s} {'CPU p50':>8s} "
          f"{'peak MB':>8s} {'target':>7s}")
    for name, m in r.items():
        if isinstance(m, dict) and "p50_s" in m:
            target = f"<= {m['target_s']}" if m.get("target_s") else ""
            print(f"{name:52s} {m['p50_s']:7.3f} {m['min_s']:7.3f} {m['max_s']:7.3f} {m['cpu_p50_s']:8.3f} "
                  f"{m['peak_rss_mb']:8.0f} {target:>7s}" + (f"  ({m['failed']} failed)" if m["failed"] else ""))
    p = r["first extraction, inside the process"]
    print("first extraction inside a fresh process: " + ", ".join(
        f"{k} {p[k]['wall_s']:.2f} s ({p[k]['cpu_s']:.2f} CPU-s)" for k in ("imports", "models", "extraction"))
        + f"; jieba's dictionary loaded: {p['jieba_dictionary_loaded']}, posseg tag table read: "
          f"{p['tag_table_loaded']}")
    if "lookups" in r:
        lk = r["lookups"]
        for name, m in lk.items():
            if isinstance(m, dict):
                print(f"kg {name} ({lk['edges']:,} edges){'':10s} p50 {m['p50_s']:.3f} s, CPU p50 "
                      f"{m['cpu_p50_s']:.3f} s, p90 {m['p90_s']:.3f} s, peak {m['peak_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
