"""Organisations with each other: partners (与华为合作)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.extraction.lexicons import alternation
from kg.extraction.relations.base import CLAUSE_BREAK, LAUNCH_VERBS, Context, Proposal, R, Sentence, Span, propose
from kg.extraction.relations.clauses import enumeration, listed_next, subject_of
from kg.registry import RELATION_RULES
from kg.schema import ORG_LIKE

PARTNER_PREPS = alternation("relations.partner_preps")
PARTNER_LEAD_VERBS = alternation("relations.partner_lead_verbs")
PARTNER_VERBS = alternation("relations.partner_verbs")
#: 做了很多工作 / 一起 / 等…共同: the partners listed act together with the subject.
TOGETHER = re.compile(rf"做了?[^,，。]{{0,6}}工作|一起"
                      rf"|等[^,，。]{{0,12}}(?:{alternation('relations.together_words').pattern})")


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
                  or TOGETHER.search(rest)):
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
            yield propose(subject, R.PARTNERS_WITH, p, 0.85 * conf, trigger, "partner", conf)
