"""Confidence that means precision: each rule's confidences mapped to the precision measured for them.

A rule gives each proposal a confidence of its own (0.9 for an apposition, 0.6 for an inferred
subject ...), a ranking rather than a probability, and names the case it read (``develop.launch``,
with the factor of a discounted reading: :attr:`Proposal.calibration_key`). ``kg train-relations``
measures, on its tuning texts read as a user runs kg, how often the proposals of each (rule,
relation, case) are right, and stores the table in the relation model; the extractor then gives
each proposal that precision. The table is keyed by the case, not by the number, so a rule's
confidence can change without losing its calibration. (Tables measured before cases had names are
keyed by the raw confidence, ``"0.800"``; a proposal of no named case is looked up that way too.)
Where the tuning texts hold too few proposals of a kind, a conservative value stands instead: the
lower of the rule's own confidence and the precision measured over all proposals of that relation,
or over all rule proposals when the relation has no data of its own (see docs/relations.md).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from kg.extraction.relations.base import Context, Proposal, RelationRule, Sentence

#: Fewer judged proposals than this and a precision is not measured but bounded (see the docstring).
MIN_SUPPORT = 10
#: (rule, relation, case key or raw confidence) -> [judged proposals, right ones].
Tally = Mapping[tuple[str, str, str | float], list[int]]


def _smoothed(n: int, right: int) -> float:
    """Laplace's estimate: a few lucky proposals do not make a certainty."""
    return round((right + 1) / (n + 2), 3)


@dataclass(frozen=True)
class RulePrecision:
    """Measured precision by (rule, relation, raw confidence), by relation, and over everything."""

    by_rule: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    by_relation: dict[str, float] = field(default_factory=dict)
    overall: float | None = None

    def of(self, rule: str, relation: str, raw: float, case: str = "") -> float:
        """The confidence a proposal of ``rule`` with ``raw`` confidence, of the case key ``case``
        (:attr:`Proposal.calibration_key`), gets."""
        measured_here = self.by_rule.get(rule, {}).get(relation, {})
        measured = measured_here.get(case) if case else None
        if measured is None:
            measured = measured_here.get(_raw_key(raw))
        if measured is not None:
            return measured
        bound = self.by_relation.get(relation, self.overall)
        return raw if bound is None else min(raw, bound)

    @classmethod
    def from_tally(cls, tally: Tally) -> RulePrecision:
        by_rule: dict[str, dict[str, dict[str, float]]] = {}
        per_relation: dict[str, list[int]] = {}
        total = [0, 0]
        for (rule, relation, raw), (n, right) in sorted(tally.items(), key=lambda kv: tuple(map(str, kv[0]))):
            if n >= MIN_SUPPORT:
                key = raw if isinstance(raw, str) else _raw_key(raw)
                by_rule.setdefault(rule, {}).setdefault(relation, {})[key] = _smoothed(n, right)
            cell = per_relation.setdefault(relation, [0, 0])
            cell[0] += n
            cell[1] += right
            total[0] += n
            total[1] += right
        by_relation = {rel: _smoothed(n, right) for rel, (n, right) in per_relation.items() if n >= MIN_SUPPORT}
        return cls(by_rule, by_relation, _smoothed(*total) if total[0] >= MIN_SUPPORT else None)

    def to_json(self) -> dict[str, Any]:
        return {"by_rule": self.by_rule, "by_relation": self.by_relation, "overall": self.overall}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> RulePrecision:
        data = data or {}
        return cls({r: {rel: {k: float(v) for k, v in raws.items()} for rel, raws in rels.items()}
                    for r, rels in data.get("by_rule", {}).items()},
                   {k: float(v) for k, v in data.get("by_relation", {}).items()},
                   None if data.get("overall") is None else float(data["overall"]))


def _raw_key(raw: float) -> str:
    return f"{raw:.3f}"


@dataclass(frozen=True)
class MeasuredRule:
    """A rule whose proposals carry the precision measured for them instead of its own confidence."""

    name: str
    rule: RelationRule
    precision: RulePrecision

    def __call__(self, sent: Sentence, ctx: Context) -> Iterator[Proposal]:
        for p in self.rule(sent, ctx):
            yield replace(p, confidence=self.precision.of(self.name, p.relation.value, p.confidence,
                                                          p.calibration_key))
