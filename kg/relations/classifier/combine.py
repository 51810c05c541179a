"""How the classifier's proposals join the rules': the union, except where a rule has already
given the same head the same relation with another tail.

A rule reads a stated pattern (科大讯飞董事长刘庆峰); the classifier reads a pair's context, and in a
sentence that names a second organisation near the title (与华为的合作，科大讯飞董事长刘庆峰) it may
give the title to both. So a classifier triple (head, relation, tail) stands only when no rule
proposed (head, relation, another tail) in the same text (a document, or a chunk of a long one).
Symmetric relations (PARTNERS_WITH: one company has many partners) are always a union.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from kg.relations.base import Proposal
from kg.schema import SYMMETRIC

TRIGGER = "classifier"
Triple = tuple[str, str, str]


def _claimed(triples: Iterable[Triple]) -> dict[tuple[str, str], set[str]]:
    out: dict[tuple[str, str], set[str]] = {}
    for head, relation, tail in triples:
        out.setdefault((head, relation), set()).add(tail)
    return out


def _overruled(triple: Triple, claimed: Mapping[tuple[str, str], set[str]], symmetric: frozenset[str]) -> bool:
    head, relation, tail = triple
    tails = claimed.get((head, relation), set())
    return relation not in symmetric and bool(tails) and tail not in tails


def unclaimed(rules: Iterable[Proposal], classifier: Iterable[Proposal]) -> list[Proposal]:
    """The classifier's proposals of one text that no rule proposal overrules."""
    claimed = _claimed((p.head, p.relation.value, p.tail) for p in rules)
    symmetric = frozenset(r.value for r in SYMMETRIC)
    return [p for p in classifier if not _overruled((p.head, p.relation.value, p.tail), claimed, symmetric)]


def union_triples(rules: Mapping[Triple, float], classifier: Mapping[Triple, float]) -> dict[Triple, float]:
    """:func:`unclaimed` over name triples: the rules' triples and the classifier's not overruled,
    a triple both give at the higher confidence."""
    claimed = _claimed(rules)
    symmetric = frozenset(r.value for r in SYMMETRIC)
    out = dict(rules)
    for triple, p in classifier.items():
        if not _overruled(triple, claimed, symmetric):
            out[triple] = max(p, out.get(triple, 0.0))
    return out
