"""How the classifier's proposals join the rules': the union, except that for a title (CHAIRMAN_OF,
CEO_OF: a person holds it at one company) a rule that gave the head the title at one company
overrules the classifier giving it at another.

A rule reads a stated pattern; the classifier reads a pair's context, and in a sentence that names
a second organisation near the title (与华为的合作，科大讯飞董事长刘庆峰) it may give the title to
both. Every other relation is a union: one company develops, uses and partners with many (the
overruling of all relations cost 1.5 points of relation F1 on the development split).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from kg.extraction.relations.base import Proposal
from kg.schema import SYMMETRIC

TRIGGER = "classifier"
Triple = tuple[str, str, str]


def _claimed(triples: Iterable[Triple]) -> dict[tuple[str, str], set[str]]:
    out: dict[tuple[str, str], set[str]] = {}
    for head, relation, tail in triples:
        out.setdefault((head, relation), set()).add(tail)
    return out


#: Relations a head holds with one tail only, where a rule's tail overrules the classifier's others.
ONE_TAIL = frozenset({"CHAIRMAN_OF", "CEO_OF"})


def _overruled(triple: Triple, claimed: Mapping[tuple[str, str], set[str]], symmetric: frozenset[str]) -> bool:
    head, relation, tail = triple
    if relation not in ONE_TAIL:
        return False
    tails = claimed.get((head, relation), set())
    return relation not in symmetric and bool(tails) and tail not in tails


def one_tail_per_sentence(proposals: list[tuple[int, Proposal]]) -> list[tuple[int, Proposal]]:
    """Of the classifier's (sentence, proposal) pairs, for a title (ONE_TAIL) only the most confident
    tail of each head in each sentence: 与华为的合作，科大讯飞董事长刘庆峰 gives 刘庆峰 one title."""
    best: dict[tuple[int, str, str], Proposal] = {}
    for si, p in proposals:
        if p.relation.value in ONE_TAIL:
            k = (si, p.head, p.relation.value)
            if k not in best or best[k].confidence < p.confidence:
                best[k] = p
    return [(si, p) for si, p in proposals
            if p.relation.value not in ONE_TAIL or best[(si, p.head, p.relation.value)] is p]


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
