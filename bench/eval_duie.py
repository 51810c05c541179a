"""Score the extractor against an excerpt of DuIE 2.0 (Baidu's Chinese relation-extraction set).

The data lives OUTSIDE the repository (``../shared/data``, see its README): it is read, never copied.
Three DuIE predicates map onto our relation types::

    董事长   (企业 subject, 人物 object)  ->  Person  CHAIRMAN_OF  Company   (direction flips)
    创始人   (企业 subject, 人物 object)  ->  Person  FOUNDER_OF   Company/Organization (flips)
    总部地点 (企业 subject, 地点 object)  ->  Company LOCATED_IN   Place     (same direction)

Names are compared by :func:`kg.io.normalize.key`; a predicted argument also matches when any alias of
the predicted entity does. Precision counts only our predicted relations of these three types, and
DuIE annotates only some facts of a sentence, so precision understates; recall is the telling figure.

It also reports entity recall: the share of DuIE subject/object names (人物, 企业/机构, 地点) found
among the extracted entity names and aliases, type-agnostic and type-aware.

    python -m bench.eval_duie [--ner TAGGER] [--limit N] [--last N] [--misses K] [--json]

``--last N`` scores only the last N records: the held-out part of the excerpt (the last 346 of 1,729)
that nothing is tuned to.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.evaluate import Counts
from kg.extraction.config import DEFAULT_TAGGER, ExtractorConfig
from kg.extraction.extractor import Extractor
from kg.extraction.pipeline import extract_stream
from kg.io.normalize import key
from kg.models import Document, Extraction
from kg.registry import TAGGERS
from kg.schema import ORG_LIKE, EntityType, RelationType

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = "../shared/data/duie_org_train_excerpt.jsonl"

E = EntityType
R = RelationType


@dataclass(frozen=True)
class Mapping:
    """How one DuIE predicate maps onto one of our relation types."""

    predicate: str
    relation: RelationType
    flip: bool  # True: our head = DuIE object, our tail = DuIE subject
    head_types: frozenset[EntityType]  # predicted head types that count as this relation


MAPPINGS: tuple[Mapping, ...] = (
    Mapping("董事长", R.CHAIRMAN_OF, True, frozenset({E.PERSON})),
    Mapping("创始人", R.FOUNDER_OF, True, frozenset({E.PERSON})),
    # our LOCATED_IN also takes Event heads; only organisation heads correspond to 总部地点
    Mapping("总部地点", R.LOCATED_IN, False, ORG_LIKE),
)

#: DuIE argument types whose recall we report -> the entity types of ours that count as a typed hit.
ARG_TYPES: dict[str, frozenset[EntityType]] = {
    "人物": frozenset({E.PERSON}),
    "企业": ORG_LIKE,
    "机构": ORG_LIKE,
    "地点": frozenset({E.PLACE}),
}


@dataclass
class Record:
    """One DuIE sentence: its text and its subject-predicate-object triples."""

    index: int
    text: str
    spo: list[dict[str, Any]]


@dataclass
class ArgRecall:
    """Recall of the gold argument names of one DuIE type."""

    gold: int = 0
    found_any: int = 0
    found_typed: int = 0

    def rates(self) -> tuple[float, float]:
        """(type-agnostic recall, type-aware recall)."""
        if not self.gold:
            return 0.0, 0.0
        return self.found_any / self.gold, self.found_typed / self.gold


@dataclass
class Miss:
    """A gold triple we did not predict (FN) or a prediction DuIE does not list (FP)."""

    kind: str  # "FN" or "FP"
    category: str
    record: int
    text: str
    triple: tuple[str, str, str]  # in OUR direction: head, relation, tail
    predicted: list[tuple[str, str, str]]


@dataclass
class DuieResult:
    """Everything one evaluation run measured."""

    tagger: str
    kg: str = ""  # which kg was measured (see provenance())
    records: int = 0
    chars: int = 0
    seconds: float = 0.0  # wall time of the extract_document calls
    cpu_seconds: float = 0.0  # CPU time of this process during them (less sensitive to other load)
    relations: Counts = field(default_factory=Counts)  # keyed by our relation type
    args: dict[str, ArgRecall] = field(default_factory=dict)
    misses: list[Miss] = field(default_factory=list)

    @property
    def chars_per_s(self) -> float:
        """Extraction throughput per wall-clock second (extract_document calls only)."""
        return self.chars / self.seconds if self.seconds else 0.0

    @property
    def chars_per_cpu_s(self) -> float:
        """Extraction throughput per CPU second of this process."""
        return self.chars / self.cpu_seconds if self.cpu_seconds else 0.0

    def labels(self) -> list[str]:
        """Our relation types scored, in the order of ``MAPPINGS``."""
        return [m.relation.value for m in MAPPINGS]

    def miss_categories(self) -> dict[str, Counter]:
        """Per relation label, how many misses fall in each category (FN and FP separately)."""
        out: dict[str, Counter] = defaultdict(Counter)
        for m in self.misses:
            out[m.triple[1]][f"{m.kind}: {m.category}"] += 1
        return dict(out)

    def to_dict(self, misses: int = 0) -> dict[str, Any]:
        """A JSON-ready summary; ``misses`` example misses per relation and kind."""
        c = self.relations
        rel = {}
        for name in self.labels():
            p, r, f = c.prf(name)
            rel[name] = {"gold": c.tp[name] + c.fn[name], "pred": c.tp[name] + c.fp[name], "tp": c.tp[name],
                         "p": p, "r": r, "f1": f}
        args = {}
        for name, a in self.args.items():
            ra, rt = a.rates()
            args[name] = {"gold": a.gold, "found_any": a.found_any, "found_typed": a.found_typed,
                          "recall_any": ra, "recall_typed": rt}
        out: dict[str, Any] = {
            "kg": self.kg, "tagger": self.tagger, "records": self.records,
            "chars": self.chars, "seconds": self.seconds, "chars_per_s": self.chars_per_s,
            "cpu_seconds": self.cpu_seconds, "chars_per_cpu_s": self.chars_per_cpu_s, "relations": rel,
            "entity_recall": args,
            "miss_categories": {k: dict(v) for k, v in self.miss_categories().items()},
        }
        if misses:
            out["misses"] = [m.__dict__ for m in examples(self.misses, misses)]
        return out


def resolve_data(path: str | Path) -> Path:
    """A data path as given, or relative to the repository root (the default is)."""
    p = Path(path)
    if p.exists() or p.is_absolute():
        return p
    return (REPO_ROOT / p).resolve()


def load_records(path: str | Path, limit: int | None = None, last: int | None = None) -> list[Record]:
    """The first ``limit`` records (all when None) of a DuIE jsonl file; with ``last``, only the last
    ``last`` of those (the part ``kg train-relations`` holds out is the last 346 of the excerpt)."""
    out: list[Record] = []
    with resolve_data(path).open(encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            if limit is not None and len(out) >= limit:
                break
            d = json.loads(line)
            out.append(Record(index=len(out), text=d["text"], spo=d.get("spo_list") or []))
    return out if last is None else out[max(0, len(out) - last):]


def _object(spo: dict[str, Any]) -> str:
    obj = spo.get("object")
    return obj.get("@value", "") if isinstance(obj, dict) else str(obj or "")


def _object_type(spo: dict[str, Any]) -> str:
    obj = spo.get("object_type")
    return obj.get("@value", "") if isinstance(obj, dict) else str(obj or "")


def gold_triples(record: Record) -> dict[str, set[tuple[str, str]]]:
    """Per relation label, the gold (head, tail) pairs in OUR direction, original spelling."""
    out: dict[str, set[tuple[str, str]]] = {m.relation.value: set() for m in MAPPINGS}
    for spo in record.spo:
        for m in MAPPINGS:
            if spo.get("predicate") != m.predicate:
                continue
            subj, obj = spo.get("subject", ""), _object(spo)
            if subj and obj:
                out[m.relation.value].add((obj, subj) if m.flip else (subj, obj))
    return out


def gold_arguments(record: Record) -> set[tuple[str, str, str]]:
    """(DuIE type, key, surface) of every subject/object of a type listed in :data:`ARG_TYPES`."""
    out = set()
    for spo in record.spo:
        for name, dtype in ((spo.get("subject", ""), spo.get("subject_type", "")),
                            (_object(spo), _object_type(spo))):
            if name and dtype in ARG_TYPES:
                out.add((dtype, key(name), name))
    return out


class NameIndex:
    """The matching keys of each extracted entity: its name and all its aliases."""

    def __init__(self, ex: Extraction):
        self.keys: dict[str, set[str]] = {}
        self.types: dict[str, EntityType] = {}
        self.all_keys: set[str] = set()
        self.typed_keys: dict[EntityType, set[str]] = defaultdict(set)
        for e in ex.entities:
            ks = {key(n) for n in [e.name, *e.aliases] if n}
            self.keys[e.name] = ks
            self.types[e.name] = e.type
            self.all_keys |= ks
            self.typed_keys[e.type] |= ks

    def names_of(self, surface: str) -> set[str]:
        """Keys a predicted argument may match: its own, and its entity's aliases."""
        return self.keys.get(surface, set()) | {key(surface)}

    def has(self, k: str, types: Iterable[EntityType] | None = None) -> bool:
        """True when some entity (of one of ``types``, if given) has the key ``k``."""
        if types is None:
            return k in self.all_keys
        return any(k in self.typed_keys.get(t, ()) for t in types)


def predicted_triples(ex: Extraction, index: NameIndex) -> dict[str, list[tuple[str, str]]]:
    """Per relation label, our (head, tail) pairs of the three scored relations."""
    out: dict[str, list[tuple[str, str]]] = {m.relation.value: [] for m in MAPPINGS}
    by_rel = {m.relation: m for m in MAPPINGS}
    seen = set()
    for r in ex.relations:
        m = by_rel.get(r.relation)
        if m is None or index.types.get(r.head) not in m.head_types:
            continue
        if (r.head, r.relation, r.tail) in seen:
            continue
        seen.add((r.head, r.relation, r.tail))
        out[m.relation.value].append((r.head, r.tail))
    return out


def _arg_status(k: str, index: NameIndex) -> str:
    """"found", "partial" (an extracted name is part of the gold name or contains it: a boundary
    error, or a compound place such as 广东省深圳市 split into two) or "missing"."""
    if index.has(k):
        return "found"
    if any(len(x) >= 2 and (x in k or k in x) for x in index.all_keys):
        return "partial"
    return "missing"


def _categorise_fn(head: str, tail: str, relation: str, preds: dict[str, list[tuple[str, str]]],
                   index: NameIndex) -> str:
    """Why a gold triple was missed, from what the extraction holds."""
    hk, tk = key(head), key(tail)
    hs, ts = _arg_status(hk, index), _arg_status(tk, index)
    if hs != "found" or ts != "found":
        parts = [f"{role} {st}" for role, st in (("head", hs), ("tail", ts)) if st != "found"]
        return " + ".join(parts)
    same_rel = preds.get(relation, [])
    if any(hk in index.names_of(h) for h, _ in same_rel):
        return "head linked to another tail"
    if any(tk in index.names_of(t) for _, t in same_rel):
        return "tail linked to another head"
    return "both found, no relation"


def _categorise_fp(head: str, tail: str, gold: set[tuple[str, str]]) -> str:
    hk, tk = key(head), key(tail)
    if any(key(h) == hk for h, _ in gold):
        return "gold head, other tail"
    if any(key(t) == tk for _, t in gold):
        return "gold tail, other head"
    if gold:
        return "sentence has other gold pairs"
    return "no gold of this relation in sentence"


def score_record(record: Record, ex: Extraction, result: DuieResult) -> None:
    """Add one sentence's counts, argument recall and misses to ``result``."""
    index = NameIndex(ex)
    gold = gold_triples(record)
    preds = predicted_triples(ex, index)
    pred_view = [(h, rel, t) for rel, pairs in preds.items() for h, t in pairs]
    for m in MAPPINGS:
        rel = m.relation.value
        counts = result.relations
        g_pairs = gold[rel]
        # dedupe gold by key (the same fact spelled twice counts once)
        g_keys: dict[tuple[str, str], tuple[str, str]] = {}
        for h, t in g_pairs:
            g_keys.setdefault((key(h), key(t)), (h, t))
        p_pairs = preds[rel]
        matched_gold: set[tuple[str, str]] = set()
        for h, t in p_pairs:
            hn, tn = index.names_of(h), index.names_of(t)
            hit = next((gk for gk in g_keys if gk not in matched_gold and gk[0] in hn and gk[1] in tn),
                       None)
            if hit is None:
                counts.fp[rel] += 1
                result.misses.append(Miss("FP", _categorise_fp(h, t, set(g_keys.values())), record.index,
                                          record.text, (h, rel, t), pred_view))
            else:
                matched_gold.add(hit)
        counts.tp[rel] += len(matched_gold)
        for gk, (h, t) in g_keys.items():
            if gk not in matched_gold:
                counts.fn[rel] += 1
                result.misses.append(Miss("FN", _categorise_fn(h, t, rel, preds, index), record.index,
                                          record.text, (h, rel, t), pred_view))
    for dtype, k, _surface in gold_arguments(record):
        a = result.args.setdefault(dtype, ArgRecall())
        a.gold += 1
        a.found_any += index.has(k)
        a.found_typed += index.has(k, ARG_TYPES[dtype])


def provenance() -> str:
    """Which kg was measured: the commit, and the .py files of kg/ changed since (others edit it)."""
    def git(*args: str) -> str:
        try:
            out = subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
        except (OSError, subprocess.CalledProcessError):
            return ""
        return out.stdout

    import kg

    kg_dir = Path(kg.__file__).resolve().parent
    if kg_dir.parent != REPO_ROOT:
        return f"kg imported from {kg_dir} (not this checkout)"
    commit = git("rev-parse", "--short", "HEAD").strip()
    if not commit:
        return f"kg from {kg_dir} (not a git checkout)"
    changed = [line[3:] for line in git("status", "--porcelain", "--", "kg").splitlines()
               if line.endswith(".py")]
    if changed:
        return f"kg at {commit} + uncommitted changes in {', '.join(changed)}"
    return f"kg at {commit} (clean)"


def evaluate(records: list[Record], config: ExtractorConfig) -> DuieResult:
    """Extract every record as ``config`` says and score it; timing covers extraction only."""
    kg = provenance()  # kg is already imported: say now which one, others may change it meanwhile
    extractor = Extractor(config)
    extractor.warm_up()  # dictionaries and models load outside the timed region
    result = DuieResult(tagger=config.tagger, kg=kg)
    for dtype in ARG_TYPES:
        result.args[dtype] = ArgRecall()
    docs = [Document(id=f"duie-{rec.index}", text=rec.text) for rec in records]
    t0, c0 = time.perf_counter(), time.process_time()
    # as kg extract reads a JSONL file: in batches of documents (a tagger reads a batch at once)
    extractions = list(extract_stream(docs, extractor=extractor, workers=1))
    result.seconds += time.perf_counter() - t0
    result.cpu_seconds += time.process_time() - c0
    for rec, ex in zip(records, extractions, strict=True):
        result.records += 1
        result.chars += len(rec.text)
        score_record(rec, ex, result)
    return result


def examples(misses: list[Miss], k: int) -> list[Miss]:
    """Up to ``k`` misses per (relation, kind), in record order."""
    taken: Counter = Counter()
    out = []
    for m in misses:
        slot = (m.triple[1], m.kind)
        if taken[slot] < k:
            taken[slot] += 1
            out.append(m)
    return out


def _relation_label(rel: str) -> str:
    pred = next(m.predicate for m in MAPPINGS if m.relation.value == rel)
    return f"{pred} / {rel}"


def format_report(result: DuieResult, misses: int = 0) -> str:
    """The printed tables: relations, entity recall, miss categories, example misses."""
    lines = [result.kg,
             f"DuIE excerpt: {result.records} sentences, {result.chars:,} chars, --ner {result.tagger}, "
             f"extraction {result.seconds:.1f} s = {result.chars_per_s:,.0f} chars/s wall-clock, "
             f"{result.chars_per_cpu_s:,.0f} chars per CPU-second (one process)"]
    lines.append("")
    lines.append(f"{'relation':28s} {'gold':>5s} {'pred':>5s} {'TP':>5s} {'P':>6s} {'R':>6s} {'F1':>6s}")
    c = result.relations
    for rel in [*result.labels(), None]:
        p, r, f = c.prf(rel)
        tp = c.tp[rel] if rel else sum(c.tp.values())
        gold = tp + (c.fn[rel] if rel else sum(c.fn.values()))
        pred = tp + (c.fp[rel] if rel else sum(c.fp.values()))
        label = _relation_label(rel) if rel else "ALL (micro)"
        lines.append(f"{label:28s} {gold:5d} {pred:5d} {tp:5d} {p:6.3f} {r:6.3f} {f:6.3f}")
    lines += ["", "entity recall of DuIE arguments (name or alias found; typed = also of the mapped type)",
              f"{'DuIE type':12s} {'ours':22s} {'gold':>5s} {'any':>6s} {'typed':>6s}"]
    ours = {"人物": "Person", "企业": "Company|Organization", "机构": "Company|Organization", "地点": "Place"}
    for dtype, a in result.args.items():
        ra, rt = a.rates()
        lines.append(f"{dtype:10s} {ours[dtype]:22s} {a.gold:5d} {ra:6.3f} {rt:6.3f}")
    cats = result.miss_categories()
    if cats:
        lines += ["", "misses by category"]
        for rel in result.labels():
            for label, n in sorted(cats.get(rel, Counter()).items(), key=lambda kv: -kv[1]):
                lines.append(f"  {_relation_label(rel):28s} {label:45s} {n:5d}")
    if misses:
        lines += ["", f"example misses (up to {misses} per relation and kind)"]
        for m in examples(result.misses, misses):
            h, rel, t = m.triple
            lines.append(f"  [{m.kind} {rel} #{m.record}] {h} -> {t}  ({m.category})")
            lines.append(f"      text: {m.text}")
            shown = "; ".join(f"{a}-{b}->{c}" for a, b, c in m.predicted) or "-"
            lines.append(f"      predicted: {shown}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=DEFAULT_DATA, help="DuIE jsonl (relative paths: from the repo root)")
    ap.add_argument("--ner", default=DEFAULT_TAGGER, help=f"entity tagger ({', '.join(TAGGERS.names())})")
    ap.add_argument("--limit", type=int, default=None, help="score only the first N sentences")
    ap.add_argument("--last", type=int, default=None, metavar="N",
                    help="score only the last N sentences (346: the part kg train-relations holds out)")
    ap.add_argument("--misses", type=int, default=0, metavar="K", help="print K example misses per relation")
    ap.add_argument("--json", action="store_true", help="print JSON instead of tables")
    args = ap.parse_args(argv)
    path = resolve_data(args.data)
    if not path.exists():
        print(f"no DuIE data at {path} (see ../shared/data/README.md)", file=sys.stderr)
        return 2
    result = evaluate(load_records(path, args.limit, args.last), ExtractorConfig(tagger=args.ner))
    if args.json:
        print(json.dumps(result.to_dict(args.misses), ensure_ascii=False, indent=1))
    else:
        print(format_report(result, args.misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
