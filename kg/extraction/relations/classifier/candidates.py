"""Candidate mention pairs to train on: kg's own sentences and mentions, with the gold arguments forced in.

The mentions come from the current kg pipeline (:meth:`kg.extraction.extractor.Extractor.sentences`: the default
statistical tagger and everything else that finds names), so the classifier learns among the
mentions it will meet, named and typed as kg names and types them; the annotated arguments kg does
not find are then located in each sentence and replace any kg mention they overlap, so every
annotated fact whose two names share a sentence is a pair to learn.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from kg.extraction.extractor import Extractor
from kg.extraction.relations.base import Sentence, Span
from kg.extraction.relations.classifier.corpora import Fact, LabelledText
from kg.extraction.relations.classifier.model import SYMMETRIC_LABELS
from kg.io.normalize import key, normalize
from kg.schema import EntityType

Pair = tuple[int, int]


@dataclass
class PairExample:
    """One sentence to train on: its mentions, and per ordered mention pair what is known.

    A label in ``known`` is false for a pair unless ``targets`` says it is true; other labels, and
    those in ``masked`` (or ``train_masked``) for a pair, are not trained."""

    text: str
    spans: list[Span]
    known: frozenset[str]
    targets: dict[Pair, set[str]] = field(default_factory=dict)
    masked: dict[Pair, set[str]] = field(default_factory=dict)
    source: str = ""


def locate(text: str, names: Iterable[tuple[str, str]]) -> list[Span]:
    """Spans of each (name, type) in ``text``, longer names claiming their place first; a name
    found only inside a longer one keeps those occurrences (江中药业 in 江中药业股份有限公司), as the
    classifier never pairs overlapping mentions anyway.

    >>> [(s.name, s.start) for s in locate("江中药业股份有限公司与江中药业", [("江中药业", "Company"),
    ...                                                             ("江中药业股份有限公司", "Company")])]
    [('江中药业股份有限公司', 0), ('江中药业', 11)]
    """
    taken: list[tuple[int, int]] = []
    out: list[Span] = []
    for name, typ in sorted(set(names), key=lambda x: (-len(x[0]), x)):
        spans = [(m.start(), m.end()) for m in re.finditer(re.escape(name), text)] if name else []
        free = [(a, b) for a, b in spans if not any(a < e and s < b for s, e in taken)]
        out += [Span(name, EntityType(typ), a, b, text[a:b]) for a, b in free or spans]
        taken += free
    return sorted(out, key=lambda s: (s.start, s.end))


def with_gold(sent: Sentence, entities: Sequence[tuple[str, str]],
              keys: Mapping[str, set[str]] | None = None, every: bool = True) -> list[Span]:
    """The sentence's kg mentions with the annotated ``entities`` forced in, named and typed as
    annotated (they win overlaps; kg's other mentions stay as distractors). ``every=False``: only the
    annotated names kg did not find, where a kg mention finds a name when the name is (by
    :func:`kg.io.normalize.key`) the mention's surface, its entity's name or one of its aliases (``keys``:
    entity name -> the keys of its names). Forcing every name keeps an annotated pair a pair even
    where kg types one end otherwise or resolves both ends to one entity (自己: a full and a short name).
    """
    found = set() if every else {k for s in sent.spans for k in _keys(s, keys)}
    gold = locate(sent.text, [(name, typ) for name, typ in entities if key(name) not in found])
    kept = [s for s in sent.spans if s.end <= len(sent.text)  # a sentence cut for length may cut a mention
            and not any(s.start < g.end and g.start < s.end for g in gold)]
    return sorted(gold + kept, key=lambda s: (s.start, s.end))


def _keys(span: Span, keys: Mapping[str, set[str]] | None) -> set[str]:
    return {key(span.name), key(span.surface)} | (keys or {}).get(span.name, set())


def normalised(t: LabelledText) -> LabelledText:
    """``t`` with its names in kg's normalised form (simplified, half-width), as sentences are."""
    def n(fact: Fact) -> Fact:
        return normalize(fact[0]), fact[1], normalize(fact[2])

    return LabelledText(normalize(t.text), t.where, [(normalize(a), b) for a, b in t.entities],
                        {n(f) for f in t.facts}, t.known,
                        None if t.pairs is None else {(normalize(a), normalize(b)) for a, b in t.pairs},
                        {n(f) for f in t.unsure}, {n(f) for f in t.not_negative}, t.source)


def training_examples(extractor: Extractor, texts: Sequence[LabelledText]) -> list[PairExample]:
    """Every sentence of ``texts`` as kg reads it, gold arguments forced in, its pairs labelled."""
    out = []
    for raw in texts:
        t = normalised(raw)
        sentences, entities = extractor.sentences(t.text)
        keys = {e.name: {key(n) for n in (e.name, *e.aliases)} for e in entities}
        for sent in sentences:
            ex = PairExample(sent.text, with_gold(sent, t.entities, keys), t.known, source=t.source)
            _label(ex, t, keys)
            out.append(ex)
    return out


def _label(ex: PairExample, t: LabelledText, keys: Mapping[str, set[str]]) -> None:
    """Mark the pairs of ``ex`` whose mentions name the two ends of a fact of ``t``."""
    naming: dict[str, list[int]] = {}
    for i, s in enumerate(ex.spans):
        for k in _keys(s, keys):
            naming.setdefault(k, []).append(i)
    for facts, into in ((t.facts, ex.targets), (t.unsure, ex.masked), (t.not_negative, ex.masked)):
        for head, label, tail in facts:
            orders = [(head, tail), (tail, head)] if label in SYMMETRIC_LABELS else [(head, tail)]
            for a, b in orders:
                pairs = [(i, j) for i in naming.get(key(a), []) for j in naming.get(key(b), []) if i != j]
                if not pairs:
                    continue
                # the closest mention pair states the fact; the other pairs of the two names may or may not
                best = min(pairs, key=lambda p: (_gap(ex.spans[p[0]], ex.spans[p[1]]), p))
                for p in pairs:
                    (into if p == best else ex.masked).setdefault(p, set()).add(label)


def _gap(a: Span, b: Span) -> int:
    return max(a.start, b.start) - min(a.end, b.end)
