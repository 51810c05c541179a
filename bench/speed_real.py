"""Speed on real, varied text, measured in the same run as jieba.cut: the annotated news articles and
the sentences of the public NER corpora (``../shared/data``), not the seed-derived bench corpus.

Two shapes of input, each as a JSON Lines file of documents:

* article-length documents: the annotated news articles (400-900 characters each), and runs of
  consecutive NER-corpus sentences joined into documents of about the same length;
* one-line documents: single sentences of the NER corpora (headlines, posts).

For each, jieba.cut (HMM, on the normalised text, its dictionary loaded beforehand) reads the texts in
this process, and ``kg extract -w 1`` (the default pipeline: the statistical tagger, the relation
model) reads the file as a child process; both are timed in CPU seconds (the machine is shared), and
kg's start-up (one tiny document) is measured apart and subtracted. Peak memory is the child's.

    python -m bench.speed_real                 # about 1 MB of text per shape
    python -m bench.speed_real --chars 300000  # a quicker look
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
KG = [sys.executable, "-c", "from kg.cli import main; main()"]


def article_texts(limit: int) -> list[str]:
    """The annotated articles, then NER-corpus sentences joined into ~800-character documents."""
    from kg.annotated_news import read_annotated
    from kg.extraction.ner.statistical.corpora import load_public

    texts = [d.text for d in read_annotated(DATA / "schema_news")]
    train, _ = load_public(DATA / "ner")
    doc: list[str] = []
    for ex in train:
        doc.append(ex.text)
        if sum(map(len, doc)) >= 800:
            texts.append("".join(doc))
            doc = []
        if sum(map(len, texts)) >= limit:
            break
    return _upto(texts, limit)


def line_texts(limit: int) -> list[str]:
    """Single sentences of the four NER corpora, interleaved."""
    from kg.extraction.ner.statistical.corpora import load_public

    train, _ = load_public(DATA / "ner")
    by_corpus: dict[str, list[str]] = {}
    for ex in train:
        by_corpus.setdefault(ex.corpus, []).append(ex.text)
    mixed = [t for group in zip(*by_corpus.values(), strict=False) for t in group if t.strip()]
    return _upto(mixed, limit)


def _upto(texts: list[str], limit: int) -> list[str]:
    out, total = [], 0
    for t in texts:
        if total >= limit:
            break
        out.append(t)
        total += len(t)
    return out


def jieba_cut(texts: list[str]) -> dict[str, Any]:
    import jieba

    from kg.io.normalize import normalize

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    normalised = [normalize(t) for t in texts]
    start = time.process_time()
    for t in normalised:
        for _ in jieba.cut(t):
            pass
    cpu = time.process_time() - start
    chars = sum(map(len, texts))
    return {"chars": chars, "cpu_s": cpu, "chars_per_cpu_s": chars / cpu}


def kg_extract(path: Path, out: Path) -> dict[str, Any]:
    """CPU seconds and peak memory of ``kg extract -w 1`` on ``path`` (a child process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([*KG, "extract", str(path), "-o", str(out), "-w", "1", "-q"], capture_output=True,
                          text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise RuntimeError(done.stderr.strip() or f"kg extract exited {done.returncode}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"cpu_s": cpu, "wall_s": wall, "peak_rss_mb": after.ru_maxrss / 1024}


def measure(texts: list[str], work: Path, name: str, startup_cpu: float) -> dict[str, Any]:
    path = work / f"{name}.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for i, t in enumerate(texts):
            fh.write(json.dumps({"id": f"{name}-{i}", "text": t}, ensure_ascii=False) + "\n")
    jieba = jieba_cut(texts)
    kg = kg_extract(path, work / f"{name}.out.jsonl")
    chars = jieba["chars"]
    kg_rate = chars / max(kg["cpu_s"] - startup_cpu, 1e-9)
    return {"documents": len(texts), "chars": chars, "jieba_cut_chars_per_cpu_s": jieba["chars_per_cpu_s"],
            "kg_extract_cpu_s": kg["cpu_s"], "kg_extract_chars_per_cpu_s": kg_rate,
            "ratio_to_jieba_cut": kg_rate / jieba["chars_per_cpu_s"], "peak_rss_mb": kg["peak_rss_mb"]}


def run(chars: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        tiny = work / "tiny.txt"
        tiny.write_text("科大讯飞董事长刘庆峰在合肥表示。", encoding="utf-8")
        startup = kg_extract(tiny, work / "tiny.jsonl")
        # the start-up is measured twice: the first run also fills the OS page cache
        startup = kg_extract(tiny, work / "tiny.jsonl")
        return {"startup_cpu_s": startup["cpu_s"],
                "articles": measure(article_texts(chars), work, "articles", startup["cpu_s"]),
                "one_line": measure(line_texts(chars), work, "lines", startup["cpu_s"])}


def render(result: dict[str, Any]) -> str:
    lines = [f"kg start-up (one tiny document, subtracted): {result['startup_cpu_s']:.2f} CPU-s", "",
             "| documents | chars | jieba.cut chars/CPU-s | kg extract chars/CPU-s | ratio | target | peak RSS |",
             "|---|---|---|---|---|---|---|"]
    for name, target in (("articles", 0.25), ("one_line", 0.2)):
        r = result[name]
        lines.append(f"| {r['documents']:,} {name.replace('_', '-')} | {r['chars']:,} | "
                     f"{r['jieba_cut_chars_per_cpu_s']:,.0f} | {r['kg_extract_chars_per_cpu_s']:,.0f} | "
                     f"{r['ratio_to_jieba_cut']:.2f}x | >= {target}x | {r['peak_rss_mb']:.0f} MB |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--chars", type=int, default=1_000_000, help="characters of text per shape")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not (DATA / "schema_news").exists() or not (DATA / "ner").exists():
        print(f"no data at {DATA} (see ../shared/data/README.md)", file=sys.stderr)
        return 2
    result = run(args.chars)
    print(json.dumps(result, indent=1) if args.json else render(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
