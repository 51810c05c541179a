"""Sentence-level relation extraction: trigger lexicons, positions, and type signatures.

Every rule reads one sentence with its resolved mentions and proposes ``(head, relation, tail)``
with a confidence; the type signature of :mod:`kg.schema` then rejects what makes no sense.
Pronoun and zero subjects (该公司, 双方, 我们, or none at all) fall back to the organisation the
text was just talking about (:class:`Context`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from kg.ner.lexicon import PERSON_TITLES
from kg.schema import ORG_LIKE, EntityType, RelationType, allowed

E = EntityType
R = RelationType
CLAUSE_BREAK = re.compile(r"[,，;；:：!?。！？]")


@dataclass(frozen=True)
class Span:
    """An entity mention inside one sentence (offsets relative to the sentence)."""

    name: str
    type: EntityType
    start: int
    end: int
    surface: str = ""


@dataclass(frozen=True)
class Proposal:
    head: str
    relation: RelationType
    tail: str
    confidence: float
    trigger: str


@dataclass
class Context:
    """What the text was talking about: recent organisations and models, for zero subjects."""

    recent_orgs: list[str] = field(default_factory=list)
    recent_models: list[str] = field(default_factory=list)
    org_counts: Counter = field(default_factory=Counter)

    def topic_org(self, sent: Sentence | None = None) -> str | None:
        """The company the text is mostly about so far (this sentence included)."""
        counts = Counter(self.org_counts)
        if sent is not None:
            counts.update(s.name for s in sent.spans if s.type is E.COMPANY)
        return counts.most_common(1)[0][0] if counts else None

    def update(self, spans: list[Span]) -> None:
        for s in spans:
            if s.type is E.COMPANY:
                self.recent_orgs.append(s.name)
                self.org_counts[s.name] += 1
            elif s.type is E.AIMODEL:
                self.recent_models.append(s.name)
        del self.recent_orgs[:-3]
        del self.recent_models[:-3]


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


def _lex(words: str) -> re.Pattern[str]:
    return re.compile("|".join(sorted(map(re.escape, words.split()), key=len, reverse=True)))


TITLE_TRIGGERS: list[tuple[re.Pattern[str], RelationType]] = [
    (_lex("董事长 董事局主席 董事会主席 掌门人 掌舵人 当家人"), R.CHAIRMAN_OF),
    (_lex("创始人 联合创始人 创办人 创立者 创始者"), R.FOUNDER_OF),
    (_lex("CEO 首席执行官 总裁 首席执行长"), R.CEO_OF),
]
FOUND_VERBS = _lex("一手创办 一手创立 创办 创立 创建 创办了 创立了 成立了 成立 筹建 缔造 创设")
LOCATED_TRIGGERS = _lex("总部位于 总部设在 总部设于 总部在 总部落户 坐落于 坐落在 位于 落户 落户于 扎根 地处 "
                        "所在地 所在地为 成立于 创立于 创建于 创办于 诞生于 注册于 设在")
FOUNDED_IN_PLACE = re.compile(r"在\s?$")
FOUNDED_AFTER_PLACE = re.compile(r"^\s?(?:正式)?(?:成立|创立|创建|创办|注册成立)")
EVENT_HELD = _lex("举办 举行 召开 开幕 如期举办 隆重举行")
PARTNER_PREPS = _lex("与 和 跟 同 及")
PARTNER_VERBS = _lex("携手 联合 联手 牵手 结盟 签约 合作 战略合作 达成合作 共同 一起 合作伙伴 深度合作")
LAUNCH_VERBS = _lex("联合发布 共同发布 正式发布 重磅发布 发布 推出 上线 研发 自研 打造 训练出 首发 开源 升级 "
                    "亮相 搭建 拿出 官宣 共同推出 联合推出 联合打造 共同打造 联合研发")
USE_VERBS = _lex("基于 依托 依靠 采用 搭载 使用 用的是 依赖 部署在 运行在 背后是 借助")
BENCH_VERBS = _lex("对标 超越 超过 比肩 媲美 赶超 相当 看齐 追平 达到 逼近 领先")
SUBSIDIARY_WORDS = _lex("旗下 子公司 全资子公司 控股子公司 控股")
LISTED = re.compile(r"(?:在|于|登陆|赴|登录)(?P<gap>[^,，。;；]{0,12}?)(?:挂牌)?上市")
SUPPORT_VERBS = _lex("高度重视 大力支持 鼎力支持 力挺 全力支持 亲自推动")
SPIN_OFF = _lex("拆分上市 分拆上市 分拆")
PRONOUN_SUBJECT = re.compile(r"(?:该公司|公司|我们|我们公司|其|双方|他们|该集团|集团)$")

MODELS = frozenset({E.AIMODEL})
BUILDABLE = frozenset({E.AIMODEL, E.PRODUCT, E.CHIP})
USERS = frozenset({E.COMPANY, E.AIMODEL, E.PRODUCT})
USED = frozenset({E.CHIP, E.PRODUCT, E.COMPANY})
PERSON = frozenset({E.PERSON})
PLACE = frozenset({E.PLACE})
EXCHANGE_NAME = re.compile(r"交所|交易所|纳斯达克|科创板|创业板|主板|nasdaq|nyse|exchange", re.I)


def _subject(sent: Sentence, pos: int, ctx: Context, types=ORG_LIKE) -> tuple[str | None, float]:
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


_TITLE_WORD = (r"(?:党委|党组)?(?:副|常务|执行|联席|名誉|首任|现任|前任)?(?:"
               + "|".join(sorted(map(re.escape, PERSON_TITLES), key=len, reverse=True)) + ")")
# 董事长、总裁徐永安 / 董事长兼CEO孙丕恕: other titles between a title and the name
_TITLES_AFTER = re.compile(rf"(?:\s*(?:、|兼|和|及|暨|/|,|，)\s*{_TITLE_WORD})*\s*[:：]?\s*")
# 浪潮集团有限公司党委书记、董事长: other titles between the organisation and a title
# (a closing quote or a parenthesis such as （以下简称小康集团） may stand in between too)
_TITLES_BEFORE = re.compile(
    rf"[”\"」』]?\s*[)）]?\s*(?:[(（][^()（）]{{0,24}}[)）])?\s*(?:的|之)?\s*(?:{_TITLE_WORD}\s*(?:、|兼|和|及|暨|/)\s*)*"
)
_HOLDS = re.compile(r"(?:现任|任|担任|出任|是|为|作为|身为|兼任|当选为?|升任|接任)")


def title_relations(sent: Sentence, ctx: Context) -> Iterator[Proposal]:
    """科大讯飞董事长刘庆峰 / 刘庆峰（科大讯飞董事长）/ OpenAI创始人Sam Altman / 小冰的CEO李笛 /
    横店集团董事长、总裁徐永安 / 张锐钢任天津港（集团）有限公司董事长."""
    for rx, rel in TITLE_TRIGGERS:
        for m in rx.finditer(sent.text):
            ts, te = m.start(), m.end()
            if sent.text[max(0, ts - 1):ts] in ("副",) or sent.text[te:te + 1] in ("助", "办"):
                continue
            org = _title_org(sent, ts)
            person, confidence = _title_person(sent, ts, te, org), 0.9
            if person is None:
                continue
            if org is None and re.search(r"(?:该公司|公司|其|本公司)\s*$", sent.text[:ts]):
                topic = ctx.topic_org(sent)
                if topic:
                    org, confidence = Span(topic, E.COMPANY, 0, 0), 0.6
            if org is not None:
                yield Proposal(person.name, rel, org.name, confidence, m.group())


def _title_org(sent: Sentence, ts: int) -> Span | None:
    for org in sorted((s for s in sent.spans if s.type in ORG_LIKE and s.end <= ts), key=lambda s: -s.end):
        if _TITLES_BEFORE.fullmatch(sent.text, org.end, ts):
            return org
        return None
    return None


def _title_person(sent: Sentence, ts: int, te: int, org: Span | None) -> Span | None:
    chain_end = _TITLES_AFTER.match(sent.text, te).end()
    after = next((p for p in sent.after(chain_end, PERSON, max_gap=1)), None)
    if after is not None:
        return after
    anchor = org.start if org else ts
    before = sent.before(anchor, PERSON, same_clause=False, max_gap=30)
    if before is None:
        return None
    gap = sent.between(before.end, anchor)
    # 阮洪良 福莱特玻璃集团股份有限公司董事长 / 刘庆峰（科大讯飞董事长）/ 张锐钢任…董事长 / 文剑平，男，…，现任…董事长
    # 赵德海，江苏远帆…董事长 / 文剑平，男，1962年生，…，北京碧水源…董事长: a profile names its subject first
    opener = before.start <= 1 and re.match(r"\s*[,，]", gap) and not any(
        p.start > before.end and p.end <= anchor for p in sent.spans if p.type is E.PERSON)
    if opener or re.fullmatch(r"\s*[(（]?\s*", gap) or _HOLDS.search(gap) and not any(
            p.start > before.end and p.end <= anchor for p in sent.spans if p.type is E.PERSON):
        return before
    return None


def founding_relations(sent: Sentence, ctx: Context) -> Iterator[Proposal]:
    """梁文锋创办了DeepSeek / 乔布斯与沃兹尼亚克一起创立了苹果公司 / 2001年蒋柏荣成立百荣集团 /
    DeepSeek由梁文锋创立 / 由田建治郎等人创建的“快进社”."""
    for m in FOUND_VERBS.finditer(sent.text):
        person = sent.before(m.start(), PERSON, max_gap=14)
        if person is None:
            continue
        founders = [person] + _joined_persons(sent, person)
        orgs = sent.after(m.end(), ORG_LIKE, max_gap=12)
        by = re.search(r"由\s*$", sent.text[: founders[-1].start])
        if by:
            org = sent.before(founders[-1].start, ORG_LIKE, max_gap=10)
            if org is None and orgs and re.match(r"[^,，。]{0,3}的", sent.text[m.end():orgs[0].start]):
                org = orgs[0]  # 由X创建的Y
            orgs = [org] if org else []
        for org in orgs[:1]:
            for founder in founders:
                yield Proposal(founder.name, R.FOUNDER_OF, org.name, 0.8, m.group())


def _joined_persons(sent: Sentence, person: Span) -> list[Span]:
    """乔布斯与另一位联合创始人沃兹尼亚克: the people joined to ``person`` by 与/和/同 before it."""
    out = []
    current = person
    while True:
        prev = sent.before(current.start, PERSON, max_gap=16)
        if prev is None or not re.search(r"与|和|同|跟|及", sent.between(prev.end, current.start)):
            return out
        out.append(prev)
        current = prev


def location_relations(sent: Sentence, ctx: Context) -> Iterator[Proposal]:
    """总部位于合肥 / 美国科技企业OpenAI / 科大讯飞是安徽…企业 / 开发者节在合肥举办."""
    holders = ORG_LIKE | {E.EVENT}
    for m in LOCATED_TRIGGERS.finditer(sent.text):
        places = sent.after(m.end(), PLACE, max_gap=3)
        if not places:
            continue
        org = sent.before(m.start(), holders, max_gap=20) or sent.before(m.start(), holders, same_clause=False)
        subject = org.name if org else ctx.topic_org()
        if subject:
            for p in _adjacent_run(sent, places):
                yield Proposal(subject, R.LOCATED_IN, p.name, 0.85 if org else 0.6, m.group())
    for place in (s for s in sent.spans if s.type is E.PLACE):
        # 1998年在北京成立: the sentence's subject was founded there
        if FOUNDED_IN_PLACE.search(sent.text[max(0, place.start - 2):place.start]) and \
                FOUNDED_AFTER_PLACE.match(sent.text[place.end:place.end + 6]):
            org = sent.before(place.start, ORG_LIKE, same_clause=False, max_gap=60)
            if org:
                yield Proposal(org.name, R.LOCATED_IN, place.name, 0.7, "在…成立")
        # 美国科技企业OpenAI, 杭州的AI公司DeepSeek, 来自合肥的科大讯飞
        org = next((s for s in sent.spans if s.start >= place.end and s.type in ORG_LIKE), None)
        if org and re.fullmatch(r"(?:的)?[\u4e00-\u9fffA-Za-z]{0,6}(?:企业|公司|厂商|巨头|独角兽|初创企业)\s?[“\"]?",
                                sent.between(place.end, org.start)):
            yield Proposal(org.name, R.LOCATED_IN, place.name, 0.75, "企业")
        before = sent.text[max(0, place.start - 3):place.start]
        if org and before.endswith("来自") and sent.between(place.end, org.start) in ("的", ""):
            yield Proposal(org.name, R.LOCATED_IN, place.name, 0.75, "来自")
    for org in (s for s in sent.spans if s.type in ORG_LIKE):
        # 科大讯飞是安徽人工智能产业发展的生动缩影 / 作为中国人工智能“国家队”，科大讯飞…
        tail = sent.text[org.end:org.end + 3]
        if tail.startswith(("是", "作为", "为")):
            place = next((p for p in sent.after(org.end, PLACE, max_gap=3)), None)
            if place and re.search(r"(?:企业|公司|代表|缩影|名片|龙头|标杆|骄傲)", sent.text[place.end:place.end + 20]):
                yield Proposal(org.name, R.LOCATED_IN, place.name, 0.65, "是")
    zuo = re.match(r"作为\s?(?P<rest>[^,，。]{1,20})[,，]", sent.text)
    if zuo:
        place = next((s for s in sent.spans if s.type is E.PLACE and s.start < zuo.end()), None)
        org = next((s for s in sent.spans if s.type in ORG_LIKE and s.start >= zuo.end()), None)
        if place and org and org.start - zuo.end() <= 1:
            yield Proposal(org.name, R.LOCATED_IN, place.name, 0.6, "作为")
    for m in EVENT_HELD.finditer(sent.text):
        place = sent.before(m.start(), PLACE, max_gap=6)
        if place is None:
            continue
        event = sent.before(place.start, {E.EVENT}, max_gap=10) or next(
            iter(sent.after(m.end(), {E.EVENT}, max_gap=6)), None)
        if event:
            yield Proposal(event.name, R.LOCATED_IN, place.name, 0.8, m.group())


def _adjacent_run(sent: Sentence, spans: list[Span]) -> list[Span]:
    """Places written back to back (中国安徽合肥) or joined by 、/和."""
    run = spans[:1]
    for s in spans[1:]:
        if sent.between(run[-1].end, s.start).strip() in ("", "、", "省", "市"):
            run.append(s)
        else:
            break
    return run


def partner_relations(sent: Sentence, ctx: Context) -> Iterator[Proposal]:
    """科大讯飞与华为合作 / 携手华为 / 与华为、合肥市大数据…联合打造 / 跟华为、寒武纪做了很多工作."""
    text = sent.text
    for m in PARTNER_PREPS.finditer(text):
        partners = _enumeration(sent, m.end(), ORG_LIKE)
        if not partners:
            continue
        rest = text[partners[-1].end:partners[-1].end + 30]
        clause_rest = CLAUSE_BREAK.split(rest, maxsplit=1)[0]
        if not (PARTNER_VERBS.search(clause_rest) or LAUNCH_VERBS.search(clause_rest[:8])
                or re.search(r"做了?[^,，。]{0,6}工作|一起|等[^,，。]{0,12}(?:一起|共同|联合)", rest)):
            continue
        subject, conf = _subject(sent, m.start(), ctx)
        if subject is None:
            continue
        for p in partners:
            if p.name != subject:
                yield Proposal(subject, R.PARTNERS_WITH, p.name, 0.85 * conf, m.group())
    for m in re.finditer(r"携手|联合|联手|牵手", text):
        partners = _enumeration(sent, m.end(), ORG_LIKE, max_gap=1)
        if not partners:
            continue
        subject, conf = _subject(sent, m.start(), ctx)
        for p in partners:
            if subject and p.name != subject:
                yield Proposal(subject, R.PARTNERS_WITH, p.name, 0.85 * conf, m.group())


def _enumeration(sent: Sentence, pos: int, types: frozenset[EntityType], max_gap: int = 2) -> list[Span]:
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
            orgs = _enumeration(sent, thing.end + tail.end(), ORG_LIKE, max_gap=1)
            after = text[orgs[-1].end:orgs[-1].end + 12] if orgs else ""
            if orgs and LAUNCH_VERBS.search(after):
                for o in orgs:
                    yield Proposal(o.name, R.DEVELOPS, thing.name, 0.8, "为…推出")


UPGRADE = re.compile(r"对\s?(?P<obj>[^,，。;；]{2,24}?)\s?进行了?(?:全面|全新)?(?:升级|迭代|更新)")


def brand_relations(sent: Sentence, ctx: Context) -> Iterator[Proposal]:
    """华为昇腾910B / 英伟达A100: a product written with its maker's name in front is the maker's.

    Only where the text adds the maker to the name: DeepSeek-R1 or 讯飞星火 carry the brand in the
    product's own name, which says nothing more than the name itself."""
    for thing in sent.spans:
        if thing.type in BUILDABLE and thing.surface:
            maker = brand_owner(thing.surface)
            if maker and brand_owner(thing.name) is None:
                yield Proposal(maker, R.DEVELOPS, thing.name, 0.7, "brand")


def brand_owner(surface: str) -> str | None:
    """The company whose name (any alias) opens ``surface``, if the rest is a name of its own."""
    from kg.dictionary import Dictionary

    dictionary = Dictionary.default()
    text = surface.strip()
    for cut in range(min(len(text) - 2, 8), 1, -1):
        entry = dictionary.lookup(text[:cut])
        if entry is not None and entry.type is E.COMPANY:
            return entry.name
    return None


def upgrade_relations(sent: Sentence, ctx: Context) -> Iterator[Proposal]:
    """科大讯飞对讯飞AI学习机进行了升级: the subject develops what it upgrades."""
    for m in UPGRADE.finditer(sent.text):
        things = [s for s in sent.spans if s.type in BUILDABLE and m.start("obj") <= s.start < m.end("obj")]
        if not things:
            continue
        for maker, conf in _makers(sent, m.start(), ctx):
            yield Proposal(maker, R.DEVELOPS, things[0].name, 0.7 * conf, "升级")


def _makers(sent: Sentence, pos: int, ctx: Context) -> list[tuple[str, float]]:
    """Who launched: the subject, plus every party joined to it (A 与 B、C 联合发布 …)."""
    subject, conf = _subject(sent, pos, ctx)
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


JOINT_VERB = re.compile(r"联合|共同|携手|一起")
JOINERS = re.compile(r"\s*(?:还|也|已经|将)?\s*(?:与|和|跟|同|及|以及|、|携手|联合|联手)\s*")


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


def subsidiary_relations(sent: Sentence, ctx: Context) -> Iterator[Proposal]:
    """讯飞医疗是科大讯飞的子公司 / 科大讯飞旗下的讯飞医疗 / 讯飞医疗拆分上市."""
    companies = frozenset({E.COMPANY})
    for m in SUBSIDIARY_WORDS.finditer(sent.text):
        parent = sent.before(m.start(), companies, max_gap=3)
        child = next(iter(sent.after(m.end(), companies, max_gap=3)), None)
        if parent and child:
            yield Proposal(child.name, R.SUBSIDIARY_OF, parent.name, 0.8, m.group())
            continue
        if parent and m.group() != "旗下":
            child = sent.before(parent.start, companies, max_gap=4)
            if child and re.search(r"是|为|作为", sent.between(child.end, parent.start)):
                yield Proposal(child.name, R.SUBSIDIARY_OF, parent.name, 0.8, m.group())
    for m in SPIN_OFF.finditer(sent.text):
        child = sent.before(m.start(), companies, max_gap=2)
        if child is None:
            continue
        parent = next((s for s in sent.spans if s.type is E.COMPANY and s.name != child.name), None)
        parent_name = parent.name if parent else next(
            (o for o in reversed(ctx.recent_orgs) if o != child.name), None)
        if parent_name:
            yield Proposal(child.name, R.SUBSIDIARY_OF, parent_name, 0.65, m.group())


def listing_relations(sent: Sentence, ctx: Context) -> Iterator[Proposal]:
    """讯飞医疗在港交所上市 / 登陆纳斯达克."""
    for m in LISTED.finditer(sent.text):
        exchange = next((s for s in sent.spans if s.type is E.ORGANIZATION and m.start() <= s.start < m.end()
                         and EXCHANGE_NAME.search(s.name)), None)
        if exchange is None:
            continue
        company = sent.before(m.start() + 1, frozenset({E.COMPANY}), max_gap=20)
        if company:
            yield Proposal(company.name, R.LISTED_ON, exchange.name, 0.85, "上市")


def support_relations(sent: Sentence, ctx: Context) -> Iterator[Proposal]:
    """任正非高度重视 (the cooperation of the organisations in the sentence)."""
    for m in SUPPORT_VERBS.finditer(sent.text):
        person = sent.before(m.start(), PERSON, max_gap=4)
        if person is None:
            continue
        orgs = [s for s in sent.spans if s.type in ORG_LIKE]
        targets = [o for o in orgs if o.start > person.end] or orgs
        for o in dict.fromkeys(o.name for o in targets):
            yield Proposal(person.name, R.SUPPORTS, o, 0.55, m.group())


RULES = (title_relations, founding_relations, location_relations, partner_relations, develop_relations,
         upgrade_relations, brand_relations,
         use_relations, benchmark_relations, subsidiary_relations, listing_relations, support_relations)


def sentence_relations(sent: Sentence, ctx: Context, types: dict[str, EntityType]) -> list[Proposal]:
    """All proposals of all rules for one sentence that respect the type signatures."""
    out: dict[tuple[str, RelationType, str], Proposal] = {}
    for rule in RULES:
        for p in rule(sent, ctx):
            head_t, tail_t = types.get(p.head), types.get(p.tail)
            if head_t is None or tail_t is None or p.head == p.tail:
                continue
            if not allowed(p.relation, head_t, tail_t):
                continue
            k = (p.head, p.relation, p.tail)
            if k not in out or out[k].confidence < p.confidence:
                out[k] = p
    return list(out.values())
