"""Sentence-level relation extraction: trigger lexicons, positions, and type signatures.

Every rule (:class:`~kg.relations.base.RelationRule`) reads one sentence with its resolved
mentions and proposes ``(head, relation, tail)`` with a confidence; the type signatures of
:mod:`kg.schema` then drop what makes no sense. Pronoun and zero subjects (该公司, 双方, 我们, or
none at all) fall back to the organisation the text was talking about (:class:`Context`).

The rules live in one module per family and register in ``kg.registry.RELATION_RULES``:
:mod:`.people` (titles, founders, supporters), :mod:`.places` (locations), :mod:`.organisations`
(partners, subsidiaries, listings), :mod:`.products` (developers, users, benchmarks). Beside them,
:mod:`.classifier` scores every mention pair with a trained model (the component ``classifier``).
"""

from __future__ import annotations

from collections.abc import Iterable

from kg.registry import RELATION_RULES
from kg.relations import organisations, people, places, products  # noqa: F401  (each registers its rules)
from kg.relations.base import Context, Proposal, RelationRule, Sentence, Span
from kg.schema import EntityType, RelationType, allowed

# Last, so a rule's proposal wins a tie (its trigger names the words that stated it).
RELATION_RULES.lazy("classifier", "kg.relations.classifier.component:CLASSIFIER", order=5000,
                    help="a trained model scores every mention pair (kg train-relations)")

__all__ = ["Context", "Proposal", "RelationRule", "Sentence", "Span", "sentence_relations"]


def sentence_relations(sent: Sentence, ctx: Context, types: dict[str, EntityType],
                       rules: Iterable[RelationRule]) -> list[Proposal]:
    """All proposals of ``rules`` for one sentence that respect the type signatures; of equal
    proposals the most confident (the first of equals) stands."""
    out: dict[tuple[str, RelationType, str], Proposal] = {}
    for rule in rules:
        for p in rule(sent, ctx):
            head_t, tail_t = types.get(p.head), types.get(p.tail)
            if head_t is None or tail_t is None or p.head == p.tail:
                continue
            if not allowed(p.relation, head_t, tail_t):
                continue
            k = (p.head, p.relation, p.tail)
            if k not in out or out[k].confidence < p.confidence:
                out[k] = p
    return list(out.values())
