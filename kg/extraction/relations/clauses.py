"""The clauses of one sentence and who they are about, for the rules to find subjects and objects
by structure: the subject of a verb in its own clause; the subject a subject-less clause carries
over from the clause before it (A发布了P，并宣布开源Q) or, for a clause that only sets the scene
(继推出P后，A…), from the clause after it; the parties of a joint action (A与B联合发布P, A联合B发布P);
and the list that a verb's object opens in the next clause (发布了三款模型，包括X、Y和Z).

A subject never comes from across a clause that has a subject of its own: 刘庆峰表示，将推出X gives
no company for 推出, since that clause's subject is a person.
"""

from __future__ import annotations

import re

from kg.extraction.dictionary import Dictionary
from kg.extraction.lexicons import alternation, words
from kg.extraction.relations.base import BUILDABLE, CLAUSE_BREAK, E, Sentence, Span
from kg.extraction.relations.brands import brand_span
from kg.schema import EntityType

#: Words before a name that make it an object in its clause, not the subject (与华为携手…, 给A搭建…).
OBJECT_MARKERS = alternation("clauses.object_markers")
#: Any verb: one before a clause's first name makes that name an object, not the subject.
VERBS = alternation("relations.launch_verbs", "relations.use_verbs", "relations.bench_verbs",
                    "relations.partner_verbs", "relations.found_verbs", "relations.support_verbs",
                    "clauses.other_verbs")
#: What may stand between the start of a clause with no subject and its verb.
ZERO_SUBJECT = re.compile(rf"(?:{alternation('clauses.zero_subject_words').pattern}|[\d\s年月日号,，、]|“|”)*")
#: How long the scene-setting words (a date, an adverb) before a clause's subject may be.
SCENE_LIMIT = 16
#: Words just before a name that make it a beneficiary of the action (C给A搭建了平台: A is not the subject).
RECIPIENT = re.compile(rf"(?:{alternation('clauses.recipient_markers').pattern})\s*$")
SUBORDINATE_OPENERS = re.compile(rf"^\s*(?:{alternation('clauses.subordinate_openers').pattern})")
SUBORDINATE_CLOSERS = re.compile(rf"(?:{alternation('clauses.subordinate_closers').pattern})\s*$")
LIST_OPENERS = re.compile(rf"\s*(?:{alternation('clauses.list_openers').pattern})\s*[:：]?\s*")
#: A list opener right before a name (主要股东包括X): what follows is a list, not a subject.
LIST_OPENER_BEFORE = re.compile(rf"(?:{alternation('clauses.list_openers').pattern})\s*[:：]?\s*$")
#: What joins the names of a list: X、Y和Z, X及Y, X以及Y.
LIST_JOINERS = frozenset(words("clauses.list_joiners")) | {",", "，"}
PARTNER_MARKERS = alternation("clauses.partner_markers")
#: Every kind of name that can be a clause's subject (a place before a verb is where, not who).
SUBJECTS = frozenset(EntityType) - {E.PLACE}


def clause_bounds(text: str, pos: int) -> tuple[int, int]:
    """The clause around ``pos``: from after the last clause break before it to the next one."""
    start = 0
    for m in CLAUSE_BREAK.finditer(text, 0, pos):
        start = m.end()
    nxt = CLAUSE_BREAK.search(text, pos)
    return start, nxt.start() if nxt else len(text)


def clauses(text: str) -> list[tuple[int, int]]:
    """The clauses of ``text`` in order, as (start, end)."""
    out, start = [], 0
    for m in CLAUSE_BREAK.finditer(text):
        out.append((start, m.start()))
        start = m.end()
    out.append((start, len(text)))
    return out


def clause_subject(sent: Sentence, start: int, end: int) -> Span | None:
    """The subject of the clause ``[start, end)``: its first name, when only scene-setting words
    (a date, an adverb) stand before it; None when the clause opens with a verb, a preposition or
    a list (…，包括X、Y: the list goes on the clause before)."""
    if in_parentheses(sent.text, start):
        return None  # X（英语：Y）: the clause inside the parentheses names X again, it is no clause of its own
    first = min((s for s in sent.spans if start <= s.start < end and s.type in SUBJECTS),
                key=lambda s: s.start, default=None)
    if first is None:
        return None
    gap = sent.text[start:first.start]
    if len(gap.strip()) > SCENE_LIMIT or OBJECT_MARKERS.search(gap) or VERBS.search(gap) or \
            LIST_OPENERS.fullmatch(gap) or LIST_OPENER_BEFORE.search(gap):
        return None  # 主要股东包括X、Y: X opens a list, it is not the subject
    return first


def in_parentheses(text: str, pos: int) -> bool:
    """Whether ``pos`` is inside parentheses opened before it and not yet closed."""
    head = text[:pos]
    return max(head.rfind("("), head.rfind("（")) > max(head.rfind(")"), head.rfind("）"))


def has_no_subject(text: str) -> bool:
    """``text``, a clause up to some point in it, has no subject of its own: before its first verb
    or joining word stand only adverbs, dates and connectives (并于2023年10月24日联合发布, 但背后是,
    并联合B发布)."""
    cuts = [m.start() for m in (VERBS.search(text), PARTNER_MARKERS.search(text)) if m is not None]
    return ZERO_SUBJECT.fullmatch(text, 0, min(cuts, default=len(text))) is not None


def _is_subordinate(text: str) -> bool:
    """继联合推出P后 / 在M发布之前: a clause that only sets the scene for the next one."""
    return bool(SUBORDINATE_OPENERS.match(text) or SUBORDINATE_CLOSERS.search(text))


def carried_subject(sent: Sentence, pos: int, types: frozenset[EntityType],
                    brands: Dictionary | None = None) -> Span | None:
    """The subject of a subject-less clause (the one around ``pos``): that of the nearest clause
    before it with a subject (if of one of ``types``), or of the next clause for a scene-setting
    clause that opens the sentence. With ``brands``, a product subject whose name opens with its
    maker's stands for the maker where a company is wanted (讯飞星火与X联合打造…: 科大讯飞)."""
    parts = clauses(sent.text)
    here = next(i for i, (a, b) in enumerate(parts) if a <= pos <= b)
    own = clause_subject(sent, parts[here][0], pos)
    if own is not None:
        return _as_subject(own, types, brands)
    if not has_no_subject(sent.text[parts[here][0]:pos]):
        return None
    for a, b in reversed(parts[:here]):
        subject = clause_subject(sent, a, b)
        if subject is not None:
            return _as_subject(subject, types, brands)
    a, b = parts[here]
    if _is_subordinate(sent.text[a:b]):
        for a2, b2 in parts[here + 1:]:
            subject = clause_subject(sent, a2, b2)
            if subject is not None:
                return _as_subject(subject, types, brands)
            if not _is_subordinate(sent.text[a2:b2]):
                break
    return None


def _as_subject(subject: Span, types: frozenset[EntityType], brands: Dictionary | None) -> Span | None:
    if subject.type in types:
        return subject
    if brands is not None and E.COMPANY in types and subject.type in BUILDABLE:
        return brand_span(subject, brands)
    return None


def subject_of(sent: Sentence, pos: int, types: frozenset[EntityType],
               brands: Dictionary | None = None) -> tuple[Span | None, float]:
    """Who did what stands at ``pos``: the nearest name of ``types`` before it in its clause (passing
    over a beneficiary: C给A搭建 is C's doing), or the subject the clause carries over (lower
    confidence; ``brands`` as for :func:`carried_subject`)."""
    s = sent.before(pos, types)
    while s is not None and RECIPIENT.search(sent.text, 0, s.start):
        # C给A搭建: pass over A to C (X为A与B共同推出: with nobody before it, 为 is no "for")
        giver = sent.before(s.start, types)
        if giver is None:
            break
        s = giver
    if s is not None:
        return s, 1.0
    carried = carried_subject(sent, pos, types, brands)
    return (carried, 0.85) if carried is not None else (None, 0.0)


def enumeration(sent: Sentence, pos: int, types: frozenset[EntityType], max_gap: int = 2) -> list[Span]:
    """Mentions listed from ``pos``: X、Y和Z (stops at the first other word)."""
    out: list[Span] = []
    cursor = pos
    for s in sorted(sent.spans, key=lambda s: s.start):
        if s.start < cursor:
            continue
        gap = sent.between(cursor, s.start).strip()
        limit = max_gap if not out else 3
        if s.type in types and len(gap) <= limit and (not out or gap in LIST_JOINERS):
            if not out and gap and gap not in ("了", "的", "“"):
                break
            out.append(s)
            cursor = s.end
        else:
            break
    return out


def listed_next(sent: Sentence, pos: int, types: frozenset[EntityType]) -> list[Span]:
    """The names of ``types`` listed at the start of the clause after the one around ``pos``
    (…发布了三款模型，包括X、Y和Z / …，以及Z), clause after clause while each goes on the list."""
    out: list[Span] = []
    _, end = clause_bounds(sent.text, pos)
    while end < len(sent.text) and sent.text[end] not in "。！？!?":
        m = LIST_OPENERS.match(sent.text, end + 1)
        if m is None:
            break
        items = enumeration(sent, m.end(), types, max_gap=4)
        if not items:
            break
        out += items
        _, end = clause_bounds(sent.text, items[-1].end)
    return out
