"""Long single documents: CPU time and peak memory of one document of 100k to 1M characters, as
normal text and without any sentence punctuation, and a 43 MB single-line file through ``kg extract``.

Each in-process row runs in a fresh process (so its peak RSS, /proc/self/status VmHWM, is its own):
the extractor is warmed up, the text generated, then only ``Extractor.extract`` is timed, in CPU
seconds (``time.process_time``: the machine may be shared). Texts are the benchmark corpus stream
(``bench.corpus``) concatenated: "normal" joins its documents with newlines; "no sentence
punctuation" drops every 。！？；!?; and newline, so the text is one sentence as written.

    python -m bench.bench_long                    # the table (a few minutes)
    python -m bench.bench_long --quick            # 100k and 250k only, no 43 MB file
    python -m bench.bench_long --kg-path DIR      # the same with the kg package found in DIR
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "long"
SIZES = (100_000, 250_000, 500_000, 1_000_000)
KINDS = {"normal": "normal text", "no-punct": "no sentence punctuation"}
_SENTENCE_PUNCTUATION = re.compile(r"[。！？；!?;\n]")


def corpus_texts(kind: str) -> Iterator[str]:
    """The documents of the benchmark corpus stream, as ``kind`` wants them."""
    from bench.corpus import CorpusGenerator

    for doc in CorpusGenerator().documents():
        text = doc["text"]
        if kind == "no-punct":
            text = _SENTENCE_PUNCTUATION.sub("", text)
        elif kind == "one-line":
            text = text.replace("\n", " ")
        yield text


def long_text(chars: int, kind: str = "normal") -> str:
    """One document of exactly ``chars`` characters made of the corpus documents."""
    joiner = "\n" if kind == "normal" else "" if kind == "no-punct" else " "
    parts, total = [], 0
    for text in corpus_texts(kind):
        parts.append(text)
        total += len(text) + len(joiner)
        if total >= chars:
            break
    return joiner.join(parts)[:chars]


def write_single_line(path: Path, mb: float) -> Path:
    """A file of about ``mb`` MB of UTF-8 text and no newline at all (corpus documents joined by spaces)."""
    if path.exists() and abs(path.stat().st_size - mb * 1e6) < 1e5:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    size = 0
    with path.open("w", encoding="utf-8") as fh:
        for text in corpus_texts("one-line"):
            piece = text + " "
            fh.write(piece)
            size += len(piece.encode("utf-8"))
            if size >= mb * 1e6:
                break
    return path


def _vm_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1])
    return 0


def measure_one(chars: int, kind: str) -> dict[str, Any]:
    """In this process: extract one document of ``chars`` characters; CPU seconds and memory."""
    from kg.extraction.extractor import Extractor
    from kg.models import Document

    extractor = Extractor()
    extractor.warm_up()
    doc = Document(id=f"{kind}-{chars}", text=long_text(chars, kind))
    # as kg extract does: mentions are not kept (an older kg, from --kg-path, has no such option)
    options = {"keep_mentions": False} if "keep_mentions" in inspect.signature(extractor.extract).parameters else {}
    before = _vm_kib("VmRSS:")
    start = time.process_time()
    ex = extractor.extract(doc, **options)
    cpu = time.process_time() - start
    return {"kind": kind, "chars": len(doc.text), "cpu_s": cpu, "peak_rss_mb": _vm_kib("VmHWM:") / 1024,
            "rss_before_mb": before / 1024, "entities": len(ex.entities), "relations": len(ex.relations)}


def _env(kg_path: Path | None) -> dict[str, str]:
    """The environment of a child: ``kg`` imported from ``kg_path`` when given (a checkout of another
    version), ``bench`` from this one."""
    paths = ([str(kg_path)] if kg_path else []) + [str(ROOT)]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


def run_one(chars: int, kind: str, kg_path: Path | None, timeout: float) -> dict[str, Any]:
    """:func:`measure_one` in a fresh process (its own peak memory), or why it has no result."""
    cmd = [sys.executable, "-m", "bench.bench_long", "--one", kind, str(chars)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=_env(kg_path), cwd="/")
    except subprocess.TimeoutExpired:
        return {"kind": kind, "chars": chars, "error": f"not done after {timeout:.0f} s"}
    if done.returncode:
        return {"kind": kind, "chars": chars, "error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_cli(path: Path, kg_path: Path | None, timeout: float, extra: list[str], workers: int = 1) -> dict[str, Any]:
    """``kg extract path`` with ``extra`` options: CPU seconds and peak memory (of the process tree),
    outcome."""
    from bench import procmem

    cmd = [sys.executable, "-c", "from kg.cli import main; main()", "extract", path.name, "-o",
           f"{path.stem}.out.jsonl", "--workers", str(workers), "-q", *extra]
    stats = procmem.run(cmd, env=_env(kg_path), cwd=path.parent, timeout=timeout)
    lines = [line for line in stats.output.strip().splitlines() if line.strip()]
    outcome = f"killed after {timeout:.0f} s" if stats.timed_out else " / ".join(lines[:2])
    return {"options": " ".join([*extra, "--workers", str(workers)]), "returncode": stats.returncode,
            "cpu_s": stats.cpu_seconds, "seconds": stats.seconds, "peak_rss_mb": stats.peak_rss_mb,
            "peak_pss_mb": stats.peak_pss_mb, "outcome": outcome[:200]}


def _rows(sizes: tuple[int, ...], kg_path: Path | None, timeout: float) -> list[dict[str, Any]]:
    rows = []
    for kind in KINDS:
        base = None
        for chars in sizes:
            r = run_one(chars, kind, kg_path, timeout)
            if "cpu_s" in r:
                base = base or r["cpu_s"]
                r["ratio"] = r["cpu_s"] / base
            rows.append(r)
            print(_format_row(r), flush=True)
    return rows


def _format_row(r: dict[str, Any]) -> str:
    label = f"{KINDS[r['kind']]} | {r['chars']:,}"
    if "error" in r:
        return f"| {label} | {r['error']} |"
    return (f"| {label} | {r['cpu_s']:8.2f} | {r['ratio']:6.1f}x | {r['peak_rss_mb']:7.0f} MB "
            f"| {r['peak_rss_mb'] - r['rss_before_mb']:+6.0f} MB | {r['entities']:>6,} | {r['relations']:>6,} |")


def _mb(x: float | None) -> str:
    return "n/a" if x is None else f"{x:,.0f} MB"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100k and 250k characters only, no 43 MB file")
    parser.add_argument("--kg-path", type=Path, help="import the kg package from this folder (another version)")
    parser.add_argument("--mb", type=float, default=43.0, help="size of the single-line file (MB)")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds before a row is given up")
    parser.add_argument("--one", nargs=2, metavar=("KIND", "CHARS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure_one(int(args.one[1]), args.one[0])))
        return
    print("| text | characters | CPU s | vs 100k | peak RSS | RSS growth | entities | relations |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    rows = _rows(SIZES[:2] if args.quick else SIZES, args.kg_path, args.timeout)
    results: dict[str, Any] = {"documents": rows}
    if not args.quick:
        path = write_single_line(OUT / f"single-line-{args.mb:g}mb.txt", args.mb)
        print(f"\n`kg extract` of {path.name} ({path.stat().st_size / 1e6:.1f} MB, one line):\n")
        print("| options | CPU s | wall s | peak RSS | peak PSS | exit | outcome |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
        results["single_line"] = []
        raised = ["--max-chars", "100000000"]
        for extra, workers in (([], 1), (raised, 1), (raised, 2)):
            r = run_cli(path, args.kg_path, args.timeout, extra, workers)
            results["single_line"].append(r)
            print(f"| {r['options']} | {r['cpu_s']:.1f} | {r['seconds']:.1f} | {_mb(r['peak_rss_mb'])} "
                  f"| {_mb(r['peak_pss_mb'])} | {r['returncode']} | {r['outcome']} |", flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
