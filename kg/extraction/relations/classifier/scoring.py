"""Judging predicted relations against a labelled text, by names, as a user would read them.

A predicted (head, label, tail) is right when its head (its entity's name or any alias, compared by
:func:`kg.io.normalize.key`) and its tail name a true fact of the text with that label (symmetric labels
in either order). Only the labels a source reports are judged; a prediction about a pair the source
does not annotate (FinRE) or is unsure of is not judged at all. DuIE annotates only some facts, so
precision against it understates.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from kg.extraction.relations.classifier.corpora import DUIE_REPORTED, FINRE_LABELS, NEWS_LABELS, Fact, LabelledText
from kg.extraction.relations.classifier.model import SYMMETRIC_LABELS
from kg.io.normalize import key
from kg.models import Entity

#: The labels each source's figures report.
REPORTED: dict[str, tuple[str, ...]] = {"duie": DUIE_REPORTED, "duie-ceo": ("CEO_OF",), "finre": FINRE_LABELS,
                                        "news": tuple(label for label in NEWS_LABELS if label != "ALIAS")}
#: Head types that count for a label (DuIE's 总部地点 is about organisations, not events).
_ORG_HEADS = frozenset({"Company", "Organization"})


def _canon(head: str, label: str, tail: str) -> tuple[str, str, str]:
    h, t = key(head), key(tail)
    return (t, label, h) if label in SYMMETRIC_LABELS and t < h else (h, label, t)


class Judge:
    """Says whether a predicted triple of one text is right (True), wrong (False) or not judged (None)."""

    def __init__(self, text: LabelledText, entities: Iterable[Entity] = ()) -> None:
        self.labels = frozenset(REPORTED.get(text.source, ()))
        self.gold = {_canon(*f) for f in text.facts if f[1] in self.labels}
        self.unsure = {_canon(*f) for f in text.unsure}
        self.pairs = None if text.pairs is None else {tuple(sorted((key(a), key(b)))) for a, b in text.pairs}
        self.keys: dict[str, set[str]] = {}
        self.types: dict[str, str] = {}
        for e in entities:
            self.keys[e.name] = {key(n) for n in (e.name, *e.aliases) if n}
            self.types[e.name] = e.type.value

    def _keys(self, name: str) -> set[str]:
        return self.keys.get(name, set()) | {key(name)}

    def matches(self, head: str, label: str, tail: str) -> set[tuple[str, str, str]]:
        """The gold facts (canonical keys) that ``head -label-> tail`` states."""
        out = set()
        for h in self._keys(head):
            for t in self._keys(tail):
                c = _canon(h, label, t)
                if c in self.gold:
                    out.add(c)
        return out

    def __call__(self, head: str, label: str, tail: str) -> bool | None:
        if label not in self.labels or (label == "LOCATED_IN" and self.types.get(head, "Company") not in _ORG_HEADS):
            return None
        if self.matches(head, label, tail):
            return True
        heads, tails = self._keys(head), self._keys(tail)
        if any(_canon(h, label, t) in self.unsure for h in heads for t in tails):
            return None
        if self.pairs is not None and not any(tuple(sorted((h, t))) in self.pairs for h in heads for t in tails):
            return None
        return False


@dataclass
class Counts:
    """True positives, predictions and gold facts per label."""

    tp: Counter[str] = field(default_factory=Counter)
    pred: Counter[str] = field(default_factory=Counter)
    gold: Counter[str] = field(default_factory=Counter)

    def add(self, judge: Judge, predicted: Iterable[Fact]) -> None:
        """Count one text: its predicted triples (each name pair and label once)."""
        found: set[tuple[str, str, str]] = set()
        seen: set[tuple[str, str, str]] = set()
        for head, label, tail in predicted:
            c = _canon(head, label, tail)
            if c in seen:
                continue
            seen.add(c)
            verdict = judge(head, label, tail)
            if verdict is None:
                continue
            self.pred[label] += 1
            hits = judge.matches(head, label, tail) - found
            if verdict and hits:
                self.tp[label] += 1
                found |= hits
        for _, label, _ in judge.gold:
            self.gold[label] += 1

    def prf(self, labels: Iterable[str]) -> tuple[float, float, float]:
        labels = list(labels)
        tp = sum(self.tp[x] for x in labels)
        pred = sum(self.pred[x] for x in labels)
        gold = sum(self.gold[x] for x in labels)
        p = tp / pred if pred else 0.0
        r = tp / gold if gold else 0.0
        return p, r, 2 * p * r / (p + r) if p + r else 0.0
