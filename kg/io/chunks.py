"""Long documents in pieces: where to cut them (at sentence boundaries), and how the pieces'
entities and relations become one document's again.

The :class:`~kg.extraction.extractor.Extractor` reads a document longer than its ``chunk_chars`` chunk by chunk,
each with its own :class:`~kg.extraction.ner.textview.TextView`, so the memory of a run is bounded by a chunk,
not by the document.

>>> spans = [(0, 4), (5, 9), (10, 14), (15, 19)]
>>> [(a, b) for a, b, _ in chunk_spans(spans, length=19, limit=10)]
[(0, 9), (10, 19)]
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from kg.models import Entity, Relation
from kg.schema import EntityType, allowed

Span = tuple[int, int]


def chunk_spans(sentences: Iterable[Span], length: int, limit: int) -> Iterator[tuple[int, int, list[Span]]]:
    """Consecutive chunks ``(start, end, sentences)`` of a text of ``length`` characters: each runs from
    its first sentence's start to its last one's end, and is at most ``limit`` characters long
    (sentences are shorter than ``limit``). The chunks are of about equal size, so the last one is
    not a scrap without context: the fewest chunks of at most ``limit`` that can hold the text, with a
    little slack for ending at a sentence."""
    slack = limit // 50
    target = min(limit, math.ceil(length / math.ceil(length / (limit - slack))) + slack)
    chunk: list[Span] = []
    for s, e in sentences:
        if chunk and e - chunk[0][0] > target:
            yield chunk[0][0], chunk[-1][1], chunk
            chunk = []
        chunk.append((s, e))
    if chunk:
        yield chunk[0][0], chunk[-1][1], chunk


@dataclass
class MergedDocument:
    """The entities and relations of a document's chunks, merged as one document's: an entity per
    name (its mentions counted over all chunks, its aliases and type votes combined), a relation per
    ``(head, relation, tail)`` (the first of the most confident, as within one document)."""

    relations: dict[tuple, Relation] = field(default_factory=dict)
    _entities: dict[str, Entity] = field(default_factory=dict)
    _aliases: dict[str, dict[str, None]] = field(default_factory=dict)
    _types: dict[str, Counter[EntityType]] = field(default_factory=dict)

    def add_entities(self, entities: Iterable[Entity]) -> None:
        for e in entities:
            # the type the name has in most of its mentions (on equal votes the first seen)
            self._types.setdefault(e.name, Counter())[e.type] += e.mentions
            self._aliases.setdefault(e.name, {}).update(dict.fromkeys(e.aliases))
            seen = self._entities.get(e.name)
            if seen is None:
                self._entities[e.name] = e.model_copy()
            else:
                seen.mentions += e.mentions
                seen.english = seen.english or e.english
                seen.merged_from = [*seen.merged_from, *e.merged_from]

    def entities(self) -> list[Entity]:
        """The merged entities, in the order the document first names them."""
        for name, e in self._entities.items():
            e.type = self._types[name].most_common(1)[0][0]
            e.aliases = list(self._aliases[name])
        return list(self._entities.values())

    def checked_relations(self) -> list[Relation]:
        """The relations whose type signature still holds with the merged types (a name typed
        differently in two chunks takes its majority type)."""
        types = {name: votes.most_common(1)[0][0] for name, votes in self._types.items()}
        return [r for r in self.relations.values() if allowed(r.relation, types[r.head], types[r.tail])]
