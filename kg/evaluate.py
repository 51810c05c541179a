"""Scoring extractions against gold graphs (the format and matching rule of the annotation
guidelines): set-based per document, names compared by :func:`kg.io.normalize.key` over name and
aliases, types must agree, PARTNERS_WITH matches in either direction."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.io.jsonlimits import loads
from kg.io.normalize import key


@dataclass
class Counts:
    tp: Counter = field(default_factory=Counter)
    fp: Counter = field(default_factory=Counter)
    fn: Counter = field(default_factory=Counter)

    def prf(self, label: str | None = None) -> tuple[float, float, float]:
        tp = self.tp[label] if label else sum(self.tp.values())
        fp = self.fp[label] if label else sum(self.fp.values())
        fn = self.fn[label] if label else sum(self.fn.values())
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def labels(self) -> list[str]:
        return sorted(set(self.tp) | set(self.fp) | set(self.fn))


@dataclass
class Score:
    entities: Counts = field(default_factory=Counts)
    relations: Counts = field(default_factory=Counts)
    misses: dict[str, list[str]] = field(default_factory=lambda: {
        "entity FP": [], "entity FN": [], "relation FP": [], "relation FN": []})
    documents: int = 0
    #: every predicted relation judged: (relation type, its confidence if it has one, whether it is right)
    judged: list[tuple[str, float | None, bool]] = field(default_factory=list)

    def reliability(self, edges: tuple[float, ...] = (0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001)
                    ) -> list[tuple[float, float, int, float, float]]:
        """Per confidence band [lo, hi): (lo, hi, relations, their share right, their mean confidence)."""
        out = []
        for lo, hi in zip(edges, edges[1:], strict=False):
            band = [(c, ok) for _, c, ok in self.judged if c is not None and lo <= c < hi]
            if band:
                out.append((lo, min(hi, 1.0), len(band), sum(ok for _, ok in band) / len(band),
                            sum(c for c, _ in band) / len(band)))
        return out

    def to_dict(self) -> dict[str, Any]:
        def block(c: Counts) -> dict[str, Any]:
            rows = {t: dict(zip(("p", "r", "f1"), c.prf(t), strict=True)) | {
                "tp": c.tp[t], "fp": c.fp[t], "fn": c.fn[t]} for t in c.labels()}
            return {"all": dict(zip(("p", "r", "f1"), c.prf(), strict=True)), "by_type": rows}

        return {"documents": self.documents, "entities": block(self.entities),
                "relations": block(self.relations), "misses": self.misses}


def _names(e: dict) -> set[str]:
    return {key(n) for n in [e.get("name", ""), *(e.get("aliases") or [])] if n}


class _Doc:
    def __init__(self, d: dict):
        self.entities = d.get("entities") or []
        self.relations = d.get("relations") or []
        self.index: dict[str, int] = {}
        for i, e in enumerate(self.entities):
            for k in _names(e):
                self.index.setdefault(k, i)

    def find(self, surface: str) -> int | None:
        return self.index.get(key(surface))


def score_document(gold: dict, pred: dict, score: Score) -> None:
    """Add one document's counts to ``score`` (same algorithm as shared/gold/score.py)."""
    doc_id = gold["doc_id"]
    G, P = _Doc(gold), _Doc(pred)
    matched: set[int] = set()
    pred_to_gold: dict[int, int | None] = {}
    for pi, pe in enumerate(P.entities):
        hit = next((G.index[k] for k in _names(pe)
                    if k in G.index and G.entities[G.index[k]]["type"] == pe.get("type")), None)
        t = pe.get("type", "?")
        pred_to_gold[pi] = hit
        if hit is None:
            score.entities.fp[t] += 1
            score.misses["entity FP"].append(f"{doc_id}: {pe.get('name')} ({t})")
        elif hit not in matched:
            matched.add(hit)
            score.entities.tp[t] += 1
    for gi, ge in enumerate(G.entities):
        if gi not in matched:
            score.entities.fn[ge["type"]] += 1
            score.misses["entity FN"].append(f"{doc_id}: {ge['name']} ({ge['type']})")

    def norm(h, r, t):
        if r == "PARTNERS_WITH" and h is not None and t is not None and h > t:
            h, t = t, h
        return (h, r, t)

    gold_rel = {norm(G.find(r["head"]), r["relation"], G.find(r["tail"])): r for r in G.relations}
    pred_rel: dict[tuple, dict] = {}
    for r in P.relations:
        hi, ti = P.find(r.get("head", "")), P.find(r.get("tail", ""))
        h = pred_to_gold.get(hi) if hi is not None else None
        t = pred_to_gold.get(ti) if ti is not None else None
        if None in (h, t):
            k: tuple = ("?", r.get("head"), r.get("relation"), r.get("tail"))
        else:
            k = norm(h, r.get("relation"), t)
        pred_rel.setdefault(k, r)
    for k, r in pred_rel.items():
        score.judged.append((r.get("relation", "?"), r.get("confidence"), k in gold_rel))
        if k in gold_rel:
            score.relations.tp[r["relation"]] += 1
        else:
            score.relations.fp[r.get("relation", "?")] += 1
            score.misses["relation FP"].append(f"{doc_id}: {r.get('head')} -{r.get('relation')}-> {r.get('tail')}")
    for k, r in gold_rel.items():
        if k not in pred_rel:
            score.relations.fn[r["relation"]] += 1
            score.misses["relation FN"].append(f"{doc_id}: {r['head']} -{r['relation']}-> {r['tail']}")
    score.documents += 1


class GoldError(ValueError):
    """A gold folder or file that cannot be read; the message names the file."""


def load_gold(gold_dir: Path) -> dict[str, dict]:
    if not gold_dir.is_dir():
        raise GoldError(f"{gold_dir}: not a folder of gold .json files")
    gold = {}
    for path in sorted(gold_dir.glob("*.json")):
        try:
            data = loads(path.read_text(encoding="utf-8"))
            gold[data["doc_id"]] = data
        except (ValueError, KeyError, TypeError) as exc:  # not UTF-8, malformed, TooDeep
            raise GoldError(f"{path}: not a gold graph ({exc.__class__.__name__}: {exc})") from exc
        except OSError as exc:
            raise GoldError(f"{path}: cannot read ({(exc.strerror or str(exc)).lower()})") from exc
    if not gold:
        raise GoldError(f"{gold_dir}: no .json gold files")
    return gold


def score_all(gold: dict[str, dict], preds: dict[str, dict]) -> Score:
    score = Score()
    for doc_id, g in sorted(gold.items()):
        score_document(g, preds.get(doc_id, {}), score)
    return score
