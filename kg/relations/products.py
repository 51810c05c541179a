"""Products, models and chips: who develops them (科大讯飞发布讯飞星火X1, 华为昇腾910B), what they use
(基于“飞星一号”打造), and what models are measured against (对标GPT-4)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.dictionary import Dictionary
from kg.registry import RELATION_RULES
from kg.relations.base import (
    BENCH_VERBS,
    BUILDABLE,
    LAUNCH_VERBS,
    MODELS,
    USE_VERBS,
    USED,
    USERS,
    Context,
    E,
    Proposal,
    R,
    Sentence,
    Span,
    enumeration,
    subject_of,
)
from kg.schema import ORG_LIKE, EntityType

UPGRADE = re.compile(r"对\s?(?P<obj>[^,，。;；]{2,24}?)\s?进行了?(?:全面|全新)?(?:升级|迭代|更新)")
JOINT_VERB = re.compile(r"联合|共同|携手|一起")
JOINERS = re.compile(r"\s*(?:还|也|已经|将)?\s*(?:与|和|跟|同|及|以及|、|携手|联合|联手)\s*")


@RELATION_RULES.register("develop", order=500, help="科大讯飞发布讯飞星火X1, 与华为联合发布“飞星一号”, 英伟达的A100")
def develop_relations(sent: Sentence, ctx: Context) -> Iterator[Proposal]:
    """科大讯飞发布讯飞星火X1 / 与华为联合发布“飞星一号” / 英伟达的A100 / X为讯飞与华为共同推出的…."""
    text = sent.text
    for m in LAUNCH_VERBS.finditer(text):
        # 发布了基于昇腾生态的“飞星一号”: what is built on is not what is launched
        if text[max(0, m.start() - 1):m.start()] == "的":
            continue  # 平台的发布意味着…: a noun, not a launch
        things = [s for s in sent.after(m.end(), BUILDABLE, max_gap=40)
                  if not USE_VERBS.search(text[max(m.end(), s.start - 3):s.start])
                  and not BENCH_VERBS.search(text[max(m.end(), s.start - 3):s.start])]
        if not things:
            continue
        makers = _makers(sent, m.start(), ctx)
        for maker, conf in makers:
            for t in things[:3]:
                yield Proposal(maker, R.DEVELOPS, t.name, 0.8 * conf, m.group())
    for thing in (s for s in sent.spans if s.type in BUILDABLE):
        # possessive: 英伟达的“A100”型号芯片 / 科大讯飞的讯飞星火APP
        org = sent.before(thing.start, ORG_LIKE, max_gap=6)
        if org and re.fullmatch(r"\s?(?:旗下|最新版|最新|新一代|自研)?的[“\"]?", sent.between(org.end, thing.start)):
            yield Proposal(org.name, R.DEVELOPS, thing.name, 0.75, "的")
        # X为A与B共同推出的…
        tail = re.match(r"\s?(?:为|是|由)", text[thing.end:thing.end + 2])
        if tail:
            orgs = enumeration(sent, thing.end + tail.end(), ORG_LIKE, max_gap=1)
            after = text[orgs[-1].end:orgs[-1].end + 12] if orgs else ""
            if orgs and LAUNCH_VERBS.search(after):
                for o in orgs:
                    yield Proposal(o.name, R.DEVELOPS, thing.name, 0.8, "为…推出")


def _makers(sent: Sentence, pos: int, ctx: Context) -> list[tuple[str, float]]:
    """Who launched: the subject, plus every party joined to it (A 与 B、C 联合发布 …)."""
    subject, conf = subject_of(sent, pos, ctx)
    if subject is None:
        return []
    makers = [(subject, conf)]
    if JOINT_VERB.search(sent.text, max(0, pos - 2), pos + 4):
        # 科大讯飞与华为携手…，并联合发布了…: the partners named earlier launched it together
        makers += [(s.name, conf) for s in sent.spans if s.type in ORG_LIKE and s.end <= pos]
    joined = sent.before(pos, ORG_LIKE)
    while joined is not None:
        prev = sent.before(joined.start, ORG_LIKE, max_gap=6)
        if prev is None or not JOINERS.fullmatch(sent.between(prev.end, joined.start)):
            break
        makers.append((prev.name, conf))
        joined = prev
    return list(dict.fromkeys(makers))


@RELATION_RULES.register("upgrade", order=600, help="科大讯飞对讯飞AI学习机进行了升级")
def upgrade_relations(sent: Sentence, ctx: Context) -> Iterator[Proposal]:
    """科大讯飞对讯飞AI学习机进行了升级: the subject develops what it upgrades."""
    for m in UPGRADE.finditer(sent.text):
        things = [s for s in sent.spans if s.type in BUILDABLE and m.start("obj") <= s.start < m.end("obj")]
        if not things:
            continue
        for maker, conf in _makers(sent, m.start(), ctx):
            yield Proposal(maker, R.DEVELOPS, things[0].name, 0.7 * conf, "升级")


@RELATION_RULES.register("brand", order=700, help="华为昇腾910B, 英伟达A100")
def brand_relations(sent: Sentence, ctx: Context) -> Iterator[Proposal]:
    """华为昇腾910B / 英伟达A100: a product written with its maker's name in front is the maker's.

    Only where the text adds the maker to the name: DeepSeek-R1 or 讯飞星火 carry the brand in the
    product's own name, which says nothing more than the name itself."""
    for thing in sent.spans:
        if thing.type in BUILDABLE and thing.surface:
            maker = brand_owner(thing.surface, ctx.dictionary)
            if maker and brand_owner(thing.name, ctx.dictionary) is None:
                yield Proposal(maker, R.DEVELOPS, thing.name, 0.7, "brand")


def brand_owner(surface: str, dictionary: Dictionary) -> str | None:
    """The company whose name (any alias) opens ``surface``, if the rest is a name of its own.

    >>> brand_owner("华为昇腾910B", Dictionary.default())
    '华为'
    """
    text = surface.strip()
    for cut in range(min(len(text) - 2, 8), 1, -1):
        entry = dictionary.lookup(text[:cut])
        if entry is not None and entry.type is E.COMPANY:
            return entry.name
    return None


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
        if obj.type is E.COMPANY and not re.search(r"算力|芯片|GPU|显卡|卡|平台|云", text[obj.end:obj.end + 10]):
            continue
        # 基于X(生态)?的Y  /  基于X打造的Y: Y uses X
        tail = re.match(r"[^,，。]{0,6}?(?P<verb>打造|训练|研发|推出)?的", text[obj.end:obj.end + 10])
        users: list[tuple[str, float]] = []
        if tail:
            y = next(iter(sent.after(obj.end, USERS, max_gap=16)), None)
            if y:
                users.append((y.name, 0.8))
        subject = sent.before(m.start(), USERS, max_gap=25)
        if subject and tail and not tail.group("verb") and LAUNCH_VERBS.search(text, subject.end, m.start()):
            # A发布了基于X的Y: A is the subject of 发布, only Y is built on X
            subject = None
        if subject is None and m.group() == "背后是":
            # DeepSeek 做了…成果，但背后是英伟达的算力: the subject is the sentence's
            subject = sent.before(m.start(), USERS, same_clause=False, max_gap=80)
        if subject:
            users.append((subject.name, 0.8))
        elif not users:
            topic = ctx.topic_org()
            if topic:
                users.append((topic, 0.55))
        for user, conf in users:
            if user != obj.name:
                yield Proposal(user, R.USES, obj.name, conf, m.group())
        # 科大讯飞基于“飞星一号”打造的星火X1: the subject also develops the model
        if subject and tail and users and subject.type in ORG_LIKE and "打造" in text[obj.end:obj.end + 10]:
            y = users[0][0]
            yield Proposal(subject.name, R.DEVELOPS, y, 0.75, "打造")


@RELATION_RULES.register("benchmark", order=900, help="持续对标GPT-4 Turbo, 超越ChatGPT")
def benchmark_relations(sent: Sentence, ctx: Context) -> Iterator[Proposal]:
    """持续对标GPT-4 Turbo和GPT-4o / 超越ChatGPT / 达到ChatGPT水平."""
    text = sent.text
    taken: set[int] = set()
    for m in BENCH_VERBS.finditer(text):
        needs_level = m.group() in ("达到", "相当", "逼近", "领先")
        if needs_level and not re.search(r"水平|相当|能力", text[m.end():m.end() + 20]):
            continue
        targets = _bench_targets(sent, m.end())
        if not targets:
            continue
        subj = _bench_subject(sent, m.start(), taken)
        taken.update(t.start for t in targets)
        if subj is None:
            continue
        conf = 0.8
        for t in targets:
            if t.name != subj.name:
                yield Proposal(subj.name, R.BENCHMARKED_AGAINST, t.name, conf, m.group())


def _in_parens(sent: Sentence, span: Span) -> bool:
    head = sent.text[:span.start]
    return max(head.rfind("("), head.rfind("（")) > max(head.rfind(")"), head.rfind("）"))


def _bench_subject(sent: Sentence, pos: int, taken: set[int]) -> Span | None:
    """The model being compared: the nearest model before the trigger that is not itself a
    comparison target or a parenthetical (ChatGPT(基于GPT-3.5))."""
    candidates = [s for s in sent.spans if s.type is E.AIMODEL and s.end <= pos
                  and s.start not in taken and not _in_parens(sent, s)]
    return candidates[-1] if candidates else None


def _bench_targets(sent: Sentence, pos: int) -> list[Span]:
    return [s for s in sent.after(pos, MODELS, max_gap=20) if not _in_parens(sent, s)]
