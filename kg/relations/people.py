"""People and their roles: chairs, founders and chief executives by title (科大讯飞董事长刘庆峰),
founders by verb (梁文锋创办了DeepSeek), supporters (任正非高度重视)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.lexicons import alternation
from kg.ner.lexicon import PERSON_TITLES
from kg.registry import RELATION_RULES
from kg.relations.base import PERSON, Context, E, Proposal, R, Sentence, Span, propose
from kg.relations.clauses import PARTNER_MARKERS, clause_bounds, enumeration, subject_of
from kg.schema import ORG_LIKE

TITLE_TRIGGERS = [
    (alternation("titles.chairman"), R.CHAIRMAN_OF),
    (alternation("titles.founder"), R.FOUNDER_OF),
    (alternation("titles.ceo"), R.CEO_OF),
]
FOUND_VERBS = alternation("relations.found_verbs")
SUPPORT_VERBS = alternation("relations.support_verbs")
PARTNER_VERBS = alternation("relations.partner_verbs")
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


@RELATION_RULES.register("title", order=100, help="科大讯飞董事长刘庆峰, 刘庆峰（科大讯飞董事长）")
def title_relations(sent: Sentence, ctx: Context) -> Iterator[Proposal]:
    """科大讯飞董事长刘庆峰 / 刘庆峰（科大讯飞董事长）/ OpenAI创始人Sam Altman / 小冰的CEO李笛 /
    横店集团董事长、总裁徐永安 / 张锐钢任天津港（集团）有限公司董事长."""
    for rx, rel in TITLE_TRIGGERS:
        for m in rx.finditer(sent.text):
            ts, te = m.start(), m.end()
            if sent.text[max(0, ts - 1):ts] in ("副",) or sent.text[te:te + 1] in ("助", "办"):
                continue
            org = _title_org(sent, ts)  # an anaphor too: 该公司董事长X
            person = _title_person(sent, ts, te, org)
            if person is not None and org is not None:
                yield propose(person, rel, org, 0.9, m.group())


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


@RELATION_RULES.register("founding", order=200, help="梁文锋创办了DeepSeek, DeepSeek由梁文锋创立")
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
                yield propose(founder, R.FOUNDER_OF, org, 0.8, m.group())


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


@RELATION_RULES.register("support", order=1200, help="任正非高度重视, 大力支持星海互娱")
def support_relations(sent: Sentence, ctx: Context) -> Iterator[Proposal]:
    """任正非大力支持星海互娱的研发 (what follows the verb in its clause) / 谈A与B合作：任正非高度重视
    (with no object, the parties of the cooperation the sentence names before the person)."""
    for m in SUPPORT_VERBS.finditer(sent.text):
        person = sent.before(m.start(), PERSON, max_gap=4)
        if person is None:
            continue
        # only the object's own clause: 支持A，B和C也参会 supports A alone
        _, clause_end = clause_bounds(sent.text, m.end())
        targets = [t for t in enumeration(sent, _object_start(sent, m.end()), ORG_LIKE, max_gap=2)
                   if t.end <= clause_end]
        if not targets and clause_bounds(sent.text, m.end())[1] - m.end() <= 2:
            targets = _cooperation(sent, person.start)
        for o in targets:
            yield propose(person, R.SUPPORTS, o, 0.55, m.group())


def _object_start(sent: Sentence, pos: int) -> int:
    """Where the object of a verb at ``pos`` starts (支持了对星海互娱的…: past 了 and 对)."""
    m = re.match(r"\s*(?:了|着)?\s*(?:对|与|和)?\s*", sent.text[pos:])
    return pos + (m.end() if m else 0)


def _cooperation(sent: Sentence, pos: int) -> list[Span]:
    """The parties of the last cooperation named before ``pos`` (A与B合作: A and B)."""
    for m in reversed(list(PARTNER_MARKERS.finditer(sent.text, 0, pos))):
        partners = enumeration(sent, m.end(), ORG_LIKE, max_gap=1)
        if not partners or not PARTNER_VERBS.match(sent.text, partners[-1].end):
            continue
        subject, _ = subject_of(sent, m.start(), ORG_LIKE)
        return [*([subject] if subject is not None else []), *partners]
    return []
