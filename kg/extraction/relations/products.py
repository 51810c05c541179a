"""Products, models and chips: who develops them (科大讯飞发布讯飞星火X1, 华为昇腾910B) and what they
use (基于“飞星一号”打造). The rest of these relations the trained model reads: a rule stays only
where it measurably adds to it on the development split (docs/relations.md)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.extraction.lexicons import alternation, words
from kg.extraction.relations.base import (
    BENCH_VERBS,
    BUILDABLE,
    LAUNCH_VERBS,
    USE_VERBS,
    USED,
    USERS,
    Context,
    E,
    Proposal,
    R,
    Sentence,
    Span,
    propose,
)
from kg.extraction.relations.brands import brand_owner, brand_span
from kg.extraction.relations.clauses import (
    PARTNER_MARKERS,
    carried_subject,
    enumeration,
    joint_parties,
    listed_next,
    partners_earlier,
    subject_of,
)
from kg.registry import RELATION_RULES
from kg.schema import ORG_LIKE, EntityType

JOINT_VERB = alternation("relations.joint_words")
#: Verbs that launch only the list the next clause opens (公布了一系列进展，包括X、Y).
LIST_LAUNCH = frozenset(words("relations.list_launch_verbs"))
NEGATED = re.compile(rf"(?:{alternation('relations.negations').pattern})\s*$")
#: What may stand between a maker and the partners joined to it (A还与B…, A、B和C发布).
JOINERS = re.compile(rf"\s*(?:{alternation('relations.joiner_adverbs').pattern})?\s*"
                     rf"(?:{alternation('relations.joiners').pattern})\s*")
COMPUTE_WORDS = alternation("relations.compute_words")
_OWNER_MARKERS = alternation("relations.owner_markers").pattern
_LAUNCH_ADVERBS = alternation("relations.launch_adverbs").pattern
_MAKING_VERBS = alternation("relations.making_verbs").pattern
_COPULAS = alternation("relations.copulas").pattern


@RELATION_RULES.register("develop", order=500, help="科大讯飞发布讯飞星火X1, 与华为联合发布“飞星一号”, 英伟达的A100")
def develop_relations(sent: Sentence, ctx: Context) -> Iterator[Proposal]:
    """科大讯飞发布讯飞星火X1 / A与B联合发布P / A联合B发布P / …，并联合B发布P / 由A研发的M / A推出的M /
    A发布了三款模型，包括X、Y / 英伟达的A100 / X为A与B共同推出的…."""
    text = sent.text
    for m in LAUNCH_VERBS.finditer(text):
        if NEGATED.search(text, 0, m.start()):
            continue  # 尚未发布: none
        # 公布了一系列进展，包括X、Y: a verb that launches only what it lists
        things = listed_next(sent, m.end(), BUILDABLE) if m.group() in LIST_LAUNCH else _launched(sent, m.end())
        if not things:
            continue
        makers = _makers(sent, ctx, m.start(), m.group())
        for maker, conf in makers:
            for t in things[:3]:
                yield propose(maker, R.DEVELOPS, t, 0.8 * conf, m.group(), "develop.launch", conf)
        if not makers:  # 在医疗领域推出讯飞星火医疗大模型: no subject, the maker's name opens the product's
            for t in things[:3]:
                if (maker := brand_span(t, ctx.dictionary)) is not None:
                    yield propose(maker, R.DEVELOPS, t, 0.6, m.group(), "develop.partner-launch")
    for thing in (s for s in sent.spans if s.type in BUILDABLE):
        # possessive: 英伟达的“A100”型号芯片 / 科大讯飞的讯飞星火APP
        org = sent.before(thing.start, ORG_LIKE, max_gap=6)
        if org and re.fullmatch(rf"\s?(?:{_OWNER_MARKERS})?的[“\"]?", sent.between(org.end, thing.start)):
            yield propose(org, R.DEVELOPS, thing, 0.75, "的", "develop.possessive")
        # X为A与B共同推出的… / X由A研发 / X是由A和B联合打造的
        tail = re.match(rf"\s?(?:{_COPULAS})?\s?(?:由)?", text[thing.end:thing.end + 3])
        if tail and tail.group().strip():
            orgs = enumeration(sent, thing.end + tail.end(), ORG_LIKE, max_gap=1)
            after = text[orgs[-1].end:orgs[-1].end + 12] if orgs else ""
            if orgs and LAUNCH_VERBS.search(after):
                for o in orgs:
                    yield propose(o, R.DEVELOPS, thing, 0.8, "为…推出", "develop.for")


def _launched(sent: Sentence, pos: int) -> list[Span]:
    """What a launch verb ending at ``pos`` launches: the products, models and chips after it in its
    clause (not those built on or compared with: 发布了基于昇腾的“飞星一号”), or the list that the next
    clause opens (发布了三款模型，包括X、Y和Z)."""
    text = sent.text
    things = [s for s in sent.after(pos, BUILDABLE, max_gap=40)
              if not USE_VERBS.search(text[max(pos, s.start - 3):s.start])
              and not BENCH_VERBS.search(text[max(pos, s.start - 3):s.start])]
    return things or listed_next(sent, pos, BUILDABLE)


def _makers(sent: Sentence, ctx: Context, pos: int, verb: str) -> list[tuple[Span, float]]:
    """Who launched at ``pos``: the subject, and every party of a joint action — A与B、C联合发布 /
    A联合B发布 (the partners right before the verb), …，并联合发布 or 继联合推出P后，A再与B…
    (a joint verb whose clause names no partner: those joined to the subject in the sentence)."""
    parties, marker = joint_parties(sent, pos, ORG_LIKE)
    subject, conf = subject_of(sent, marker if parties else pos, ORG_LIKE, ctx.dictionary)
    if subject is None:
        return [(p, 0.85) for p in parties]
    if not parties and JOINT_VERB.search(sent.text, max(0, pos - 2), pos + len(verb)):
        parties = _partners_of(sent, subject) or partners_earlier(sent, pos, ORG_LIKE)
    makers = [subject, *parties]
    joined = subject
    while True:  # A、B和C发布: the parties listed before the subject too
        prev = sent.before(joined.start, ORG_LIKE, max_gap=6)
        if prev is None or not JOINERS.fullmatch(sent.between(prev.end, joined.start)):
            break
        makers.append(prev)
        joined = prev
    seen: set[str] = set()
    return [(s, conf) for s in makers if not (s.name in seen or seen.add(s.name))]


def _partners_of(sent: Sentence, subject: Span) -> list[Span]:
    """The partners joined right after ``subject`` (A再与B… / A联合B…)."""
    m = re.match(rf"\s*(?:{_LAUNCH_ADVERBS})?\s*", sent.text[subject.end:])
    at = subject.end + (m.end() if m else 0)
    marker = PARTNER_MARKERS.match(sent.text, at)
    return enumeration(sent, marker.end(), ORG_LIKE, max_gap=1) if marker else []


@RELATION_RULES.register("brand", order=700, help="华为昇腾910B, 英伟达A100, 腾讯混元")
def brand_relations(sent: Sentence, ctx: Context) -> Iterator[Proposal]:
    """华为昇腾910B / 英伟达A100 / 腾讯混元: a product written with its maker's name in front is the
    maker's (the guidelines count such a name as the attribution it is). The maker is a company of
    the dictionary or one the document has named."""
    companies = ctx.companies()
    for thing in sent.spans:
        if thing.type in BUILDABLE and thing.surface and thing.antecedent is None:
            maker = brand_span(thing, ctx.dictionary, companies)
            # 华为昇腾910B, 腾讯混元大模型: the maker's name added to a name; not 讯飞星火 or DeepSeek-R1,
            # whose own name opens with the brand (the guidelines' seeds and the corpus agree on this)
            if maker is not None and brand_owner(thing.name, ctx.dictionary) is None:
                yield propose(maker, R.DEVELOPS, thing, 0.7, "brand", "brand")


@RELATION_RULES.register("use", order=800, help="依靠华为昇腾910B, 基于“飞星一号”打造的X1")
def use_relations(sent: Sentence, ctx: Context) -> Iterator[Proposal]:
    """依靠华为昇腾910B / 基于“飞星一号”打造的X1 / 基于昇腾生态的“飞星一号” / 背后是英伟达的算力."""
    text = sent.text
    every_type = frozenset(EntityType)
    for m in USE_VERBS.finditer(text):
        # the first name after the verb is what is used; if that is a model (基于星火V3.0对…) nothing is
        objs = sent.after(m.end(), every_type, max_gap=12)
        if not objs or objs[0].type not in USED:
            continue
        obj = objs[0]
        if obj.type is E.COMPANY and not COMPUTE_WORDS.search(text[obj.end:obj.end + 10]):
            continue
        # 基于X(生态)?的Y  /  基于X打造的Y: Y uses X
        tail = re.match(rf"[^,，。]{{0,6}}?(?P<verb>{_MAKING_VERBS})?的", text[obj.end:obj.end + 10])
        users: list[tuple[Span, float]] = []
        if tail:
            y = next(iter(sent.after(obj.end, USERS, max_gap=16)), None)
            if y:
                users.append((y, 0.8))
        subject = sent.before(m.start(), USERS, max_gap=25)
        if subject and tail and not tail.group("verb") and LAUNCH_VERBS.search(text, subject.end, m.start()):
            # A发布了基于X的Y: A is the subject of 发布, only Y is built on X
            subject = None
        if subject is None and not users:
            # DeepSeek 做了…成果，但背后是英伟达的算力: the subject the clause carries over
            subject = carried_subject(sent, m.start(), USERS)
        if subject:
            users.append((subject, 0.8 if subject.end <= m.start() else 0.7))
        for user, conf in users:
            if user.name != obj.name:
                yield propose(user, R.USES, obj, conf, m.group(), "use", conf)
        # 科大讯飞基于“飞星一号”打造的星火X1: the subject also develops the model
        if subject and tail and users and subject.type in ORG_LIKE and "打造" in text[obj.end:obj.end + 10]:
            yield propose(subject, R.DEVELOPS, users[0][0], 0.75, "打造", "use.built-on")
