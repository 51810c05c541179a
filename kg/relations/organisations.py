"""Organisations with each other: partners (与华为合作), parents and subsidiaries (科大讯飞旗下的讯飞医疗),
stock listings (在港交所上市)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.lexicons import alternation
from kg.registry import RELATION_RULES
from kg.relations.base import CLAUSE_BREAK, LAUNCH_VERBS, Context, E, Proposal, R, Sentence, Span, propose
from kg.relations.brands import brand_span
from kg.relations.clauses import enumeration, listed_next, subject_of
from kg.schema import ORG_LIKE

PARTNER_PREPS = alternation("relations.partner_preps")
PARTNER_LEAD_VERBS = alternation("relations.partner_lead_verbs")
PARTNER_VERBS = alternation("relations.partner_verbs")
SUBSIDIARY_WORDS = alternation("relations.subsidiary_words")
SPIN_OFF = alternation("relations.spin_off")
LISTED = re.compile(r"(?:在|于|登陆|赴|登录)(?P<gap>[^,，。;；]{0,12}?)(?:挂牌)?上市")
EXCHANGE_NAME = re.compile(r"交所|交易所|纳斯达克|科创板|创业板|主板|nasdaq|nyse|exchange", re.I)


@RELATION_RULES.register("partner", order=400, help="科大讯飞与华为合作, 携手华为")
def partner_relations(sent: Sentence, ctx: Context) -> Iterator[Proposal]:
    """科大讯飞与华为合作 / 携手华为 / 与华为、合肥市大数据…联合打造 / 跟华为、寒武纪做了很多工作 /
    与多家企业达成合作，包括A、B (the list in the next clause)."""
    text = sent.text
    for m in PARTNER_PREPS.finditer(text):
        partners = enumeration(sent, m.end(), ORG_LIKE)
        end = partners[-1].end if partners else m.end()
        rest = text[end:end + 30]
        clause_rest = CLAUSE_BREAK.split(rest, maxsplit=1)[0]
        if not partners:
            # 与多家企业达成合作，包括A、B: the partners are listed in the next clause
            if not (PARTNER_VERBS.search(clause_rest) and (partners := listed_next(sent, end, ORG_LIKE))):
                continue
        elif not (PARTNER_VERBS.search(clause_rest) or LAUNCH_VERBS.search(clause_rest[:8])
                  or re.search(r"做了?[^,，。]{0,6}工作|一起|等[^,，。]{0,12}(?:一起|共同|联合)", rest)):
            continue
        yield from _partners(sent, ctx, m.start(), partners, m.group())
    for m in PARTNER_LEAD_VERBS.finditer(text):
        partners = enumeration(sent, m.end(), ORG_LIKE, max_gap=1)
        if partners:
            yield from _partners(sent, ctx, m.start(), partners, m.group())


def _partners(sent: Sentence, ctx: Context, pos: int, partners: list[Span], trigger: str) -> Iterator[Proposal]:
    """The subject of the partner word at ``pos`` with each of ``partners``."""
    subject, conf = subject_of(sent, pos, ORG_LIKE, ctx.dictionary)
    if subject is None:
        return
    for p in partners:
        if p.name != subject.name:
            yield propose(subject, R.PARTNERS_WITH, p, 0.85 * conf, trigger)


@RELATION_RULES.register("subsidiary", order=1000, help="讯飞医疗是科大讯飞的子公司, 科大讯飞旗下的讯飞医疗")
def subsidiary_relations(sent: Sentence, ctx: Context) -> Iterator[Proposal]:
    """讯飞医疗是科大讯飞的子公司 / 科大讯飞旗下的讯飞医疗 / 讯飞医疗拆分上市."""
    companies = frozenset({E.COMPANY})
    for m in SUBSIDIARY_WORDS.finditer(sent.text):
        parent = sent.before(m.start(), companies, max_gap=3)
        child = next(iter(sent.after(m.end(), companies, max_gap=3)), None)
        if parent and child:
            yield propose(child, R.SUBSIDIARY_OF, parent, 0.8, m.group())
            continue
        if parent and m.group() != "旗下":
            child = sent.before(parent.start, companies, max_gap=4)
            if child and re.search(r"是|为|作为", sent.between(child.end, parent.start)):
                yield propose(child, R.SUBSIDIARY_OF, parent, 0.8, m.group())
    for m in SPIN_OFF.finditer(sent.text):
        # 科大讯飞分拆讯飞医疗上市 (the child after) / 讯飞医疗拆分上市 (before; the parent elsewhere in the sentence)
        child = next(iter(sent.after(m.end(), companies, max_gap=2)), None)
        if child is not None:
            parent, _ = subject_of(sent, m.start(), companies)
        else:
            child = sent.before(m.start(), companies, max_gap=2)
            parent = next((s for s in sent.spans if s.type is E.COMPANY and child and s.name != child.name), None)
            if child is not None and parent is None:
                parent = brand_span(child, ctx.dictionary)  # 讯飞医疗拆分上市: its parent's name opens its own
        if child is not None and parent is not None and parent.name != child.name:
            yield propose(child, R.SUBSIDIARY_OF, parent, 0.65, m.group())


@RELATION_RULES.register("listing", order=1100, help="讯飞医疗在港交所上市")
def listing_relations(sent: Sentence, ctx: Context) -> Iterator[Proposal]:
    """讯飞医疗在港交所上市 / 登陆纳斯达克."""
    for m in LISTED.finditer(sent.text):
        exchange = next((s for s in sent.spans if s.type is E.ORGANIZATION and m.start() <= s.start < m.end()
                         and EXCHANGE_NAME.search(s.name)), None)
        if exchange is None:
            continue
        company = sent.before(m.start() + 1, frozenset({E.COMPANY}), max_gap=20)
        if company:
            yield propose(company, R.LISTED_ON, exchange, 0.85, "上市")
