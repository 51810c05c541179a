"""What every relation rule reads and returns: a sentence with its mentions, the document's context,
proposals; and the helpers rules share (who did it, lists of names)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from kg.dictionary import Dictionary
from kg.lexicons import alternation
from kg.schema import ORG_LIKE, EntityType, RelationType

E = EntityType
R = RelationType
CLAUSE_BREAK = re.compile(r"[,，;；:：!?。！？]")

MODELS = frozenset({E.AIMODEL})
BUILDABLE = frozenset({E.AIMODEL, E.PRODUCT, E.CHIP})
USERS = frozenset({E.COMPANY, E.AIMODEL, E.PRODUCT})
USED = frozenset({E.CHIP, E.PRODUCT, E.COMPANY})
PERSON = frozenset({E.PERSON})
PLACE = frozenset({E.PLACE})

# Trigger lists that more than one family of rules reads.
LAUNCH_VERBS = alternation("relations.launch_verbs")
USE_VERBS = alternation("relations.use_verbs")
BENCH_VERBS = alternation("relations.bench_verbs")


@dataclass(frozen=True)
class Span:
    """An entity mention inside one sentence (offsets relative to the sentence)."""

    name: str
    type: EntityType
    start: int
    end: int
    surface: str = ""


def joined_places(spans: list[Span]) -> list[Span]:
    """Places written back to back (湖南省岳阳市, 中国安徽合肥: a tagger tags each part) are one place
    to the relation rules, the most specific: the last. ``spans`` in text order.

    >>> P = EntityType.PLACE
    >>> [s.name for s in joined_places([Span("湖南", P, 0, 3), Span("岳阳市", P, 3, 6), Span("岳阳", P, 7, 9)])]
    ['岳阳市', '岳阳']
    """
    out: list[Span] = []
    for s in spans:
        last = out[-1] if out else None
        if last is not None and last.type is s.type is EntityType.PLACE and last.end == s.start:
            out[-1] = Span(s.name, s.type, last.start, s.end, last.surface + s.surface)
        else:
            out.append(s)
    return out


@dataclass(frozen=True)
class Proposal:
    """A relation a component read in one sentence. ``head_span``/``tail_span``: the mentions (in
    this sentence) that name its ends, or the anaphor that stood for one."""

    head: str
    relation: RelationType
    tail: str
    confidence: float
    trigger: str
    head_span: Span | None = None
    tail_span: Span | None = None


@dataclass
class Context:
    """What the document was talking about (recent organisations and models, for zero subjects),
    and the dictionary of the extractor that reads it."""

    dictionary: Dictionary
    recent_orgs: list[str] = field(default_factory=list)
    recent_models: list[str] = field(default_factory=list)
    org_counts: Counter[str] = field(default_factory=Counter)
    #: The most counted company so far (on equal counts the first counted), kept up to date by
    #: :meth:`update` so :meth:`topic_org` does not rank every company of the document per call.
    _leader: str | None = field(default=None, repr=False)
    _order: dict[str, int] = field(default_factory=dict, repr=False)

    def topic_org(self, sent: Sentence | None = None) -> str | None:
        """The company the text is mostly about so far (this sentence included).

        Equal counts go to the company counted first, as ``Counter.most_common`` would: the
        document's companies in counting order, then this sentence's new ones in its order."""
        in_sentence = Counter(s.name for s in sent.spans if s.type is E.COMPANY) if sent is not None else Counter()
        candidates = ([self._leader] if self._leader is not None else []) + list(in_sentence)
        if not candidates:
            return None
        new_rank = {name: len(self._order) + i for i, name in enumerate(n for n in in_sentence
                                                                         if n not in self._order)}

        def rank(name: str) -> tuple[int, int]:
            return self.org_counts[name] + in_sentence[name], -self._order.get(name, new_rank.get(name, 0))

        return max(candidates, key=rank)

    def update(self, spans: list[Span]) -> None:
        for s in spans:
            if s.type is E.COMPANY:
                self.recent_orgs.append(s.name)
                self._count(s.name)
            elif s.type is E.AIMODEL:
                self.recent_models.append(s.name)
        del self.recent_orgs[:-3]
        del self.recent_models[:-3]

    def _count(self, name: str) -> None:
        self._order.setdefault(name, len(self._order))
        self.org_counts[name] += 1
        if self._leader is None or self._standing(name) > self._standing(self._leader):
            self._leader = name

    def _standing(self, name: str) -> tuple[int, int]:
        return self.org_counts[name], -self._order[name]


@dataclass
class Sentence:
    text: str
    spans: list[Span]

    def before(self, pos: int, types: frozenset[EntityType] | set[EntityType], same_clause: bool = True,
               max_gap: int = 60) -> Span | None:
        """The nearest mention of one of ``types`` ending at or before ``pos``."""
        best = None
        for s in self.spans:
            if s.end <= pos and s.type in types and pos - s.end <= max_gap:
                if same_clause and CLAUSE_BREAK.search(self.text, s.end, pos):
                    continue
                if best is None or s.end > best.end:
                    best = s
        return best

    def after(self, pos: int, types: frozenset[EntityType] | set[EntityType], same_clause: bool = True,
              max_gap: int = 60) -> list[Span]:
        """Mentions of ``types`` after ``pos`` in the same clause, in order."""
        out = []
        for s in self.spans:
            if s.start >= pos and s.type in types and s.start - pos <= max_gap:
                if same_clause and CLAUSE_BREAK.search(self.text, pos, s.start):
                    break
                out.append(s)
        return out

    def between(self, a: int, b: int) -> str:
        return self.text[a:b] if a <= b else ""


class RelationRule(Protocol):
    """Reads one sentence (with the document's context) and proposes relations; the type
    signatures of :mod:`kg.schema` later drop proposals that make no sense."""

    def __call__(self, sent: Sentence, ctx: Context) -> Iterator[Proposal]: ...


def subject_of(sent: Sentence, pos: int, ctx: Context, types: frozenset[EntityType] = ORG_LIKE,
            ) -> tuple[str | None, float]:
    """Who did it: the nearest organisation before ``pos`` in the clause; for a pronoun or zero
    subject (我们跟华为…, 该公司推出…), the organisation the text is about (lower confidence)."""
    s = sent.before(pos, types)
    if s:
        return s.name, 1.0
    topic = ctx.topic_org(sent)
    if topic:
        return topic, 0.7
    s = sent.before(pos, types, same_clause=False)
    return (s.name, 0.7) if s else (None, 0.0)


def enumeration(sent: Sentence, pos: int, types: frozenset[EntityType], max_gap: int = 2) -> list[Span]:
    """Mentions listed from ``pos``: X、Y和Z (stops at the first other word)."""
    out: list[Span] = []
    cursor = pos
    for s in sorted(sent.spans, key=lambda s: s.start):
        if s.start < cursor:
            continue
        gap = sent.between(cursor, s.start).strip()
        limit = max_gap if not out else 3
        if s.type in types and len(gap) <= limit and (not out or gap in ("、", "和", "及", "与", "以及", ",", "，")):
            if not out and gap and gap not in ("了", "的", "“"):
                break
            out.append(s)
            cursor = s.end
        else:
            break
    return out
