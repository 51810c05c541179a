"""Per-document extraction: an :class:`Extractor`, built from an explicit
:class:`~kg.extraction.config.ExtractorConfig`, turns a Document into an Extraction.

documents -> normalised text (same offsets) -> mentions -> entities -> relations with evidence.
Extraction is a pure function of one document, so an extractor runs unchanged in a process pool,
Dask or Spark: it pickles as its configuration, and each process builds the components of a
configuration once (dictionary automaton, tagger model) and shares them between extractors.

>>> from kg.models import Document
>>> ex = Extractor().extract(Document(id="d", text="科大訊飛董事長劉慶峰說，公司與華為合作。"))
>>> sorted(e.name for e in ex.entities)
['刘庆峰', '华为', '科大讯飞']
>>> sorted((r.head, r.relation.value, r.tail) for r in ex.relations)
[('刘庆峰', 'CHAIRMAN_OF', '科大讯飞'), ('华为', 'PARTNERS_WITH', '科大讯飞')]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from kg.extraction.boundaries import corrected
from kg.extraction.config import ExtractorConfig
from kg.extraction.dictionary import Dictionary
from kg.extraction.merging import merge_within
from kg.extraction.ner.combine import MentionFinder
from kg.extraction.ner.dictionary_matcher import DictionaryRecogniser
from kg.extraction.ner.taggers.base import weighs_rules
from kg.extraction.ner.textview import TextView
from kg.extraction.relations import (
    Context,
    Proposal,
    RelationRule,
    Sentence,
    Span,
    inside_names,
    read_anaphors,
    sentence_relations,
)
from kg.extraction.relations.base import BatchedRule, Configured, joined_places, overruled
from kg.extraction.relations.confidence import MeasuredRule, RulePrecision
from kg.extraction.resolve import resolve_mentions
from kg.io.chunks import MergedDocument, chunk_spans
from kg.io.normalize import key, normalize, sentence_spans
from kg.models import Document, Entity, Extraction, Mention, Relation, Resolution
from kg.registry import RELATION_RULES, TAGGERS
from kg.schema import SYMMETRIC, EntityType

#: Called after each chunk of a long document: (characters done, characters in the document).
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class Components:
    """What one configuration is made of, built once per process (see :func:`components`)."""

    dictionary: Dictionary
    mentions: MentionFinder
    rules: tuple[RelationRule, ...]


@lru_cache(maxsize=8)
def components(config: ExtractorConfig) -> Components:
    """The components of ``config``: dictionary, recognisers (with the chosen tagger), relation
    components (rules, and the classifier with its model)."""
    dictionary = Dictionary.load(config.dictionaries, shipped=config.shipped_dictionary)
    tagger = TAGGERS.get(config.tagger)(config)
    names = config.relation_rules
    chosen = [r for r in RELATION_RULES.entries() if names is None or r.name in names]
    from kg.extraction.relations.classifier.component import rule_precision  # numpy and the model: only when needed

    precision = rule_precision(config) if chosen else RulePrecision()
    rules = tuple(_made_for(r.name, r.load(), config, precision) for r in chosen)
    finder = MentionFinder(DictionaryRecogniser(dictionary), tagger)
    if weighs_rules(tagger):  # the tagger weighs the patterns' and rules' names itself
        finder = MentionFinder(DictionaryRecogniser(dictionary), tagger, patterns=(), name_rules=())
    return Components(dictionary, finder, rules)


def _made_for(name: str, component: Any, config: ExtractorConfig, precision: RulePrecision) -> RelationRule:
    """A registered relation component as ``config`` makes it: one that reads the configuration (a
    model file) is built by its ``for_config``; a rule gives the precision measured for its proposals."""
    if isinstance(component, Configured):
        return component.for_config(config)
    return MeasuredRule(name, component, precision)


class Extractor:
    """Entities and relations of documents, as ``config`` says. Cheap to create and to pickle."""

    def __init__(self, config: ExtractorConfig | None = None) -> None:
        self.config = config or ExtractorConfig()
        self._prepared: dict[int, TextView] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {"config": self.config}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.config = state["config"]
        self._prepared = {}

    def __repr__(self) -> str:
        return f"Extractor({self.config!r})"

    @property
    def components(self) -> Components:
        return components(self.config)

    def warm_up(self) -> None:
        """Build the components now (loading the dictionary and models), not in the first document."""
        self.extract(Document(id="warm-up", text="科大讯飞董事长刘庆峰在合肥表示，讯飞星火将持续升级。"))

    def prepare(self, docs: Sequence[Document]) -> None:
        """Read ``docs`` together where that is cheaper: a statistical tagger tags all their sentences
        in one batch (about twice as fast as one document at a time). Each prepared document is then
        extracted as usual, with :meth:`extract`; what is prepared is used once."""
        views = {id(d): TextView(d.text) for d in docs if len(d.text) <= self.config.chunk_chars}
        self.components.mentions.prepare(list(views.values()))
        self._prepared = views

    def extract(self, doc: Document, on_progress: ProgressCallback | None = None,
                keep_mentions: bool = True) -> Extraction:
        """Entities and relations of one document.

        A document longer than the configuration's ``chunk_chars`` is read in chunks (see
        :mod:`kg.io.chunks`), calling ``on_progress(characters done, characters in all)`` after each.
        ``keep_mentions=False`` leaves ``Extraction.mentions`` empty (and a long document's
        mentions are then never held all at once)."""
        if len(doc.text) > self.config.chunk_chars:
            return self._extract_in_chunks(doc, on_progress, keep_mentions)
        found: dict[tuple, Relation] = {}
        view = self._prepared.pop(id(doc), None)
        if view is None or view.original is not doc.text:
            view = TextView(doc.text)
        mentions, entities = self._read(doc.id, view, 0, Context(self.components.dictionary), found)
        return Extraction(doc_id=doc.id, source=doc.source, chars=len(doc.text), entities=entities,
                          relations=list(found.values()), mentions=mentions if keep_mentions else [])

    __call__ = extract

    def _extract_in_chunks(self, doc: Document, on_progress: ProgressCallback | None,
                           keep_mentions: bool) -> Extraction:
        """One extraction of a long document read chunk by chunk, each chunk with its own view; the
        context of relation rules (the company the text is about) runs on across chunks."""
        norm = normalize(doc.text)
        ctx = Context(self.components.dictionary)
        merged = MergedDocument()
        mentions: list[Mention] = []
        for start, end, sentences in chunk_spans(sentence_spans(norm), len(norm), self.config.chunk_chars):
            view = TextView(doc.text[start:end], norm[start:end], [(s - start, e - start) for s, e in sentences])
            chunk_mentions, entities = self._read(doc.id, view, start, ctx, merged.relations)
            merged.add_entities(entities)
            if keep_mentions:
                mentions += (m.model_copy(update={"start": m.start + start, "end": m.end + start})
                             for m in chunk_mentions)
            if on_progress is not None:
                on_progress(end, len(doc.text))
        return Extraction(doc_id=doc.id, source=doc.source, chars=len(doc.text), entities=merged.entities(),
                          relations=merged.checked_relations(), mentions=mentions)

    def sentences(self, text: str) -> tuple[list[Sentence], list[Entity]]:
        """The sentences of a (short) text as the relation components read them, and its entities:
        what the classifier is trained and tuned on, so it sees what it will see in :meth:`extract`."""
        view = TextView(text)
        mentions, entities, owner = self._entities(view, 0)
        return sentences_of(view, mentions, owner, {e.name: e.type for e in entities}), entities

    def _entities(self, view: TextView, offset: int) -> tuple[list[Mention], list[Entity], dict[int, str]]:
        """The mentions of ``view`` (at ``offset`` in its document), its entities, and each
        mention's entity: the recognisers' mentions with the guesses' edges corrected
        (:mod:`kg.extraction.boundaries`), resolved, then merged where the text names one thing twice
        (:mod:`kg.extraction.merging`)."""
        parts = self.components
        mentions = corrected(view, parts.mentions(view), parts.dictionary)
        entities, owner = resolve_mentions(mentions, parts.dictionary)
        entities, owner = merge_within(view, mentions, entities, owner, parts.dictionary, offset)
        return mentions, entities, owner

    def _read(self, doc_id: str, view: TextView, offset: int, ctx: Context,
              found: dict[tuple, Relation]) -> tuple[list[Mention], list[Entity]]:
        """Mentions and entities of ``view`` (at ``offset`` in its document); its relations go into ``found``."""
        mentions, entities, owner = self._entities(view, offset)
        types = {e.name: e.type for e in entities}
        ctx.known_companies.update({key(n): e.name for e in entities if e.type is EntityType.COMPANY
                                    for n in (e.name, *e.aliases)})
        inside = self._relations(doc_id, view, offset, mentions, owner, types, ctx, found)
        # a maker named inside its product's name (华为 in 华为昇腾910B, 讯飞 in 讯飞AI学习机) is an entity,
        # of its own if no mention names it, and that surface one of its names
        by_name = {e.name: e for e in entities}
        for name, (etype, surfaces) in inside.items():
            entity = by_name.get(name)
            if entity is None:
                entity = by_name[name] = Entity(name=name, type=etype, mentions=1)
                entities.append(entity)
            known = {key(n) for n in (entity.name, *entity.aliases)}
            entity.aliases += sorted(s for s in surfaces if key(s) not in known)
        return mentions, entities

    def _relations(self, doc_id: str, view: TextView, offset: int, mentions: list[Mention], owner: dict[int, str],
                   types: dict, ctx: Context, found: dict[tuple, Relation]) -> dict[str, tuple[EntityType, set[str]]]:
        """Add the relations of ``view`` (which starts at ``offset`` in its document) to ``found``; return
        the ends named inside other mentions (:func:`kg.extraction.relations.inside_names`)."""
        sentences = sentences_of(view, mentions, owner, types, offset)
        kept: list[Proposal] = []
        for si, p in document_proposals(sentences, ctx, types, self.components.rules):
            if p.confidence < self.config.min_confidence:
                continue
            kept.append(p)
            head, tail, head_span, tail_span = p.head, p.tail, p.head_span, p.tail_span
            if p.relation in SYMMETRIC and tail < head:
                head, tail, head_span, tail_span = tail, head, tail_span, head_span
            k = (head, p.relation, tail)
            if k in found and found[k].confidence >= p.confidence:
                continue
            start, end = view.sentences[si]
            original = view.original[start:end]
            found[k] = Relation(head=head, relation=p.relation, tail=tail, evidence=original,
                                doc_id=doc_id, start=offset + start, end=offset + end,
                                confidence=round(p.confidence, 3), trigger=p.trigger,
                                **ends(sentences[si], head_span, "head", original),
                                **ends(sentences[si], tail_span, "tail", original))
        return inside_names(kept)


#: Characters a name's matching key drops (:func:`kg.io.normalize.key`): recognisers match keys, so a
#: name that begins or ends with them is found without them (-2+3 as 2+3).
_KEY_DROPPED = "-_·・"


def whole_name(text: str, a: int, b: int, name: str) -> tuple[int, int]:
    """``(a, b)``, the offsets of a mention of ``name`` in ``text``, widened to the characters the
    name begins or ends with that its key drops, where the text has them right there.

    >>> whole_name("王小明是-2+3的董事长", 5, 8, "-2+3"), whole_name("华为-科大讯飞", 3, 7, "科大讯飞")
    ((4, 8), (3, 7))
    """
    lead = name[: len(name) - len(name.lstrip(_KEY_DROPPED))]
    trail = name[len(name.rstrip(_KEY_DROPPED)):]
    if lead and not text[a:b].startswith(lead) and a >= len(lead) and text[a - len(lead):a] == lead:
        a -= len(lead)
    if trail and not text[a:b].endswith(trail) and text[b:b + len(trail)] == trail:
        b += len(trail)
    return a, b


def ends(sent: Sentence, span: Span | None, role: str, original: str) -> dict[str, Any]:
    """The fields of :class:`Relation` that say where one end is: ``{role}_start``/``{role}_end`` in
    the document's original text (the whole name as written, see :func:`whole_name`), and
    ``{role}_via`` for an anaphor (as ``original``, the sentence's original text, has it: 我們, not
    the normalised 我们)."""
    if span is None:
        return {}
    a, b = span.naming
    if span.antecedent is None:
        a, b = whole_name(sent.text, a, b, span.name)
    out: dict[str, Any] = {f"{role}_start": sent.start + a, f"{role}_end": sent.start + b}
    if span.antecedent is not None:
        ant = span.antecedent
        out[f"{role}_via"] = Resolution(anaphor=original[a:b], antecedent_start=ant.start, antecedent_end=ant.end,
                                        sentence_start=ant.sentence_start, sentence_end=ant.sentence_end)
    return out


def with_anaphors(sentences: list[Sentence], ctx: Context) -> list[Sentence]:
    """``sentences`` with their anaphors resolved, each against what the earlier ones named. Read on
    a copy of ``ctx``: the rules must see the context as it stood before each sentence."""
    ahead = ctx.copy()
    out = []
    for sent in sentences:
        sent = read_anaphors(sent, ahead)
        ahead.update(sent)
        out.append(sent)
    return out


def document_proposals(sentences: list[Sentence], ctx: Context, types: dict[str, EntityType],
                       rules: Sequence[RelationRule]) -> Iterator[tuple[int, Proposal]]:
    """(sentence index, proposal) of every relation component over the sentences of a document, in
    order; the context (what the text is about) moves on after each sentence. Anaphors are resolved
    first, so every component reads them as the names they stand for. A trained component's
    proposals (``overruled_by_rules``) join the rules' unless a rule of the document has given their
    head the same relation with another tail (see :mod:`kg.extraction.relations.classifier.combine`)."""
    from kg.extraction.relations.classifier.combine import one_tail_per_sentence, unclaimed

    sentences = with_anaphors(sentences, ctx)
    for rule in rules:
        if isinstance(rule, BatchedRule):
            rule.prepare(sentences)  # a component that reads a document better at once (the classifier)
    stated = [r for r in rules if not overruled(r)]
    scored = [r for r in rules if overruled(r)]
    by_rules: list[tuple[int, Proposal]] = []
    by_model: list[tuple[int, Proposal]] = []
    for si, sent in enumerate(sentences):
        by_rules += ((si, p) for p in sentence_relations(sent, ctx, types, stated))
        by_model += ((si, p) for p in sentence_relations(sent, ctx, types, scored)) if scored else ()
        ctx.update(sent)
    by_model = one_tail_per_sentence(by_model)
    kept = {id(p) for p in unclaimed((p for _, p in by_rules), (p for _, p in by_model))}
    # sentence order, a sentence's rule proposals first (a rule wins a tie: its trigger names the words)
    yield from sorted(by_rules + [(si, p) for si, p in by_model if id(p) in kept], key=lambda x: x[0])


def sentences_of(view: TextView, mentions: list[Mention], owner: dict[int, str],
                 types: dict[str, EntityType], offset: int = 0) -> list[Sentence]:
    """The sentences of ``view`` (at ``offset`` in its document) as the relation components read
    them: each with the mentions in it (offsets from the sentence's start, names of their entities;
    places written back to back joined), before anaphors are read."""
    by_sentence: dict[int, list[Span]] = {}
    for i, m in enumerate(mentions):
        si = view.sentence_of(m.start)
        s_start = view.sentences[si][0] if view.sentences else 0
        by_sentence.setdefault(si, []).append(
            Span(owner[i], types[owner[i]], m.start - s_start, m.end - s_start, m.text))
    return [Sentence(view.norm[start:end], joined_places(by_sentence.get(si, [])), offset + start)
            for si, (start, end) in enumerate(view.sentences)]


def extract_document(doc: Document, config: ExtractorConfig | None = None) -> Extraction:
    """``Extractor(config).extract(doc)``: the one-call form, for scripts and notebooks."""
    return Extractor(config).extract(doc)

