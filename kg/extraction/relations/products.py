"""Products, models and chips: what they use (基于“飞星一号”打造, 搭载昇腾910B). Who develops them the
trained model reads: a rule stays only where it measurably adds to it on the development split
(docs/relations.md); the launch, possessive and brand rules did not and are gone."""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.extraction.lexicons import alternation
from kg.extraction.relations.base import (
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
from kg.extraction.relations.clauses import carried_subject
from kg.registry import RELATION_RULES
from kg.schema import ORG_LIKE, EntityType

COMPUTE_WORDS = alternation("relations.compute_words")
_MAKING_VERBS = alternation("relations.making_verbs").pattern


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
