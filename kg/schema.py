"""The fixed vocabulary of the graph: entity types, relation types and their type constraints.

These enums are the only source of node labels and relationship types that ever reach Cypher,
so nothing read from a document can become part of a query string.
"""

from __future__ import annotations

from enum import StrEnum


class EntityType(StrEnum):
    COMPANY = "Company"
    PERSON = "Person"
    PLACE = "Place"
    ORGANIZATION = "Organization"
    CHIP = "Chip"
    AIMODEL = "AIModel"
    PRODUCT = "Product"
    EVENT = "Event"


class RelationType(StrEnum):
    CHAIRMAN_OF = "CHAIRMAN_OF"
    FOUNDER_OF = "FOUNDER_OF"
    CEO_OF = "CEO_OF"
    LOCATED_IN = "LOCATED_IN"
    PARTNERS_WITH = "PARTNERS_WITH"
    DEVELOPS = "DEVELOPS"
    USES = "USES"
    BENCHMARKED_AGAINST = "BENCHMARKED_AGAINST"
    SUBSIDIARY_OF = "SUBSIDIARY_OF"
    LISTED_ON = "LISTED_ON"
    SUPPORTS = "SUPPORTS"


class Origin(StrEnum):
    """Which kind of recogniser found a mention: it decides overlaps (dictionary first)."""

    DICTIONARY = "dictionary"  # a name of the domain dictionary
    PATTERN = "pattern"  # a naming pattern: model versions, chips, quoted products, events, places
    COREF = "coref"  # a reference back to a name of the same document (刘董, 以下简称X)
    NER = "ner"  # a rule for open-vocabulary names (suffixes, titles), or a tagger of cue windows
    TAGGER = "tagger"  # a statistical tagger that reads every sentence (its boundaries beat the rules')


E = EntityType
ORG_LIKE = frozenset({E.COMPANY, E.ORGANIZATION})

#: Allowed (head types, tail types) per relation, from the annotation guidelines.
SIGNATURES: dict[RelationType, tuple[frozenset[EntityType], frozenset[EntityType]]] = {
    RelationType.CHAIRMAN_OF: (frozenset({E.PERSON}), ORG_LIKE),
    RelationType.FOUNDER_OF: (frozenset({E.PERSON}), ORG_LIKE),
    RelationType.CEO_OF: (frozenset({E.PERSON}), frozenset({E.COMPANY})),
    RelationType.LOCATED_IN: (ORG_LIKE | {E.EVENT}, frozenset({E.PLACE})),
    RelationType.PARTNERS_WITH: (ORG_LIKE, ORG_LIKE),
    RelationType.DEVELOPS: (ORG_LIKE, frozenset({E.AIMODEL, E.PRODUCT, E.CHIP})),
    RelationType.USES: (
        frozenset({E.COMPANY, E.AIMODEL, E.PRODUCT}),
        frozenset({E.CHIP, E.PRODUCT, E.COMPANY}),
    ),
    RelationType.BENCHMARKED_AGAINST: (frozenset({E.AIMODEL}), frozenset({E.AIMODEL})),
    RelationType.SUBSIDIARY_OF: (frozenset({E.COMPANY}), frozenset({E.COMPANY})),
    RelationType.LISTED_ON: (frozenset({E.COMPANY}), frozenset({E.ORGANIZATION})),
    RelationType.SUPPORTS: (frozenset({E.PERSON}), ORG_LIKE),
}

#: Relations whose direction carries no meaning; stored once with the smaller name first.
SYMMETRIC = frozenset({RelationType.PARTNERS_WITH})


def allowed(relation: RelationType, head: EntityType, tail: EntityType) -> bool:
    """True when ``head -relation-> tail`` respects the type signature.

    >>> allowed(RelationType.CHAIRMAN_OF, EntityType.PERSON, EntityType.COMPANY)
    True
    >>> allowed(RelationType.CHAIRMAN_OF, EntityType.COMPANY, EntityType.PERSON)
    False
    """
    heads, tails = SIGNATURES[relation]
    return head in heads and tail in tails
