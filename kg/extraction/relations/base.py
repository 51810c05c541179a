"""What every relation rule reads and returns: a sentence with its mentions, the document's context,
proposals; and the helpers rules share (who did it, lists of names)."""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from kg.extraction.dictionary import Dictionary
from kg.extraction.lexicons import alternation
from kg.io.normalize import key
from kg.schema import EntityType, RelationType

if TYPE_CHECKING:
    from kg.extraction.config import ExtractorConfig

E = EntityType
R = RelationType
CLAUSE_BREAK = re.compile(r"[,，;；:：!?。！？]")

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
class Antecedent:
    """Where the entity an anaphor stands for was named: the naming mention and its sentence,
    offsets in the document's original text."""

    start: int
    end: int
    sentence_start: int
    sentence_end: int


@dataclass(frozen=True)
class Span:
    """An entity mention inside one sentence (offsets relative to the sentence).

    ``named``: the part of the span that names the entity when the span is wider (湖南省岳阳市 read
    as one place names 岳阳市 at its end). ``antecedent``: set when the span is an anaphor (该公司,
    其, 4.0版本) standing for an entity named before (see :mod:`kg.extraction.coref.anaphora`)."""

    name: str
    type: EntityType
    start: int
    end: int
    surface: str = ""
    named: tuple[int, int] | None = None
    antecedent: Antecedent | None = None
    #: a name written inside another mention (华为 in 华为昇腾910B): an entity even if no mention of its own
    inside: bool = False

    @property
    def naming(self) -> tuple[int, int]:
        """The offsets (in the sentence) of the text that names the entity or stands for it."""
        return self.named or (self.start, self.end)


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
            out[-1] = Span(s.name, s.type, last.start, s.end, last.surface + s.surface, named=s.naming)
        else:
            out.append(s)
    return out


@dataclass(frozen=True)
class Proposal:
    """A relation a component read in one sentence. ``head_span``/``tail_span``: the mentions (in
    this sentence) that name its ends, or the anaphor that stood for one. A proposal without both
    is never emitted (:func:`kg.extraction.relations.grounded`): a reader must find both ends in the evidence."""

    head: str
    relation: RelationType
    tail: str
    confidence: float
    trigger: str
    head_span: Span | None = None
    tail_span: Span | None = None
    #: the rule's id for the way it read the sentence ("develop.launch"), by which its confidence is
    #: calibrated (kg.extraction.relations.confidence), whatever number the rule gives it
    case: str = ""
    #: how much the reading is discounted on top of the case's own confidence (a subject carried over
    #: from an earlier clause: 0.85): the case's proposals are calibrated per factor
    factor: float = 1.0

    @property
    def calibration_key(self) -> str:
        """``case@factor`` (``develop.launch@1.000``), or "" for a proposal of no named case."""
        return f"{self.case}@{self.factor:.3f}" if self.case else ""


def propose(head: Span, relation: RelationType, tail: Span, confidence: float, trigger: str, case: str = "",
            factor: float = 1.0) -> Proposal:
    """The proposal ``head -relation-> tail`` with the spans of both ends; ``case`` and ``factor`` (see
    :class:`Proposal`) key its calibration."""
    return Proposal(head.name, relation, tail.name, confidence, trigger, head, tail, case, factor)


@dataclass(frozen=True)
class Named:
    """An entity as it was last named in the document (for anaphors of later sentences)."""

    name: str
    type: EntityType
    antecedent: Antecedent


#: How many naming mentions the context keeps for anaphors: enough for a paragraph.
RECENT_LIMIT = 48


@dataclass
class Context:
    """What the document was talking about: the entities named most recently (for anaphors such as
    该公司 or 4.0版本), the company mentioned most (for 我们), and the dictionary of the extractor
    that reads it."""

    dictionary: Dictionary
    recent: list[Named] = field(default_factory=list)
    #: the document's companies, every name and alias by key (the extractor fills it before reading)
    known_companies: dict[str, str] = field(default_factory=dict)
    org_counts: Counter[str] = field(default_factory=Counter)
    #: The most counted company so far (on equal counts the first counted), kept up to date by
    #: :meth:`update` so :meth:`topic_org` does not rank every company of the document per call.
    _leader: str | None = field(default=None, repr=False)
    _order: dict[str, int] = field(default_factory=dict, repr=False)
    _last_named: dict[str, Named] = field(default_factory=dict, repr=False)

    def copy(self) -> Context:
        """An independent copy of what was read so far (sharing the dictionary, which is read only)."""
        twin = copy.copy(self)
        twin.recent, twin.org_counts = list(self.recent), Counter(self.org_counts)
        twin._order, twin._last_named = dict(self._order), dict(self._last_named)
        return twin

    def topic_org(self, sent: Sentence | None = None) -> str | None:
        """The company the text is mostly about so far (this sentence included).

        Equal counts go to the company counted first, as ``Counter.most_common`` would: the
        document's companies in counting order, then this sentence's new ones in its order."""
        in_sentence = Counter(s.name for s in sent.spans if s.type is E.COMPANY and s.antecedent is None) \
            if sent is not None else Counter()
        candidates = ([self._leader] if self._leader is not None else []) + list(in_sentence)
        if not candidates:
            return None
        new_rank = {name: len(self._order) + i for i, name in enumerate(n for n in in_sentence
                                                                         if n not in self._order)}

        def rank(name: str) -> tuple[int, int]:
            return self.org_counts[name] + in_sentence[name], -self._order.get(name, new_rank.get(name, 0))

        return max(candidates, key=rank)

    def last_named(self, types: frozenset[EntityType], accept: Callable[[str], bool] | None = None) -> Named | None:
        """The entity of one of ``types`` (and, if given, whose name ``accept`` takes) named most recently."""
        for named in reversed(self.recent):
            if named.type in types and (accept is None or accept(named.name)):
                return named
        return None

    def companies(self) -> dict[str, str]:
        """The document's companies and those named so far, by name key."""
        return {**self.known_companies, **{key(name): name for name in self._order}}

    def where_named(self, name: str) -> Named | None:
        """Where ``name`` was last named in an earlier sentence."""
        return self._last_named.get(name)

    def update(self, sent: Sentence) -> None:
        """Remember the naming mentions of ``sent`` (not its anaphors), once it has been read."""
        end = sent.start + len(sent.text)
        for s in sent.spans:
            if s.antecedent is not None:
                continue
            a, b = s.naming
            named = Named(s.name, s.type, Antecedent(sent.start + a, sent.start + b, sent.start, end))
            self.recent.append(named)
            self._last_named[s.name] = named
            if s.type is E.COMPANY:
                self._count(s.name)
        del self.recent[:-RECENT_LIMIT]

    def _count(self, name: str) -> None:
        self._order.setdefault(name, len(self._order))
        self.org_counts[name] += 1
        if self._leader is None or self._standing(name) > self._standing(self._leader):
            self._leader = name

    def _standing(self, name: str) -> tuple[int, int]:
        return self.org_counts[name], -self._order[name]


@dataclass
class Sentence:
    """One sentence with its mentions (and resolved anaphors); ``start``: its offset in the
    document's original text."""

    text: str
    spans: list[Span]
    start: int = 0

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


#: What :data:`kg.registry.RELATION_RULES` holds: a rule, or a component built per configuration
#: (:class:`Configured`), which may also be :class:`BatchedRule` and :class:`ScoredRule`.
RelationComponent = RelationRule


@runtime_checkable
class Configured(Protocol):
    """A relation component that reads the configuration (a model file): registered as a class,
    built by ``for_config`` once per configuration; a plain rule is wrapped to carry its measured
    precision instead (:class:`kg.extraction.relations.confidence.MeasuredRule`)."""

    @classmethod
    def for_config(cls, config: ExtractorConfig) -> RelationRule: ...


@runtime_checkable
class BatchedRule(Protocol):
    """A component that reads a document's sentences better at once (the classifier): ``prepare``
    gets them all before it is asked sentence by sentence."""

    def prepare(self, sentences: Sequence[Sentence]) -> None: ...

    def __call__(self, sent: Sentence, ctx: Context) -> Iterator[Proposal]: ...


@runtime_checkable
class ScoredRule(Protocol):
    """A trained component whose proposals the rules overrule (``overruled_by_rules``): they join
    the rules' unless a rule gave the same head the same relation with another tail."""

    overruled_by_rules: bool

    def __call__(self, sent: Sentence, ctx: Context) -> Iterator[Proposal]: ...


def overruled(rule: object) -> bool:
    """True for a component of :class:`ScoredRule` that says so."""
    return isinstance(rule, ScoredRule) and bool(rule.overruled_by_rules)
