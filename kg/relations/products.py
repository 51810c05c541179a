"""Products, models and chips: who develops them (科大讯飞发布讯飞星火X1, 华为昇腾910B), what they use
(基于“飞星一号”打造, 在昇腾平台上训练), and what models are measured against (对标GPT-4)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.lexicons import alternation, words
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
    propose,
)
from kg.relations.brands import brand_owner, brand_span
from kg.relations.clauses import (
    PARTNER_MARKERS,
    RECIPIENT,
    SUBORDINATE_CLOSER_AHEAD,
    carried_subject,
    clause_bounds,
    clause_subject,
    enumeration,
    joint_parties,
    listed_next,
    partners_earlier,
    subject_of,
)
from kg.schema import ORG_LIKE, EntityType

UPGRADE_WORDS = alternation("relations.upgrade_words")
UPGRADE = re.compile(rf"对\s?(?P<obj>[^,，。;；]{{2,24}}?)\s?进行了?(?:全面|全新)?(?:{UPGRADE_WORDS.pattern})")
JOINT_VERB = alternation("relations.joint_words")
#: 这是M的第九次升级: M's own upgrade.
UPGRADE_OF = re.compile(r"\s?的\s?(?:第[一二三四五六七八九十\d]{1,3}次|最新|全新|重大)?\s?")
#: What may stand between an upgraded M and the upgrade (M底座能力也再次迎来全新升级), no other verb.
UPGRADE_GAP = re.compile(r"[^,，。;；:：]{0,16}")
#: Verbs used as nouns with their object before them (在M正式研发之前, 启动M的训练).
NOMINAL_BUILD = alternation("relations.nominal_build_verbs")
#: Verbs that launch only the list the next clause opens (公布了一系列进展，包括X、Y).
LIST_LAUNCH = frozenset(words("relations.list_launch_verbs"))
NEGATED = re.compile(rf"(?:{alternation('relations.negations').pattern})\s*$")
#: What makes such a verb a development: 启动/完成 …M训练, or 在M研发之前.
NOMINAL_FRAME = alternation("relations.nominal_frame_verbs")
#: 在C平台上训练 / M是C平台上做出来的: what is built on a platform.
BUILT_ON = alternation("relations.built_on_verbs")
PLATFORM_NOUNS = alternation("products.platform_nouns")
SUPPLY_VERBS = alternation("relations.supply_verbs")
#: What may stand between a maker and the partners joined to it (A还与B…, A、B和C发布).
JOINERS = re.compile(r"\s*(?:还|也|已经|将|再)?\s*(?:与|和|跟|同|及|以及|、|携手|联合|联手)\s*")
COMPUTE_WORDS = re.compile(r"算力|芯片|GPU|显卡|卡|平台|云")
ON_PLATFORM = re.compile(r"(?:在|于|是)\s?$|^\s?$")
#: 对标o1的星火X1: between the last target and the model compared
COMPARED_AFTER = re.compile(r"[^,，。;；]{0,4}的[^,，。;；的]{0,8}")


@RELATION_RULES.register("develop", order=500, help="科大讯飞发布讯飞星火X1, 与华为联合发布“飞星一号”, 英伟达的A100")
def develop_relations(sent: Sentence, ctx: Context) -> Iterator[Proposal]:
    """科大讯飞发布讯飞星火X1 / A与B联合发布P / A联合B发布P / …，并联合B发布P / 由A研发的M / A推出的M /
    A发布了三款模型，包括X、Y / 在M正式研发之前，A… / 英伟达的A100 / X为A与B共同推出的…."""
    text = sent.text
    for m in LAUNCH_VERBS.finditer(text):
        if text[max(0, m.start() - 1):m.start()] == "的" or NEGATED.search(text, 0, m.start()):
            continue  # 平台的发布意味着…: a noun, not a launch; 尚未发布: none
        # 公布了一系列进展，包括X、Y: a verb that launches only what it lists
        things = listed_next(sent, m.end(), BUILDABLE) if m.group() in LIST_LAUNCH else _launched(sent, m.end())
        if not things:
            continue
        makers = _makers(sent, ctx, m.start(), m.group())
        for maker, conf in makers:
            for t in things[:3]:
                yield propose(maker, R.DEVELOPS, t, 0.8 * conf, m.group())
        if not makers:  # 在医疗领域推出讯飞星火医疗大模型: no subject, the maker's name opens the product's
            for t in things[:3]:
                if (maker := brand_span(t, ctx.dictionary)) is not None:
                    yield propose(maker, R.DEVELOPS, t, 0.6, m.group())
    for m in NOMINAL_BUILD.finditer(text):
        # 在星火X2正式研发之前 / 启动星火X2的训练: the object stands before the verb
        thing = sent.before(m.start(), BUILDABLE, max_gap=5)
        if thing is None or sent.after(m.end(), BUILDABLE, max_gap=3) or \
                not re.fullmatch(r"\s?(?:的)?\s?(?:正式|全面|持续)?\s?", sent.between(thing.end, m.start())):
            continue
        clause_start, _ = clause_bounds(text, thing.start)
        framed = NOMINAL_FRAME.search(text, clause_start, thing.start) or (
            text[thing.start - 1:thing.start] == "在" and SUBORDINATE_CLOSER_AHEAD.match(text, m.end()))
        if not framed:
            continue  # 实现了星火大模型训练和推理效率均翻番: a compound noun, nobody's development
        if USE_VERBS.search(text, max(0, thing.start - 3), thing.start):
            continue  # 基于X训练: what it is built on
        for maker, conf in _makers(sent, ctx, thing.start, m.group()):
            yield propose(maker, R.DEVELOPS, thing, 0.7 * conf, m.group())
    for thing in (s for s in sent.spans if s.type in BUILDABLE):
        # possessive: 英伟达的“A100”型号芯片 / 科大讯飞的讯飞星火APP
        org = sent.before(thing.start, ORG_LIKE, max_gap=6)
        if org and re.fullmatch(r"\s?(?:旗下|最新版|最新|新一代|自研)?的[“\"]?", sent.between(org.end, thing.start)):
            yield propose(org, R.DEVELOPS, thing, 0.75, "的")
        # X为A与B共同推出的… / X由A研发 / X是由A和B联合打造的
        tail = re.match(r"\s?(?:是|为|系)?\s?(?:由)?", text[thing.end:thing.end + 3])
        if tail and tail.group().strip():
            orgs = enumeration(sent, thing.end + tail.end(), ORG_LIKE, max_gap=1)
            after = text[orgs[-1].end:orgs[-1].end + 12] if orgs else ""
            if orgs and LAUNCH_VERBS.search(after):
                for o in orgs:
                    yield propose(o, R.DEVELOPS, thing, 0.8, "为…推出")


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
    m = re.match(r"\s*(?:还|也|再|又|将|已经|已|正式)?\s*", sent.text[subject.end:])
    at = subject.end + (m.end() if m else 0)
    marker = PARTNER_MARKERS.match(sent.text, at)
    return enumeration(sent, marker.end(), ORG_LIKE, max_gap=1) if marker else []


@RELATION_RULES.register("upgrade", order=600, help="科大讯飞对讯飞AI学习机进行了升级")
def upgrade_relations(sent: Sentence, ctx: Context) -> Iterator[Proposal]:
    """科大讯飞对讯飞AI学习机进行了升级: the subject develops what it upgrades."""
    for m in UPGRADE.finditer(sent.text):
        things = [s for s in sent.spans if s.type in BUILDABLE and m.start("obj") <= s.start < m.end("obj")]
        if not things:
            continue
        for maker, conf in _makers(sent, ctx, m.start(), "升级"):
            yield propose(maker, R.DEVELOPS, things[0], 0.7 * conf, "升级")
    yield from _upgraded(sent, ctx)


def _upgraded(sent: Sentence, ctx: Context) -> Iterator[Proposal]:
    """M的底座能力迎来全新升级 / 这是M的第九次升级: M is upgraded and no company in the sentence is
    its subject; the company whose name opens M's (讯飞 in 讯飞星火) is the one that upgrades it."""
    text = sent.text
    for m in UPGRADE_WORDS.finditer(text):
        a, _ = clause_bounds(text, m.start())
        things = [s for s in sent.spans if s.type in BUILDABLE and a <= s.start and s.end <= m.start()]
        if not things or sent.before(m.start(), ORG_LIKE) is not None:
            continue
        thing = things[0]  # the clause's subject (M迎来升级) or the owner of 的…升级 (是M的第九次升级)
        owned = UPGRADE_OF.fullmatch(text, thing.end, m.start())
        if not (owned or clause_subject(sent, a, m.start()) == thing) or not UPGRADE_GAP.fullmatch(
                text, thing.end, m.start()):
            continue
        maker = brand_span(thing, ctx.dictionary)
        if maker is not None:
            yield propose(maker, R.DEVELOPS, thing, 0.6, m.group())


@RELATION_RULES.register("brand", order=700, help="华为昇腾910B, 英伟达A100")
def brand_relations(sent: Sentence, ctx: Context) -> Iterator[Proposal]:
    """华为昇腾910B / 英伟达A100: a product written with its maker's name in front is the maker's.

    Only where the text adds the maker to the name: DeepSeek-R1 or 讯飞星火 carry the brand in the
    product's own name, which says nothing more than the name itself."""
    for thing in sent.spans:
        if thing.type in BUILDABLE and thing.surface and thing.antecedent is None:
            maker = brand_span(thing, ctx.dictionary)
            if maker is not None and brand_owner(thing.name, ctx.dictionary) is None:
                yield propose(maker, R.DEVELOPS, thing, 0.7, "brand")


@RELATION_RULES.register("use", order=800, help="依靠华为昇腾910B, 基于“飞星一号”打造的X1, 在昇腾平台上训练")
def use_relations(sent: Sentence, ctx: Context) -> Iterator[Proposal]:
    """依靠华为昇腾910B / 基于“飞星一号”打造的X1 / 基于昇腾生态的“飞星一号” / 背后是英伟达的算力 /
    M在C平台上训练 / M是C平台上做出来的."""
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
        tail = re.match(r"[^,，。]{0,6}?(?P<verb>打造|训练|研发|推出)?的", text[obj.end:obj.end + 10])
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
                yield propose(user, R.USES, obj, conf, m.group())
        # 科大讯飞基于“飞星一号”打造的星火X1: the subject also develops the model
        if subject and tail and users and subject.type in ORG_LIKE and "打造" in text[obj.end:obj.end + 10]:
            yield propose(subject, R.DEVELOPS, users[0][0], 0.75, "打造")
    yield from _built_on(sent)


def _built_on(sent: Sentence) -> Iterator[Proposal]:
    """M在C平台上训练 / M是C平台上做出来的 / 在C上训练出M: M uses the platform C."""
    text = sent.text
    for platform in (s for s in sent.spans if s.type in USED):
        after = re.match(rf"\s?(?:的)?[\u4e00-\u9fffA-Za-z0-9]{{0,6}}?(?:{PLATFORM_NOUNS.pattern})?\s?上\s?"
                         rf"(?:{BUILT_ON.pattern})", text[platform.end:platform.end + 24])
        if after is None or not ON_PLATFORM.search(text[max(0, platform.start - 2):platform.start]):
            continue
        if platform.type is E.COMPANY and not COMPUTE_WORDS.search(after.group()):
            continue
        user, conf = subject_of(sent, platform.start, USERS)
        if user is None:  # 在C平台上训练出M
            user = next(iter(sent.after(platform.end + after.end(), USERS - {E.COMPANY}, max_gap=12)), None)
            conf = 0.8
        if user is not None and user.name != platform.name:
            yield propose(user, R.USES, platform, 0.75 * conf, "在…上" + after.group().strip()[-2:])


@RELATION_RULES.register("supply", order=850, help="华为给星海互娱搭建了算力平台")
def supply_relations(sent: Sentence, ctx: Context) -> Iterator[Proposal]:
    """C给A搭建了“P”平台 / C为A打造了算力平台: A uses P, or with no P named, the supplier C (who
    develops P is the launch rule's: the subject, passing over the beneficiary)."""
    for m in SUPPLY_VERBS.finditer(sent.text):
        recipient = sent.before(m.start(), ORG_LIKE, max_gap=10)
        if recipient is None or not RECIPIENT.search(sent.text, 0, recipient.start):
            continue
        supplier, conf = subject_of(sent, recipient.start, ORG_LIKE)
        if supplier is None or supplier.name == recipient.name:
            continue
        things = sent.after(m.end(), BUILDABLE, max_gap=24)
        if things:
            yield propose(recipient, R.USES, things[0], 0.7 * conf, m.group())
        elif PLATFORM_NOUNS.search(sent.text, m.end(), m.end() + 24):
            yield propose(recipient, R.USES, supplier, 0.65 * conf, m.group())


@RELATION_RULES.register("benchmark", order=900, help="持续对标GPT-4 Turbo, 超越ChatGPT, 对标o1的X1")
def benchmark_relations(sent: Sentence, ctx: Context) -> Iterator[Proposal]:
    """持续对标GPT-4 Turbo和GPT-4o / 超越ChatGPT / 达到ChatGPT水平 / 对标o1的星火X1 (the model
    compared named after the targets)."""
    text = sent.text
    taken: set[int] = set()
    for m in BENCH_VERBS.finditer(text):
        needs_level = m.group() in ("达到", "相当", "逼近", "领先")
        if needs_level and not re.search(r"水平|相当|能力", text[m.end():m.end() + 20]):
            continue
        targets = _bench_targets(sent, m.end())
        if not targets:
            continue
        subj = None
        for k, target in enumerate(targets):
            # 对标GPT-4的天穹X: the model after 的 is what is compared, not one more target
            if (subj := _compared_after(sent, target)) is not None:
                targets = targets[:k + 1]
                break
        subj = subj or _bench_subject(sent, m.start(), taken)
        taken.update(t.start for t in targets)
        if subj is None:
            continue
        for t in targets:
            if t.name != subj.name:
                yield propose(subj, R.BENCHMARKED_AGAINST, t, 0.8, m.group())


def _in_parens(sent: Sentence, span: Span) -> bool:
    head = sent.text[:span.start]
    return max(head.rfind("("), head.rfind("（")) > max(head.rfind(")"), head.rfind("）"))


def _bench_subject(sent: Sentence, pos: int, taken: set[int]) -> Span | None:
    """The model being compared: the nearest model before the trigger that is not itself a
    comparison target or a parenthetical (ChatGPT(基于GPT-3.5))."""
    candidates = [s for s in sent.spans if s.type is E.AIMODEL and s.end <= pos
                  and s.start not in taken and not _in_parens(sent, s)]
    return candidates[-1] if candidates else None


def _compared_after(sent: Sentence, last_target: Span) -> Span | None:
    """对标o1的星火X1 / 对标GPT-4的全新模型星火X2: a model named after the targets and 的."""
    model = next(iter(sent.after(last_target.end, MODELS, max_gap=12)), None)
    if model is None or not COMPARED_AFTER.fullmatch(sent.between(last_target.end, model.start)):
        return None
    return model


def _bench_targets(sent: Sentence, pos: int) -> list[Span]:
    return [s for s in sent.after(pos, MODELS, max_gap=20) if not _in_parens(sent, s)]
