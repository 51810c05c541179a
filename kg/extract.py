"""Per-document extraction: an :class:`Extractor`, built from an explicit
:class:`~kg.config.ExtractorConfig`, turns a Document into an Extraction.

documents -> normalised text (same offsets) -> mentions -> entities -> relations with evidence.
Extraction is a pure function of one document, so an extractor runs unchanged in a process pool,
Dask or Spark: it pickles as its configuration, and each process builds the components of a
configuration once (dictionary automaton, tagger model) and shares them between extractors.

>>> from kg.models import Document
>>> ex = Extractor().extract(Document(id="d", text="科大訊飛董事長劉慶峰說，公司與華為合作。"))
>>> sorted(e.name for e in ex.entities)
['刘庆峰', '华为', '科大讯飞']
>>> [(r.head, r.relation.value, r.tail) for r in ex.relations]
[('刘庆峰', 'CHAIRMAN_OF', '科大讯飞'), ('华为', 'PARTNERS_WITH', '科大讯飞')]
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from kg.config import ExtractorConfig
from kg.dictionary import Dictionary
from kg.models import Document, Extraction, Mention, Relation
from kg.ner.combine import MentionFinder
from kg.ner.dictionary_matcher import DictionaryRecogniser
from kg.ner.textview import TextView
from kg.registry import RELATION_RULES, TAGGERS
from kg.relations import Context, RelationRule, Sentence, Span, sentence_relations
from kg.resolve import resolve_mentions
from kg.schema import SYMMETRIC


@dataclass(frozen=True)
class Components:
    """What one configuration is made of, built once per process (see :func:`components`)."""

    dictionary: Dictionary
    mentions: MentionFinder
    rules: tuple[RelationRule, ...]


@lru_cache(maxsize=8)
def components(config: ExtractorConfig) -> Components:
    """The components of ``config``: dictionary, recognisers (with the chosen tagger), rules."""
    dictionary = Dictionary.load(config.dictionaries, shipped=config.shipped_dictionary)
    tagger = TAGGERS.get(config.tagger)(config)
    names = config.relation_rules
    rules = tuple(r.load() for r in RELATION_RULES.entries() if names is None or r.name in names)
    return Components(dictionary, MentionFinder(DictionaryRecogniser(dictionary), tagger), rules)


class Extractor:
    """Entities and relations of documents, as ``config`` says. Cheap to create and to pickle."""

    def __init__(self, config: ExtractorConfig | None = None) -> None:
        self.config = config or ExtractorConfig()

    def __getstate__(self) -> dict[str, Any]:
        return {"config": self.config}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.config = state["config"]

    def __repr__(self) -> str:
        return f"Extractor({self.config!r})"

    @property
    def components(self) -> Components:
        return components(self.config)

    def warm_up(self) -> None:
        """Build the components now (loading the dictionary and models), not in the first document."""
        self.extract(Document(id="warm-up", text="科大讯飞董事长刘庆峰在合肥表示，讯飞星火将持续升级。"))

    def extract(self, doc: Document) -> Extraction:
        """Entities and relations of one document."""
        parts = self.components
        view = TextView(doc.text)
        mentions = parts.mentions(view)
        entities, owner = resolve_mentions(mentions, parts.dictionary)
        types = {e.name: e.type for e in entities}
        relations = self._relations(doc, view, mentions, owner, types, Context(parts.dictionary))
        return Extraction(doc_id=doc.id, source=doc.source, chars=len(doc.text), entities=entities,
                          relations=relations, mentions=mentions)

    __call__ = extract

    def _relations(self, doc: Document, view: TextView, mentions: list[Mention], owner: dict[int, str],
                   types: dict, ctx: Context) -> list[Relation]:
        by_sentence: dict[int, list[Span]] = {}
        for i, m in enumerate(mentions):
            si = view.sentence_of(m.start)
            s_start = view.sentences[si][0] if view.sentences else 0
            by_sentence.setdefault(si, []).append(
                Span(owner[i], types[owner[i]], m.start - s_start, m.end - s_start, m.text))
        found: dict[tuple, Relation] = {}
        for si, (start, end) in enumerate(view.sentences):
            spans = by_sentence.get(si, [])
            sent = Sentence(view.norm[start:end], spans)
            for p in sentence_relations(sent, ctx, types, self.components.rules):
                head, tail = p.head, p.tail
                if p.relation in SYMMETRIC and tail < head:
                    head, tail = tail, head
                k = (head, p.relation, tail)
                if k in found and found[k].confidence >= p.confidence:
                    continue
                found[k] = Relation(head=head, relation=p.relation, tail=tail, evidence=doc.text[start:end],
                                    doc_id=doc.id, start=start, end=end, confidence=round(p.confidence, 3),
                                    trigger=p.trigger)
            ctx.update(spans)
        return list(found.values())


def extract_document(doc: Document, config: ExtractorConfig | None = None) -> Extraction:
    """``Extractor(config).extract(doc)``: the one-call form, for scripts and notebooks."""
    return Extractor(config).extract(doc)
