"""Sentence-level relation extraction: trigger lexicons, sentence structure, and type signatures.

Every rule (:class:`~kg.extraction.relations.base.RelationRule`) reads one sentence with its resolved
mentions and proposes ``(head, relation, tail)`` with a confidence and the spans of both ends; the
type signatures of :mod:`kg.schema` then drop what makes no sense. Subjects and objects are found
by the structure of the sentence (:mod:`.clauses`: a clause's subject, the subject a subject-less
clause carries over, joint actions, lists in the next clause). Anaphors (该公司, 其, 我们)
stand for entities named before (:mod:`.anaphora`).

A proposal is emitted only if both its ends are in the sentence: a mention of the entity, or an
anaphor resolved to it (with the antecedent's place recorded), so a reader can check every
relation against its evidence (:func:`grounded`).

The trained model (:mod:`.classifier`, the component ``classifier``) scores every mention pair for
every relation type. Beside it stay the rules that measurably add to it on the development split of
the annotated news (docs/relations.md), registered in ``kg.registry.RELATION_RULES``:
:mod:`.organisations` (partners) and :mod:`.products` (developers, makers named in their product's
name, users).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from kg.extraction.coref.anaphora import read_anaphors
from kg.extraction.relations import organisations, products  # noqa: F401  (each registers its rules)
from kg.extraction.relations.base import Antecedent, Context, Proposal, RelationRule, Sentence, Span
from kg.registry import RELATION_RULES
from kg.schema import EntityType, RelationType, allowed

# Last, so a rule's proposal wins a tie (its trigger names the words that stated it).
RELATION_RULES.lazy("classifier", "kg.extraction.relations.classifier.component:CLASSIFIER", order=5000,
                    help="a trained model scores every mention pair (kg train-relations)")

__all__ = ["Antecedent", "Context", "Proposal", "RelationRule", "Sentence", "Span", "grounded", "inside_names",
           "read_anaphors", "sentence_relations"]

#: How much less sure a relation is when one of its ends is an anaphor (该公司, 其) rather than a name.
ANAPHOR_CONFIDENCE = 0.8


def grounded(p: Proposal, sent: Sentence) -> bool:
    """Both ends of ``p`` are spans of ``sent`` that name them (a mention, or a resolved anaphor)."""
    for name, span in ((p.head, p.head_span), (p.tail, p.tail_span)):
        if span is None or span.name != name or not 0 <= span.start < span.end <= len(sent.text):
            return False
    return True


def sentence_relations(sent: Sentence, ctx: Context, types: dict[str, EntityType],
                       rules: Iterable[RelationRule]) -> list[Proposal]:
    """All grounded proposals of ``rules`` for one sentence that respect the type signatures; of
    equal proposals the most confident (the first of equals) stands."""
    out: dict[tuple[str, RelationType, str], Proposal] = {}
    for rule in rules:
        for p in rule(sent, ctx):
            head_t, tail_t = _type_of(p.head, p.head_span, types), _type_of(p.tail, p.tail_span, types)
            if head_t is None or tail_t is None or p.head == p.tail:
                continue
            if not allowed(p.relation, head_t, tail_t) or not grounded(p, sent):
                continue
            if p.head_span.antecedent is not None or p.tail_span.antecedent is not None:  # type: ignore[union-attr]
                p = replace(p, confidence=p.confidence * ANAPHOR_CONFIDENCE)
            k = (p.head, p.relation, p.tail)
            if k not in out or out[k].confidence < p.confidence:
                out[k] = p
    return list(out.values())


def _type_of(name: str, span: Span | None, types: dict[str, EntityType]) -> EntityType | None:
    """The type of an end: its entity's, or for a name written inside another mention (a maker in its
    product's name) the span's own, as the extractor makes it an entity (:func:`inside_names`)."""
    found = types.get(name)
    if found is None and span is not None and span.inside:
        return span.type
    return found


def inside_names(proposals: Iterable[Proposal]) -> dict[str, tuple[EntityType, set[str]]]:
    """The ends of ``proposals`` named inside other mentions (华为 in 华为昇腾910B), by entity name:
    their type and the surfaces that name them there."""
    out: dict[str, tuple[EntityType, set[str]]] = {}
    for p in proposals:
        for name, span in ((p.head, p.head_span), (p.tail, p.tail_span)):
            if span is not None and span.inside:
                out.setdefault(name, (span.type, set()))[1].add(span.surface)
    return out
