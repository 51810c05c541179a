"""Anaphors: words of a sentence that stand for an entity named before, in it or in an earlier
sentence (coreference beyond the sentence).

* nouns with a determiner (该公司, 这家企业, 该平台, 该模型, 该芯片): the entity of that type named
  most recently;
* the same nouns bare (公司, 平台, 模型), only where they open a clause (，公司还将推出…);
* pronouns (其, 它): the most recent company, organisation, model, product or chip;
* the speaker's own company (我们, 本公司): the company the text is mostly about.

Each resolved anaphor becomes a :class:`Span` of its entity at the anaphor's place, with the
:class:`Antecedent` (the naming mention and its sentence) that a reader can check. An anaphor with
no antecedent of the right type stands for nothing. The word lists are in ``kg/data/lexicons.toml``
(``[anaphora]``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from kg.extraction.lexicons import words
from kg.extraction.relations.base import BUILDABLE, CLAUSE_BREAK, Antecedent, Context, E, Named, Sentence, Span
from kg.extraction.relations.clauses import PARTNER_MARKERS
from kg.schema import ORG_LIKE, EntityType

_TYPED: dict[str, frozenset[EntityType]] = {
    "company": frozenset({E.COMPANY}), "organization": frozenset({E.ORGANIZATION}),
    "product": frozenset({E.PRODUCT}), "model": frozenset({E.AIMODEL}), "chip": frozenset({E.CHIP}),
    "bare_company": frozenset({E.COMPANY}), "bare_product": frozenset({E.PRODUCT}),
    "bare_model": frozenset({E.AIMODEL}), "pronouns": ORG_LIKE | BUILDABLE,
}
#: anaphor word -> (list it comes from, the types it may stand for)
_WORDS: dict[str, tuple[str, frozenset[EntityType]]] = {
    **{w: (kind, types) for kind, types in _TYPED.items() for w in words(f"anaphora.{kind}")},
    **{w: ("speaker", frozenset({E.COMPANY})) for w in words("anaphora.speaker")},
}
_ANAPHOR = re.compile("|".join(map(re.escape, sorted(_WORDS, key=len, reverse=True))))
_NOT_PRONOUNS = words("anaphora.not_pronouns")
_OPENERS = frozenset(words("anaphora.clause_openers"))


def read_anaphors(sent: Sentence, ctx: Context) -> Sentence:
    """``sent`` with a span for each of its anaphors that resolves (to a mention earlier in the
    sentence or to what ``ctx`` remembers of earlier ones)."""
    taken = [(s.start, s.end) for s in sent.spans]
    found: list[Span] = []
    for m in _ANAPHOR.finditer(sent.text):
        if _overlaps(m.start(), m.end(), taken):
            continue
        kind, types = _WORDS[m.group()]
        if kind == "pronouns" and _inside_word(sent.text, m.start()):
            continue
        if kind.startswith("bare_") and not _opens_clause(sent.text, m.start()):
            continue
        named = _speaker(sent, m.start(), ctx) if kind == "speaker" else \
            _antecedent(sent, m.start(), types, ctx, skip_own_clause=kind == "pronouns")
        if named is not None:
            found.append(Span(named.name, named.type, m.start(), m.end(), m.group(), antecedent=named.antecedent))
    if not found:
        return sent
    return replace(sent, spans=sorted([*sent.spans, *found], key=lambda s: (s.start, s.end)))


def _overlaps(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    return any(a < end and start < b for a, b in taken)


def _inside_word(text: str, pos: int) -> bool:
    """其中, 尤其, 及其: the pronoun's character is part of another word."""
    for word in _NOT_PRONOUNS:
        at = word.find(text[pos])
        if at >= 0 and text.startswith(word, pos - at):
            return True
    return False


def _opens_clause(text: str, pos: int) -> bool:
    """公司 right after a clause break (or after an opener such as 同时), not inside a noun."""
    start = 0
    for m in CLAUSE_BREAK.finditer(text, 0, pos):
        start = m.end()
    lead = text[start:pos].strip(" \t\n“”\"「」")
    return lead == "" or lead in _OPENERS


def _antecedent(sent: Sentence, pos: int, types: frozenset[EntityType], ctx: Context,
                accept: Callable[[str], bool] | None = None, skip_own_clause: bool = False) -> Named | None:
    """The entity of ``types`` named last before ``pos``: in this sentence (passing over the
    anaphor's own clause after 与/和: 科大讯飞与其联合研发 is not 科大讯飞 with itself), else before it."""
    limit = pos
    if skip_own_clause and PARTNER_MARKERS.search(sent.text[max(0, pos - 2):pos]):
        for m in CLAUSE_BREAK.finditer(sent.text, 0, pos):
            limit = m.start()
        if limit == pos:
            limit = 0
    end = sent.start + len(sent.text)
    for s in sorted(sent.spans, key=lambda s: s.end, reverse=True):
        if s.end <= limit and s.antecedent is None and s.type in types and (accept is None or accept(s.name)):
            a, b = s.naming
            return Named(s.name, s.type, Antecedent(sent.start + a, sent.start + b, sent.start, end))
    return ctx.last_named(types, accept)


def _speaker(sent: Sentence, pos: int, ctx: Context) -> Named | None:
    """我们: the company the text is mostly about, where it was last named."""
    topic = ctx.topic_org(sent)
    if topic is None:
        return None
    return _antecedent(sent, pos, frozenset({E.COMPANY}), ctx, accept=topic.__eq__) or ctx.where_named(topic)
