"""Where organisations and events are: 总部位于合肥, 美国科技企业OpenAI, 开发者节在合肥举办."""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.lexicons import alternation
from kg.registry import RELATION_RULES
from kg.relations.base import PLACE, Context, E, Proposal, R, Sentence, Span, propose
from kg.relations.clauses import carried_subject, subject_of
from kg.schema import ORG_LIKE

LOCATED_TRIGGERS = alternation("relations.located")
EVENT_HELD = alternation("relations.event_held")
FOUNDED_IN_PLACE = re.compile(r"在\s?$")
FOUNDED_AFTER_PLACE = re.compile(r"^\s?(?:正式)?(?:成立|创立|创建|创办|注册成立)")


@RELATION_RULES.register("location", order=300, help="总部位于合肥, 美国科技企业OpenAI, 开发者节在合肥举办")
def location_relations(sent: Sentence, ctx: Context) -> Iterator[Proposal]:
    """总部位于合肥 / 美国科技企业OpenAI / 科大讯飞是安徽…企业 / 开发者节在合肥举办."""
    holders = ORG_LIKE | {E.EVENT}
    for m in LOCATED_TRIGGERS.finditer(sent.text):
        places = sent.after(m.end(), PLACE, max_gap=3)
        if not places:
            continue
        # X，总部位于Y: the subject of the clause before
        org = sent.before(m.start(), holders, max_gap=20)
        confidence = 0.85
        if org is None:
            org, confidence = carried_subject(sent, m.start(), holders), 0.7
        if org is not None:
            for p in _adjacent_run(sent, places):
                yield propose(org, R.LOCATED_IN, p, confidence, m.group())
    for place in (s for s in sent.spans if s.type is E.PLACE):
        # 1998年在北京成立: the sentence's subject was founded there
        if FOUNDED_IN_PLACE.search(sent.text[max(0, place.start - 2):place.start]) and \
                FOUNDED_AFTER_PLACE.match(sent.text[place.end:place.end + 6]):
            org, _ = subject_of(sent, place.start, ORG_LIKE)
            if org:
                yield propose(org, R.LOCATED_IN, place, 0.7, "在…成立")
        # 美国科技企业OpenAI, 杭州的AI公司DeepSeek, 来自合肥的科大讯飞
        org = next((s for s in sent.spans if s.start >= place.end and s.type in ORG_LIKE), None)
        if org and re.fullmatch(r"(?:的)?[\u4e00-\u9fffA-Za-z]{0,6}(?:企业|公司|厂商|巨头|独角兽|初创企业)\s?[“\"]?",
                                sent.between(place.end, org.start)):
            yield propose(org, R.LOCATED_IN, place, 0.75, "企业")
        before = sent.text[max(0, place.start - 3):place.start]
        if org and before.endswith("来自") and sent.between(place.end, org.start) in ("的", ""):
            yield propose(org, R.LOCATED_IN, place, 0.75, "来自")
    for org in (s for s in sent.spans if s.type in ORG_LIKE):
        # 科大讯飞是安徽人工智能产业发展的生动缩影 / 作为中国人工智能“国家队”，科大讯飞…
        tail = sent.text[org.end:org.end + 3]
        if tail.startswith(("是", "作为", "为")):
            place = next((p for p in sent.after(org.end, PLACE, max_gap=3)), None)
            if place and re.search(r"(?:企业|公司|代表|缩影|名片|龙头|标杆|骄傲)", sent.text[place.end:place.end + 20]):
                yield propose(org, R.LOCATED_IN, place, 0.65, "是")
    zuo = re.match(r"作为\s?(?P<rest>[^,，。]{1,20})[,，]", sent.text)
    if zuo:
        place = next((s for s in sent.spans if s.type is E.PLACE and s.start < zuo.end()), None)
        org = next((s for s in sent.spans if s.type in ORG_LIKE and s.start >= zuo.end()), None)
        if place and org and org.start - zuo.end() <= 1:
            yield propose(org, R.LOCATED_IN, place, 0.6, "作为")
    for m in EVENT_HELD.finditer(sent.text):
        place = sent.before(m.start(), PLACE, max_gap=6)
        if place is None:
            continue
        event = sent.before(place.start, {E.EVENT}, max_gap=10) or next(
            iter(sent.after(m.end(), {E.EVENT}, max_gap=6)), None)
        if event:
            yield propose(event, R.LOCATED_IN, place, 0.8, m.group())


def _adjacent_run(sent: Sentence, spans: list[Span]) -> list[Span]:
    """Places written back to back (中国安徽合肥) or joined by 、/和."""
    run = spans[:1]
    for s in spans[1:]:
        if sent.between(run[-1].end, s.start).strip() in ("", "、", "省", "市"):
            run.append(s)
        else:
            break
    return run
