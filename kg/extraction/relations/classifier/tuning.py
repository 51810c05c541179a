"""Tuning on texts the classifier was not trained on, read by kg's pipeline (the default tagger,
annotated names forced in): what each component proposes there, judged by names; the classifier's
calibration (Platt per label) and thresholds; the measured precision of the rules' confidences.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from kg.extraction.config import ExtractorConfig
from kg.extraction.extractor import Extractor, document_proposals
from kg.extraction.relations.base import Context, Sentence, Span
from kg.extraction.relations.classifier.candidates import normalised, with_gold
from kg.extraction.relations.classifier.combine import union_triples
from kg.extraction.relations.classifier.corpora import LabelledText
from kg.extraction.relations.classifier.model import SYMMETRIC_LABELS, Calibration, PairClassifier
from kg.extraction.relations.classifier.scoring import Counts, Judge
from kg.extraction.relations.confidence import RulePrecision, Tally
from kg.io.normalize import key
from kg.registry import RELATION_RULES
from kg.schema import SYMMETRIC

CLASSIFIER = "classifier"
Triple = tuple[str, str, str]
#: The steepest calibration believed (calibrated logit = a * raw logit + b); a steeper fit means the
#: tuning data is separable (the synthetic CEO copies) and the label stays uncalibrated.
MAX_SLOPE = 4.0
#: Thresholds tried per label.
THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(1, 20))


@dataclass
class Scored:
    """One text as kg read it: its judge, its sentences (text, mentions), the classifier's logit of
    every candidate triple, and what each rule proposed (triple -> raw confidence)."""

    judge: Judge
    sentences: list[tuple[str, list[Span]]] = field(default_factory=list)
    logits: dict[Triple, float] = field(default_factory=dict)
    #: rule -> triple -> (its highest raw confidence, that proposal's case key)
    rules: dict[str, dict[Triple, tuple[float, str]]] = field(default_factory=dict)

    def rescore(self, model: PairClassifier) -> None:
        """The logits of ``model`` (another one than read the text)."""
        self.logits = classifier_logits(model, self.sentences)


def rule_names() -> list[str]:
    return [name for name in RELATION_RULES.names() if name != CLASSIFIER]


def read_texts(model: PairClassifier, texts: Sequence[LabelledText], config: ExtractorConfig | None = None,
               gold: bool = True) -> list[Scored]:
    """Read ``texts`` with kg's pipeline (``config``, default: the default one) and score what the
    classifier and every rule find there. ``gold``: the annotated names kg does not find are forced
    into the sentences (as in training: many more judged pairs, so calibration and thresholds rest
    on more than the entity tagger happens to find); else kg's own mentions only, as ``kg extract``
    reads them. Rules give their own confidences here (that is what is measured)."""
    base = (config or ExtractorConfig()).model_copy(update={"relation_rules": (), "min_confidence": 0.0})
    reader = Extractor(base)
    rules = {name: RELATION_RULES.get(name) for name in rule_names()}
    out = []
    for raw in texts:
        t = normalised(raw)
        sentences, entities = reader.sentences(t.text)
        if gold:
            keys = {e.name: {key(n) for n in (e.name, *e.aliases)} for e in entities}
            sentences = [Sentence(x.text, with_gold(x, t.entities, keys)) for x in sentences]
        else:  # a sentence cut for length may end inside a mention, which then belongs to no pair
            sentences = [Sentence(x.text, [sp for sp in x.spans if sp.end <= len(x.text)]) for x in sentences]
        types = {sp.name: sp.type for x in sentences for sp in x.spans}
        s = Scored(Judge(t, entities), [(x.text, x.spans) for x in sentences])
        s.rescore(model)
        for name, rule in rules.items():
            triples: dict[Triple, tuple[float, str]] = {}
            for _, p in document_proposals(sentences, Context(reader.components.dictionary), types, [rule]):
                head, tail = p.head, p.tail
                if p.relation in SYMMETRIC and tail < head:
                    head, tail = tail, head
                triple = (head, p.relation.value, tail)
                if triple not in triples or p.confidence > triples[triple][0]:
                    triples[triple] = (p.confidence, p.calibration_key)
            s.rules[name] = triples
        out.append(s)
    return out


def classifier_logits(model: PairClassifier, sentences: Sequence[tuple[str, Sequence]]) -> dict[Triple, float]:
    """The best logit of each (head name, label, tail name) over the candidate pairs of ``sentences``."""
    feats = model.featurizer.batch(sentences)
    z = model.logits(feats)
    out: dict[Triple, float] = {}
    for i, (s, h, t) in enumerate(zip(feats.sentence.tolist(), feats.heads.tolist(), feats.tails.tolist(),
                                      strict=True)):
        spans = sentences[s][1]
        head, tail = spans[h].name, spans[t].name
        if head == tail:
            continue
        for k in np.flatnonzero(np.isfinite(z[i])).tolist():
            label = model.labels[k]
            triple = (tail, label, head) if label in SYMMETRIC_LABELS and tail < head else (head, label, tail)
            if z[i, k] > out.get(triple, -np.inf):
                out[triple] = float(z[i, k])
    return out


# --- calibration -------------------------------------------------------------------------------------


def platt(z: np.ndarray, y: np.ndarray, ridge: float = 1.0, iterations: int = 50) -> tuple[float, float]:
    """``(a, b)`` of ``p = sigmoid(a * z + b)`` fitted to the outcomes ``y`` (Newton's method). As in
    Platt's paper the targets are smoothed ((n+ + 1) / (n+ + 2) and 1 / (n- + 2)), and a ridge pulls
    towards the identity a = 1, b = 0: without both, separable tuning data (the synthetic CEO copies)
    drives ``a`` to hundreds and every score to 0 or 1; a fit steeper than :data:`MAX_SLOPE` is
    not believed (identity).

    >>> a, b = platt(np.array([-2.0, -1.0, 0.0, 1.0, 2.0] * 10), np.array([0, 0, 0, 1, 1] * 10, float))
    >>> a > 1.0 and b < 0.0
    True
    >>> platt(np.array([-30.0, -20.0, 20.0, 30.0] * 20), np.array([0, 0, 1, 1] * 20, float))
    (1.0, 0.0)
    """
    positives, negatives = float(y.sum()), float(len(y) - y.sum())
    target = np.where(y > 0, (positives + 1) / (positives + 2), 1 / (negatives + 2))
    ab = np.array([1.0, 0.0])
    x = np.stack([z, np.ones_like(z)], axis=1)
    prior = np.array([1.0, 0.0])
    for _ in range(iterations):
        p = _sigmoid(x @ ab)
        grad = x.T @ (p - target) + ridge * (ab - prior)
        hess = (x * (p * (1 - p))[:, None]).T @ x + ridge * np.eye(2)
        step = np.linalg.solve(hess, grad)
        ab -= step
        if np.abs(step).max() < 1e-9:
            break
    if not 0.0 < ab[0] <= MAX_SLOPE:  # separable (or inverted) tuning data: nothing to measure, keep identity
        return 1.0, 0.0
    return float(ab[0]), float(ab[1])


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -60.0, 60.0)))  # clipped: no overflow warnings for -inf logits


def judged_logits(scored: Iterable[Scored], label: str) -> tuple[np.ndarray, np.ndarray]:
    """The logits of the judged candidate triples of ``label`` and whether each is right."""
    z, y = [], []
    for s in scored:
        for (head, lab, tail), logit in s.logits.items():
            if lab == label:
                verdict = s.judge(head, lab, tail)
                if verdict is not None:
                    z.append(logit)
                    y.append(float(verdict))
    return np.array(z), np.array(y)


def fit_platt(model: PairClassifier, scored: Sequence[Scored]) -> dict[str, tuple[float, float]]:
    """Per label with enough judged triples (both outcomes), Platt's ``(a, b)``."""
    out = {}
    for label in model.labels:
        z, y = judged_logits(scored, label)
        if len(z) >= 10 and 3 <= y.sum() <= len(y) - 3:
            out[label] = platt(z, y)
    return out


def calibrated(s: Scored, platt_ab: dict[str, tuple[float, float]]) -> dict[Triple, float]:
    """The classifier's calibrated probability of each triple of ``s`` (labels Platt knows)."""
    out = {}
    for triple, z in s.logits.items():
        ab = platt_ab.get(triple[1])
        if ab is not None:
            out[triple] = float(_sigmoid(np.float64(ab[0] * z + ab[1])))
    return out


# --- the rules' precision ----------------------------------------------------------------------------


def rule_tally(scored: Iterable[Scored]) -> Tally:
    """Per (rule, relation, raw confidence): judged proposals and how many were right."""
    tally: Tally = defaultdict(lambda: [0, 0])
    for s in scored:
        for name, triples in s.rules.items():
            for (head, label, tail), (confidence, case) in triples.items():
                verdict = s.judge(head, label, tail)
                if verdict is not None:
                    cell = tally[(name, label, case or round(confidence, 3))]
                    cell[0] += 1
                    cell[1] += int(verdict)
    return tally


# --- combination -------------------------------------------------------------------------------------

#: A policy: from the rules' (calibrated) triples and the classifier's calibrated ones, the output.
Policy = Callable[[dict[Triple, float], dict[Triple, float], dict[str, float]], dict[Triple, float]]


def rules_alone(rules: dict[Triple, float], clf: dict[Triple, float], thr: dict[str, float]) -> dict[Triple, float]:
    return dict(rules)


def classifier_alone(rules: dict[Triple, float], clf: dict[Triple, float],
                     thr: dict[str, float]) -> dict[Triple, float]:
    return {t: p for t, p in clf.items() if p >= thr.get(t[1], 2.0)}


def union(rules: dict[Triple, float], clf: dict[Triple, float], thr: dict[str, float]) -> dict[Triple, float]:
    """Rules ∪ classifier above its thresholds (as the pipeline combines them: :mod:`.combine`)."""
    return union_triples(rules, classifier_alone(rules, clf, thr))


def rule_triples(s: Scored, precision: RulePrecision) -> dict[Triple, float]:
    """Every rule's triples of ``s`` with calibrated confidence, the highest where rules agree."""
    out: dict[Triple, float] = {}
    for name, triples in s.rules.items():
        for t, (raw, case) in triples.items():
            out[t] = max(out.get(t, 0.0), precision.of(name, t[1], raw, case))
    return out


def counts(scored: Sequence[Scored], policy: Policy, precision: RulePrecision, platt_ab: dict[str, tuple[float, float]],
           thresholds: dict[str, float], min_confidence: float = 0.0) -> Counts:
    c = Counts()
    for s in scored:
        out = policy(rule_triples(s, precision), calibrated(s, platt_ab), thresholds)
        c.add(s.judge, [t for t, p in out.items() if p >= min_confidence])
    return c


def best_thresholds(scored: Sequence[Scored], labels: Iterable[str], policy: Policy, precision: RulePrecision,
                    platt_ab: dict[str, tuple[float, float]]) -> dict[str, float]:
    """One threshold for every label: the one with the best F1 of ``policy`` over all labels together
    on ``scored`` (ties: the higher). The scores are calibrated, so one threshold means one precision
    for all; a threshold per label rests on a few tuning facts each, and chose 0.95 for USES on 30 (no
    recall at all on the development split), where the pooled one holds on every label."""
    labels = list(labels)
    best = (-1.0, 0.5)
    for thr in THRESHOLDS:
        f1 = counts(scored, policy, precision, platt_ab, dict.fromkeys(labels, thr)).prf(labels)[2]
        if f1 >= best[0]:
            best = (f1, thr)
    return dict.fromkeys(labels, best[1])


def calibration(model: PairClassifier, scored: Sequence[Scored], precision: RulePrecision,
                policy: Policy = union) -> Calibration:
    """Platt per label and the thresholds with the best F1 of ``policy``, both on ``scored``."""
    platt_ab = fit_platt(model, scored)
    return Calibration(platt_ab, best_thresholds(scored, model.labels, policy, precision, platt_ab))
