"""Text without punctuation or spaces: peak memory and CPU of one such document, against a 500 MB target.

A document with no sentence punctuation, no clause breaks and no spaces is one run of characters
(a scraped page, a table flattened to text). kg cuts it into pieces no longer than the tagger's own
window (:data:`kg.io.normalize.MAX_SENTENCE`), so its memory and CPU per character stay those of
normal text. The text is the benchmark corpus stream (``bench.corpus``) with every punctuation mark
and space removed, cut to exactly the size asked.

Two measures per size: the extractor in a fresh process (warmed up, then ``Extractor.extract`` alone,
as ``bench.bench_long`` does), and ``kg extract`` end to end, one worker, peak RSS of the process tree
(``bench.procmem``). The target is the peak of ``kg extract``: <= 500 MB.

    python -m bench.bench_unpunctuated                 # 250k and 1M characters, and normal text of 1M
    python -m bench.bench_unpunctuated --sizes 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET_MB = 500
_NOT_WORD = re.compile(r"[\W_]+")


def bare_text(chars: int, kind: str = "bare") -> str:
    """``chars`` characters of the corpus stream: ``bare`` without punctuation or spaces, ``normal``
    as written (documents joined by newlines)."""
    from bench.corpus import CorpusGenerator

    parts, total = [], 0
    for doc in CorpusGenerator().documents():
        text = _NOT_WORD.sub("", doc["text"]) if kind == "bare" else doc["text"] + "\n"
        parts.append(text)
        total += len(text)
        if total >= chars:
            break
    return "".join(parts)[:chars]


def _kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1])
    return 0


def measure_one(chars: int, kind: str = "bare") -> dict[str, Any]:
    """In this process: extract one document; CPU seconds, peak RSS and its growth during extraction."""
    from kg.extraction.extractor import Extractor
    from kg.models import Document

    extractor = Extractor()
    extractor.warm_up()
    doc = Document(id=f"{kind}-{chars}", text=bare_text(chars, kind))
    before = _kib("VmRSS:")
    start = time.process_time()
    ex = extractor.extract(doc, keep_mentions=False)
    return {"kind": kind, "chars": len(doc.text), "cpu_s": time.process_time() - start,
            "peak_rss_mb": _kib("VmHWM:") / 1024, "growth_mb": (_kib("VmHWM:") - before) / 1024,
            "entities": len(ex.entities), "relations": len(ex.relations)}


def run_one(chars: int, kind: str = "bare", timeout: float = 900) -> dict[str, Any]:
    """:func:`measure_one` in a fresh process (so the peak is its own)."""
    done = subprocess.run([sys.executable, "-m", "bench.bench_unpunctuated", "--one", kind, str(chars)],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    if done.returncode:
        raise RuntimeError((done.stderr.strip().splitlines() or ["failed"])[-1])
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_cli(chars: int, kind: str = "bare", timeout: float = 900) -> dict[str, Any]:
    """``kg extract`` of one such document, one worker: peak RSS of the process tree, CPU, wall time."""
    from bench import procmem

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{kind}.txt"
        path.write_text(bare_text(chars, kind), encoding="utf-8")
        cmd = [sys.executable, "-c", "from kg.cli import main; main()", "extract", str(path), "-o",
               str(Path(tmp) / "out.jsonl"), "--workers", "1", "-q"]
        stats = procmem.run(cmd, env={"PYTHONPATH": str(ROOT)}, cwd=ROOT, timeout=timeout)
    return {"kind": kind, "chars": chars, "returncode": stats.returncode, "cpu_s": stats.cpu_seconds,
            "seconds": stats.seconds, "peak_rss_mb": stats.peak_rss_mb, "output": stats.output.strip()[-200:]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[250_000, 1_000_000])
    parser.add_argument("--one", nargs=2, metavar=("KIND", "CHARS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure_one(int(args.one[1]), args.one[0])))
        return
    print("| text | characters | extract CPU s | extract peak RSS | kg extract CPU s | kg extract peak RSS "
          "| target | met |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |")
    rows = [(chars, "bare") for chars in args.sizes] + [(max(args.sizes), "normal")]
    for chars, kind in rows:
        one, cli = run_one(chars, kind), run_cli(chars, kind)
        peak = cli["peak_rss_mb"]
        met = "n/a" if peak is None or cli["returncode"] else "yes" if peak <= TARGET_MB else "NO"
        label = "no punctuation or spaces" if kind == "bare" else "normal text (reference)"
        print(f"| {label} | {one['chars']:,} | {one['cpu_s']:.1f} | {one['peak_rss_mb']:,.0f} MB "
              f"| {cli['cpu_s']:.1f} | {'n/a' if peak is None else f'{peak:,.0f} MB'} | <= {TARGET_MB} MB | {met} |",
              flush=True)


if __name__ == "__main__":
    main()
